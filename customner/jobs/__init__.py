"""Job engines: where asynchronous work runs. Job state always lives in the database."""
