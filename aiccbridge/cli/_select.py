"""Choosing tenants and their vendors from the command line's options."""

from __future__ import annotations

from aiccbridge.config import Config, TenantConfig
from aiccbridge.errors import ConfigError
from aiccbridge.plugins import Plugins
from aiccbridge.vendor import Vendor

__all__ = ["select_tenants", "vendor_for"]


def vendor_for(plugins: Plugins, tenant: TenantConfig) -> Vendor:
    vendors = plugins.vendors()
    vendor = vendors.get(tenant.vendor)
    if vendor is None:
        raise ConfigError(
            f"tenants.{tenant.name}.vendor: unknown vendor {tenant.vendor!r}",
            hint="known vendors: " + ", ".join(vendors) + " (see `aiccbridge vendors`)",
        )
    return vendor


def select_tenants(
    config: Config, plugins: Plugins, *, vendor: str | None, names: list[str]
) -> list[TenantConfig]:
    """The tenants a command works on, each with a vendor that is registered."""
    if vendor is not None and vendor not in plugins.vendors():
        raise ConfigError(
            f"--vendor: unknown vendor {vendor!r}",
            hint="known vendors: " + ", ".join(plugins.vendors()),
        )
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
        what = f"vendor {vendor!r}" if vendor else "the selection"
        raise ConfigError(
            f"{config.path}: no tenant matches {what}",
            hint="add one under [tenants.<name>]",
        )
    for tenant in chosen:
        vendor_for(plugins, tenant)
    return chosen
