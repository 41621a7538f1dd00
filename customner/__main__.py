"""``python -m customner``: the same as the ``customner`` command."""

from customner.cli import app

app()
