"""SCORM Cloud's API v2: import jobs, new versions, retirement without deleting.

One :class:`ScormCloudApi` serves every SCORM Cloud tenant; each call opens a
:class:`~aiccbridge.http.VendorHttp` for the tenant's application (Basic auth:
application id and secret key). A course's SCORM Cloud id is its catalog id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiccbridge import VendorError
from aiccbridge.delivery import DeliveryJob, DeliveryOutcome, Retirement, Upload
from aiccbridge.http import VendorHttp

if TYPE_CHECKING:
    import httpx

__all__ = ["API_ROOT", "RETIRED_TAG", "ScormCloudApi", "list_courses"]

log = logging.getLogger(__name__)

API_ROOT = "https://cloud.scorm.com/api/v2/"
#: the tag a retired course gets when it is not deleted
RETIRED_TAG = "retired"
#: pages of ``GET /courses`` read at most (each page holds SCORM Cloud's page size)
MAX_PAGES = 1000

Course = Mapping[str, Any]


class ScormCloudApi:
    """Imports packages into one SCORM Cloud application per tenant.

    New courses are imported with ``mayCreateNewVersion=false``, courses that
    exist already as a new version. A retired course is deleted only with
    ``--purge``; otherwise it is tagged :data:`RETIRED_TAG`, and one that has
    registrations is kept (reported every run until ``--purge`` deletes it).
    """

    #: seconds between two checks of the running import jobs
    poll_interval: float = 2.0
    #: checks of one import job before it counts as failed for this run
    max_polls: int = 150
    #: import jobs started before waiting for the first ones to finish
    max_pending: int = 10

    def ping(self, job: DeliveryJob) -> str:
        """Check the application id and secret key with ``GET /ping``."""
        with _http(job) as http:
            try:
                data = _json(http.get("ping"), "GET ping")
            except VendorError as exc:
                hint = "check the application id and secret key in SCORM Cloud"
                raise VendorError(exc.message, hint=hint) from None
        message = data.get("apiMessage") or "ok"
        return f"SCORM Cloud accepts application {job.credentials['app_id']}: {message}"

    def deliver(self, job: DeliveryJob) -> DeliveryOutcome:
        """Import ``job.uploads`` and retire ``job.retirements``."""
        outcome = DeliveryOutcome()
        try:
            http = _http(job)
        except VendorError as exc:
            _fail_all(job, outcome, exc.message)
            return outcome
        with http:
            self._deliver(http, job, outcome)
        return outcome

    def _deliver(
        self, http: VendorHttp, job: DeliveryJob, outcome: DeliveryOutcome
    ) -> None:
        try:
            courses = list_courses(http)
        except VendorError as exc:
            _fail_all(job, outcome, f"cannot list courses: {exc.message}")
            return
        _Importer(self, http, job, courses, outcome).run()
        for retirement in job.retirements:
            course = courses.get(retirement.course_id)
            _retire(http, job, retirement, course, outcome)


def list_courses(http: VendorHttp) -> dict[str, Course]:
    """Every course of the application by id, with its registration count."""
    params: dict[str, str] = {"includeRegistrationCount": "true"}
    found: dict[str, Course] = {}
    for _ in range(MAX_PAGES):
        data = _json(http.get("courses", params=params), "GET courses")
        for course in data.get("courses") or []:
            found[str(course.get("id"))] = course
        more = data.get("more")
        if not more:
            return found
        params = {"more": str(more)}  # the first page's filters are remembered
    raise VendorError(f"scormcloud: GET courses: more than {MAX_PAGES} pages")


@dataclass
class _Pending:
    upload: Upload
    job_id: str
    polls: int = 0


class _Importer:
    """Starts import jobs (a few at a time) and polls them until they end."""

    def __init__(
        self,
        api: ScormCloudApi,
        http: VendorHttp,
        job: DeliveryJob,
        courses: Mapping[str, Course],
        outcome: DeliveryOutcome,
    ) -> None:
        self.api = api
        self.http = http
        self.job = job
        self.courses = courses
        self.outcome = outcome

    def run(self) -> None:
        queue = [u for u in self.job.uploads if not self._already_there(u)]
        pending: list[_Pending] = []
        while queue or pending:
            while queue and len(pending) < self.api.max_pending:
                started = self._start(queue.pop(0))
                pending += [started] if started else []
            if pending:
                self.job.sleep(self.api.poll_interval)
                pending = [p for p in pending if not self._check(p)]

    def _already_there(self, upload: Upload) -> bool:
        """A ``--full`` run does not import again what SCORM Cloud holds."""
        course = self.courses.get(upload.course_id)
        if upload.action != "unchanged" or course is None:
            return False
        self.outcome.delivered[upload.course_id] = _version(course) + " (unchanged)"
        return True

    def _start(self, upload: Upload) -> _Pending | None:
        exists = upload.course_id in self.courses
        try:
            response = self.http.post(
                "courses/importJobs/upload",
                params={
                    "courseId": upload.course_id,
                    "mayCreateNewVersion": "true" if exists else "false",
                },
                files={"file": (upload.file_name, upload.data, "application/zip")},
            )
            job_id = _json(response, "POST courses/importJobs/upload").get("result")
        except VendorError as exc:
            self.outcome.failed[upload.course_id] = exc.message
            return None
        if not job_id:
            self.outcome.failed[upload.course_id] = "the import gave no job id"
            return None
        return _Pending(upload, str(job_id))

    def _check(self, pending: _Pending) -> bool:
        """Poll one import job; True when it has ended (either way)."""
        pending.polls += 1
        course_id = pending.upload.course_id
        path = f"courses/importJobs/{quote(pending.job_id, safe='')}"
        try:
            data = _json(self.http.get(path), "GET courses/importJobs")
        except VendorError as exc:
            self.outcome.failed[course_id] = exc.message
            return True
        status = str(data.get("status") or "RUNNING").upper()
        if status == "COMPLETE":
            self._complete(course_id, data.get("importResult") or {})
        elif status == "ERROR":
            message = _line(str(data.get("message") or "no message"))
            self.outcome.failed[course_id] = f"import job ended in ERROR: {message}"
        elif pending.polls >= self.api.max_polls:
            self.outcome.failed[course_id] = (
                f"import job {pending.job_id} still {status} after "
                f"{pending.polls} checks; it is imported again next run"
            )
        else:
            return False
        return True

    def _complete(self, course_id: str, result: Mapping[str, Any]) -> None:
        self.outcome.delivered[course_id] = _version(result.get("course") or {})
        for warning in result.get("parserWarnings") or []:
            self.outcome.notes.append(f"{course_id}: SCORM Cloud: {_line(warning)}")
        log.debug("scormcloud: %s imported", course_id)


def _retire(
    http: VendorHttp,
    job: DeliveryJob,
    retirement: Retirement,
    course: Course | None,
    outcome: DeliveryOutcome,
) -> None:
    course_id = retirement.course_id
    try:
        if course is None:
            outcome.retired.append(course_id)
            outcome.notes.append(f"{course_id}: not in SCORM Cloud; nothing to retire")
        elif job.purge:
            http.delete(f"courses/{quote(course_id, safe='')}")
            outcome.retired.append(course_id)
        else:
            _tag_retired(http, course_id, course, outcome)
    except VendorError as exc:
        outcome.failed[course_id] = exc.message


def _tag_retired(
    http: VendorHttp, course_id: str, course: Course, outcome: DeliveryOutcome
) -> None:
    if RETIRED_TAG not in (course.get("tags") or []):
        http.put(
            f"courses/{quote(course_id, safe='')}/tags", json={"tags": [RETIRED_TAG]}
        )
    registrations = int(course.get("registrationCount") or 0)
    if registrations:
        outcome.kept[course_id] = (
            f"{registrations} registrations: tagged {RETIRED_TAG!r} in SCORM Cloud, "
            "not deleted (sync --purge deletes it with its learner records)"
        )
        return
    outcome.retired.append(course_id)
    outcome.notes.append(
        f"{course_id}: tagged {RETIRED_TAG!r} in SCORM Cloud (no registrations), "
        "not deleted"
    )


def _http(job: DeliveryJob) -> VendorHttp:
    app_id = _credential(job, "app_id")
    secret = _credential(job, "secret_key")
    return VendorHttp(
        job.vendor.id,
        API_ROOT,
        auth=(app_id, secret),
        headers={"Accept": "application/json"},
        secrets=[secret],
        transport=job.transport,
        sleep=job.sleep,
    )


def _credential(job: DeliveryJob, key: str) -> str:
    value = job.credentials.get(key)
    if not value:
        raise VendorError(
            f"scormcloud: credential {key} is not set",
            hint=f"map it in tenants.{job.tenant.name}.credentials",
        )
    return value


def _json(response: httpx.Response, what: str) -> Mapping[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise VendorError(f"scormcloud: {what}: the answer is not JSON") from None
    if not isinstance(data, dict):
        raise VendorError(f"scormcloud: {what}: expected a JSON object")
    return data


def _version(course: Course) -> str:
    version = course.get("version")
    return f"version {version}" if version is not None else "imported"


def _line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _fail_all(job: DeliveryJob, outcome: DeliveryOutcome, reason: str) -> None:
    ids = [u.course_id for u in job.uploads]
    for course_id in ids + [r.course_id for r in job.retirements]:
        outcome.failed[course_id] = reason
