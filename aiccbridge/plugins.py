"""Finding, loading and asking vendor plugins: the typed door over pluggy.

Entry points in the ``aiccbridge`` group are loaded one at a time. A plugin that
fails to import, or whose hook raises, is recorded as broken with its distribution,
version and the error; one warning line is kept for the CLI to print, and the rest
still work. ``AICCBRIDGE_STRICT_PLUGINS=1`` turns a broken plugin back into a hard
error (for plugin development); ``AICCBRIDGE_DISABLE_PLUGINS=a,b`` skips plugins by
entry-point name.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from importlib import metadata
from types import ModuleType
from typing import TYPE_CHECKING, Literal

import pluggy

from aiccbridge import hookspecs
from aiccbridge.core import AICC_VERSIONS, ENCODINGS
from aiccbridge.errors import PluginError
from aiccbridge.vendor import DELIVERY_ROUTES, LAUNCH_MODES, MOBILE_TRACKING, Vendor

if TYPE_CHECKING:
    from aiccbridge.config import TenantConfig
    from aiccbridge.delivery import VendorApi

__all__ = [
    "ENTRY_POINT_GROUP",
    "EXTRA_PLUGINS",
    "PluginInfo",
    "Plugins",
    "load_plugins",
]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "aiccbridge"
_VENDOR_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")

Status = Literal["loaded", "broken", "disabled"]


@dataclass(frozen=True)
class PluginInfo:
    """One plugin as the listing shows it."""

    name: str
    distribution: str
    version: str
    status: Status
    error: str | None = None
    vendors: tuple[str, ...] = ()
    hooks: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "status": self.status,
            "error": self.error,
            "vendors": list(self.vendors),
            "hooks": list(self.hooks),
        }


class Plugins:
    """The loaded plugins and what they registered."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self._pm = pluggy.PluginManager("aiccbridge")
        self._pm.add_hookspecs(hookspecs)
        self._infos: dict[str, PluginInfo] = {}
        self._vendors: dict[str, tuple[Vendor, str]] | None = None
        self.warnings: list[str] = []

    # -- loading -------------------------------------------------------------

    def load_entry_points(self, disabled: Iterable[str] = ()) -> None:
        """Load every entry point of the group, each on its own."""
        skip = set(disabled)
        found = sorted(_entry_points(), key=lambda e: e.name)
        for name in sorted(skip - {ep.name for ep in found}):
            self.warnings.append(
                f"AICCBRIDGE_DISABLE_PLUGINS names {name!r}, which is not an installed "
                "plugin (see `aiccbridge plugins`)"
            )
        for ep in found:
            if ep.name in skip:
                self._record(ep.name, ep, "disabled")
                continue
            try:
                module = ep.load()
            except Exception as exc:  # a broken plugin must not take the tool down
                self._broken(ep.name, ep, exc)
                continue
            self._add(ep.name, module, ep)

    def register(self, plugin: object, name: str) -> None:
        """Register a plugin object by hand (tests, inline plugins)."""
        self._add(name, plugin, None)

    def unregister(self, name: str) -> None:
        """Remove a plugin registered under ``name``."""
        if self._pm.get_plugin(name) is not None:
            self._pm.unregister(name=name)
        self._infos.pop(name, None)
        self._vendors = None

    def _add(self, name: str, plugin: object, ep: metadata.EntryPoint | None) -> None:
        try:
            self._pm.register(plugin, name=name)
            self._pm.check_pending()
        except Exception as exc:
            if self._pm.get_plugin(name) is not None:
                self._pm.unregister(name=name)
            self._broken(name, ep, exc)
            return
        hooks = tuple(sorted(h.name for h in self._pm.get_hookcallers(plugin) or ()))
        self._record(name, ep, "loaded", hooks=hooks, plugin=plugin)
        self._vendors = None

    def _record(
        self,
        name: str,
        ep: metadata.EntryPoint | None,
        status: Status,
        *,
        error: str | None = None,
        hooks: tuple[str, ...] = (),
        plugin: object = None,
    ) -> None:
        dist, version = _distribution(ep, plugin)
        self._infos[name] = PluginInfo(name, dist, version, status, error, (), hooks)

    def _broken(
        self, name: str, ep: metadata.EntryPoint | None, exc: BaseException
    ) -> None:
        error = f"{type(exc).__name__}: {exc}"
        self._record(name, ep, "broken", error=error)
        info = self._infos[name]
        line = (
            f"plugin {name!r} ({info.distribution} {info.version}) is broken and was "
            f"skipped: {error}"
        )
        if self.strict:
            raise PluginError(line, hint="unset AICCBRIDGE_STRICT_PLUGINS to skip it")
        log.debug("plugin %s broken", name, exc_info=exc)
        self.warnings.append(line)

    # -- asking --------------------------------------------------------------

    def infos(self) -> tuple[PluginInfo, ...]:
        """Every plugin seen, loaded or not, with the vendors it registered."""
        self.vendors()
        return tuple(self._infos[n] for n in sorted(self._infos))

    def vendors(self) -> dict[str, Vendor]:
        """Every registered vendor by id, collected once."""
        if self._vendors is None:
            self._vendors = self._collect_vendors()
        return {vid: vendor for vid, (vendor, _) in sorted(self._vendors.items())}

    def vendor_plugin(self, vendor_id: str) -> str:
        """The name of the plugin that registered a vendor."""
        self.vendors()
        assert self._vendors is not None
        return self._vendors[vendor_id][1]

    def check_tenant(self, tenant: TenantConfig, vendor: Vendor) -> list[str]:
        """Every plugin's complaints about a tenant."""
        problems: list[str] = []
        for impl in self._pm.hook.aiccbridge_check_tenant.get_hookimpls():
            try:
                found = impl.function(tenant=tenant, vendor=vendor)
            except Exception as exc:
                self._broken(impl.plugin_name, None, exc)
                continue
            problems.extend(found or ())
        return problems

    def vendor_api(self, vendor: Vendor) -> VendorApi | None:
        """The plugin-given API client of a vendor, or None (outbox delivery)."""
        for impl in reversed(self._pm.hook.aiccbridge_vendor_api.get_hookimpls()):
            try:
                found = impl.function(vendor=vendor)
            except Exception as exc:
                self._broken(impl.plugin_name, None, exc)
                continue
            if found is not None:
                return found  # type: ignore[no-any-return]
        return None

    def _collect_vendors(self) -> dict[str, tuple[Vendor, str]]:
        found: dict[str, tuple[Vendor, str]] = {}
        for impl in self._pm.hook.aiccbridge_register_vendors.get_hookimpls():
            name = impl.plugin_name
            mine: list[Vendor] = []
            try:
                impl.function(register=mine.append)
                for vendor in mine:
                    _check_vendor(vendor, found)
            except Exception as exc:
                self._broken(name, None, exc)
                continue
            for vendor in mine:
                found[vendor.id] = (vendor, name)
            info = self._infos.get(name)
            if info is not None:
                self._infos[name] = replace(info, vendors=tuple(v.id for v in mine))
        return found


def _check_vendor(vendor: object, seen: dict[str, tuple[Vendor, str]]) -> None:
    if not isinstance(vendor, Vendor):
        raise PluginError(
            f"registered {type(vendor).__name__}, not an aiccbridge Vendor"
        )
    problems = _vendor_problems(vendor)
    if vendor.id in seen:
        problems.append(
            f"vendor id {vendor.id!r} is already registered by plugin "
            f"{seen[vendor.id][1]!r}"
        )
    if problems:
        raise PluginError(f"vendor {vendor.id!r}: " + "; ".join(problems))


def _vendor_problems(vendor: Vendor) -> list[str]:
    from aiccbridge.core.launch import normalise_host_entry

    problems = []
    if not _VENDOR_ID.match(vendor.id):
        problems.append("id must be lower-case letters, digits and '-'")
    for label, value, allowed in (
        ("delivery", vendor.delivery, DELIVERY_ROUTES),
        ("encoding", vendor.encoding, ENCODINGS),
        ("launch_mode", vendor.launch_mode, LAUNCH_MODES),
        ("mobile_tracking", vendor.mobile_tracking, MOBILE_TRACKING),
        ("aicc_version", vendor.aicc_version, AICC_VERSIONS),
    ):
        if value not in allowed:
            problems.append(f"{label} {value!r} is not one of {', '.join(allowed)}")
    if vendor.hacp is not None:
        from aiccbridge.core.hacp import WriteProfile

        if not isinstance(vendor.hacp, WriteProfile):
            problems.append("hacp must be an aiccbridge.core.hacp.WriteProfile")
    for host in vendor.hostnames:
        try:
            normalise_host_entry(host)
        except ValueError as exc:
            problems.append(f"hostname {host!r}: {exc}")
    return problems


def _entry_points() -> tuple[metadata.EntryPoint, ...]:
    return tuple(metadata.entry_points(group=ENTRY_POINT_GROUP))


def _distribution(ep: metadata.EntryPoint | None, plugin: object) -> tuple[str, str]:
    dist = getattr(ep, "dist", None) if ep is not None else None
    if dist is not None:
        return dist.metadata["Name"], dist.version
    module = (
        plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
    )
    return f"(inline: {module})", "-"


#: Plugins added in-process (by the test kit's ``register_plugin`` fixture); every
#: :func:`load_plugins` registers them after the entry points.
EXTRA_PLUGINS: dict[str, object] = {}


def load_plugins(*, strict: bool | None = None) -> Plugins:
    """Load every installed plugin, honouring the ``AICCBRIDGE_*_PLUGINS`` variables."""
    if strict is None:
        strict = os.environ.get("AICCBRIDGE_STRICT_PLUGINS", "") not in ("", "0")
    disabled = os.environ.get("AICCBRIDGE_DISABLE_PLUGINS", "")
    plugins = Plugins(strict=strict)
    plugins.load_entry_points(d.strip() for d in disabled.split(",") if d.strip())
    for name, plugin in EXTRA_PLUGINS.items():
        plugins.register(plugin, name)
    return plugins
