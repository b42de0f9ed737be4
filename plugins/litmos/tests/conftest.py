"""Cassette replay for the Litmos tests (see the plugin README to re-record)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiccbridge_litmos import LITMOS
from vcr.cassette import Cassette

from aiccbridge import TenantConfig
from aiccbridge.delivery import DeliveryJob, Retirement, Upload
from aiccbridge.testing import cassette_recorder, played_once

CASSETTES = Path(__file__).resolve().parents[3] / "tests" / "cassettes" / "litmos"
API_KEY = os.environ.get("LITMOS_API_KEY", "lt-key-test-0123456789abcdef")

RECORDER = cassette_recorder(CASSETTES)


@pytest.fixture
def api_key() -> str:
    return API_KEY


@pytest.fixture
def cassette() -> Callable[[str], Any]:
    """``with cassette("name") as tape:`` replays ``tests/cassettes/litmos``."""
    return lambda name: RECORDER.use_cassette(
        f"{name}.yaml", allow_playback_repeats=False
    )


@pytest.fixture
def played() -> Callable[[Cassette], int]:
    """How many interactions the cassette played; every one must be played once."""

    def count(tape: Cassette) -> int:
        return len(played_once(tape))

    return count


@pytest.fixture
def make_job() -> Callable[..., DeliveryJob]:
    """A job for tenant ``acme`` on the given Litmos hostnames."""

    def make(
        hostnames: tuple[str, ...] = ("acme.litmos.com",),
        *,
        uploads: tuple[str, ...] = (),
        retirements: tuple[str, ...] = (),
        credentials: dict[str, str] | None = None,
        **extra: Any,
    ) -> DeliveryJob:
        tenant = TenantConfig(name="acme", vendor="litmos", hostnames=list(hostnames))
        return DeliveryJob(
            tenant,
            LITMOS,
            tuple(Upload(c, c, f"{c}.zip", b"zip", "0" * 64, "add") for c in uploads),
            tuple(Retirement(c, c) for c in retirements),
            {"api_key": API_KEY} if credentials is None else credentials,
            **extra,
        )

    return make
