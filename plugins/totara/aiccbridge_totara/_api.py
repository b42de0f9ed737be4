"""Totara's web services: course shells by API, AICC activities by hand.

The legacy (Moodle-style) REST web services find a course by its ``idnumber``
(the catalog's course id) and create the shell when there is none. No web
service function creates an AICC activity, so every package goes to the outbox
with an instruction naming its shell. Retiring hides the course (its learner
records stay); ``--purge`` deletes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from aiccbridge import TenantConfig, VendorError
from aiccbridge.delivery import DeliveryJob, DeliveryOutcome, Retirement, Upload
from aiccbridge.http import VendorHttp

if TYPE_CHECKING:
    import httpx

__all__ = ["REST_PATH", "REQUIRED_FUNCTIONS", "TotaraApi", "site_url"]

REST_PATH = "webservice/rest/server.php"
#: what deliver calls; the token's external service must allow each
REQUIRED_FUNCTIONS = (
    "core_course_get_courses_by_field",
    "core_course_create_courses",
    "core_course_update_courses",
)
#: only ``sync --purge`` needs this one
PURGE_FUNCTION = "core_course_delete_courses"
#: the category new shells go into (the site's default category)
DEFAULT_CATEGORY = 1


def site_url(tenant: TenantConfig) -> str:
    """The site root: ``https://`` and the tenant's first hostname."""
    if not tenant.hostnames:
        raise VendorError(
            f"tenants.{tenant.name}.hostnames: no Totara site host",
            hint="list the site's host (its wwwroot) first in hostnames",
        )
    return f"https://{tenant.hostnames[0]}/"


class _TokenRefused(VendorError):
    """The site refused the token: no further call can succeed."""


class _Site:
    """Calls web service functions on one site with one token."""

    def __init__(self, job: DeliveryJob) -> None:
        token = job.credentials.get("token")
        if not token:
            raise VendorError(
                "totara: credential token is not set",
                hint=f"map it in tenants.{job.tenant.name}.credentials",
            )
        self.root = site_url(job.tenant)
        self.http = VendorHttp(
            job.vendor.id,
            self.root,
            params={"wstoken": token, "moodlewsrestformat": "json"},
            secrets=[token],
            transport=job.transport,
            sleep=job.sleep,
        )

    def call(self, function: str, data: Mapping[str, str | int]) -> Any:
        response = self.http.post(REST_PATH, params={"wsfunction": function}, data=data)
        body = _json(response, function)
        if isinstance(body, dict) and "exception" in body:
            raise self._refusal(function, body)
        return body

    def _refusal(self, function: str, body: Mapping[str, Any]) -> VendorError:
        code = str(body.get("errorcode") or body.get("exception"))
        text = " ".join(str(body.get("message") or "").split())
        message = self.http.scrub(f"totara: {function}: {code}: {text}")
        if code == "invalidtoken":
            return _TokenRefused(message, hint="issue a new web service token")
        return VendorError(message)

    def find(self, course_id: str) -> Mapping[str, Any] | None:
        data = self.call(
            "core_course_get_courses_by_field",
            {"field": "idnumber", "value": course_id},
        )
        courses = data.get("courses") if isinstance(data, dict) else None
        return courses[0] if courses else None

    def shell_url(self, shell_id: object) -> str:
        return f"{self.root}course/view.php?id={shell_id}"


class TotaraApi:
    """Course shells through Totara's web services; packages by hand."""

    def ping(self, job: DeliveryJob) -> str:
        """Check the token and that its service allows the functions sync calls."""
        site = _Site(job)
        with site.http:
            info = site.call("core_webservice_get_site_info", {})
        if not isinstance(info, dict):
            raise VendorError("totara: core_webservice_get_site_info: not an object")
        allowed = {f.get("name") for f in info.get("functions") or []}
        missing = [f for f in REQUIRED_FUNCTIONS if f not in allowed]
        if missing:
            raise VendorError(
                "totara: the token's web service lacks " + ", ".join(missing),
                hint="add them to the external service the token belongs to",
            )
        line = (
            f"Totara site {info.get('sitename')!r} ({info.get('release', '?')}) "
            f"accepts the token of {info.get('username')}"
        )
        if PURGE_FUNCTION not in allowed:
            line += f"; without {PURGE_FUNCTION} --purge cannot delete"
        return line

    def deliver(self, job: DeliveryJob) -> DeliveryOutcome:
        """Find or create each upload's shell; hide or delete the retired courses."""
        outcome = DeliveryOutcome()
        try:
            site = _Site(job)
        except VendorError as exc:
            ids = [u.course_id for u in job.uploads]
            for course_id in ids + [r.course_id for r in job.retirements]:
                outcome.failed[course_id] = exc.message
            return outcome
        with site.http:
            _run(_steps(site, job, outcome), outcome)
        return outcome


Step = tuple[str, Callable[[], None]]


def _steps(site: _Site, job: DeliveryJob, outcome: DeliveryOutcome) -> list[Step]:
    steps: list[Step] = [
        (u.course_id, partial(_prepare, site, u, outcome)) for u in job.uploads
    ]
    steps += [
        (r.course_id, partial(_retire, site, r, job.purge, outcome))
        for r in job.retirements
    ]
    return steps


def _run(steps: list[Step], outcome: DeliveryOutcome) -> None:
    for index, (course_id, step) in enumerate(steps):
        try:
            step()
        except _TokenRefused as exc:
            for later, _ in steps[index:]:
                outcome.failed[later] = exc.message
            return
        except VendorError as exc:
            outcome.failed[course_id] = exc.message


def _prepare(site: _Site, upload: Upload, outcome: DeliveryOutcome) -> None:
    course = site.find(upload.course_id)
    shell = course["id"] if course else _create(site, upload)
    where = f"course shell {shell} ({site.shell_url(shell)})"
    if upload.action == "replace" and course:
        text = f"replace the package of the AICC activity in {where} with"
    else:
        text = f"add an AICC activity to {where} from"
    instruction = f"{text} {upload.file_name}"
    outcome.manual[upload.course_id] = instruction
    outcome.notes.append(f"{upload.course_id}: {instruction}")


def _create(site: _Site, upload: Upload) -> object:
    created = site.call(
        "core_course_create_courses",
        {
            "courses[0][fullname]": upload.title,
            "courses[0][shortname]": upload.course_id,
            "courses[0][idnumber]": upload.course_id,
            "courses[0][categoryid]": DEFAULT_CATEGORY,
        },
    )
    if not isinstance(created, list) or not created or "id" not in created[0]:
        raise VendorError("totara: core_course_create_courses gave no course id")
    return created[0]["id"]


def _retire(
    site: _Site, retirement: Retirement, purge: bool, outcome: DeliveryOutcome
) -> None:
    course_id = retirement.course_id
    course = site.find(course_id)
    if course is None:
        outcome.notes.append(f"{course_id}: no Totara course has this idnumber")
    elif purge:
        site.call(PURGE_FUNCTION, {"courseids[0]": course["id"]})
    elif course.get("visible", 1):
        site.call(
            "core_course_update_courses",
            {"courses[0][id]": course["id"], "courses[0][visible]": 0},
        )
    outcome.retired.append(course_id)


def _json(response: httpx.Response, function: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise VendorError(
            f"totara: {function}: the answer is not JSON",
            hint="is the REST protocol enabled and the host the site's wwwroot?",
        ) from None
