"""Cassette replay for the Schoox tests (see the plugin README to re-record)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiccbridge_schoox import SCHOOX
from vcr.cassette import Cassette

from aiccbridge import TenantConfig, Vendor
from aiccbridge.delivery import DeliveryJob, Retirement, Upload
from aiccbridge.testing import cassette_recorder, played_once, request_line

CASSETTES = Path(__file__).resolve().parents[3] / "tests" / "cassettes" / "schoox"
API_KEY = os.environ.get("SCHOOX_API_KEY", "sx-key-test-0123456789abcdef")
ACADEMY = os.environ.get("SCHOOX_ACADEMY_ID", "4242")

RECORDER = cassette_recorder(CASSETTES)


@pytest.fixture
def secret_values() -> dict[str, str]:
    """The credential values the tests (and recordings) use."""
    return {"api_key": API_KEY, "academy_id": ACADEMY}


@pytest.fixture
def cassette() -> Callable[[str], Any]:
    """``with cassette("name") as tape:`` replays ``tests/cassettes/schoox``."""
    return lambda name: RECORDER.use_cassette(
        f"{name}.yaml", allow_playback_repeats=False
    )


@pytest.fixture
def played() -> Callable[[Cassette], list[str]]:
    """The cassette's requests as ``METHOD /path?query``; every one must be played."""

    def calls(tape: Cassette) -> list[str]:
        return [request_line(r) for r in played_once(tape)]

    return calls


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_job(sleeps: list[float]) -> Callable[..., DeliveryJob]:
    """A job for tenant ``academy``: uploads and retirements as (id, title)."""

    def make(
        uploads: tuple[tuple[str, str], ...] = (),
        retirements: tuple[tuple[str, str], ...] = (),
        *,
        vendor: Vendor = SCHOOX,
        credentials: dict[str, str] | None = None,
        **extra: Any,
    ) -> DeliveryJob:
        return DeliveryJob(
            TenantConfig(name="academy", vendor=vendor.id),
            vendor,
            tuple(
                Upload(c, t, f"{c}.zip", b"zip", "0" * 64, "add") for c, t in uploads
            ),
            tuple(Retirement(c, t) for c, t in retirements),
            {"api_key": API_KEY, "academy_id": ACADEMY}
            if credentials is None
            else credentials,
            sleep=sleeps.append,
            **extra,
        )

    return make
