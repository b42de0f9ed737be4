"""The one way aiccbridge talks to vendor APIs.

:class:`VendorHttp` wraps an ``httpx.Client`` for one vendor and tenant with what
every vendor call needs: timeouts; retries with exponential backoff on network
errors, 5xx and 429 (honouring ``Retry-After``); a bound on requests in flight;
one INFO log line per exchange (method, host, path, status, time; never a query
string, header or body); and secrets scrubbed from every error message. A failed
call raises :class:`aiccbridge.errors.VendorError`.

httpx logs its own INFO line per request, with the full URL; since some vendors
take their API key in the query string, a filter on the ``httpx`` logger drops
the query from those lines.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from aiccbridge.errors import VendorError

__all__ = ["RETRY_STATUSES", "VendorHttp"]

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDACTED = "[secret]"


class _NoQueryInUrls(logging.Filter):
    """Strip the query string (where API keys may travel) from URLs httpx logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                a.copy_with(query=None) if isinstance(a, httpx.URL) else a
                for a in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_NoQueryInUrls())


class VendorHttp:
    """HTTP to one vendor's API, for one tenant.

    :param vendor: the vendor id, for log lines and errors.
    :param base_url: the API root; request paths are joined to it.
    :param secrets: values never to show (API keys, tokens); scrubbed from errors.
    :param transport: an ``httpx`` transport (tests inject one; vcrpy patches the
        default one).
    :param sleep: how to wait between attempts (tests inject a recorder).
    """

    def __init__(
        self,
        vendor: str,
        base_url: str,
        *,
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_in_flight: int = 4,
        max_retry_after: float = 120.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.vendor = vendor
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._secrets = tuple(s for s in secrets if s)
        self._client = httpx.Client(
            base_url=base_url,
            auth=auth,
            headers=dict(headers or {}),
            params=dict(params or {}),
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    def __enter__(self) -> VendorHttp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def request(
        self, method: str, path: str, *, ok: Iterable[int] = (), **kwargs: Any
    ) -> httpx.Response:
        """Send with retries; return a 2xx response (or a status listed in ``ok``)."""
        accepted = set(ok)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._send(method, path, **kwargs)
            except httpx.TransportError as exc:
                if last:
                    raise self._error(
                        f"{method} {path}: {type(exc).__name__}"
                    ) from None
                self._wait(attempt, None)
                continue
            status = response.status_code
            if status < 300 or status in accepted:
                return response
            if status not in RETRY_STATUSES or last:
                raise self._error(f"{method} {path}: HTTP {status}", response)
            self._wait(attempt, response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with self._slots:
            start = time.perf_counter()
            try:
                response = self._client.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                self._log(method, path, type(exc).__name__, start)
                raise
        self._log(method, path, str(response.status_code), start)
        return response

    def _log(self, method: str, path: str, result: str, start: float) -> None:
        url = self._client.base_url.join(path)
        log.info(
            "%s %s %s%s -> %s (%.0f ms)",
            self.vendor,
            method,
            url.host,
            url.path,
            result,
            (time.perf_counter() - start) * 1000,
        )

    def _wait(self, attempt: int, response: httpx.Response | None) -> None:
        delay = min(self.backoff * 2**attempt, self.max_backoff)
        asked = _retry_after(response) if response is not None else None
        if asked is not None and asked > self.max_retry_after:
            raise self._error(
                f"asked to wait {asked:.0f} s before retrying (Retry-After); "
                "giving up for this run"
            )
        if asked is not None:
            delay = max(delay, asked)
        self._sleep(delay)

    def _error(self, what: str, response: httpx.Response | None = None) -> VendorError:
        detail = ""
        if response is not None:
            detail = ": " + _excerpt(response.text)
        return VendorError(self.scrub(f"{self.vendor}: {what}{detail}"))

    def scrub(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, _REDACTED)
        return text


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds a 429/503 asks to wait, from ``Retry-After`` (seconds or a date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _excerpt(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"
