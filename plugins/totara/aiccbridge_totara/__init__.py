"""Totara: the customer's own site hosts HACP (``/mod/scorm/aicc.php``).

Totara's HACP handler is Moodle's: it reads course files split on CRLF and takes
the text after the last ``=`` of a ``.crs`` line, so ``=`` is kept out of titles.
Its mobile app opens AICC activities online only, in a web view.
"""

from __future__ import annotations

from collections.abc import Callable

from aiccbridge import TenantConfig, Vendor, hookimpl

__all__ = ["TOTARA"]
__version__ = "0.1.0"

TOTARA = Vendor(
    id="totara",
    name="Totara",
    needs_hostnames=True,
    delivery="outbox",
    encoding="utf-8",
    forbidden_chars="=",
    launch_mode="either",
    iframe_allowed=True,
    mobile_tracking="no",
    notes=(
        "Enable 'external AICC HACP' (scorm | allowaicchacp) or HACP posts need the "
        "learner's login cookie.",
        "The site host (its wwwroot) is the HACP host: list it in hostnames.",
    ),
)


@hookimpl
def aiccbridge_register_vendors(register: Callable[[Vendor], None]) -> None:
    register(TOTARA)


@hookimpl
def aiccbridge_check_tenant(tenant: TenantConfig, vendor: Vendor) -> list[str] | None:
    if vendor.id != TOTARA.id:
        return None
    wildcards = [h for h in tenant.hostnames if h.startswith("*.")]
    if wildcards:
        return [
            f"hostnames: {wildcards[0]} - a Totara site is one host; list it exactly"
        ]
    return []
