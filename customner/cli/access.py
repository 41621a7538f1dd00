"""``customner users`` and ``customner keys``: manage access directly in the configured database, like ``serve``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from customner import errors
from customner.cli.root import app, settings_or_exit

if TYPE_CHECKING:
    from customner.store.database import Database

console = Console()
users_app = typer.Typer(help="Studio users and their roles (owner, reviewer, annotator).", no_args_is_help=True)
app.add_typer(users_app, name="users")
keys_app = typer.Typer(help="Named API keys: runtime or authoring scope, optionally limited to projects.",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys")
DataDir = Annotated[Path, typer.Option(envvar="CUSTOMNER_DATA_DIR", help="The server's data folder (database).")]


def open_database(data_dir: Path) -> Database:
    """The database ``serve`` would use with this data folder (or CUSTOMNER_DATABASE_URL), migrated to the newest schema."""
    from customner.store.database import Database, migrate  # here, not at the top: every CLI command would load it

    settings = settings_or_exit(data_dir=data_dir)
    database = Database(settings.resolved_database_url)  # creates the folder of a new SQLite file first
    migrate(settings.resolved_database_url)
    return database


def fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command("add")
def add_user(
    name: Annotated[str, typer.Argument(help="User name for sign-in.")],
    role: Annotated[str, typer.Option(help="owner, reviewer or annotator.")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
    data_dir: DataDir = Path("customner-data"),
) -> None:
    """Create a Studio user (the password is asked for, or read from standard input)."""
    from customner.access import users

    database = open_database(data_dir)
    try:
        user = users.add(database, name, role, _read_password(password_stdin))
    except errors.ServiceError as error:
        fail(error.message)
    console.print(f"Added user [bold]{user.name}[/bold] with role [bold]{user.role}[/bold].")


@users_app.command("list")
def list_users(data_dir: DataDir = Path("customner-data")) -> None:
    """List Studio users and their roles."""
    from customner.access import users

    table = Table("user", "role", "created")
    for user in users.listing(open_database(data_dir)):
        table.add_row(user.name, user.role, user.created_at.isoformat(timespec="seconds"))
    console.print(table)


@users_app.command("remove")
def remove_user(name: Annotated[str, typer.Argument()], data_dir: DataDir = Path("customner-data")) -> None:
    """Delete a Studio user; their sessions end at once."""
    from customner.access import users

    try:
        users.remove(open_database(data_dir), name)
    except errors.ServiceError as error:
        fail(error.message)
    console.print(f"Removed user [bold]{name}[/bold].")


@keys_app.command("create")
def create_key(
    name: Annotated[str, typer.Argument(help="A name for the key (to list and revoke it).")],
    scope: Annotated[str, typer.Option(help="runtime (analyze and read jobs) or authoring (everything).")],
    project: Annotated[list[str] | None, typer.Option(help="Limit the key to this project (repeatable).")] = None,
    data_dir: DataDir = Path("customner-data"),
) -> None:
    """Create a key and print it, alone on the last line. It is shown only this once."""
    from customner.access import keys

    try:
        key, info = keys.create(open_database(data_dir), name, scope, project or [])
    except errors.ServiceError as error:
        fail(error.message)
    limits = f", projects {', '.join(info.projects)}" if info.projects else ", every project"
    console.print(f"Created key [bold]{info.name}[/bold] (scope {info.scope}{limits}). It is shown only once:")
    print(key)  # noqa: T201 - plain stdout, alone on its line, for scripts


@keys_app.command("list")
def list_keys(data_dir: DataDir = Path("customner-data")) -> None:
    """List named keys (never the keys themselves: only their first characters)."""
    from customner.access import keys

    table = Table("key", "starts with", "scope", "projects", "created")
    for info in keys.listing(open_database(data_dir)):
        table.add_row(info.name, info.prefix + "…", info.scope, ", ".join(info.projects) or "all",
                      info.created_at.isoformat(timespec="seconds"))
    console.print(table)


@keys_app.command("revoke")
def revoke_key(name: Annotated[str, typer.Argument()], data_dir: DataDir = Path("customner-data")) -> None:
    """Revoke a key: every server refuses it from the next request on."""
    from customner.access import keys

    try:
        keys.revoke(open_database(data_dir), name)
    except errors.ServiceError as error:
        fail(error.message)
    console.print(f"Revoked key [bold]{name}[/bold].")
