"""Cassette replay for the Totara tests (see the plugin README to re-record)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import vcr
from aiccbridge_totara import TOTARA
from vcr.cassette import Cassette
from vcr.request import Request

from aiccbridge import TenantConfig
from aiccbridge.delivery import DeliveryJob, Retirement, Upload

CASSETTES = Path(__file__).resolve().parents[3] / "tests" / "cassettes" / "totara"
#: ``once`` (with a deleted cassette) records against the real site
RECORD_MODE = os.environ.get("AICCBRIDGE_RECORD_MODE", "none")
SITE = os.environ.get("TOTARA_SITE", "lms.example.com")
TOKEN = os.environ.get("TOTARA_TOKEN", "0123456789abcdef0123456789abcdef")

RECORDER = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode=RECORD_MODE,
    # the form body tells one course's call from the next
    match_on=["method", "scheme", "host", "path", "query", "body"],
    filter_headers=["authorization", "apikey"],
    filter_query_parameters=["apikey", "acadId", "wstoken", "token"],
    decode_compressed_response=True,
)


@pytest.fixture
def site() -> str:
    """The Totara site host the tests talk to."""
    return SITE


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def cassette() -> Callable[[str], Any]:
    """``with cassette("name") as tape:`` replays ``tests/cassettes/totara``."""
    return lambda name: RECORDER.use_cassette(
        f"{name}.yaml", allow_playback_repeats=False
    )


@pytest.fixture
def played() -> Callable[[Cassette], list[str]]:
    """Each played call as ``wsfunction body``; every interaction must be played."""

    def calls(tape: Cassette) -> list[str]:
        assert tape.all_played, f"{tape.play_count} of {len(tape)} played"
        assert all(count == 1 for count in tape.play_counts.values())
        return [_call(r) for r in tape.requests]

    return calls


def _call(request: Request) -> str:
    function = dict(request.query).get("wsfunction", request.path)
    body = request.body.decode() if isinstance(request.body, bytes) else request.body
    return f"{function} {body or ''}".strip()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_job(sleeps: list[float]) -> Callable[..., DeliveryJob]:
    """A delivery job for tenant ``site``; uploads given as (course id, action)."""

    def make(
        uploads: tuple[tuple[str, str], ...] = (),
        retirements: tuple[str, ...] = (),
        *,
        purge: bool = False,
        hostnames: tuple[str, ...] = (SITE,),
        credentials: dict[str, str] | None = None,
        **extra: Any,
    ) -> DeliveryJob:
        tenant = TenantConfig(name="site", vendor="totara", hostnames=list(hostnames))
        return DeliveryJob(
            tenant,
            TOTARA,
            tuple(_upload(c, action) for c, action in uploads),
            tuple(Retirement(c, f"Course {c}") for c in retirements),
            {"token": TOKEN} if credentials is None else credentials,
            purge,
            sleep=sleeps.append,
            **extra,
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
