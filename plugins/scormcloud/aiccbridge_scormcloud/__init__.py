"""SCORM Cloud (Rustici): packages can be imported through its API.

Until API delivery lands, packages are written to the outbox like every other
vendor's; the credentials named here are the ones API delivery will use.
"""

from __future__ import annotations

from collections.abc import Callable

from aiccbridge import Vendor, hookimpl

__all__ = ["SCORMCLOUD"]
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
        "Basic auth: application id and secret key.",
        "Deleting a course destroys its registrations; aiccbridge never deletes "
        "without being told to.",
    ),
)


@hookimpl
def aiccbridge_register_vendors(register: Callable[[Vendor], None]) -> None:
    register(SCORMCLOUD)
