"""ScormCloudApi against replayed SCORM Cloud exchanges (and a few mocked ones)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import Any

import aiccbridge_scormcloud
import httpx
import pytest
from aiccbridge_scormcloud import SCORMCLOUD, ScormCloudApi
from vcr.cassette import Cassette

from aiccbridge import Vendor, VendorError
from aiccbridge.delivery import DeliveryJob, VendorApi

JobFactory = Callable[..., DeliveryJob]
Tape = Callable[[str], Any]
Creds = dict[str, str]
Played = Callable[[Cassette], list[str]]
ROOT = "/api/v2"
LISTING = f"GET {ROOT}/courses?includeRegistrationCount=true"


def test_public_api_is_pinned() -> None:
    assert sorted(aiccbridge_scormcloud.__all__) == [
        "API_ROOT",
        "RETIRED_TAG",
        "SCORMCLOUD",
        "ScormCloudApi",
        "list_courses",
    ]


def test_hook_gives_the_api_for_scormcloud_only() -> None:
    api = aiccbridge_scormcloud.aiccbridge_vendor_api(SCORMCLOUD)
    assert isinstance(api, ScormCloudApi) and isinstance(api, VendorApi)
    other = Vendor(id="other", name="Other")
    assert aiccbridge_scormcloud.aiccbridge_vendor_api(other) is None


def test_ping_confirms_the_credentials(
    cassette: Tape, played: Played, make_job: JobFactory, secret_values: Creds
) -> None:
    with cassette("ping") as tape:
        line = ScormCloudApi().ping(make_job())
    assert line == f"SCORM Cloud accepts application {secret_values['app_id']}: pong"
    assert played(tape) == [f"GET {ROOT}/ping"]


def test_ping_with_a_wrong_secret_raises(cassette: Tape, make_job: JobFactory) -> None:
    with cassette("ping_refused"), pytest.raises(VendorError) as info:
        ScormCloudApi().ping(make_job())
    assert "HTTP 401" in info.value.message
    assert "Authorization Required" in info.value.message
    assert info.value.hint


def test_a_throttled_call_waits_for_retry_after_then_is_sent_once_more(
    cassette: Tape, played: Played, make_job: JobFactory, sleeps: list[float]
) -> None:
    with cassette("throttled_listing") as tape:
        outcome = ScormCloudApi().deliver(make_job(retirements=("GONE-1",)))
    assert sleeps == [7.0]
    assert played(tape) == [LISTING, LISTING]
    assert outcome.retired == ["GONE-1"]


def test_new_imports_poll_until_complete_or_error(
    cassette: Tape, played: Played, make_job: JobFactory, sleeps: list[float]
) -> None:
    job = make_job((("B-1", "add"), ("B-2", "add")))
    with cassette("import_error") as tape:
        outcome = ScormCloudApi().deliver(job)
    assert outcome.delivered == {"B-1": "version 0"}
    assert outcome.failed == {
        "B-2": "import job ended in ERROR: No course structure found: "
        "the package has no .cst file"
    }
    assert outcome.notes == ["B-1: SCORM Cloud: Course_Creator is empty"]
    b1, b2 = (
        "b1000000-0000-4000-8000-000000000001",
        "b2000000-0000-4000-8000-000000000002",
    )
    assert played(tape) == [
        LISTING,
        f"POST {ROOT}/courses/importJobs/upload?courseId=B-1&mayCreateNewVersion=false",
        f"POST {ROOT}/courses/importJobs/upload?courseId=B-2&mayCreateNewVersion=false",
        f"GET {ROOT}/courses/importJobs/{b1}",
        f"GET {ROOT}/courses/importJobs/{b2}",
        f"GET {ROOT}/courses/importJobs/{b1}",
    ]
    assert sleeps == [0.0, 0.0]


def test_retiring_never_deletes_without_purge(
    cassette: Tape, played: Played, make_job: JobFactory
) -> None:
    job = make_job(retirements=("R-0", "R-3", "R-T", "R-X"))
    with cassette("retire_without_purge") as tape:
        outcome = ScormCloudApi().deliver(job)
    assert played(tape) == [
        LISTING,
        f"PUT {ROOT}/courses/R-0/tags",
        f"PUT {ROOT}/courses/R-3/tags",
    ]
    assert json.loads(tape.requests[1].body) == {"tags": ["retired"]}
    assert outcome.retired == ["R-0", "R-X"]
    assert set(outcome.kept) == {"R-3", "R-T"}
    assert outcome.kept["R-3"].startswith("3 registrations: tagged 'retired'")
    assert "--purge" in outcome.kept["R-3"]
    assert not outcome.failed


def test_purge_deletes_a_course_with_registrations(
    cassette: Tape, played: Played, make_job: JobFactory
) -> None:
    with cassette("retire_with_purge") as tape:
        outcome = ScormCloudApi().deliver(make_job(retirements=("R-3",), purge=True))
    assert played(tape) == [LISTING, f"DELETE {ROOT}/courses/R-3"]
    assert outcome.retired == ["R-3"] and not outcome.kept


def test_full_run_imports_only_what_the_application_lacks(
    cassette: Tape, played: Played, make_job: JobFactory
) -> None:
    job = make_job((("U-1", "unchanged"), ("U-2", "unchanged")))
    with cassette("full_run") as tape:
        outcome = ScormCloudApi().deliver(job)
    assert outcome.delivered == {"U-1": "version 4 (unchanged)", "U-2": "version 0"}
    assert played(tape) == [
        LISTING,
        f"POST {ROOT}/courses/importJobs/upload?courseId=U-2&mayCreateNewVersion=false",
        f"GET {ROOT}/courses/importJobs/7d0c4f52-5b1e-4c7a-9d52-000000000002",
    ]


class Recorder:
    """A scripted SCORM Cloud for checks a cassette cannot make (request bodies)."""

    def __init__(self, job_status: str = "COMPLETE") -> None:
        self.requests: list[httpx.Request] = []
        self.job_status = job_status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path.endswith("/courses"):
            return httpx.Response(200, json={"courses": [{"id": "M-1", "version": 1}]})
        if path.endswith("/upload"):
            return httpx.Response(200, json={"result": "job-1"})
        course = {"id": "M-1", "version": 2}
        return httpx.Response(
            200,
            json={"status": self.job_status, "importResult": {"course": course}},
        )


def test_upload_sends_the_zip_as_part_file_with_basic_auth(
    make_job: JobFactory, secret_values: Creds
) -> None:
    server = Recorder()
    job = make_job((("M-1", "replace"),), transport=httpx.MockTransport(server))
    outcome = ScormCloudApi().deliver(job)
    assert outcome.delivered == {"M-1": "version 2"}
    upload = server.requests[1]
    assert upload.url.params["mayCreateNewVersion"] == "true"
    body = upload.read()
    assert b'name="file"; filename="M-1.zip"' in body and b"zip of M-1" in body
    token = _basic(secret_values)
    assert upload.headers["authorization"] == f"Basic {token}"


def test_polls_of_a_stuck_import_are_bounded(
    make_job: JobFactory, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    api = ScormCloudApi()
    monkeypatch.setattr(api, "max_polls", 3)
    monkeypatch.setattr(api, "poll_interval", 2.0)
    server = Recorder("RUNNING")
    job = make_job((("M-1", "add"),), transport=httpx.MockTransport(server))
    outcome = api.deliver(job)
    assert sleeps == [2.0, 2.0, 2.0]
    assert len(server.requests) == 2 + 3
    assert outcome.failed["M-1"] == (
        "import job job-1 still RUNNING after 3 checks; it is imported again next run"
    )


def test_a_refused_listing_fails_every_course_and_stops(make_job: JobFactory) -> None:
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(403, json={"message": "Forbidden"})

    job = make_job((("M-1", "add"),), ("M-2",), transport=httpx.MockTransport(refuse))
    outcome = ScormCloudApi().deliver(job)
    assert len(calls) == 1
    assert set(outcome.failed) == {"M-1", "M-2"}
    assert outcome.failed["M-1"].startswith("cannot list courses: scormcloud: GET")


def test_listing_follows_more_without_the_first_filters(make_job: JobFactory) -> None:
    seen: list[dict[str, str]] = []

    def pages(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        if "more" in request.url.params:
            return httpx.Response(200, json={"courses": [{"id": "P-2"}]})
        return httpx.Response(200, json={"courses": [{"id": "P-1"}], "more": "t2"})

    job = make_job(retirements=("P-2",), transport=httpx.MockTransport(pages))
    with aiccbridge_scormcloud._api._http(job) as http:
        courses = aiccbridge_scormcloud.list_courses(http)
    assert list(courses) == ["P-1", "P-2"]
    assert seen == [{"includeRegistrationCount": "true"}, {"more": "t2"}]


def test_secrets_are_never_logged(
    cassette: Tape,
    make_job: JobFactory,
    caplog: pytest.LogCaptureFixture,
    secret_values: Creds,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="aiccbridge")
    job = make_job((("B-1", "add"), ("B-2", "add")))
    with cassette("import_error"):
        ScormCloudApi().deliver(job)
    lines = [r.getMessage() for r in caplog.records]
    exchanges = [line for line in lines if line.startswith("scormcloud GET")]
    assert exchanges, "every exchange logs one line"
    secret, token = secret_values["secret_key"], _basic(secret_values)
    assert not [line for line in lines if secret in line or token in line]


def test_missing_credentials_fail_the_job_without_a_call(
    make_job: JobFactory, secret_values: Creds
) -> None:
    server = Recorder()
    job = make_job(
        (("M-1", "add"),),
        transport=httpx.MockTransport(server),
        credentials={"app_id": secret_values["app_id"]},
    )
    outcome = ScormCloudApi().deliver(job)
    assert outcome.failed == {"M-1": "scormcloud: credential secret_key is not set"}
    assert server.requests == []


def _basic(values: Creds) -> str:
    pair = f"{values['app_id']}:{values['secret_key']}"
    return base64.b64encode(pair.encode()).decode()
