"""``aiccbridge tenant add|list|show``: set up a customer and see what took effect."""

from __future__ import annotations

from typing import Annotated

import typer

from aiccbridge.checks import check_tenant
from aiccbridge.cli._app import emit_json, state
from aiccbridge.tenants import (
    NewTenant,
    Setting,
    TenantError,
    TenantView,
    add_tenant,
    describe_tenant,
    describe_tenants,
)

__all__ = ["register"]

tenant_app = typer.Typer(help="Add, list and show tenants.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print as JSON.")]


@tenant_app.command("add")
def add(
    name: Annotated[
        str, typer.Argument(help="The tenant's name: letters, digits, '-' and '_'.")
    ],
    vendor: Annotated[
        str | None,
        typer.Option("--vendor", help="The tenant's LMS vendor (required)."),
    ] = None,
    host: Annotated[
        list[str] | None,
        typer.Option(
            "--host", help="An HACP host to allow, added to the vendor's (repeat)."
        ),
    ] = None,
    aicc_version: Annotated[
        str | None,
        typer.Option(
            "--aicc-version", help="2.2, 2.5, 3.0, 3.5 or 4.0 (default: the vendor's)."
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding", help="ascii, cp1252 or utf-8 (default: the vendor's)."
        ),
    ] = None,
    outbox: Annotated[
        str | None,
        typer.Option(
            "--outbox",
            help="Outbox folder, relative to the config file (default: outbox/NAME).",
        ),
    ] = None,
    credential: Annotated[
        list[str] | None,
        typer.Option(
            "--credential",
            help="KEY=ENV_VAR: the environment variable that holds one of the "
            "vendor's credentials (repeat).",
        ),
    ] = None,
) -> None:
    """Append a tenant's table to the config file, leaving the rest as it is.

    Every option is checked, and the whole file as it would be must load, before
    anything is written; the file is then replaced atomically. The config file
    must exist already. Exit 2, with the file untouched, for a bad option or a
    name that is taken.
    """
    if vendor is None:
        known = ", ".join(state.plugins().vendors())
        raise TenantError(f"tenant add needs --vendor V; known: {known}")
    new = NewTenant(
        name=name,
        vendor=vendor,
        hosts=tuple(host or ()),
        aicc_version=aicc_version,
        encoding=encoding,
        outbox=outbox,
        credentials=_pairs(credential or []),
    )
    plugins = state.plugins()
    tenant = add_tenant(state.config_path, new, plugins.vendors())
    typer.echo(f"added tenant {tenant.name} ({tenant.vendor}) to {state.config_path}")
    for finding in check_tenant(tenant, plugins):
        typer.echo(f"  {finding.line()}")
    typer.echo(f"next: aiccbridge doctor --tenant {tenant.name}")


def _pairs(items: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        key, equals, env = item.partition("=")
        if not equals or not key.strip() or not env.strip():
            raise TenantError(f"--credential {item!r}: write it as KEY=ENV_VAR")
        pairs[key.strip()] = env.strip()
    return pairs


@tenant_app.command("list")
def list_tenants(as_json: JsonOption = False) -> None:
    """List every tenant: vendor, AICC version, encoding, hosts, delivery route."""
    views = describe_tenants(state.config(), state.plugins())
    if as_json:
        emit_json({"tenants": [v.summary() for v in views]})
        return
    typer.echo(f"{'tenant':<20} {'vendor':<16} version encoding hosts delivery")
    for view in views:
        row = view.summary()
        vendor = view.vendor_id if view.vendor else f"{view.vendor_id}?"
        typer.echo(
            f"{view.name:<20} {vendor:<16} {row['aicc_version'] or '-':<7} "
            f"{row['encoding'] or '-':<8} {row['hosts']:>5} {row['delivery'] or '-'}"
        )
    if any(v.vendor is None for v in views):
        typer.echo(
            "(? = vendor not registered by any plugin: see `aiccbridge vendors`)"
        )


@tenant_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The tenant's name.")],
    as_json: JsonOption = False,
) -> None:
    """Show a tenant's effective settings, allow-list, credentials and library.

    Settings are the tenant's own over its vendor's defaults; credentials show
    the environment variable and whether it is set, never the value.
    """
    view = describe_tenant(state.config(), state.plugins(), name)
    if as_json:
        emit_json(view.to_dict())
        return
    for label, value in _rows(view):
        typer.echo(f"{label + ':':<17}{value}")
    _print_hosts(view)
    _print_credentials(view)
    for note in view.vendor.notes if view.vendor else ():
        typer.echo(f"{'note:':<17}{note}")


def _rows(view: TenantView) -> list[tuple[str, str]]:
    vendor = view.vendor
    about = f"{vendor.name} (plugin {view.plugin})" if vendor else "not registered"
    return [
        ("tenant", view.name),
        ("vendor", f"{view.vendor_id} - {about}"),
        ("delivery", view.delivery or "-"),
        ("outbox", str(view.outbox)),
        ("aicc_version", _shown(view.aicc_version)),
        ("encoding", _shown(view.encoding)),
        ("forbidden_chars", _shown(view.forbidden_chars, quote=True)),
        ("allow_http", "yes (test LMSs only)" if view.allow_http else "no"),
        ("library", _library(view.library)),
    ]


def _shown(setting: Setting | None, *, quote: bool = False) -> str:
    if setting is None:
        return "-"
    value = setting.value if not quote else (setting.value or "(none)")
    where = "tenant" if setting.source == "tenant" else "vendor default"
    return f"{value} ({where})"


def _library(library: dict[str, list[str] | None]) -> str:
    chosen = [f"{k} {', '.join(v)}" for k, v in library.items() if v is not None]
    return "; ".join(chosen) or "the whole catalog"


def _print_hosts(view: TenantView) -> None:
    typer.echo(f"{'allow-list:':<17}{len(view.hosts)} hosts")
    for entry in view.hosts:
        mark = ", shared public host" if entry.shared else ""
        typer.echo(f"  {entry.host:<40} {entry.source}{mark}")


def _print_credentials(view: TenantView) -> None:
    if not view.credentials:
        typer.echo(f"{'credentials:':<17}none needed")
        return
    typer.echo("credentials:")
    for cred in view.credentials:
        env = cred.env or "(no variable named)"
        status = "set" if cred.is_set else "not set"
        unused = "" if cred.needed else " (the vendor does not use it)"
        typer.echo(f"  {cred.key:<16} {env:<28} {status}{unused}")


def register(app: typer.Typer) -> None:
    app.add_typer(tenant_app, name="tenant")
