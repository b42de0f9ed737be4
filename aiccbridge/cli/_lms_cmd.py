"""``aiccbridge lms serve``: run the sandbox LMS on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aiccbridge.cli._app import state

__all__ = ["register"]

lms_app = typer.Typer(
    help="The sandbox LMS: import packages, launch them, answer HACP.",
    no_args_is_help=True,
)


@lms_app.command("serve")
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8766,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help="LMS profile to answer like: spec, moodle, ilias, chamilo or "
            "skillport (default: the last one chosen, spec at first).",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        Path,
        typer.Option("--db", help="SQLite file holding the sandbox's state."),
    ] = Path(".aiccbridge/sandbox.db"),
) -> None:
    """Serve the sandbox LMS until interrupted; needs no config file.

    Its page (http://HOST:PORT/) imports packages, lists courses with their
    structure, launches them for a learner and shows what was recorded; its
    HACP endpoint is /hacp and its JSON API /api (docs/sandbox.md). Exit 2 for
    an unknown profile.
    """
    from aiccbridge.sandbox import get_profile
    from aiccbridge.sandbox import serve as run_sandbox

    chosen = get_profile(profile).name if profile else None
    typer.echo(
        f"aiccbridge: sandbox LMS on http://{host}:{port}/ (state {db})", err=True
    )
    run_sandbox(host=host, port=port, db=db, profile=chosen, verbosity=state.verbosity)


def register(app: typer.Typer) -> None:
    app.add_typer(lms_app, name="lms")
