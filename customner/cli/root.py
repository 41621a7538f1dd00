"""The root Typer application that every command module registers on."""

import typer

app = typer.Typer(help="customner: self-hosted custom NER, wire-compatible with Azure AI Language.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False, add_completion=False)
