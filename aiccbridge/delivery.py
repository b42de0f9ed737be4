"""How a vendor plugin delivers packages through its LMS's API.

A plugin whose vendor has ``delivery = "api"`` answers the
``aiccbridge_vendor_api`` hook with a :class:`VendorApi`. Sync then hands it one
:class:`DeliveryJob` per tenant and run (the packages to add and replace, the
courses to retire) and records what the returned :class:`DeliveryOutcome` says
was delivered. Whatever failed is not recorded, so it comes back in the next
run; the rest of the run goes on. What the API cannot do (``manual``) goes into
an outbox bundle with instructions, as for outbox vendors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import httpx

    from aiccbridge.config import TenantConfig
    from aiccbridge.vendor import Vendor

__all__ = ["DeliveryJob", "DeliveryOutcome", "Retirement", "Upload", "VendorApi"]


@dataclass(frozen=True, slots=True)
class Upload:
    """One package to put into the LMS: a new course (``add``) or a new version."""

    course_id: str
    title: str
    file_name: str
    data: bytes
    sha256: str
    action: str  # "add" | "replace" | "unchanged" (full exports)


@dataclass(frozen=True, slots=True)
class Retirement:
    """A course the tenant no longer licenses."""

    course_id: str
    title: str


@dataclass(frozen=True)
class DeliveryJob:
    """Everything a plugin needs to deliver one tenant's run."""

    tenant: TenantConfig
    vendor: Vendor
    uploads: tuple[Upload, ...]
    retirements: tuple[Retirement, ...]
    #: credential name → value, read from the environment variables the tenant names
    credentials: Mapping[str, str]
    #: ``--purge``: retiring may delete courses (destroying their learner records)
    purge: bool = False
    #: for :class:`~aiccbridge.http.VendorHttp`: tests inject a transport and a sleep
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep


@dataclass
class DeliveryOutcome:
    """What a plugin did with a job. Course ids not listed anywhere count as failed."""

    #: course id → what the LMS calls it now (a version, an id), for the report
    delivered: dict[str, str] = field(default_factory=dict)
    #: course id → one-line reason; retried in the next run
    failed: dict[str, str] = field(default_factory=dict)
    #: course ids retired (hidden, archived or deleted) in the LMS
    retired: list[str] = field(default_factory=list)
    #: course id → why it was not retired (e.g. it has learner registrations)
    kept: dict[str, str] = field(default_factory=dict)
    #: course id → instruction for an admin; the package goes into an outbox bundle
    manual: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@runtime_checkable
class VendorApi(Protocol):
    """A vendor's API, as sync and doctor use it."""

    def ping(self, job: DeliveryJob) -> str:
        """Check the credentials: a one-line confirmation, or VendorError."""
        ...

    def deliver(self, job: DeliveryJob) -> DeliveryOutcome:
        """Upload, replace and retire what the job says; never raise for one course."""
        ...
