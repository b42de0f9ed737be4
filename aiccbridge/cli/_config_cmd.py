"""``aiccbridge config check``."""

from __future__ import annotations

from typing import Annotated

import typer

from aiccbridge.checks import check_config
from aiccbridge.cli._app import emit_json, state
from aiccbridge.errors import ExitCode

__all__ = ["register"]

config_app = typer.Typer(help="Check the config file.", no_args_is_help=True)


@config_app.command("check")
def check(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print findings as JSON.")
    ] = False,
) -> None:
    """Validate aiccbridge.toml and each tenant against its vendor plugin.

    Exit 0 when only warnings (or nothing) are found, 2 for any error.
    """
    config = state.config()
    findings = check_config(config, state.plugins())
    errors = [f for f in findings if f.severity == "error"]
    if as_json:
        emit_json(
            {
                "config": str(config.path),
                "ok": not errors,
                "tenants": sorted(config.tenants),
                "findings": [f.to_dict() for f in findings],
            }
        )
    else:
        for finding in findings:
            typer.echo(f"{config.path}: {finding.line()}", err=finding in errors)
        verdict = "has errors" if errors else "is valid"
        typer.echo(
            f"{config.path} {verdict}: {len(config.tenants)} tenants, "
            f"{len(errors)} errors, {len(findings) - len(errors)} warnings"
        )
    if errors:
        raise typer.Exit(ExitCode.USAGE)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
