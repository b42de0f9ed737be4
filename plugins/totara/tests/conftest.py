"""Cassette replay for the Totara tests (see the plugin README to re-record)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiccbridge_totara import TOTARA
from vcr.cassette import Cassette
from vcr.request import Request

from aiccbridge import TenantConfig
from aiccbridge.delivery import DeliveryJob, Retirement, Upload
from aiccbridge.testing import cassette_recorder, played_once

CASSETTES = Path(__file__).resolve().parents[3] / "tests" / "cassettes" / "totara"
SITE = os.environ.get("TOTARA_SITE", "lms.example.com")
TOKEN = os.environ.get("TOTARA_TOKEN", "0123456789abcdef0123456789abcdef")

# the form body tells one course's call from the next
RECORDER = cassette_recorder(
    CASSETTES, match_on=("method", "scheme", "host", "path", "query", "body")
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
        return [_call(r) for r in played_once(tape)]

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
