"""The root Typer application that every command module registers on."""

import typer
from rich.console import Console

from customner.settings import Settings, read_settings

app = typer.Typer(help="customner: self-hosted custom NER, wire-compatible with Azure AI Language.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False, add_completion=False)


def settings_or_exit(**overrides: object) -> Settings:
    """The environment's settings, or a one-line error naming the wrong variable and exit status 2."""
    try:
        return read_settings(**overrides)
    except ValueError as error:
        Console(stderr=True).print(f"[red]error:[/red] {error}", soft_wrap=True)
        raise typer.Exit(2) from None
