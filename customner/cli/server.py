"""``customner serve``: the API and the Studio, with in-process workers (or none: ``CUSTOMNER_JOB_ENGINE=celery``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from customner.cli.root import app, settings_or_exit

if TYPE_CHECKING:
    from customner.context import AppContext

console = Console(stderr=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 5000,
    data_dir: Annotated[Path, typer.Option(envvar="CUSTOMNER_DATA_DIR", help="Database, texts and models.")] = Path("customner-data"),
    demo: Annotated[bool, typer.Option(help="First create the ready-trained demo project and deployment.")] = False,
) -> None:
    """Start the service."""
    # The server is imported here, not at the top: every other CLI command would pay for loading it.
    import uvicorn

    from customner.app import create_app
    from customner.assembly import build_context
    from customner.observability import configure_logging

    settings = settings_or_exit(data_dir=data_dir)
    configure_logging(settings.log_format)
    key, generated = settings.ensure_api_key()
    if generated:
        where = data_dir / "api-key"
        console.print(f"[bold]Generated API key[/bold] (stored in {where}; shown once): [green]{key}[/green]", soft_wrap=True)
    context = build_context(settings)
    if demo:
        _bootstrap_demo(context)
    fastapi_app = create_app(settings, context)
    console.print(f"customner listening on [bold]http://{host}:{port}[/bold]  (Studio: http://{host}:{port}/studio)", soft_wrap=True)
    # log_config=None: uvicorn's loggers go through ours (text or JSON lines, with the request id).
    uvicorn.run(fastapi_app, host=host, port=port, log_level="info", log_config=None)


def _bootstrap_demo(context: AppContext) -> None:
    from customner.demo.bootstrap import DEPLOYMENT, PROJECT, ensure_demo

    context.jobs.start()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                      TimeElapsedColumn(), console=console) as bar:
            tasks: dict[str, TaskID] = {}

            def show(step: str, fraction: float) -> None:
                if step not in tasks:  # one row per step, timed from when the step starts
                    tasks[step] = bar.add_task(f"demo: {step}", total=1.0)
                bar.update(tasks[step], completed=fraction)

            created = ensure_demo(context, show)
            for task in tasks.values():
                bar.update(task, completed=1.0)
    finally:
        context.jobs.stop()
    if created:
        console.print(f"Demo ready: project [bold]{PROJECT}[/bold], deployment [bold]{DEPLOYMENT}[/bold].")
