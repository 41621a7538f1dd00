"""ASGI entry for servers such as ``uvicorn customner.asgi:app``; settings from the environment."""

from customner.app import create_app

app = create_app()
