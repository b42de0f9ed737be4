"""``aiccbridge launch check``: explain a launch URL pasted from a browser."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import typer

from aiccbridge.catalog import read_catalog
from aiccbridge.cli._app import emit_json, state
from aiccbridge.core import AiccBridgeError
from aiccbridge.errors import ExitCode, UsageError
from aiccbridge.launching import LaunchTemplate, LaunchVerdict, check_launch
from aiccbridge.sync import launchable_entries

__all__ = ["register"]

launch_app = typer.Typer(help="Explain launches.", no_args_is_help=True)


@launch_app.command("check")
def check(
    url: Annotated[
        str, typer.Argument(help="The launch URL, as the browser shows it.")
    ],
    tenant: Annotated[
        str | None,
        typer.Option("--tenant", "-t", help="The tenant, when the address names none."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Say whether the gateway would accept a launch URL, and why.

    Reads the tenant and course from the launch address (when the
    launch_url template holds them), checks the AICC_URL host against the
    tenant's allow-list and shows the session id masked. Exit 0 when the gateway
    would accept the launch, 1 when it would refuse it.
    """
    config = state.config()
    plugins = state.plugins()
    parts = urlsplit(url)
    if not url.startswith("?") and (
        parts.scheme not in ("http", "https") or not parts.hostname
    ):
        raise UsageError(f"{url!r} is not a launch URL (https://host/path?AICC_SID=…)")
    template = LaunchTemplate(config.provider.launch_url)
    named = template.match(parts.path) or {}
    if not named and tenant is None and not url.startswith("?"):
        verdict = LaunchVerdict(
            False,
            "not_a_launch_address",
            f"the path {parts.path!r} does not match the launch address "
            f"{template.path!r} of [provider] launch_url: the gateway answers 404",
        )
        _report(verdict, "", as_json, from_address=False)
        raise typer.Exit(ExitCode.FINDINGS)
    tenant_name = tenant or named.get("tenant")
    course_id = named.get("course_id")
    courses, note = _library(tenant_name, course_id)
    verdict = check_launch(
        config,
        plugins,
        tenant=tenant_name,
        course_id=course_id,
        query=url,
        courses=courses,
    )
    _report(verdict, note, as_json, from_address=tenant is None and "tenant" in named)
    if not verdict.accepted:
        raise typer.Exit(ExitCode.FINDINGS)


def _report(
    verdict: LaunchVerdict, note: str, as_json: bool, *, from_address: bool
) -> None:
    if as_json:
        emit_json({**verdict.to_dict(), "note": note})
    else:
        _print(verdict, note, from_address=from_address)


def _library(tenant: str | None, course_id: str | None) -> tuple[dict | None, str]:
    config = state.config()
    found = config.tenants.get(tenant or "")
    if found is None or course_id is None:
        return None, "" if course_id else "the address names no course; not checked"
    try:
        catalog = read_catalog(config.catalog_spec())
    except AiccBridgeError as exc:
        return None, f"course not checked: {exc.message}"
    return launchable_entries(catalog, found.library), ""


def _print(verdict: LaunchVerdict, note: str, *, from_address: bool) -> None:
    source = " (from the launch address)" if from_address else ""
    rows = [
        ("tenant", f"{verdict.tenant or '-'}{source}"),
        ("course", verdict.course_id or "-"),
        ("session id", verdict.session or "-"),
        ("AICC_URL host", verdict.host or "-"),
        ("allow-list", ", ".join(verdict.allow_list) or "-"),
    ]
    for label, value in rows:
        typer.echo(f"{label + ':':<15}{value}")
    word = "ACCEPTED" if verdict.accepted else "REFUSED"
    colour = "green" if verdict.accepted else "red"
    typer.secho(f"{'verdict:':<15}{word} ({verdict.reason})", fg=colour)
    typer.echo(f"{'why:':<15}{verdict.detail}")
    if note:
        typer.echo(f"{'note:':<15}{note}")


def register(app: typer.Typer) -> None:
    app.add_typer(launch_app, name="launch")
