"""``aiccbridge bundles``: the outbox bundles and what an admin did with them."""

from __future__ import annotations

from typing import Annotated

import typer

from aiccbridge.cli._app import emit_json, state
from aiccbridge.errors import ConfigError, UsageError
from aiccbridge.store import StateStore

__all__ = ["register"]

bundles_app = typer.Typer(
    help="List outbox bundles and record what an admin did with them.",
    invoke_without_command=True,
)
TenantOption = Annotated[
    str | None, typer.Option("--tenant", "-t", help="Only this tenant's bundles.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print as JSON.")]


@bundles_app.callback()
def bundles(
    ctx: typer.Context, tenant: TenantOption = None, as_json: JsonOption = False
) -> None:
    """List bundles with their state: new, uploaded or failed.

    A bundle is `new` until an admin marks it with `aiccbridge bundles mark`.
    """
    if ctx.invoked_subcommand is not None:
        return
    config = state.config()
    if tenant is not None and tenant not in config.tenants:
        raise ConfigError(f"--tenant: no tenant {tenant!r} in {config.path}")
    with StateStore(config.state_path()) as store:
        records = store.bundles(tenant)
    if as_json:
        emit_json({"bundles": [r.to_dict() for r in records]})
        return
    for r in records:
        typer.echo(
            f"{r.tenant:<16} {r.name:<20} {r.state:<9} {r.packages} packages, "
            f"{r.retired} retired  {r.path}"
        )
    if not records:
        typer.echo("no bundles yet")


@bundles_app.command("mark")
def mark(
    bundle: Annotated[str, typer.Argument(help="The bundle's name (its UTC time).")],
    outcome: Annotated[
        str, typer.Argument(help="uploaded or failed", metavar="uploaded|failed")
    ],
    tenant: TenantOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record that an admin uploaded a bundle, or that its upload failed.

    A failed bundle's packages come back in the next sync: courses it added are
    added again, courses it replaced are replaced again, retirements are redone.
    """
    if outcome not in ("uploaded", "failed"):
        raise UsageError(f"mark: {outcome!r} must be 'uploaded' or 'failed'")
    config = state.config()
    with StateStore(config.state_path()) as store:
        owner = tenant or _owner(store, bundle)
        store.lock()
        record = store.mark_bundle(owner, bundle, outcome)
    if as_json:
        emit_json(record.to_dict())
    else:
        typer.echo(f"{record.tenant} {record.name}: {record.state}")


def _owner(store: StateStore, name: str) -> str:
    owners = sorted({b.tenant for b in store.bundles() if b.name == name})
    if not owners:
        raise UsageError(f"no bundle named {name!r}", hint="see `aiccbridge bundles`")
    if len(owners) > 1:
        raise UsageError(
            f"bundle {name!r} exists for tenants {', '.join(owners)}",
            hint="name one with --tenant",
        )
    return owners[0]


def register(app: typer.Typer) -> None:
    app.add_typer(bundles_app, name="bundles")
