"""SchooxApi and reconciliation against replayed Schoox exchanges."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import aiccbridge_schoox
import httpx
import pytest
from aiccbridge_schoox import (
    PAYCOM,
    SCHOOX,
    ULTIPRO,
    AcademyCourse,
    SchooxApi,
    match_titles,
    reconcile,
)
from vcr.cassette import Cassette

from aiccbridge import VendorError
from aiccbridge.delivery import DeliveryJob, VendorApi

Tape = Callable[[str], Any]
Played = Callable[[Cassette], list[str]]
JobFactory = Callable[..., DeliveryJob]
Creds = dict[str, str]

UPLOADS = (
    ("F-1", "Fire Safety"),
    ("C-2", "Zweiter Kurs für Anfänger"),
    ("N-1", "Brand New Course"),
)


def test_public_api_is_pinned() -> None:
    assert sorted(aiccbridge_schoox.__all__) == [
        "AcademyCourse",
        "PAYCOM",
        "Reconciliation",
        "SCHOOX",
        "SchooxApi",
        "ULTIPRO",
        "academy_courses",
        "match_titles",
        "reconcile",
    ]


def test_schoox_stays_an_outbox_vendor_with_a_ping() -> None:
    assert {v.delivery for v in (SCHOOX, ULTIPRO, PAYCOM)} == {"outbox"}
    for vendor in (SCHOOX, ULTIPRO):
        api = aiccbridge_schoox.aiccbridge_vendor_api(vendor)
        assert isinstance(api, SchooxApi) and isinstance(api, VendorApi)
    assert aiccbridge_schoox.aiccbridge_vendor_api(PAYCOM) is None


def test_ping_reads_the_quota(
    cassette: Tape, played: Played, make_job: JobFactory
) -> None:
    with cassette("usage") as tape:
        line = SchooxApi().ping(make_job())
    assert line == (
        "Schoox accepts the API key: 1999 API calls left until "
        "2026-12-31T00:00:00+00:00"
    )
    assert played(tape) == ["GET /v1/usage"]


def test_a_throttled_ping_waits_for_retry_after_and_asks_once_more(
    cassette: Tape, played: Played, make_job: JobFactory, sleeps: list[float]
) -> None:
    with cassette("usage_throttled") as tape:
        line = SchooxApi().ping(make_job())
    assert sleeps == [5.0]
    assert played(tape) == ["GET /v1/usage", "GET /v1/usage"]
    assert "1998 API calls left" in line


def test_a_refused_key_raises_without_showing_it(
    cassette: Tape, make_job: JobFactory, secret_values: Creds
) -> None:
    with cassette("usage_refused"), pytest.raises(VendorError) as caught:
        SchooxApi().ping(make_job())
    assert "HTTP 401" in caught.value.message and caught.value.hint
    assert secret_values["api_key"] not in caught.value.message


def test_reconcile_reads_every_page_and_matches_titles(
    cassette: Tape, played: Played, make_job: JobFactory
) -> None:
    job = make_job(UPLOADS, (("O-1", "Old Induction"),))
    with cassette("courses_paged") as tape:
        result = reconcile(job)
    assert played(tape) == [
        "GET /v1/courses?limit=100&start=0",
        "GET /v1/courses?limit=100&start=100",
    ]
    assert result.found == {
        "F-1": AcademyCourse("327827", "fire  safety"),
        "C-2": AcademyCourse("331002", "Zweiter Kurs fur Anfanger"),
        "O-1": AcademyCourse("331003", "Old Induction"),
    }
    assert result.missing == ["N-1"]


def test_match_titles_ignores_case_accents_and_spacing() -> None:
    courses = [AcademyCourse("1", "Sécurité  Incendie"), AcademyCourse("2", "x")]
    result = match_titles(courses, {"A": "securite incendie", "B": "y"})
    assert result.found == {"A": courses[0]} and result.missing == ["B"]


def test_a_page_wrapped_under_courses_is_read_too(make_job: JobFactory) -> None:
    page = {"courses": [{"id": 9, "title": "Fire Safety"}]}
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=page))
    result = reconcile(make_job(UPLOADS[:1], transport=transport))
    assert result.found == {"F-1": AcademyCourse("9", "Fire Safety")}


def test_reconcile_needs_both_credentials(make_job: JobFactory) -> None:
    with pytest.raises(VendorError, match="api_key and academy_id") as caught:
        reconcile(make_job(UPLOADS, credentials={"api_key": "k"}))
    assert caught.value.hint == "map both in tenants.academy.credentials"


def test_deliver_hands_packages_to_an_admin_with_what_is_there(
    cassette: Tape, make_job: JobFactory
) -> None:
    job = make_job(UPLOADS, (("O-1", "Old Induction"),))
    with cassette("courses_paged"):
        outcome = SchooxApi().deliver(job)
    assert outcome.manual["N-1"] == (
        "create a course with a SCORM/AICC lecture from N-1.zip"
    )
    assert outcome.manual["F-1"].startswith("already uploaded as course 327827")
    assert outcome.kept == {
        "O-1": "the Schoox API cannot retire courses: archive course 331003 by hand"
    }
    assert not outcome.delivered and not outcome.failed


def test_the_key_never_reaches_a_log_line(
    cassette: Tape,
    make_job: JobFactory,
    secret_values: Creds,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="aiccbridge")
    with cassette("courses_paged"):
        reconcile(make_job(UPLOADS))
    # vcrpy's own debug lines show the live request it replays for: not ours
    lines = [r.getMessage() for r in caplog.records if not r.name.startswith("vcr")]
    assert any(
        line.startswith("schoox GET api.schoox.com/v1/courses") for line in lines
    )
    assert any(line.startswith("HTTP Request: GET") for line in lines)
    assert not [line for line in lines if secret_values["api_key"] in line]
