"""Totara: the customer's own site hosts HACP (``/mod/scorm/aicc.php``).

Delivery goes through the site's web services (a token in the tenant's
credentials): aiccbridge finds or creates a course shell per package, with the
course id as its ``idnumber``, and hands the package to an admin through the
outbox, since no web service adds the AICC activity itself. Retired courses are
hidden, or deleted with ``sync --purge``. The site is ``https://`` and the
tenant's first hostname.

Totara's HACP handler is Moodle's: it reads course files split on CRLF and takes
the text after the last ``=`` of a ``.crs`` line, so ``=`` is kept out of titles.
Its mobile app opens AICC activities online only, in a web view.
"""

from __future__ import annotations

from collections.abc import Callable

from aiccbridge import TenantConfig, Vendor, hookimpl
from aiccbridge_totara._api import REQUIRED_FUNCTIONS, TotaraApi, site_url

__all__ = ["REQUIRED_FUNCTIONS", "TOTARA", "TotaraApi", "site_url"]
__version__ = "0.1.0"

TOTARA = Vendor(
    id="totara",
    name="Totara",
    needs_hostnames=True,
    delivery="api",
    encoding="utf-8",
    forbidden_chars="=",
    launch_mode="either",
    iframe_allowed=True,
    mobile_tracking="no",
    credentials=("token",),
    notes=(
        "Enable 'external AICC HACP' (scorm | allowaicchacp) or HACP posts need the "
        "learner's login cookie.",
        "The site host (its wwwroot) is the HACP host: list it first in hostnames.",
        "token: a web service token whose service allows core_course_get_courses_"
        "by_field, core_course_create_courses and core_course_update_courses.",
        "Web services make the course shells; an admin adds each AICC activity "
        "from the outbox bundle.",
    ),
)

_API = TotaraApi()


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


@hookimpl
def aiccbridge_vendor_api(vendor: Vendor) -> TotaraApi | None:
    return _API if vendor.id == TOTARA.id else None
