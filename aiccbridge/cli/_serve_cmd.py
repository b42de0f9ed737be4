"""``aiccbridge serve``: run the launch and tracking gateway."""

from __future__ import annotations

from typing import Annotated

import typer

from aiccbridge.cli._app import state

__all__ = ["register"]


def serve(
    host: Annotated[
        str | None,
        typer.Option(
            "--host", help="Address to listen on (default: gateway.host, 127.0.0.1)."
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            min=1,
            max=65535,
            help="Port to listen on (default: gateway.port, 8765).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Worker processes sharing the state store (default: gateway."
            "workers, 1).",
        ),
    ] = None,
) -> None:
    """Serve launches and the progress API, and deliver progress to the LMSs.

    Needs the progress API's bearer token in the variable that
    gateway.progress_token_env names (default AICCBRIDGE_PROGRESS_TOKEN):
    without it, exits 2.
    Reads the config and the catalog at start; stops on Ctrl-C or SIGTERM,
    delivering for up to gateway.shutdown_drain_seconds first. See
    docs/gateway.md.
    """
    from aiccbridge.gateway import serve as run_gateway

    config = state.config()
    state.plugins()
    run_gateway(
        config, host=host, port=port, workers=workers, verbosity=state.verbosity
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
