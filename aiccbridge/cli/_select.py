"""Choosing tenants and their vendors from the command line's options."""

from __future__ import annotations

from aiccbridge.config import Config, TenantConfig
from aiccbridge.errors import ConfigError
from aiccbridge.plugins import Plugins
from aiccbridge.vendor import Vendor

__all__ = ["select_tenants", "vendor_for"]


def vendor_for(
    plugins: Plugins, tenant: TenantConfig, config: Config | None = None
) -> Vendor:
    vendors = plugins.vendors()
    vendor = vendors.get(tenant.vendor)
    if vendor is None:
        where = config.where("tenants", tenant.name, "vendor") if config else ""
        raise ConfigError(
            f"{where + ': ' if where else ''}tenants.{tenant.name}.vendor: "
            f"unknown vendor {tenant.vendor!r}",
            hint=_known(plugins),
        )
    return vendor


def _known(plugins: Plugins) -> str:
    hint = "known vendors: " + ", ".join(plugins.vendors()) + " (`aiccbridge vendors`)"
    disabled = [i.name for i in plugins.infos() if i.status != "loaded"]
    if disabled:
        hint += "; not loaded: " + ", ".join(disabled) + " (`aiccbridge plugins`)"
    return hint


def select_tenants(
    config: Config, plugins: Plugins, *, vendor: str | None, names: list[str]
) -> list[TenantConfig]:
    """The tenants a command works on, each with a vendor that is registered."""
    if vendor is not None and vendor not in plugins.vendors():
        raise ConfigError(f"--vendor: unknown vendor {vendor!r}", hint=_known(plugins))
    for name in names:
        if name not in config.tenants:
            raise ConfigError(
                f"--tenant: no tenant {name!r} in {config.path}",
                hint="tenants: " + ", ".join(config.tenants),
            )
    chosen = [
        t
        for t in config.tenants.values()
        if (vendor is None or t.vendor == vendor) and (not names or t.name in names)
    ]
    if not chosen:
        parts = [f"vendor {vendor!r}"] if vendor else []
        parts += [f"tenant {', '.join(map(repr, names))}"] if names else []
        what = " and ".join(parts) or "the selection"
        raise ConfigError(
            f"{config.path}: no tenant matches {what}",
            hint="add one under [tenants.<name>]",
        )
    for tenant in chosen:
        vendor_for(plugins, tenant, config)
    return chosen
