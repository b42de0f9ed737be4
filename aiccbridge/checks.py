"""Checking a tenant's settings against its vendor: what ``config check`` reports."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from aiccbridge.catalog import CatalogError, read_catalog
from aiccbridge.config import Config, TenantConfig
from aiccbridge.plugins import Plugins
from aiccbridge.vendor import SHARED_PUBLIC_HOSTS, Vendor

__all__ = ["Finding", "check_config", "check_tenant"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing ``config check`` found: an error stops a sync, a warning does not."""

    severity: Literal["error", "warning"]
    tenant: str
    key: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "tenant": self.tenant,
            "key": self.key,
            "message": self.message,
        }

    @property
    def key_path(self) -> str:
        """The full key path: ``tenants.<name>.<key>``, or the key alone."""
        if not self.tenant:
            return self.key
        return f"tenants.{self.tenant}" + (f".{self.key}" if self.key else "")

    def line(self) -> str:
        return f"{self.severity}: {self.key_path}: {self.message}"


def check_config(config: Config, plugins: Plugins) -> list[Finding]:
    """Every finding for every tenant of a config."""
    findings = _catalog_checks(config)
    if not config.tenants:
        findings.append(Finding("warning", "", "", "the config defines no tenant"))
    for tenant in config.tenants.values():
        findings.extend(check_tenant(tenant, plugins))
    return findings


def _catalog_checks(config: Config) -> list[Finding]:
    try:
        catalog = read_catalog(config.catalog_spec())
    except CatalogError as exc:
        return [Finding("error", "", "catalog.path", exc.message)]
    found = []
    if not catalog.entries:
        found.append(
            Finding("error", "", "catalog.path", "the catalog has no usable rows")
        )
    if catalog.rejected:
        first = catalog.rejected[0]
        found.append(
            Finding(
                "warning",
                "",
                "catalog.path",
                f"{len(catalog.rejected)} rows rejected (first: line {first.line}, "
                f"{first.reason}); `aiccbridge sync --dry-run` lists them",
            )
        )
    return found


def check_tenant(tenant: TenantConfig, plugins: Plugins) -> list[Finding]:
    """The core's checks, then every plugin's, for one tenant."""
    vendor = plugins.vendors().get(tenant.vendor)
    if vendor is None:
        known = ", ".join(plugins.vendors())
        return [
            Finding(
                "error",
                tenant.name,
                "vendor",
                f"unknown vendor {tenant.vendor!r}; known: {known}",
            )
        ]
    findings = _core_checks(tenant, vendor)
    for line in plugins.check_tenant(tenant, vendor):
        findings.append(Finding("error", tenant.name, "", line))
    return findings


def _core_checks(tenant: TenantConfig, vendor: Vendor) -> list[Finding]:
    found: list[Finding] = []

    def add(severity: Literal["error", "warning"], key: str, message: str) -> None:
        found.append(Finding(severity, tenant.name, key, message))

    if vendor.needs_hostnames and not tenant.hostnames:
        add(
            "error",
            "hostnames",
            f"{vendor.name} has no fixed HACP hosts; list the customer's LMS host(s)",
        )
    mapped = set(vendor.credentials) & set(tenant.credentials)
    if vendor.delivery == "api" and vendor.credentials and not mapped:
        add(
            "warning",
            "credentials",
            f"none of {vendor.name}'s credentials "
            f"({', '.join(vendor.credentials)}) are mapped: packages go to outbox "
            "bundles instead of its API",
        )
    for key in vendor.credentials:
        env = tenant.credentials.get(key)
        if env is None and mapped and vendor.delivery == "api":
            add(
                "error",
                f"credentials.{key}",
                "missing: name the environment variable that holds it",
            )
        elif env is not None and not os.environ.get(env):
            add(
                "warning",
                f"credentials.{key}",
                f"environment variable {env} is not set",
            )
    for key in set(tenant.credentials) - set(vendor.credentials):
        add(
            "warning",
            f"credentials.{key}",
            f"{vendor.name} does not use this credential",
        )
    shared = [
        h
        for h in tenant.allow_list(vendor.hostnames)
        if h.removeprefix("*.") in SHARED_PUBLIC_HOSTS
    ]
    if shared:
        add(
            "warning",
            "hostnames",
            f"shared public hosts allowed ({', '.join(shared)}): anyone can serve "
            "pages there; to narrow the list, set vendor_hostnames = false and list "
            "the LMS's own HACP hosts",
        )
    if tenant.allow_http:
        add(
            "warning",
            "allow_http",
            "plain http launches are accepted; meant only for test LMSs on 127.0.0.1",
        )
    return found
