"""``aiccbridge sync``: the main job."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from aiccbridge.catalog import Catalog, CatalogError, read_catalog
from aiccbridge.cli._app import clean, emit_json, plural, state, warn
from aiccbridge.cli._select import select_tenants, vendor_for
from aiccbridge.config import TenantConfig
from aiccbridge.delivery import DeliveryJob, VendorApi
from aiccbridge.errors import ExitCode
from aiccbridge.plugins import Plugins
from aiccbridge.store import StateStore
from aiccbridge.sync import (
    Progress,
    TenantResult,
    annotate_outbox,
    build_settings,
    deliver_by_api,
    plan_tenant,
    recover_runs,
    select_entries,
    sync_tenant,
)
from aiccbridge.vendor import Vendor

__all__ = ["register"]


def sync(
    vendor: Annotated[
        str | None, typer.Option("--vendor", help="Only the tenants of this vendor.")
    ] = None,
    tenant: Annotated[
        list[str] | None,
        typer.Option("--tenant", "-t", help="Only this tenant (repeat)."),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Write every package the tenant should have.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Plan and report; write nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON.")
    ] = False,
    wait: Annotated[
        float,
        typer.Option("--wait", min=0, help="Seconds to wait for another run's lock."),
    ] = 0.0,
    allow_mass_retire: Annotated[
        bool,
        typer.Option(
            "--allow-mass-retire",
            help="Retire even when the catalog drops half the library or more.",
        ),
    ] = False,
    purge: Annotated[
        bool,
        typer.Option(
            "--purge",
            help="Let API vendors delete retired courses (destroys their learner "
            "records); without it they are only marked retired.",
        ),
    ] = False,
) -> None:
    """Bring each selected tenant up to date: plan, build, deliver, record.

    Plans new, changed, unchanged and retired courses against the last delivered
    state, delivers the new and changed packages (through the vendor's API where
    its plugin has one, else into an outbox bundle with a manifest), and records
    the result so the next run is a delta again.
    """
    config = state.config()
    plugins = state.plugins()
    tenants = select_tenants(config, plugins, vendor=vendor, names=tenant or [])
    catalog = read_catalog(config.catalog_spec())
    if not catalog.entries:
        raise CatalogError(
            f"{catalog.path}: no usable rows ({len(catalog.rejected)} rejected); "
            "nothing was synced, since that would retire every course",
            hint="check the catalog export and the [catalog.columns] mapping",
        )
    results: list[TenantResult] = []
    with StateStore(config.state_path(), read_only=dry_run) as store:
        if not dry_run:
            store.lock(wait)
        for item in tenants:
            box = config.outbox_for(item)
            if not dry_run:
                recover_runs(store, item.name, box)
            seller = vendor_for(plugins, item)
            settings = build_settings(config, item, seller)
            total = len(select_entries(catalog, item.library))
            with _progress(f"{item.name}", total, as_json) as advance:
                delivered = store.delivered(item.name)
                delivered_count = len(delivered)
                plan = plan_tenant(catalog, settings, item, delivered, advance)
            api = _api_for(plugins, item, seller)
            guard = None if allow_mass_retire else plan.mass_retirement(delivered_count)
            if guard:
                results.append(
                    TenantResult(plan, failed=[{"bundle": "", "reason": guard}])
                )
            elif dry_run:
                results.append(TenantResult(plan))
            elif api is not None:
                job = DeliveryJob(
                    item, seller, (), (), _credentials(item, seller), purge
                )
                results.append(deliver_by_api(plan, store, box, api, job, full=full))
            else:
                if set(seller.credentials) & set(item.credentials):
                    job = DeliveryJob(item, seller, (), (), _credentials(item, seller))
                    annotate_outbox(plan, plugins.vendor_api(seller), job, full)
                results.append(sync_tenant(plan, store, box, full=full))
    _print(results, as_json, dry_run, catalog)
    if any(r.needs_attention for r in results):
        raise typer.Exit(ExitCode.FINDINGS)


def _api_for(
    plugins: Plugins, tenant: TenantConfig, vendor: Vendor
) -> VendorApi | None:
    """The API to deliver through: an API vendor's, once the tenant maps credentials.

    A tenant that maps none of its vendor's credentials gets outbox bundles.
    """
    if vendor.delivery != "api":
        return None
    if vendor.credentials and not set(vendor.credentials) & set(tenant.credentials):
        return None
    return plugins.vendor_api(vendor)


def _credentials(tenant: TenantConfig, vendor: Vendor) -> dict[str, str]:
    return {key: tenant.credential(key) or "" for key in vendor.credentials}


@contextmanager
def _progress(label: str, total: int, quiet: bool) -> Iterator[Progress | None]:
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"building {label}", total=total)
        yield lambda n: bar.advance(task, n)


def _print(
    results: list[TenantResult], as_json: bool, dry_run: bool, catalog: Catalog
) -> None:
    if as_json:
        notes = [
            {"line": n.line, "id": n.id, "message": n.message} for n in catalog.notes
        ]
        emit_json({"tenants": [r.to_dict() for r in results], "catalog_notes": notes})
        return
    if catalog.notes and state.verbosity:
        for note in catalog.notes:
            warn(f"{catalog.path}:{note.line}: {note.id}: {note.message}")
    elif catalog.notes:
        typer.echo(
            f"{catalog.path}: {len(catalog.notes)} catalog notes (fields "
            "dropped, duplicates folded); -v shows them",
            err=True,
        )
    for result in results:
        data = result.to_dict()
        counts = ", ".join(
            f"{data[k]} {k}" for k in ("added", "changed", "unchanged", "retired")
        )
        rejected = len(result.plan.rejected)
        if data["bundle"]:
            where = data["bundle"]
        elif dry_run:
            where = "nothing written (dry run)"
        elif result.route == "api" and not result.failed and _changes(data):
            where = "delivered through the vendor's API"
        else:
            where = "no new bundle"
        typer.echo(
            f"{data['tenant']} ({data['vendor']}): {counts}, "
            f"{rejected} rejected -> {where}"
        )
        for row in result.plan.rejected:
            typer.echo(
                f"  rejected line {row.line} {clean(row.id) or '(no id)'}: "
                f"{clean(row.reason)}"
            )
        for fail in result.failed:
            what = fail.get("course_id") or fail.get("bundle")
            typer.echo(f"  failed {clean(what)}: {clean(fail['reason'])}")
        for note in result.notes:
            typer.echo(f"  note: {clean(note)}")
        if result.plan.transliterated:
            where = "--json or the bundle manifest" if result.bundle else "--json"
            count = plural(len(result.plan.transliterated), "text")
            typer.echo(f"  {count} transliterated (see {where})")


def _changes(data: dict[str, object]) -> bool:
    return any(data[k] for k in ("added", "changed", "retired"))


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
