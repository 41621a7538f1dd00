"""Job engines: where asynchronous work runs. Job state lives in the database and only ``jobs.lifecycle`` touches it.

``status``    JobStatus: Azure's job states
``lifecycle`` the lifecycle: the only functions that read or change a job row
``registry``  job kinds, their queues and the functions that run them (assembled in ``customner.assembly``)
``runner``    runs one job to a terminal state, in any engine
``engine``    the engine interface and the in-process (thread pool) engine
``celery_engine`` the distributed engine: API processes enqueue, ``customner worker`` processes run
``maintenance`` heartbeats, the stale-job reaper and the sweeper, shared by both engines
"""
