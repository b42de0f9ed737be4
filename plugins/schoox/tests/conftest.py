"""Cassette replay for the Schoox tests (see the plugin README to re-record)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import vcr
from aiccbridge_schoox import SCHOOX
from vcr.cassette import Cassette
from vcr.request import Request

from aiccbridge import TenantConfig, Vendor
from aiccbridge.delivery import DeliveryJob, Retirement, Upload

CASSETTES = Path(__file__).resolve().parents[3] / "tests" / "cassettes" / "schoox"
#: ``once`` (with a deleted cassette) records against the real academy
RECORD_MODE = os.environ.get("AICCBRIDGE_RECORD_MODE", "none")
API_KEY = os.environ.get("SCHOOX_API_KEY", "sx-key-test-0123456789abcdef")
ACADEMY = os.environ.get("SCHOOX_ACADEMY_ID", "4242")

RECORDER = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode=RECORD_MODE,
    match_on=["method", "scheme", "host", "path", "query"],
    filter_headers=["authorization", "apikey"],
    filter_query_parameters=["apikey", "acadId", "wstoken", "token"],
    decode_compressed_response=True,
)


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
        assert tape.all_played, f"{tape.play_count} of {len(tape)} played"
        assert all(count == 1 for count in tape.play_counts.values())
        return [_call(r) for r in tape.requests]

    return calls


def _call(request: Request) -> str:
    query = "&".join(f"{k}={v}" for k, v in request.query)
    return f"{request.method} {request.path}" + (f"?{query}" if query else "")


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
