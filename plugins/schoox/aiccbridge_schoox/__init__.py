"""Schoox, and the LMSs that run on its engine: UKG Pro Learning (UltiPro) and Paycom.

Schoox has no API to create a course or upload a package, so packages go through
the outbox for an admin to upload as a SCORM/AICC lecture. Its HACP endpoint is a
Schoox-hosted SCORM engine (``scormengine.schoox.com``). With ``api_key`` and
``academy_id`` set, :class:`SchooxApi` checks them (``GET /usage``) and
:func:`reconcile` says which packages the academy already holds, by title.
Paycom has no public API: outbox only.
"""

from __future__ import annotations

from collections.abc import Callable

from aiccbridge import Vendor, hookimpl
from aiccbridge_schoox._api import (
    AcademyCourse,
    Reconciliation,
    SchooxApi,
    academy_courses,
    match_titles,
    reconcile,
)

__all__ = [
    "PAYCOM",
    "SCHOOX",
    "ULTIPRO",
    "AcademyCourse",
    "Reconciliation",
    "SchooxApi",
    "academy_courses",
    "match_titles",
    "reconcile",
]
__version__ = "0.1.0"

SCHOOX_HOSTS = (
    "scormengine.schoox.com",
    "schoox.com",
    "idp.schoox.com",
    "filepicker.io",
    "pusher.com",
    "googleapis.com",
    "boxcdn.net",
    "api.box.com",
    "boxcloud.com",
    "excel.officeapps.live.com",
    "integration.schoox.com",
)

_SESSION_NOTE = (
    "Academy setting: AICC sessions time out after 60 idle minutes by default."
)

SCHOOX = Vendor(
    id="schoox",
    name="Schoox",
    hostnames=SCHOOX_HOSTS,
    delivery="outbox",
    encoding="ascii",
    credentials=("api_key", "academy_id"),
    notes=(
        "Upload each package as a SCORM/AICC lecture; the API can only list courses.",
        _SESSION_NOTE,
    ),
)

ULTIPRO = Vendor(
    id="ultipro",
    name="UltiPro / UKG Pro Learning (on Schoox)",
    hostnames=SCHOOX_HOSTS,
    delivery="outbox",
    encoding="ascii",
    credentials=("api_key", "academy_id"),
    notes=("A Schoox academy: same hosts and upload route as Schoox.", _SESSION_NOTE),
)

PAYCOM = Vendor(
    id="paycom",
    name="Paycom",
    hostnames=("ms.paycomonline.net", "lms.paycomdfw.net", "scormengine.schoox.com"),
    delivery="outbox",
    encoding="ascii",
    notes=(
        "No public content API: upload the outbox bundle in Paycom's learning module.",
    ),
)


@hookimpl
def aiccbridge_register_vendors(register: Callable[[Vendor], None]) -> None:
    for vendor in (SCHOOX, ULTIPRO, PAYCOM):
        register(vendor)


_API = SchooxApi()


@hookimpl
def aiccbridge_vendor_api(vendor: Vendor) -> SchooxApi | None:
    """Schoox and UltiPro answer ``ping``; their packages still go by outbox."""
    return _API if vendor.id in (SCHOOX.id, ULTIPRO.id) else None
