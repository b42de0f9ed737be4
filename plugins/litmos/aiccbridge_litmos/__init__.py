"""SAP Litmos: its upload API takes SCORM and Tin Can only, so AICC goes by outbox.

:class:`LitmosApi` checks the tenant's API key (``ping``); it uploads nothing.
The HACP host is not published: take it from the ``AICC_URL`` of a real launch.
"""

from __future__ import annotations

from collections.abc import Callable

from aiccbridge import Vendor, hookimpl
from aiccbridge_litmos._api import SOURCE, LitmosApi, api_root

__all__ = ["LITMOS", "SOURCE", "LitmosApi", "api_root"]
__version__ = "0.1.0"

LITMOS = Vendor(
    id="litmos",
    name="SAP Litmos",
    needs_hostnames=True,
    delivery="outbox",
    encoding="ascii",
    credentials=("api_key",),
    notes=(
        "Upload AICC packages in the Litmos admin UI (eLearning module, AICC).",
        "Confirm the HACP host from a real launch's AICC_URL.",
    ),
)


@hookimpl
def aiccbridge_register_vendors(register: Callable[[Vendor], None]) -> None:
    register(LITMOS)


_API = LitmosApi()


@hookimpl
def aiccbridge_vendor_api(vendor: Vendor) -> LitmosApi | None:
    """Litmos answers ``ping``; its packages still go by outbox."""
    return _API if vendor.id == LITMOS.id else None
