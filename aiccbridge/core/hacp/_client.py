"""The HACP client: the AU side of an HACP session, over httpx.

One INFO line per exchange goes to the ``aiccbridge.core.hacp`` logger:
method, host, command, result and elapsed time.  The session id travels only
in request bodies; it is never logged and never put in an exception message
(an LMS error text that echoes it has it masked).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from types import TracebackType
from typing import Self
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import httpx

from aiccbridge.core.hacp._codec import (
    AiccData,
    HacpRequest,
    HacpResponse,
    encode_request,
    parse_aicc_data,
    parse_response,
)
from aiccbridge.core.hacp._errors import (
    HacpError,
    HacpHttpError,
    HacpLmsError,
    HacpNetworkError,
    HacpRedirectError,
    HacpRefusedError,
    HacpValueError,
    lms_error,
)
from aiccbridge.core.hacp._profiles import DEFAULT_PROFILE, WriteProfile

__all__ = ["HacpClient", "SyncHacpClient"]

# One logger for every HACP exchange, named for the public package.
logger = logging.getLogger("aiccbridge.core.hacp")

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_MASK = "[session]"


class _Retry(Exception):
    """An attempt failed in a way worth another try."""

    def __init__(self, error: HacpError) -> None:
        super().__init__(error.message)
        self.error = error


class _Session:
    """What both clients share: settings, request building, answer checking."""

    def __init__(
        self,
        url: str,
        session_id: str,
        *,
        profile: WriteProfile,
        timeout: float,
        retries: int,
        backoff: float,
        jitter: bool,
        allowed: Callable[[str], bool] | None,
    ) -> None:
        self.url = url
        self.host = _host_of(url)
        self._session_id = session_id
        self.profile = profile
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.jitter = jitter
        self.allowed = allowed
        self.lms_version: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(host={self.host!r})"

    def body(self, command: str, aicc_data: str) -> bytes:
        version = self.profile.hacp_version
        request = HacpRequest(command, version, self._session_id, aicc_data)
        return encode_request(request, self.profile)

    def check_allowed(self) -> None:
        if self.allowed is not None and not self.allowed(self.url):
            raise HacpRefusedError(
                f"HACP endpoint host {self.host} is not allowed; nothing was sent",
                hint="add the host to the tenant's allow-list if it is the LMS's",
            )

    def delay(self, attempt: int) -> float:
        base: float = self.backoff * 2.0**attempt
        return base * random.uniform(0.5, 1.5) if self.jitter else base

    def read(self, response: httpx.Response) -> HacpResponse:
        """Check one HTTP answer; raise :class:`_Retry` for a 5xx."""
        status = response.status_code
        if 300 <= status < 400:
            raise self._redirect(response)
        if status >= 400:
            error = HacpHttpError(
                f"the LMS at {self.host} answered HTTP {status}", status=status
            )
            raise _Retry(error) if status >= 500 else error
        answer = parse_response(response.content, response.headers.get("content-type"))
        self.lms_version = answer.version or self.lms_version
        if not answer.ok:
            raise lms_error(answer.error, self.mask(answer.error_text))
        return answer

    def _redirect(self, response: httpx.Response) -> HacpRedirectError:
        target = urljoin(self.url, response.headers.get("location", ""))
        host = urlsplit(target).hostname or self.host
        return HacpRedirectError(
            f"the LMS at {self.host} redirected to {host}; redirects are not followed",
            host=host,
            hint="a redirect to a login page usually means AICC_URL is not the "
            "HACP endpoint or the LMS wants a browser session",
        )

    def network_error(self, exc: httpx.TransportError) -> _Retry:
        kind = type(exc).__name__
        return _Retry(
            HacpNetworkError(f"no answer from the LMS at {self.host} ({kind})")
        )

    def mask(self, text: str) -> str:
        """``text`` with the session id masked, as is and percent-encoded."""
        secret = self._session_id
        for form in {secret, quote(secret, safe=""), quote_plus(secret, safe="")}:
            if form:
                text = re.sub(re.escape(form), _MASK, text, flags=re.IGNORECASE)
        return text

    @contextlib.contextmanager
    def logged(self, command: str) -> Iterator[_Tally]:
        """Count the attempts of one exchange and log it once at the end."""
        tally, started = _Tally(), time.perf_counter()
        try:
            yield tally
        except BaseException as exc:
            self._log(command, _failure(exc), started, tally.attempts)
            raise
        self._log(command, "error=0", started, tally.attempts)

    def _log(self, command: str, result: str, started: float, attempts: int) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        logger.info(
            "HACP POST %s %s -> %s in %.0f ms (%d attempt%s)",
            self.host,
            command,
            result,
            elapsed,
            attempts,
            "" if attempts == 1 else "s",
        )


class _Tally:
    """The attempts made so far in one exchange."""

    def __init__(self) -> None:
        self.attempts = 0


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HacpValueError(
            "the HACP endpoint must be an http(s) URL with a host",
            hint="AICC_URL arrives without a scheme from some LMSs; add https://",
        )
    return parts.hostname


def _failure(error: BaseException) -> str:
    if isinstance(error, HacpLmsError):
        return f"error={error.code} {type(error).__name__}"
    return type(error).__name__


def _check_putparam(aicc_data: str) -> str:
    if not aicc_data.lstrip().lower().startswith("[core]"):
        raise HacpValueError("PutParam aicc_data must start with [Core]")
    return aicc_data


class HacpClient:
    """An async HACP client for one session (``AICC_URL`` + ``AICC_SID``).

    ``client`` is used as given (and not closed); else one is built on
    ``transport`` with ``timeout``.  Redirects are never followed.  Network
    errors and 5xx answers are retried ``retries`` times after the first try,
    waiting ``backoff * 2**n`` seconds (times 0.5 to 1.5 with ``jitter``);
    4xx answers and HACP errors are not retried.  ``allowed(url)`` is asked
    before every post.  ``sleep`` replaces :func:`asyncio.sleep` (tests).
    """

    def __init__(
        self,
        url: str,
        session_id: str,
        *,
        profile: WriteProfile = DEFAULT_PROFILE,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        jitter: bool = False,
        allowed: Callable[[str], bool] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        if client is not None and transport is not None:
            raise HacpValueError("give either client or transport, not both")
        self._session = _Session(
            url,
            session_id,
            profile=profile,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            jitter=jitter,
            allowed=allowed,
        )
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            transport=transport, follow_redirects=False
        )
        self._sleep = sleep or asyncio.sleep

    def __repr__(self) -> str:
        return f"HacpClient(host={self._session.host!r})"

    @property
    def lms_version(self) -> str | None:
        """The ``version`` the LMS last answered with, if any."""
        return self._session.lms_version

    async def get_param(self) -> AiccData:
        """Send GetParam and read the learner's data."""
        answer = await self._exchange("GetParam", "")
        return parse_aicc_data(answer.aicc_data)

    async def put_param(self, aicc_data: str) -> HacpResponse:
        """Send PutParam with ``aicc_data`` (which must start with ``[Core]``)."""
        return await self._exchange("PutParam", _check_putparam(aicc_data))

    async def exit_au(self) -> HacpResponse:
        """Send ExitAU; see :func:`is_already_exited` for a repeated one."""
        return await self._exchange("ExitAU", "")

    async def put_comments(self, text: str) -> HacpResponse:
        """Send PutComments with free-form comment text."""
        return await self._exchange("PutComments", text)

    async def put_objectives(self, csv_text: str) -> HacpResponse:
        """Send PutObjectives with a CSV body."""
        return await self._exchange("PutObjectives", csv_text)

    async def put_interactions(self, csv_text: str) -> HacpResponse:
        """Send PutInteractions with a CSV body."""
        return await self._exchange("PutInteractions", csv_text)

    async def put_performance(self, csv_text: str) -> HacpResponse:
        """Send PutPerformance with a CSV body."""
        return await self._exchange("PutPerformance", csv_text)

    async def put_path(self, csv_text: str) -> HacpResponse:
        """Send PutPath with a CSV body."""
        return await self._exchange("PutPath", csv_text)

    async def aclose(self) -> None:
        """Close the HTTP client if this object built it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _exchange(self, command: str, aicc_data: str) -> HacpResponse:
        session = self._session
        body = session.body(command, aicc_data)
        with session.logged(command) as tally:
            while True:
                tally.attempts += 1
                try:
                    return await self._attempt(body)
                except _Retry as retry:
                    if tally.attempts > session.retries:
                        raise retry.error from None
                    await self._sleep(session.delay(tally.attempts - 1))

    async def _attempt(self, body: bytes) -> HacpResponse:
        session = self._session
        session.check_allowed()
        try:
            response = await self._client.post(
                session.url,
                content=body,
                headers=_FORM,
                timeout=session.timeout,
                follow_redirects=False,
            )
        except httpx.TransportError as exc:
            raise session.network_error(exc) from None
        return session.read(response)


class SyncHacpClient:
    """The blocking twin of :class:`HacpClient` (``httpx.Client``, same methods)."""

    def __init__(
        self,
        url: str,
        session_id: str,
        *,
        profile: WriteProfile = DEFAULT_PROFILE,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        jitter: bool = False,
        allowed: Callable[[str], bool] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if client is not None and transport is not None:
            raise HacpValueError("give either client or transport, not both")
        self._session = _Session(
            url,
            session_id,
            profile=profile,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            jitter=jitter,
            allowed=allowed,
        )
        self._owns_client = client is None
        self._client = client or httpx.Client(
            transport=transport, follow_redirects=False
        )
        self._sleep = sleep or time.sleep

    def __repr__(self) -> str:
        return f"SyncHacpClient(host={self._session.host!r})"

    @property
    def lms_version(self) -> str | None:
        """The ``version`` the LMS last answered with, if any."""
        return self._session.lms_version

    def get_param(self) -> AiccData:
        """Send GetParam and read the learner's data."""
        return parse_aicc_data(self._exchange("GetParam", "").aicc_data)

    def put_param(self, aicc_data: str) -> HacpResponse:
        """Send PutParam with ``aicc_data`` (which must start with ``[Core]``)."""
        return self._exchange("PutParam", _check_putparam(aicc_data))

    def exit_au(self) -> HacpResponse:
        """Send ExitAU; see :func:`is_already_exited` for a repeated one."""
        return self._exchange("ExitAU", "")

    def put_comments(self, text: str) -> HacpResponse:
        """Send PutComments with free-form comment text."""
        return self._exchange("PutComments", text)

    def put_objectives(self, csv_text: str) -> HacpResponse:
        """Send PutObjectives with a CSV body."""
        return self._exchange("PutObjectives", csv_text)

    def put_interactions(self, csv_text: str) -> HacpResponse:
        """Send PutInteractions with a CSV body."""
        return self._exchange("PutInteractions", csv_text)

    def put_performance(self, csv_text: str) -> HacpResponse:
        """Send PutPerformance with a CSV body."""
        return self._exchange("PutPerformance", csv_text)

    def put_path(self, csv_text: str) -> HacpResponse:
        """Send PutPath with a CSV body."""
        return self._exchange("PutPath", csv_text)

    def close(self) -> None:
        """Close the HTTP client if this object built it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _exchange(self, command: str, aicc_data: str) -> HacpResponse:
        session = self._session
        body = session.body(command, aicc_data)
        with session.logged(command) as tally:
            while True:
                tally.attempts += 1
                try:
                    return self._attempt(body)
                except _Retry as retry:
                    if tally.attempts > session.retries:
                        raise retry.error from None
                    self._sleep(session.delay(tally.attempts - 1))

    def _attempt(self, body: bytes) -> HacpResponse:
        session = self._session
        session.check_allowed()
        try:
            response = self._client.post(
                session.url,
                content=body,
                headers=_FORM,
                timeout=session.timeout,
                follow_redirects=False,
            )
        except httpx.TransportError as exc:
            raise session.network_error(exc) from None
        return session.read(response)
