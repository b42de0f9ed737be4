"""Adding a tenant to ``aiccbridge.toml``, and showing tenants as they take effect.

:func:`add_tenant` appends one ``[tenants.<name>]`` table to an existing config
file and leaves every byte already there as it was: comments, blank lines, key
order and quoting stay. Every option is checked first, then the whole file as it
would be is loaded like any config; only when that works does the new file
replace the old one, atomically and with the old file's permissions.

:func:`describe_tenant` and :func:`describe_tenants` give a :class:`TenantView`:
the tenant's own settings over its vendor's defaults, its whole allow-list with
shared public hosts marked, and which credential variables are set (never their
values).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import ValidationError

from aiccbridge.config import TENANT_NAME, Config, TenantConfig, load_config
from aiccbridge.core import AICC_VERSIONS, ENCODINGS
from aiccbridge.core.launch import normalise_host_entry
from aiccbridge.errors import ConfigError
from aiccbridge.launching import allow_list
from aiccbridge.plugins import Plugins
from aiccbridge.sync import build_settings
from aiccbridge.vendor import SHARED_PUBLIC_HOSTS, Vendor

__all__ = [
    "CredentialState",
    "HostEntry",
    "NewTenant",
    "Setting",
    "TenantError",
    "TenantView",
    "add_tenant",
    "describe_tenant",
    "describe_tenants",
    "find_tenant",
    "tenant_table",
]

log = logging.getLogger(__name__)

Source = Literal["tenant", "vendor"]


class TenantError(ConfigError):
    """A tenant that cannot be added or found: a bad option, a taken name."""


@dataclass(frozen=True)
class NewTenant:
    """What ``tenant add`` was asked to write; :func:`tenant_table` checks it."""

    name: str
    vendor: str
    hosts: tuple[str, ...] = ()
    aicc_version: str | None = None
    encoding: str | None = None
    outbox: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict)


# --- adding ----------------------------------------------------------------------


def add_tenant(
    path: Path, new: NewTenant, vendors: Mapping[str, Vendor]
) -> TenantConfig:
    """Append ``new`` to the config file at ``path`` and return it as loaded.

    Raises :class:`TenantError` (nothing written) for a bad option, a name the
    file already has, a file that does not exist, or a file that would not load
    with the new table; a file that is invalid already raises its own
    :class:`~aiccbridge.errors.ConfigError`.
    """
    target = _existing(path)
    original = _read(target, path)
    config = load_config(path)
    _check_name(new.name, config)
    table = tenant_table(new, vendors)
    data = original + _addition(original, new.name, table)
    loaded = _replace_checked(target, path, original, data)
    log.info("tenant %s added to %s", new.name, path)
    return loaded.tenants[new.name]


def tenant_table(new: NewTenant, vendors: Mapping[str, Vendor]) -> dict[str, Any]:
    """The TOML table for a new tenant, each option checked (not the name).

    Hosts are written in the normalised form they are compared in.
    """
    vendor = _vendor(new.vendor, vendors)
    table: dict[str, Any] = {"vendor": vendor.id}
    if new.hosts:
        table["hostnames"] = _hosts(new.hosts)
    if new.aicc_version is not None:
        table["aicc_version"] = _choice(
            "--aicc-version", new.aicc_version, AICC_VERSIONS
        )
    if new.encoding is not None:
        table["encoding"] = _choice("--encoding", new.encoding, ENCODINGS)
    if new.outbox is not None:
        table["outbox"] = _outbox(new.outbox)
    if new.credentials:
        table["credentials"] = _credentials(new.credentials, vendor)
    return table


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise TenantError(
            f"{path}: no such config file; tenant add only appends to an existing "
            "aiccbridge.toml, so write its [provider] and [catalog] tables first",
        )
    return path.resolve()


def _read(target: Path, shown: Path) -> bytes:
    try:
        return target.read_bytes()
    except OSError as exc:
        raise TenantError(f"{shown}: cannot read: {exc.strerror}") from None


def _check_name(name: str, config: Config) -> None:
    if not TENANT_NAME.fullmatch(name):
        raise TenantError(
            f"tenant name {name!r}: use letters, digits, '-' and '_' "
            "(at most 64, starting with a letter or digit)"
        )
    if name in config.tenants:
        raise TenantError(
            f"{config.path}: tenant {name!r} already exists; edit its "
            f"[tenants.{name}] table or choose another name"
        )


def _vendor(vendor_id: str, vendors: Mapping[str, Vendor]) -> Vendor:
    found = vendors.get(vendor_id)
    if found is None:
        known = ", ".join(vendors) or "none"
        raise TenantError(f"--vendor: unknown vendor {vendor_id!r}; known: {known}")
    return found


def _hosts(hosts: Iterable[str]) -> list[str]:
    normal: list[str] = []
    for entry in hosts:
        try:
            normal.append(normalise_host_entry(entry))
        except ValueError as exc:
            raise TenantError(f"--host: {exc}") from None
    return list(dict.fromkeys(normal))


def _choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise TenantError(f"{option}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _outbox(value: str) -> str:
    if not value.strip() or "\x00" in value:
        raise TenantError("--outbox: give a folder path")
    return value


def _credentials(pairs: Mapping[str, str], vendor: Vendor) -> dict[str, str]:
    unknown = sorted(set(pairs) - set(vendor.credentials))
    if unknown:
        uses = ", ".join(vendor.credentials) or "none"
        raise TenantError(
            f"--credential: {vendor.name} has no credential {unknown[0]!r} "
            f"(it uses: {uses})"
        )
    try:
        TenantConfig.model_validate({"vendor": vendor.id, "credentials": pairs})
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise TenantError(f"--credential: {message}") from None
    return dict(pairs)


def _addition(original: bytes, name: str, table: dict[str, Any]) -> bytes:
    """The bytes to append: a separating newline or two, then the table."""
    newline = b"\r\n" if b"\r\n" in original else b"\n"
    text = tomli_w.dumps({"tenants": {name: table}}).encode("utf-8")
    return _separator(original, newline) + text.replace(b"\n", newline)


def _separator(original: bytes, newline: bytes) -> bytes:
    """What makes exactly one blank line between the file's end and the table."""
    if not original:
        return b""
    ended = original.endswith(b"\n")
    last_line = (original[:-1] if ended else original).rsplit(b"\n", 1)[-1]
    blank = not last_line.strip()
    if ended:
        return b"" if blank else newline
    return newline if blank else newline * 2


def _replace_checked(target: Path, shown: Path, original: bytes, data: bytes) -> Config:
    """Write ``data`` next to ``target``, load it, and only then swap it in."""
    try:
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise TenantError(f"{shown}: cannot write next to it: {exc.strerror}") from None
    temp = Path(name)
    try:
        _write_synced(handle, data, stat.S_IMODE(target.stat().st_mode), temp)
        loaded = _load_candidate(temp, shown)
        if target.read_bytes() != original:
            raise TenantError(f"{shown}: changed while the tenant was being added")
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)
    return loaded


def _write_synced(handle: int, data: bytes, mode: int, temp: Path) -> None:
    with os.fdopen(handle, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(temp, mode)


def _load_candidate(temp: Path, shown: Path) -> Config:
    try:
        return load_config(temp)
    except ConfigError as exc:
        message = exc.message.replace(str(temp), str(shown))
        raise TenantError(
            message,
            hint="that is the file as it would be with the new tenant; "
            "nothing was written",
        ) from None


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# --- describing ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting:
    """One effective setting and where it comes from."""

    value: str
    source: Source

    def to_dict(self) -> dict[str, str]:
        """As ``tenant show --json`` prints it."""
        return {"value": self.value, "source": self.source}


@dataclass(frozen=True, slots=True)
class HostEntry:
    """One allow-list entry: from the vendor's defaults or the tenant's own."""

    host: str
    source: Source
    shared: bool

    def to_dict(self) -> dict[str, object]:
        """As ``tenant show --json`` prints it."""
        return {"host": self.host, "source": self.source, "shared": self.shared}


@dataclass(frozen=True, slots=True)
class CredentialState:
    """A credential: the environment variable that holds it, and whether it is set.

    ``needed`` is false for a credential the tenant names but its vendor does not
    use; ``env`` is None when the vendor needs it and the tenant names none.
    """

    key: str
    env: str | None
    is_set: bool
    needed: bool

    def to_dict(self) -> dict[str, object]:
        """As ``tenant show --json`` prints it."""
        return {
            "key": self.key,
            "env": self.env,
            "set": self.is_set,
            "needed": self.needed,
        }


@dataclass(frozen=True)
class TenantView:
    """A tenant as it takes effect; ``vendor`` is None when it is not registered."""

    name: str
    vendor_id: str
    vendor: Vendor | None
    plugin: str | None
    aicc_version: Setting | None
    encoding: Setting | None
    forbidden_chars: Setting | None
    hosts: tuple[HostEntry, ...]
    allow_http: bool
    credentials: tuple[CredentialState, ...]
    outbox: Path
    library: dict[str, list[str] | None]

    @property
    def delivery(self) -> str | None:
        """The vendor's delivery route (``api`` or ``outbox``), None when unknown."""
        return self.vendor.delivery if self.vendor else None

    def summary(self) -> dict[str, object]:
        """The row ``tenant list`` shows."""
        return {
            "name": self.name,
            "vendor": self.vendor_id,
            "known_vendor": self.vendor is not None,
            "aicc_version": _value(self.aicc_version),
            "encoding": _value(self.encoding),
            "hosts": len(self.hosts),
            "delivery": self.delivery,
        }

    def to_dict(self) -> dict[str, object]:
        """Everything ``tenant show`` shows."""
        vendor = self.vendor
        return {
            **self.summary(),
            "vendor_name": vendor.name if vendor else None,
            "plugin": self.plugin,
            "settings": {
                "aicc_version": _setting(self.aicc_version),
                "encoding": _setting(self.encoding),
                "forbidden_chars": _setting(self.forbidden_chars),
            },
            "allow_list": [h.to_dict() for h in self.hosts],
            "allow_http": self.allow_http,
            "credentials": [c.to_dict() for c in self.credentials],
            "outbox": str(self.outbox),
            "library": self.library,
            "notes": list(vendor.notes) if vendor else [],
        }


def find_tenant(config: Config, name: str) -> TenantConfig:
    """The tenant called ``name``; raises :class:`TenantError` naming the others."""
    found = config.tenants.get(name)
    if found is None:
        known = ", ".join(config.tenants) or "none"
        raise TenantError(f"no tenant {name!r} in {config.path}; tenants: {known}")
    return found


def describe_tenant(config: Config, plugins: Plugins, name: str) -> TenantView:
    """One tenant's effective settings; raises :class:`TenantError` when unknown."""
    tenant = find_tenant(config, name)
    vendor = plugins.vendors().get(tenant.vendor)
    plugin = plugins.vendor_plugin(vendor.id) if vendor else None
    return TenantView(
        name=tenant.name,
        vendor_id=tenant.vendor,
        vendor=vendor,
        plugin=plugin,
        **_settings(config, tenant, vendor),
        hosts=_host_entries(tenant, vendor),
        allow_http=tenant.allow_http,
        credentials=_credential_states(tenant, vendor),
        outbox=config.outbox_for(tenant),
        library=tenant.library.model_dump(),
    )


def describe_tenants(config: Config, plugins: Plugins) -> list[TenantView]:
    """Every tenant of the config, in file order."""
    return [describe_tenant(config, plugins, name) for name in config.tenants]


def _settings(
    config: Config, tenant: TenantConfig, vendor: Vendor | None
) -> dict[str, Setting | None]:
    own = {
        "aicc_version": tenant.aicc_version,
        "encoding": tenant.encoding,
        "forbidden_chars": tenant.forbidden_chars,
    }
    if vendor is None:
        return {k: None if v is None else Setting(v, "tenant") for k, v in own.items()}
    built = build_settings(config, tenant, vendor)
    return {k: Setting(getattr(built, k), _source(v)) for k, v in own.items()}


def _source(own: str | None) -> Source:
    return "vendor" if own is None else "tenant"


def _host_entries(tenant: TenantConfig, vendor: Vendor | None) -> tuple[HostEntry, ...]:
    hosts = allow_list(tenant, vendor) if vendor else tuple(tenant.hostnames)
    return tuple(
        HostEntry(h, "tenant" if h in tenant.hostnames else "vendor", _is_shared(h))
        for h in hosts
    )


def _is_shared(host: str) -> bool:
    """Whether ``host`` is, or is under, a shared public host (as ``vendors`` marks)."""
    bare = host.removeprefix("*.")
    return any(bare == s or bare.endswith("." + s) for s in SHARED_PUBLIC_HOSTS)


def _credential_states(
    tenant: TenantConfig, vendor: Vendor | None
) -> tuple[CredentialState, ...]:
    needed = vendor.credentials if vendor else ()
    keys = dict.fromkeys((*needed, *tenant.credentials))
    return tuple(
        CredentialState(
            key,
            tenant.credentials.get(key),
            tenant.credential(key) not in (None, ""),
            key in needed,
        )
        for key in keys
    )


def _value(setting: Setting | None) -> str | None:
    return setting.value if setting else None


def _setting(setting: Setting | None) -> dict[str, str] | None:
    return setting.to_dict() if setting else None
