"""``aiccbridge config check``."""

from __future__ import annotations

from typing import Annotated

import typer

from aiccbridge.checks import check_config
from aiccbridge.cli._app import emit_json, plural, state
from aiccbridge.errors import ConfigError, ExitCode

__all__ = ["register"]

config_app = typer.Typer(help="Check the config file.", no_args_is_help=True)


@config_app.command("check")
def check(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print findings as JSON.")
    ] = False,
) -> None:
    """Validate aiccbridge.toml, its catalog, and each tenant against its vendor.

    Exit 0 when only warnings (or nothing) are found, 2 for any error. With
    --json, an invalid file is reported as JSON too.
    """
    try:
        config = state.config()
    except ConfigError as exc:
        if not as_json:
            raise
        lines = exc.message.splitlines()
        emit_json(
            {
                "config": str(state.config_path),
                "ok": False,
                "tenants": [],
                "findings": [
                    {"severity": "error", "tenant": "", "key": "", "message": line}
                    for line in lines
                ],
            }
        )
        raise typer.Exit(ExitCode.USAGE) from None
    findings = check_config(config, state.plugins())
    errors = [f for f in findings if f.severity == "error"]
    if as_json:
        emit_json(
            {
                "config": str(config.path),
                "ok": not errors,
                "tenants": sorted(config.tenants),
                "findings": [
                    {**f.to_dict(), "where": config.where(*f.key_path.split("."))}
                    for f in findings
                ],
            }
        )
    else:
        for finding in findings:
            where = config.where(*finding.key_path.split("."))
            typer.echo(f"{where}: {finding.line()}", err=finding in errors)
        verdict = "has errors" if errors else "is valid"
        typer.echo(
            f"{config.path} {verdict}: {plural(len(config.tenants), 'tenant')}, "
            f"{plural(len(errors), 'error')}, "
            f"{plural(len(findings) - len(errors), 'warning')}"
        )
    if errors:
        raise typer.Exit(ExitCode.USAGE)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
