"""Deciding whether the gateway would accept a launch, and saying why.

A launch arrives at the provider's launch address (``[provider] launch_url`` with
``{tenant}`` and ``{course_id}`` filled in) with ``AICC_SID`` and ``AICC_URL`` in
its query. It is accepted when the tenant exists, the course is in the tenant's
library, and the ``AICC_URL`` host is on the tenant's allow-list (its vendor's
default hosts plus its own). Both ``aiccbridge launch check`` and the gateway
use :func:`check_launch`, so what the command explains is what the gateway does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from aiccbridge.catalog import CatalogEntry
from aiccbridge.config import Config, TenantConfig
from aiccbridge.core.launch import (
    LaunchError,
    LaunchParams,
    check_hacp_url,
    mask_session_id,
    parse_launch,
)
from aiccbridge.plugins import Plugins
from aiccbridge.vendor import Vendor

__all__ = [
    "LaunchTemplate",
    "LaunchVerdict",
    "allow_list",
    "check_launch",
]


def allow_list(tenant: TenantConfig, vendor: Vendor) -> tuple[str, ...]:
    """The hosts a tenant's launches may name: vendor defaults (unless the tenant
    sets ``vendor_hostnames = false``), then its own."""
    return tenant.allow_list(vendor.hostnames)


class LaunchTemplate:
    """The path of ``[provider] launch_url``, for matching launch addresses."""

    def __init__(self, launch_url: str) -> None:
        self.path = urlsplit(launch_url.replace("{", "%7B").replace("}", "%7D")).path
        self.path = self.path.replace("%7B", "{").replace("%7D", "}")
        pattern = re.escape(self.path)
        for name in ("tenant", "course_id"):
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)")
        self._regex = re.compile(pattern + "$")

    def match(self, path: str) -> dict[str, str] | None:
        """The tenant and course id a request path names, or None."""
        found = self._regex.match(path)
        if found is None:
            return None
        return {k: unquote(v) for k, v in found.groupdict().items()}

    @property
    def has_tenant(self) -> bool:
        return "{tenant}" in self.path


@dataclass(frozen=True, slots=True)
class LaunchVerdict:
    """Whether a launch would be accepted, and what to tell people about it."""

    accepted: bool
    reason: str
    detail: str
    tenant: str | None = None
    course_id: str | None = None
    host: str = ""
    session: str = ""
    matched: str | None = None
    allow_list: tuple[str, ...] = ()
    params: LaunchParams | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "accepted": self.accepted,
            "reason": self.reason,
            "detail": self.detail,
            "tenant": self.tenant,
            "course_id": self.course_id,
            "host": self.host,
            "session": self.session,
            "matched": self.matched,
            "allow_list": list(self.allow_list),
        }


def check_launch(
    config: Config,
    plugins: Plugins,
    *,
    tenant: str | None,
    course_id: str | None,
    query: str | Mapping[str, str],
    courses: Mapping[str, CatalogEntry] | None = None,
) -> LaunchVerdict:
    """Check one launch: tenant, course (when ``courses`` is given), allow-list."""
    try:
        params = parse_launch(query)
    except LaunchError as exc:
        return LaunchVerdict(False, exc.reason, exc.message, tenant, course_id)
    base = {"session": mask_session_id(params.session_id), "params": params}
    found = config.tenants.get(tenant or "")
    if found is None:
        detail = (
            f"no tenant {tenant!r} in the gateway's config; the launch address "
            "names the tenant, so the package was built for another config"
            if tenant
            else "the launch address names no tenant"
        )
        return LaunchVerdict(False, "unknown_tenant", detail, tenant, course_id, **base)
    vendor = plugins.vendors().get(found.vendor)
    if vendor is None:
        return LaunchVerdict(
            False,
            "unknown_vendor",
            f"tenant {tenant!r} uses unknown vendor {found.vendor!r}",
            tenant,
            course_id,
            **base,
        )
    hosts = allow_list(found, vendor)
    decision = check_hacp_url(params.hacp_url, hosts, allow_http=found.allow_http)
    verdict = LaunchVerdict(
        decision.allowed,
        decision.reason,
        decision.detail,
        tenant,
        course_id,
        decision.host,
        matched=decision.matched,
        allow_list=hosts,
        **base,
    )
    if decision.allowed and courses is not None and course_id not in courses:
        return _replace(
            verdict,
            accepted=False,
            reason="unknown_course",
            detail=f"course {course_id!r} is not in the library of tenant "
            f"{tenant!r} (or its catalog row was rejected)",
        )
    return verdict


def _replace(verdict: LaunchVerdict, **changes: object) -> LaunchVerdict:
    from dataclasses import replace

    return replace(verdict, **changes)  # type: ignore[arg-type]
