"""TotaraApi against replayed web service exchanges, and sync through the CLI."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiccbridge_totara
import httpx
import pytest
from aiccbridge_totara import TOTARA, TotaraApi, site_url
from vcr.cassette import Cassette

from aiccbridge import TenantConfig, Vendor, VendorError
from aiccbridge.delivery import DeliveryJob, VendorApi
from aiccbridge.testing import Project

Tape = Callable[[str], Any]
Played = Callable[[Cassette], list[str]]
JobFactory = Callable[..., DeliveryJob]
FIND = "core_course_get_courses_by_field field=idnumber&value="


def test_public_api_is_pinned() -> None:
    assert sorted(aiccbridge_totara.__all__) == [
        "REQUIRED_FUNCTIONS",
        "TOTARA",
        "TotaraApi",
        "site_url",
    ]


def test_totara_delivers_by_api_with_a_token() -> None:
    assert (TOTARA.delivery, TOTARA.credentials) == ("api", ("token",))
    api = aiccbridge_totara.aiccbridge_vendor_api(TOTARA)
    assert isinstance(api, TotaraApi) and isinstance(api, VendorApi)
    assert aiccbridge_totara.aiccbridge_vendor_api(Vendor(id="x", name="X")) is None


def test_site_url_is_the_first_hostname() -> None:
    tenant = TenantConfig(
        name="s", vendor="totara", hostnames=["LMS.Example.com", "cdn.example.com"]
    )
    assert site_url(tenant) == "https://lms.example.com/"
    with pytest.raises(VendorError, match="tenants.s.hostnames"):
        site_url(TenantConfig(name="s", vendor="totara"))


def test_ping_names_the_site_and_the_token_user(
    cassette: Tape, make_job: JobFactory
) -> None:
    with cassette("ping") as tape:
        line = TotaraApi().ping(make_job())
    assert tape.all_played
    assert line.startswith(
        "Totara site 'Acme Academy' (Totara 18.4) accepts the token of "
        "aiccbridge-service"
    )
    assert line.endswith("without core_course_delete_courses --purge cannot delete")


def test_ping_refuses_a_token_whose_service_lacks_functions(
    make_job: JobFactory,
) -> None:
    info = {
        "sitename": "X",
        "functions": [{"name": "core_course_get_courses_by_field"}],
    }
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=info))
    with pytest.raises(VendorError) as caught:
        TotaraApi().ping(make_job(transport=transport))
    assert caught.value.message == (
        "totara: the token's web service lacks core_course_create_courses, "
        "core_course_update_courses"
    )
    assert caught.value.hint


def test_shells_are_found_or_created_and_packages_go_to_an_admin(
    cassette: Tape, played: Played, make_job: JobFactory, site: str
) -> None:
    job = make_job((("T-1", "add"), ("T-2", "replace")), ("T-3", "T-4"))
    with cassette("deliver_shells") as tape:
        outcome = TotaraApi().deliver(job)
    assert [c.split(" ")[0] for c in played(tape)] == [
        "core_course_get_courses_by_field",
        "core_course_create_courses",
        "core_course_get_courses_by_field",
        "core_course_get_courses_by_field",
        "core_course_update_courses",
        "core_course_get_courses_by_field",
    ]
    assert outcome.manual == {
        "T-1": f"add an AICC activity to course shell 42 "
        f"(https://{site}/course/view.php?id=42) from T-1.zip",
        "T-2": "replace the package of the AICC activity in course shell 7 "
        f"(https://{site}/course/view.php?id=7) with T-2.zip",
    }
    assert outcome.delivered == {} and outcome.failed == {}
    assert outcome.retired == ["T-3", "T-4"]
    assert f"T-1: {outcome.manual['T-1']}" in outcome.notes


def test_an_exception_body_fails_that_course_only(
    cassette: Tape, played: Played, make_job: JobFactory
) -> None:
    job = make_job((("T-1", "add"), ("T-2", "add")))
    with cassette("deliver_exception") as tape:
        outcome = TotaraApi().deliver(job)
    assert played(tape)[-1] == FIND + "T-2"
    assert outcome.failed == {
        "T-1": "totara: core_course_create_courses: shortnametaken: Short name is "
        "already used for another course (Old T-1)"
    }
    assert list(outcome.manual) == ["T-2"]


def test_a_refused_token_stops_at_the_first_call(
    cassette: Tape, played: Played, make_job: JobFactory
) -> None:
    job = make_job((("T-1", "add"), ("T-2", "add")), ("T-3",))
    with cassette("deliver_bad_token") as tape:
        outcome = TotaraApi().deliver(job)
    assert played(tape) == [FIND + "T-1"]
    assert set(outcome.failed) == {"T-1", "T-2", "T-3"}
    assert "invalidtoken" in outcome.failed["T-3"]


def test_purge_deletes_the_course(
    cassette: Tape, played: Played, make_job: JobFactory
) -> None:
    with cassette("deliver_purge") as tape:
        outcome = TotaraApi().deliver(make_job(retirements=("T-3",), purge=True))
    assert played(tape) == [FIND + "T-3", "core_course_delete_courses courseids[0]=9"]
    assert outcome.retired == ["T-3"]


def test_an_answer_that_is_not_json_is_a_clear_failure(make_job: JobFactory) -> None:
    page = httpx.Response(200, text="<html>Log in</html>")
    job = make_job((("T-1", "add"),), transport=httpx.MockTransport(lambda r: page))
    outcome = TotaraApi().deliver(job)
    assert outcome.failed == {
        "T-1": "totara: core_course_get_courses_by_field: the answer is not JSON"
    }


def test_the_token_travels_in_the_query_and_is_never_logged(
    make_job: JobFactory, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"exception": "x", "errorcode": "invalidtoken", "message": token}
        return httpx.Response(200, json=body)

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="aiccbridge")
    job = make_job((("T-1", "add"),), transport=httpx.MockTransport(refuse))
    outcome = TotaraApi().deliver(job)
    assert seen[0].url.params["wstoken"] == token
    assert "[secret]" in outcome.failed["T-1"] and token not in outcome.failed["T-1"]
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("totara POST") for line in lines)
    assert not [line for line in lines if token in line]


def test_missing_token_fails_without_a_call(make_job: JobFactory) -> None:
    outcome = TotaraApi().deliver(make_job((("T-1", "add"),), credentials={}))
    assert outcome.failed == {"T-1": "totara: credential token is not set"}


@pytest.fixture
def totara_project(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch, site: str, token: str
) -> Project:
    monkeypatch.setenv("TOTARA_SITE_TOKEN", token)
    aiccbridge_project.write_config(
        {
            "site": {
                "vendor": "totara",
                "hostnames": [site],
                "credentials": {"token": "TOTARA_SITE_TOKEN"},
            }
        }
    )
    aiccbridge_project.write_catalog(
        [
            {"course_id": "S-1", "title": "Safe Lifting", "kind": "course"},
            {"course_id": "S-2", "title": "Ladder Use", "kind": "course"},
        ]
    )
    return aiccbridge_project


def test_sync_makes_shells_and_a_bundle_for_the_admin(
    totara_project: Project, cassette: Tape, played: Played
) -> None:
    with cassette("sync_shells") as tape:
        outcome = totara_project.run("sync", "--vendor", "totara", "--json")
    (result,) = outcome.assert_success().json()["tenants"]
    assert len(played(tape)) == 3
    bundle = Path(result["bundle"])
    assert sorted(p.name for p in bundle.glob("*.zip")) == ["S-1.zip", "S-2.zip"]
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert [e["course_id"] for e in manifest["add"]] == ["S-1", "S-2"]
    assert any("course shell 51" in note for note in result["notes"])

    with cassette("sync_nothing_to_do") as tape:
        again = totara_project.run("sync", "--vendor", "totara", "--json")
    assert again.assert_success().json()["tenants"][0]["bundle"] is None
    assert tape.play_count == 0
