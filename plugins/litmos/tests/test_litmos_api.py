"""LitmosApi: a credential check against replayed Litmos exchanges; no upload."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import aiccbridge_litmos
import httpx
import pytest
from aiccbridge_litmos import LITMOS, LitmosApi, api_root
from vcr.cassette import Cassette

from aiccbridge import TenantConfig, Vendor, VendorError
from aiccbridge.delivery import DeliveryJob, VendorApi

Tape = Callable[[str], Any]
Played = Callable[[Cassette], int]
JobFactory = Callable[..., DeliveryJob]


def test_public_api_is_pinned() -> None:
    assert sorted(aiccbridge_litmos.__all__) == [
        "LITMOS",
        "LitmosApi",
        "SOURCE",
        "api_root",
    ]


def test_litmos_stays_an_outbox_vendor_with_a_ping() -> None:
    assert LITMOS.delivery == "outbox"
    assert isinstance(aiccbridge_litmos.aiccbridge_vendor_api(LITMOS), VendorApi)
    assert aiccbridge_litmos.aiccbridge_vendor_api(Vendor(id="x", name="X")) is None


def test_ping_confirms_the_key(
    cassette: Tape, played: Played, make_job: JobFactory
) -> None:
    with cassette("ping") as tape:
        line = LitmosApi().ping(make_job())
    assert line == "Litmos accepts the API key (api.litmos.com)"
    assert played(tape) == 1


def test_ping_of_an_eu_site_asks_the_eu_host(
    cassette: Tape, played: Played, make_job: JobFactory
) -> None:
    with cassette("ping_eu") as tape:
        line = LitmosApi().ping(make_job(("acme.litmoseu.com",)))
    assert line.endswith("(api.litmoseu.com)") and played(tape) == 1


def test_a_refused_key_raises_without_showing_it(
    cassette: Tape, make_job: JobFactory, api_key: str
) -> None:
    with cassette("ping_refused"), pytest.raises(VendorError) as caught:
        LitmosApi().ping(make_job())
    assert (
        "HTTP 401" in caught.value.message and "Invalid API key" in caught.value.message
    )
    assert api_key not in caught.value.message


def test_the_key_goes_in_the_apikey_header_and_never_in_a_log_line(
    make_job: JobFactory, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="aiccbridge")
    LitmosApi().ping(make_job(transport=httpx.MockTransport(answer)))
    (request,) = seen
    assert request.headers["apikey"] == api_key
    assert dict(request.url.params) == {
        "format": "json",
        "limit": "1",
        "source": "aiccbridge",
    }
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("litmos GET api.litmos.com") for line in lines)
    assert not [line for line in lines if api_key in line]


def test_ping_without_a_key_makes_no_call(make_job: JobFactory) -> None:
    with pytest.raises(VendorError, match="api_key is not set"):
        LitmosApi().ping(make_job(credentials={}))


@pytest.mark.parametrize(
    ("hosts", "root"),
    [
        ((), "https://api.litmos.com/v1.svc/"),
        (("acme.litmos.com",), "https://api.litmos.com/v1.svc/"),
        (("acme.litmoseu.com",), "https://api.litmoseu.com/v1.svc/"),
        (("*.litmos.com.au",), "https://api.litmos.com.au/v1.svc/"),
    ],
)
def test_api_root_follows_the_region(hosts: tuple[str, ...], root: str) -> None:
    tenant = TenantConfig(name="t", vendor="litmos", hostnames=list(hosts))
    assert api_root(tenant) == root


def test_deliver_uploads_nothing_and_hands_packages_to_an_admin(
    make_job: JobFactory,
) -> None:
    outcome = LitmosApi().deliver(make_job(uploads=("L-1",), retirements=("L-2",)))
    assert outcome.manual == {
        "L-1": "in the Litmos admin UI, create an AICC module from L-1.zip"
    }
    assert list(outcome.kept) == ["L-2"] and not outcome.delivered
