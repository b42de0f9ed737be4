"""``aiccbridge.toml``: reading, validating and locating its settings.

Where a setting comes from, first match wins:

1. ``--config PATH`` on the command line (before the command);
2. the ``AICCBRIDGE_CONFIG`` environment variable;
3. ``./aiccbridge.toml``.

Relative paths inside the file are relative to the file. Every validation error is
one line naming the file, the key path and, where it can be found, the line.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from aiccbridge.catalog import CATALOG_FIELDS, CatalogSpec
from aiccbridge.errors import ConfigError

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG",
    "CatalogConfig",
    "Config",
    "GatewayConfig",
    "LibraryConfig",
    "ProviderConfig",
    "StateConfig",
    "TENANT_NAME",
    "TenantConfig",
    "find_config",
    "load_config",
]

CONFIG_ENV = "AICCBRIDGE_CONFIG"
DEFAULT_CONFIG = "aiccbridge.toml"

AiccVersion = Literal["2.2", "2.5", "3.0", "3.5", "4.0"]
Encoding = Literal["ascii", "cp1252", "utf-8"]
Kind = Literal["course", "learning_path", "video"]

#: What a tenant name may be: it names folders and appears in launch addresses.
TENANT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,127}")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_BAD_URL = re.compile(r"[\x00-\x20\x7f\\]")
_LAUNCH_FIELDS = {"tenant", "course_id"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if isinstance(value, Path | str) and "\0" in str(value):
            raise ValueError("holds a NUL character")
        return value


def check_launch_template(value: str) -> str:
    """A launch address template: https (or http on this machine), {course_id}."""
    try:
        fields = [f for f in string.Formatter().parse(value) if f[1] is not None]
    except ValueError as exc:
        raise ValueError(f"not a valid template ({exc}); use {{course_id}}") from None
    for _, name, spec, conversion in fields:
        if name not in _LAUNCH_FIELDS or spec or conversion:
            raise ValueError(
                f"unknown placeholder {{{name}}}; use {{tenant}} and {{course_id}}"
            )
    if "course_id" not in {f[1] for f in fields}:
        raise ValueError("must contain {course_id}")
    sample = value.format(tenant="t", course_id="c")
    parts = urlsplit(sample)
    local = parts.scheme == "http" and parts.hostname in _LOOPBACK
    if not (parts.scheme == "https" or local) or not parts.hostname:
        raise ValueError(
            "must be an https:// address (http:// only for 127.0.0.1 or localhost)"
        )
    if _BAD_URL.search(sample):
        raise ValueError("must be an address with no spaces or control characters")
    return value


def _template_path(template: str) -> str:
    return urlsplit(template.format(tenant="{tenant}", course_id="{course_id}")).path


class ProviderConfig(_Strict):
    """``[provider]``: who serves the content, and where launches land."""

    name: str = Field(min_length=1)
    launch_url: str

    @field_validator("launch_url")
    @classmethod
    def _template(cls, value: str) -> str:
        return check_launch_template(value)


class CatalogConfig(_Strict):
    """``[catalog]``: the provider's course catalog file and its column mapping."""

    path: Path
    duration_unit: Literal["minutes", "hours", "seconds"] = "minutes"
    format: Literal["csv", "json"] | None = None
    columns: dict[str, str] = Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        for name, column in value.items():
            if name not in CATALOG_FIELDS:
                raise ValueError(
                    f"unknown catalog field {name!r}; fields are "
                    + ", ".join(CATALOG_FIELDS)
                )
            if not column.strip():
                raise ValueError(f"{name} must name a column of the catalog file")
        return value


class LibraryConfig(_Strict):
    """``[tenants.<name>.library]``: which part of the catalog a tenant licensed."""

    kinds: list[Kind] | None = None
    languages: list[str] | None = None
    subjects: list[str] | None = None


class TenantConfig(_Strict):
    """``[tenants.<name>]``: one customer's LMS."""

    @field_validator("launch_url")
    @classmethod
    def _launch(cls, value: str | None) -> str | None:
        return None if value is None else check_launch_template(value)

    name: str = ""
    vendor: str = Field(min_length=1)
    hostnames: list[str] = Field(default_factory=list)
    #: false: allow only this tenant's own ``hostnames``, not the vendor's defaults
    vendor_hostnames: StrictBool = True
    aicc_version: AiccVersion | None = None
    encoding: Encoding | None = None
    forbidden_chars: str | None = None
    library: LibraryConfig = Field(default_factory=LibraryConfig)
    outbox: Path | None = None
    allow_http: StrictBool = False
    credentials: dict[str, str] = Field(default_factory=dict)
    #: the sandbox vendor only: the sandbox LMS's address (default
    #: http://127.0.0.1:8766); its plugin checks that it is a loopback address
    sandbox_url: str | None = None
    #: this tenant's own launch address template (e.g. a staging gateway); it must
    #: keep the path of ``[provider] launch_url``, which is what the gateway serves
    launch_url: str | None = None

    @field_validator("aicc_version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        if isinstance(value, float | int) and not isinstance(value, bool):
            raise ValueError(f'write the version as a string: aicc_version = "{value}"')
        return value

    @field_validator("hostnames")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        from aiccbridge.core.launch import normalise_host_entry

        out, problems = [], []
        for entry in value:
            try:
                out.append(normalise_host_entry(entry))
            except ValueError as exc:
                problems.append(f"{entry!r}: {exc}")
        if problems:
            raise ValueError("; ".join(problems))
        return out

    @field_validator("credentials")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for key, env in value.items():
            if not _ENV_NAME.fullmatch(env):
                raise ValueError(
                    f"{key} must name an environment variable in capitals (like "
                    "SCHOOX_API_KEY), never hold the secret itself"
                )
        return value

    def allow_list(self, vendor_hosts: tuple[str, ...]) -> tuple[str, ...]:
        """The hosts this tenant's launches may name, given its vendor's defaults."""
        hosts = (
            (*vendor_hosts, *self.hostnames)
            if self.vendor_hostnames
            else self.hostnames
        )
        return tuple(dict.fromkeys(hosts))

    def credential(self, key: str) -> str | None:
        """The credential's value from the environment, or None when unset."""
        env = self.credentials.get(key)
        return os.environ.get(env) if env else None


class StateConfig(_Strict):
    """``[state]``: where sync records what it delivered."""

    path: Path = Path(".aiccbridge/state.db")


class GatewayConfig(_Strict):
    """``[gateway]``: the launch and tracking service (``aiccbridge serve``)."""

    #: environment variable holding the bearer token of the progress API
    progress_token_env: str = "AICCBRIDGE_PROGRESS_TOKEN"
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    #: proxies whose X-Forwarded-For / X-Forwarded-Proto headers are trusted
    trusted_proxies: list[str] = Field(default_factory=list)
    #: timeout of one HACP request to an LMS
    hacp_timeout_seconds: float = Field(default=10.0, gt=0)
    #: first and longest wait between delivery attempts
    retry_initial_seconds: float = Field(default=2.0, gt=0)
    retry_max_seconds: float = Field(default=300.0, gt=0)
    #: a message not delivered this long after it was queued is given up
    give_up_after_hours: float = Field(default=72.0, gt=0)
    #: finished sessions are purged this long after they end
    session_retention_days: float = Field(default=30.0, gt=0)
    #: on shutdown, keep delivering for up to this long; the rest waits on disk
    shutdown_drain_seconds: float = Field(default=10.0, ge=0)

    @field_validator("progress_token_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.fullmatch(value):
            raise ValueError("must name an environment variable")
        return value


class Config(_Strict):
    """A whole, validated ``aiccbridge.toml``."""

    provider: ProviderConfig
    catalog: CatalogConfig
    tenants: dict[str, TenantConfig] = Field(default_factory=dict)
    state: StateConfig = Field(default_factory=StateConfig)
    gateway: GatewayConfig = Field(default_factory=GatewayConfig)
    path: Path = Path(DEFAULT_CONFIG)

    @field_validator("tenants")
    @classmethod
    def _names(cls, value: dict[str, TenantConfig]) -> dict[str, TenantConfig]:
        seen: dict[str, str] = {}
        for name in value:
            if not TENANT_NAME.fullmatch(name):
                raise ValueError(f"tenant name {name!r}: use letters, digits, '-', '_'")
            other = seen.setdefault(name.casefold(), name)
            if other != name:
                raise ValueError(
                    f"tenants {other!r} and {name!r} differ only in case; their "
                    "outbox folders would collide"
                )
        return {n: t.model_copy(update={"name": n}) for n, t in value.items()}

    @model_validator(mode="after")
    def _launch_paths(self) -> Config:
        want = _template_path(self.provider.launch_url)
        for tenant in self.tenants.values():
            if tenant.launch_url and _template_path(tenant.launch_url) != want:
                raise ValueError(
                    f"tenants.{tenant.name}.launch_url must keep the path of "
                    f"[provider] launch_url ({want}), which the gateway serves"
                )
        return self

    def launch_url_for(self, tenant: TenantConfig) -> str:
        """The launch address template of a tenant's packages."""
        return tenant.launch_url or self.provider.launch_url

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def resolve(self, path: Path) -> Path:
        """A path from the file, made absolute against the file's folder."""
        return path if path.is_absolute() else self.base_dir / path

    def catalog_spec(self) -> CatalogSpec:
        c = self.catalog
        return CatalogSpec(
            self.resolve(c.path), dict(c.columns), c.duration_unit, c.format
        )

    def state_path(self) -> Path:
        return self.resolve(self.state.path)

    def outbox_for(self, tenant: TenantConfig) -> Path:
        return self.resolve(tenant.outbox or Path("outbox") / tenant.name)

    def where(self, *keys: str) -> str:
        """``file:line`` of a key path in the config file (``file`` when not found)."""
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return str(self.path)
        line = _locate(text, list(keys))
        return f"{self.path}:{line}" if line else str(self.path)


def find_config(option: Path | None) -> Path:
    """The config file to use: the option, else ``$AICCBRIDGE_CONFIG``, else ./."""
    if option is not None:
        return option
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else Path(DEFAULT_CONFIG)


def load_config(path: Path) -> Config:
    """Read and validate a config file; every problem becomes a ConfigError line."""
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_message(path, exc)) from None
    try:
        return Config.model_validate({**data, "path": path.absolute()})
    except ValidationError as exc:
        lines = [_error_line(path, text, err) for err in exc.errors()]
        raise ConfigError("\n".join(lines)) from None


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such config file",
            hint=f"pass --config PATH (before the command) or set {CONFIG_ENV}",
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _toml_message(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    text = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    where = f"{path}:{match.group(1)}" if match else str(path)
    return f"{where}: TOML syntax: {text}"


def _error_line(path: Path, text: str, err: Any) -> str:
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc) or "(top level)"
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown key"
    elif err["type"] == "missing":
        message = "required key is missing"
    line = _locate(text, loc)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: {key}: {message}"


def _locate(text: str, loc: list[str]) -> int | None:
    """Best-effort line of a key path in TOML text (tables and dotted keys)."""
    table: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = re.match(r"^\[\s*([^\[\]]+?)\s*\]$", line)
        if header:
            table = [p.strip().strip('"') for p in header.group(1).split(".")]
            if table == loc:
                return number
            continue
        key = re.match(r"^([A-Za-z0-9_\-\".]+)\s*=", line)
        if key:
            parts = table + [p.strip().strip('"') for p in key.group(1).split(".")]
            if parts == loc[: len(parts)] and len(parts) >= len(loc) - 1:
                return number
    return None
