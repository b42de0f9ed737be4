"""SCORM Cloud (Rustici): packages are imported through its API v2.

Each package becomes an import job (``POST /courses/importJobs/upload``) that
is polled until it ends; a changed package becomes a new version of its course.
A retired course is never deleted without ``sync --purge``: it is tagged
``retired`` instead, and one with registrations is reported as kept.
"""

from __future__ import annotations

from collections.abc import Callable

from aiccbridge import Vendor, hookimpl
from aiccbridge_scormcloud._api import (
    API_ROOT,
    RETIRED_TAG,
    ScormCloudApi,
    list_courses,
)

__all__ = ["API_ROOT", "RETIRED_TAG", "SCORMCLOUD", "ScormCloudApi", "list_courses"]
__version__ = "0.1.0"

SCORMCLOUD = Vendor(
    id="scormcloud",
    name="SCORM Cloud",
    hostnames=("cloud.scorm.com",),
    delivery="api",
    encoding="utf-8",
    mobile_tracking="no",
    credentials=("app_id", "secret_key"),
    notes=(
        "Basic auth: application id and secret key; one application per tenant.",
        "Deleting a course destroys its registrations; aiccbridge never deletes "
        "without sync --purge, it tags the course 'retired' instead.",
    ),
)

_API = ScormCloudApi()


@hookimpl
def aiccbridge_register_vendors(register: Callable[[Vendor], None]) -> None:
    register(SCORMCLOUD)


@hookimpl
def aiccbridge_vendor_api(vendor: Vendor) -> ScormCloudApi | None:
    return _API if vendor.id == SCORMCLOUD.id else None
