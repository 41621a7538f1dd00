"""The ``customner`` command: a thin Typer shell over the server and the HTTP API."""

from customner.cli import access, agreement, lifecycle, manage, server, worker  # noqa: F401  (modules register their commands)
from customner.cli.root import app

__all__ = ["app"]
