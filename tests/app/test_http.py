from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from aiccbridge.errors import VendorError
from aiccbridge.http import VendorHttp

SECRET = "sk-live-very-secret"


def client(handler, sleeps: list[float] | None = None, **kwargs: object) -> VendorHttp:
    recorder = sleeps if sleeps is not None else []
    return VendorHttp(
        "acme",
        "https://api.acme.example/v1/",
        params={"apikey": SECRET},
        secrets=[SECRET],
        transport=httpx.MockTransport(handler),
        sleep=recorder.append,
        **kwargs,
    )  # type: ignore[arg-type]


def sequence(*responses: httpx.Response | Exception):
    calls: list[httpx.Request] = []
    items = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        item = items.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, calls


def test_5xx_and_network_errors_are_retried_with_backoff() -> None:
    handler, calls = sequence(
        httpx.ConnectError("down"),
        httpx.Response(502),
        httpx.Response(200, json={"ok": True}),
    )
    sleeps: list[float] = []
    with client(handler, sleeps) as http:
        assert http.get("courses").json() == {"ok": True}
    assert len(calls) == 3 and sleeps == [1.0, 2.0]
    assert calls[0].url.params["apikey"] == SECRET


def test_429_waits_as_long_as_retry_after_asks() -> None:
    handler, calls = sequence(
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)
    )
    sleeps: list[float] = []
    with client(handler, sleeps) as http:
        http.get("courses")
    assert sleeps == [7.0] and len(calls) == 2


def test_retry_after_as_a_date() -> None:
    when = httpx.Response(
        429,
        headers={
            "Retry-After": time.strftime(
                "%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30)
            )
        },
    )
    handler, _ = sequence(when, httpx.Response(200))
    sleeps: list[float] = []
    with client(handler, sleeps) as http:
        http.get("x")
    assert 25 <= sleeps[0] <= 31


def test_a_wait_too_long_gives_up_for_this_run() -> None:
    handler, calls = sequence(httpx.Response(429, headers={"Retry-After": "3600"}))
    with (
        client(handler) as http,
        pytest.raises(VendorError, match="asked to wait 3600"),
    ):
        http.get("x")
    assert len(calls) == 1


def test_4xx_is_not_retried_and_the_error_hides_secrets() -> None:
    body = f"bad key {SECRET}"
    handler, calls = sequence(httpx.Response(401, text=body))
    with client(handler) as http, pytest.raises(VendorError) as info:
        http.get("courses")
    assert len(calls) == 1
    assert SECRET not in info.value.message and "HTTP 401" in info.value.message


def test_retries_run_out() -> None:
    handler, calls = sequence(*[httpx.Response(503)] * 3)
    with client(handler, retries=2) as http, pytest.raises(VendorError, match="503"):
        http.get("x")
    assert len(calls) == 3


def test_one_info_line_per_exchange_without_query(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler, _ = sequence(httpx.Response(500), httpx.Response(200))
    caplog.set_level(logging.INFO, logger="aiccbridge.http")
    with client(handler) as http:
        http.get("courses", params={"search": "x"})
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("acme GET api.acme.example/v1/courses -> 500")
    assert all(SECRET not in line and "search" not in line for line in lines)


def test_requests_in_flight_are_bounded() -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return httpx.Response(200)

    with client(handler, max_in_flight=2) as http, ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: http.get("x"), range(16)))
    assert state["peak"] == 2


def test_redirects_are_not_followed() -> None:
    handler, _ = sequence(httpx.Response(302, headers={"Location": "https://evil/"}))
    with client(handler) as http, pytest.raises(VendorError, match="HTTP 302"):
        http.get("x")
