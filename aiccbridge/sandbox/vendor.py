"""The built-in ``sandbox`` vendor: deliver packages to the sandbox LMS by its API.

A tenant of this vendor names the sandbox's address in ``sandbox_url``
(default ``http://127.0.0.1:8766``, what ``aiccbridge lms serve`` listens on)
and sets ``allow_http = true``, since the sandbox answers HACP over plain http
on the loopback address. ``aiccbridge sync --vendor sandbox`` then uploads each
added or changed package with ``POST /api/courses`` (a re-sync replaces the
course in place), and retires a course with ``DELETE /api/courses/{id}``
(with ``--purge`` its records go too). Only loopback addresses are ever
contacted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import partial
from urllib.parse import quote, urlsplit

from aiccbridge.config import TenantConfig
from aiccbridge.delivery import DeliveryJob, DeliveryOutcome, Retirement, Upload
from aiccbridge.errors import VendorError
from aiccbridge.hookspecs import hookimpl
from aiccbridge.http import VendorHttp
from aiccbridge.vendor import Vendor

__all__ = ["DEFAULT_SANDBOX_URL", "SANDBOX", "SandboxApi", "sandbox_url"]

DEFAULT_SANDBOX_URL = "http://127.0.0.1:8766"
"""Where a sandbox tenant delivers when it sets no ``sandbox_url``."""

SANDBOX = Vendor(
    id="sandbox",
    name="aiccbridge sandbox LMS",
    hostnames=("127.0.0.1", "localhost"),
    delivery="api",
    encoding="ascii",
    launch_mode="new_window",
    iframe_allowed=True,
    mobile_tracking="no",
    notes=(
        "The test LMS of `aiccbridge lms serve`: set sandbox_url (default "
        f"{DEFAULT_SANDBOX_URL}) and allow_http = true on the tenant.",
        "Its LMS profile (spec, moodle, ilias, chamilo, skillport) is chosen on "
        "the sandbox, not here.",
    ),
)

_TIMEOUT = 30.0


def sandbox_url(tenant: TenantConfig) -> str:
    """The tenant's sandbox address, without a final ``/``.

    Raises :class:`VendorError` unless it is an http(s) URL on a loopback host
    (``127.0.0.0/8``, ``[::1]`` or ``localhost``).
    """
    url = (tenant.sandbox_url or DEFAULT_SANDBOX_URL).strip().rstrip("/")
    problem = _url_problem(url)
    if problem:
        raise VendorError(
            f"tenants.{tenant.name}.sandbox_url: {problem}",
            hint="the sandbox runs on this machine: http://127.0.0.1:8766",
        )
    return url


def _url_problem(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) address"
    if parts.username or parts.query or parts.fragment:
        return f"{url!r} must be a plain address (no user, query or fragment)"
    if not _is_loopback(parts.hostname):
        return f"{parts.hostname!r} is not a loopback host; only 127.0.0.1 is used"
    return ""


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SandboxApi:
    """Uploads and retirements over the sandbox's HTTP API."""

    def ping(self, job: DeliveryJob) -> str:
        """Ask ``/api/health``; raise :class:`VendorError` when it does not answer."""
        base = sandbox_url(job.tenant)
        with self._http(job, base) as http:
            health = http.get("/api/health").json()
        return (
            f"sandbox LMS at {base} answers: profile {health.get('profile')}, "
            f"{health.get('courses')} courses"
        )

    def deliver(self, job: DeliveryJob) -> DeliveryOutcome:
        """Upload every package and retire every course; never raise for one."""
        outcome = DeliveryOutcome()
        try:
            base = sandbox_url(job.tenant)
        except VendorError as exc:
            for course_id in _course_ids(job):
                outcome.failed[course_id] = exc.message
            return outcome
        with self._http(job, base) as http:
            try:
                http.get("/api/health")
            except VendorError as exc:
                for course_id in _course_ids(job):
                    outcome.failed[course_id] = exc.message
                return outcome
            for upload in job.uploads:
                _guard(outcome, upload.course_id, partial(_upload, http, upload))
            for gone in job.retirements:
                _guard(outcome, gone.course_id, partial(_retire, http, gone, job))
        return outcome

    @staticmethod
    def _http(job: DeliveryJob, base: str) -> VendorHttp:
        return VendorHttp(
            SANDBOX.id,
            base,
            timeout=_TIMEOUT,
            retries=2,
            backoff=0.2,
            transport=job.transport,
            sleep=job.sleep,
        )


def _course_ids(job: DeliveryJob) -> list[str]:
    return [u.course_id for u in job.uploads] + [r.course_id for r in job.retirements]


def _guard(
    outcome: DeliveryOutcome,
    course_id: str,
    action: Callable[[], tuple[str, str]],
) -> None:
    try:
        kind, text = action()
    except VendorError as exc:
        outcome.failed[course_id] = exc.message
        return
    if kind == "delivered":
        outcome.delivered[course_id] = text
    elif kind == "retired":
        outcome.retired.append(course_id)
    else:
        outcome.failed[course_id] = text


def _upload(http: VendorHttp, upload: Upload) -> tuple[str, str]:
    response = http.post(
        "/api/courses",
        params={"source": upload.file_name},
        content=upload.data,
        headers={"Content-Type": "application/zip"},
        ok=(422,),
    )
    body = response.json()
    if response.status_code == 422:
        return "failed", f"the sandbox refused the package: {body.get('reason')}"
    course = body.get("course") or {}
    if course.get("course_id") != upload.course_id:
        found = course.get("course_id")
        return "failed", f"the package's Course_ID is {found!r}, not the course id"
    return "delivered", f"{body.get('action')}, revision {course.get('revision')}"


def _retire(http: VendorHttp, gone: Retirement, job: DeliveryJob) -> tuple[str, str]:
    params = {"purge": "1"} if job.purge else {}
    path = "/api/courses/" + quote(gone.course_id, safe="")
    http.delete(path, params=params, ok=(404,))
    return "retired", ""


def _tenant_problems(tenant: TenantConfig) -> list[str]:
    problems = []
    try:
        sandbox_url(tenant)
    except VendorError:
        url = tenant.sandbox_url or ""
        problems.append(f"sandbox_url: {_url_problem(url.strip().rstrip('/'))}")
    if not tenant.allow_http:
        problems.append(
            "allow_http: the sandbox LMS answers HACP over plain http on "
            "127.0.0.1; set allow_http = true"
        )
    return problems


@hookimpl
def aiccbridge_register_vendors(register: Callable[[Vendor], None]) -> None:
    register(SANDBOX)


@hookimpl
def aiccbridge_vendor_api(vendor: Vendor) -> SandboxApi | None:
    return SandboxApi() if vendor.id == SANDBOX.id else None


@hookimpl
def aiccbridge_check_tenant(tenant: TenantConfig, vendor: Vendor) -> list[str] | None:
    if vendor.id != SANDBOX.id:
        return None
    return _tenant_problems(tenant)
