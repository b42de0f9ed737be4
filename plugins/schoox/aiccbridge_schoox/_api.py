"""Schoox's API v1: read-only, so it checks credentials and reconciles titles.

Schoox has no call that creates a course or uploads a package; packages go to
the outbox. With ``api_key`` and ``academy_id`` set, the academy's course list
says which packages an admin has already uploaded: Schoox courses carry no
external id, so they are matched on title (case, accents and spacing aside).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiccbridge import VendorError
from aiccbridge.delivery import DeliveryJob, DeliveryOutcome
from aiccbridge.http import VendorHttp

if TYPE_CHECKING:
    import httpx

__all__ = [
    "API_ROOT",
    "AcademyCourse",
    "Reconciliation",
    "SchooxApi",
    "academy_courses",
    "match_titles",
    "reconcile",
]

API_ROOT = "https://api.schoox.com/v1/"
#: the most ``GET /courses`` returns per page
PAGE_SIZE = 100
MAX_PAGES = 1000


@dataclass(frozen=True, slots=True)
class AcademyCourse:
    """A course in the Schoox academy."""

    id: str
    title: str


@dataclass
class Reconciliation:
    """Which of a job's courses the academy already has, matched on title."""

    #: course id → the academy course with the same title
    found: dict[str, AcademyCourse] = field(default_factory=dict)
    #: course ids with no academy course of that title
    missing: list[str] = field(default_factory=list)


def _http(job: DeliveryJob) -> VendorHttp:
    key = job.credentials.get("api_key")
    academy = job.credentials.get("academy_id")
    if not key or not academy:
        raise VendorError(
            f"{job.vendor.id}: api_key and academy_id are needed to read the academy",
            hint=f"map both in tenants.{job.tenant.name}.credentials",
        )
    return VendorHttp(
        job.vendor.id,
        API_ROOT,
        params={"apikey": key, "acadId": academy},
        secrets=[key],
        transport=job.transport,
        sleep=job.sleep,
    )


def academy_courses(
    http: VendorHttp, page_size: int = PAGE_SIZE
) -> list[AcademyCourse]:
    """Every course of the academy, page by page (``start`` and ``limit``)."""
    found: list[AcademyCourse] = []
    for page in range(MAX_PAGES):
        params = {"start": str(page * page_size), "limit": str(page_size)}
        rows = _rows(_json(http.get("courses", params=params)))
        found += [
            AcademyCourse(str(r.get("id")), str(r.get("title") or "")) for r in rows
        ]
        if len(rows) < page_size:
            return found
    raise VendorError(f"{http.vendor}: GET courses: more than {MAX_PAGES} pages")


def match_titles(
    courses: Iterable[AcademyCourse], titles: Mapping[str, str]
) -> Reconciliation:
    """Match course id → title against the academy's courses (first one wins)."""
    by_title: dict[str, AcademyCourse] = {}
    for course in courses:
        by_title.setdefault(_key(course.title), course)
    result = Reconciliation()
    for course_id, title in titles.items():
        match = by_title.get(_key(title))
        if match is None:
            result.missing.append(course_id)
        else:
            result.found[course_id] = match
    return result


def reconcile(job: DeliveryJob) -> Reconciliation:
    """Which of ``job``'s uploads and retirements the academy lists already."""
    titles = {u.course_id: u.title for u in job.uploads}
    titles.update({r.course_id: r.title for r in job.retirements})
    with _http(job) as http:
        return match_titles(academy_courses(http), titles)


class SchooxApi:
    """Credential check and reconciliation; packages still go by outbox."""

    def ping(self, job: DeliveryJob) -> str:
        """Check the key and academy with ``GET /usage`` (it also shows the quota)."""
        with _http(job) as http:
            try:
                usage = _json(http.get("usage"))
            except VendorError as exc:
                hint = "check api_key and academy_id (the academy's API settings)"
                raise VendorError(exc.message, hint=hint) from None
        if not isinstance(usage, dict):
            raise VendorError(f"{job.vendor.id}: GET usage: expected a JSON object")
        left, until = usage.get("availableCalls"), usage.get("until")
        return f"Schoox accepts the API key: {left} API calls left until {until}"

    def annotate(self, job: DeliveryJob) -> dict[str, str]:
        """For the outbox manifest: per course, what the academy already has."""
        known = reconcile(job).found
        notes = {
            u.course_id: _instruction(u.file_name, known.get(u.course_id))
            for u in job.uploads
        }
        for retirement in job.retirements:
            there = known.get(retirement.course_id)
            if there is not None:
                notes[retirement.course_id] = f"archive course {there.id} by hand"
        return notes

    def deliver(self, job: DeliveryJob) -> DeliveryOutcome:
        """Hand every package to an admin, saying which are uploaded already."""
        outcome = DeliveryOutcome()
        try:
            known = reconcile(job).found
        except VendorError as exc:
            known = {}
            outcome.notes.append(f"academy not reconciled: {exc.message}")
        for upload in job.uploads:
            outcome.manual[upload.course_id] = _instruction(
                upload.file_name, known.get(upload.course_id)
            )
        for retirement in job.retirements:
            there = known.get(retirement.course_id)
            where = f"course {there.id}" if there else "its course"
            outcome.kept[retirement.course_id] = (
                f"the Schoox API cannot retire courses: archive {where} by hand"
            )
        return outcome


def _instruction(file_name: str, course: AcademyCourse | None) -> str:
    if course is None:
        return f"create a course with a SCORM/AICC lecture from {file_name}"
    return (
        f"already uploaded as course {course.id} ({course.title}): "
        f"replace its SCORM/AICC lecture with {file_name} if the package changed"
    )


def _key(title: str) -> str:
    decomposed = unicodedata.normalize("NFKD", title)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _rows(data: Any) -> list[Mapping[str, Any]]:
    """A page of courses: a bare array, or one wrapped under ``courses``."""
    if isinstance(data, dict):
        data = data.get("courses", data.get("data"))
    if not isinstance(data, list):
        raise VendorError("schoox: GET courses: expected a list of courses")
    return [row for row in data if isinstance(row, dict)]


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        path = response.request.url.path
        raise VendorError(f"schoox: GET {path}: the answer is not JSON") from None
