"""Studio routes, one module per page."""
