"""Cassette replay for the SCORM Cloud tests (see the plugin README to re-record)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from aiccbridge_scormcloud import SCORMCLOUD, ScormCloudApi
from vcr.cassette import Cassette
from vcr.request import Request

from aiccbridge import TenantConfig, Vendor
from aiccbridge.delivery import DeliveryJob, Retirement, Upload
from aiccbridge.testing import (
    RECORD_MODE_ENV,
    cassette_recorder,
    played_once,
    request_line,
)

CASSETTES = Path(__file__).resolve().parents[3] / "tests" / "cassettes" / "scormcloud"
#: ``once`` (with a deleted cassette) records against the real application
RECORD_MODE = os.environ.get(RECORD_MODE_ENV, "none")
APP_ID = os.environ.get("SCORMCLOUD_APP_ID", "app-test-1")
SECRET = os.environ.get("SCORMCLOUD_SECRET_KEY", "sc-secret-test-0123456789")

JobFactory = Callable[..., DeliveryJob]


@pytest.fixture
def secret_values() -> dict[str, str]:
    """The credential values the tests (and recordings) use."""
    return {"app_id": APP_ID, "secret_key": SECRET}


def _drop_upload_body(request: Request) -> Request:
    """Package zips differ per catalog: never store or match multipart bodies."""
    if "multipart/form-data" in request.headers.get("content-type", ""):
        request.body = None
    return request


RECORDER = cassette_recorder(CASSETTES, before_record_request=_drop_upload_body)


@pytest.fixture
def cassette() -> Callable[[str], object]:
    """``with cassette("name") as tape:`` replays ``tests/cassettes/scormcloud``."""
    return lambda name: RECORDER.use_cassette(
        f"{name}.yaml", allow_playback_repeats=False
    )


@pytest.fixture
def played() -> Callable[[Cassette], list[str]]:
    """The cassette's requests as ``METHOD /path?query``; every one must be played."""

    def calls(tape: Cassette) -> list[str]:
        return [request_line(r) for r in played_once(tape)]

    return calls


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replayed import jobs need no real wait between polls."""
    if RECORD_MODE == "none":
        monkeypatch.setattr(ScormCloudApi, "poll_interval", 0.0)


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The tenant's credential map, its variables set to the test values."""
    monkeypatch.setenv("SCORM_APP_ID", APP_ID)
    monkeypatch.setenv("SCORM_SECRET_KEY", SECRET)
    return {"app_id": "SCORM_APP_ID", "secret_key": "SCORM_SECRET_KEY"}


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_job(sleeps: list[float]) -> JobFactory:
    """A delivery job for tenant ``cloud``; uploads given as (course id, action)."""

    def make(
        uploads: tuple[tuple[str, str], ...] = (),
        retirements: tuple[str, ...] = (),
        *,
        purge: bool = False,
        vendor: Vendor = SCORMCLOUD,
        credentials: Mapping[str, str] | None = None,
        **extra: object,
    ) -> DeliveryJob:
        return DeliveryJob(
            TenantConfig(name="cloud", vendor=vendor.id),
            vendor,
            tuple(_upload(c, action) for c, action in uploads),
            tuple(Retirement(c, f"Course {c}") for c in retirements),
            {"app_id": APP_ID, "secret_key": SECRET}
            if credentials is None
            else credentials,
            purge,
            sleep=sleeps.append,
            **extra,  # type: ignore[arg-type]
        )

    return make


def _upload(course_id: str, action: str) -> Upload:
    data = f"zip of {course_id}".encode()
    return Upload(
        course_id,
        f"Course {course_id}",
        f"{course_id}.zip",
        data,
        hashlib.sha256(data).hexdigest(),
        action,
    )
