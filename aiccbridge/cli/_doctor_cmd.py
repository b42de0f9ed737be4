"""``aiccbridge doctor``: check a tenant before go-live and probe its LMS."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Annotated

import typer

from aiccbridge.cli._app import emit_json, state
from aiccbridge.errors import ExitCode

if TYPE_CHECKING:
    from aiccbridge.doctor import Check

DEFAULT_TIMEOUT = 10.0  # seconds; the same as aiccbridge.doctor.DEFAULT_TIMEOUT

__all__ = ["register"]

_COLOURS = {"pass": "green", "warn": "yellow", "fail": "red"}


def doctor(
    tenant: Annotated[
        str | None, typer.Option("--tenant", "-t", help="Check only this tenant.")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="A launch URL as the browser shows it, or a bare AICC_URL (with "
            "--tenant): launch-check it and probe the LMS's HACP endpoint.",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option("--timeout", help="Seconds to wait for the HACP endpoint."),
    ] = DEFAULT_TIMEOUT,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Check the config, each tenant and, with --url, a customer's HACP endpoint.

    Each check is a line: pass, warn or fail, its name and what to do. The probe
    sends one GetParam, and only to an AICC_URL the launch check accepts; the
    session id is never shown in clear. Exit 0 with passes and warnings, 1 with
    any failure, 2 when the config cannot be read or an option is wrong.
    """
    config = state.config()
    from aiccbridge.doctor import run_doctor  # imports the HTTP stack: only here

    report = run_doctor(
        config, state.plugins(), tenant=tenant, url=url, timeout=timeout
    )
    counts: Counter[str] = Counter(c.status for c in report)
    if as_json:
        emit_json(
            {
                "config": str(config.path),
                "ok": not counts["fail"],
                "counts": {s: counts[s] for s in _COLOURS},
                "checks": [c.to_dict() for c in report],
            }
        )
    else:
        _print(report, counts)
    if counts["fail"]:
        raise typer.Exit(ExitCode.FINDINGS)


def _print(report: list[Check], counts: Counter[str]) -> None:
    for check in report:
        typer.secho(check.line(), fg=_COLOURS[check.status])
    warnings = "warning" if counts["warn"] == 1 else "warnings"
    typer.echo(
        f"doctor: {counts['pass']} passed, {counts['warn']} {warnings}, "
        f"{counts['fail']} failed"
    )


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
