"""``aiccbridge plugins`` and ``aiccbridge vendors``."""

from __future__ import annotations

from typing import Annotated

import typer

from aiccbridge.cli._app import emit_json, state
from aiccbridge.vendor import Vendor

__all__ = ["register"]

JsonOption = Annotated[bool, typer.Option("--json", help="Print as JSON.")]


def plugins(as_json: JsonOption = False) -> None:
    """List every plugin with its distribution, version and load status."""
    infos = state.plugins().infos()
    if as_json:
        emit_json({"plugins": [i.to_dict() for i in infos]})
        return
    for info in infos:
        vendors = ", ".join(info.vendors) or "-"
        typer.echo(
            f"{info.name:<16} {info.status:<8} {info.distribution} "
            f"{info.version}  vendors: {vendors}"
        )
        if info.error:
            typer.echo(f"{'':<16} error: {info.error}")


def vendors(as_json: JsonOption = False) -> None:
    """List every vendor: hosts, delivery route, encoding, launch and mobile facts."""
    loaded = state.plugins()
    rows = [
        _vendor_dict(v, loaded.vendor_plugin(v.id)) for v in loaded.vendors().values()
    ]
    if as_json:
        emit_json({"vendors": rows})
        return
    for row in rows:
        typer.echo(f"{row['id']} - {row['name']} (plugin {row['plugin']})")
        typer.echo(
            f"  delivery {row['delivery']}, encoding {row['encoding']}, "
            f"launch {row['launch_mode']}, iframe {_yes(row['iframe_allowed'])}, "
            f"mobile tracking {row['mobile_tracking']}"
        )
        hosts = [
            h["host"] + (" (shared public host)" if h["shared"] else "")
            for h in row["hostnames"]
        ]  # type: ignore[attr-defined]
        typer.echo("  hosts: " + (", ".join(hosts) or "from tenant config"))
        if row["forbidden_chars"]:
            typer.echo(f"  replaced in titles: {row['forbidden_chars']}")


def _vendor_dict(vendor: Vendor, plugin: str) -> dict[str, object]:
    shared = set(vendor.shared_hosts())
    return {
        "id": vendor.id,
        "name": vendor.name,
        "plugin": plugin,
        "hostnames": [{"host": h, "shared": h in shared} for h in vendor.hostnames],
        "needs_hostnames": vendor.needs_hostnames,
        "delivery": vendor.delivery,
        "encoding": vendor.encoding,
        "forbidden_chars": vendor.forbidden_chars,
        "aicc_version": vendor.aicc_version,
        "launch_mode": vendor.launch_mode,
        "iframe_allowed": vendor.iframe_allowed,
        "mobile_tracking": vendor.mobile_tracking,
        "credentials": list(vendor.credentials),
        "notes": list(vendor.notes),
    }


def _yes(value: object) -> str:
    if value is None:
        return "unknown"
    return "allowed" if value else "not allowed"


def register(app: typer.Typer) -> None:
    app.command("plugins")(plugins)
    app.command("vendors")(vendors)
