"""Vendors that need nothing but hostnames and an outbox, shipped with aiccbridge.

They load through the same ``aiccbridge`` entry-point group as any third-party
plugin. Hostnames are the defaults LMS admins are told to allow-list.
"""

from __future__ import annotations

from collections.abc import Callable

from aiccbridge.hookspecs import hookimpl
from aiccbridge.vendor import Vendor

__all__ = ["VENDORS"]

VENDORS: tuple[Vendor, ...] = (
    Vendor(
        id="halogen",
        name="Halogen / Saba TalentSpace",
        hostnames=("learning.hgncloud.com", "global.hgncloud.com"),
        notes=("No public content API: upload the outbox bundle by hand.",),
    ),
    Vendor(
        id="brainier",
        name="Brainier",
        hostnames=("*.brainier.com", "scorm.brainier.com"),
        notes=(
            "Each customer has its own companyname.brainier.com host; the *.brainier"
            ".com default admits it, or list the exact host and narrow the list.",
        ),
    ),
    Vendor(
        id="compliancewire",
        name="ComplianceWire (UL Solutions)",
        hostnames=("content.compliancewire.com",),
        notes=("Upload through the admin Design Center as an AICC training item.",),
    ),
    Vendor(
        id="lms365",
        name="LMS365 / Learn365",
        needs_hostnames=True,
        notes=(
            "The HACP host is not documented: copy it from the AICC_URL of a first "
            "launch into the tenant's hostnames.",
        ),
    ),
)


@hookimpl
def aiccbridge_register_vendors(register: Callable[[Vendor], None]) -> None:
    for vendor in VENDORS:
        register(vendor)
