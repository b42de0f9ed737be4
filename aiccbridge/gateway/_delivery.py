"""Delivering the outbox: claim, send over HACP, store the outcome.

A :class:`Dispatcher` runs in every worker process. It claims due messages
(each the oldest open message of its session, under a lease), sends each with
one HACP attempt, and stores what happened:

- an acknowledgement (``error=0``, or "already exited" in answer to an ExitAU)
  marks the message done; it is never sent again;
- no answer, an HTTP 5xx, 408, 425 or 429, or an HTML page in place of HACP puts
  it back in the queue, due after ``retry_initial_seconds`` doubling up to
  ``retry_max_seconds``, until it is older than ``give_up_after_hours``;
- any other answer (an HACP error code, a 4xx, a redirect, a host no longer
  on the allow-list) gives the message up at once.

On shutdown the dispatcher keeps delivering what is due for up to
``shutdown_drain_seconds``, then hands its leases back; the rest waits on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Literal, ParamSpec, TypeVar

import httpx

from aiccbridge.config import Config, GatewayConfig
from aiccbridge.core.hacp import (
    DEFAULT_PROFILE,
    HacpClient,
    HacpError,
    HacpHttpError,
    HacpNetworkError,
    HacpNotHacpError,
    WriteProfile,
    is_already_exited,
)
from aiccbridge.core.launch import check_hacp_url
from aiccbridge.gateway._store import Claim, Clock, GatewayStore
from aiccbridge.launching import allow_list
from aiccbridge.plugins import Plugins

__all__ = ["AsyncStore", "Dispatcher", "HacpSender", "Outcome", "worker_id"]

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

_RETRY_STATUSES = frozenset({408, 425, 429})
_PURGE_EVERY = 3600.0
_IDLE_POLL = 0.5
_MIN_WAIT = 0.005


def worker_id() -> str:
    """A name for this worker process, unique across restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class AsyncStore:
    """A :class:`GatewayStore` used from asyncio: every call on one DB thread."""

    def __init__(self, store: GatewayStore) -> None:
        self.store = store
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="aiccbridge-db")

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._thread.submit(self.store.close).result()
        self._thread.shutdown()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one send attempt came to; ``detail`` never holds the session id."""

    kind: Literal["delivered", "retry", "failed"]
    detail: str


class HacpSender:
    """Sends one claimed message to its LMS, with the tenant's current settings."""

    def __init__(
        self, config: Config, plugins: Plugins, client: httpx.AsyncClient
    ) -> None:
        self.config = config
        self.plugins = plugins
        self.client = client
        self.timeout = config.gateway.hacp_timeout_seconds

    def profile_for(self, tenant: str) -> WriteProfile:
        """The vendor's write profile for a tenant (the default when unknown)."""
        found = self.config.tenants.get(tenant)
        vendor = self.plugins.vendors().get(found.vendor) if found else None
        return vendor.write_profile() if vendor else DEFAULT_PROFILE

    def allowed(self, tenant: str, checked_url: str) -> Callable[[str], bool]:
        """Admit exactly the launch's checked URL, if the tenant still lists it."""
        found = self.config.tenants.get(tenant)
        vendor = self.plugins.vendors().get(found.vendor) if found else None
        if found is None or vendor is None:
            return lambda url: False
        hosts = allow_list(found, vendor)

        def check(url: str) -> bool:
            if url != checked_url:
                return False
            return check_hacp_url(url, hosts, allow_http=found.allow_http).allowed

        return check

    async def send(self, claim: Claim) -> Outcome:
        session, message = claim.session, claim.message
        hacp = HacpClient(
            session.hacp_url,
            session.aicc_sid,
            profile=self.profile_for(session.tenant),
            client=self.client,
            timeout=self.timeout,
            retries=0,
            allowed=self.allowed(session.tenant, session.hacp_url),
        )
        try:
            async with asyncio.timeout(self.timeout * 2):
                if message.command == "ExitAU":
                    await hacp.exit_au()
                else:
                    await hacp.put_param(message.aicc_data)
        except HacpError as exc:
            return classify(message.command, exc)
        except TimeoutError:
            return Outcome("retry", "no answer in time")
        return Outcome("delivered", "delivered")


def classify(command: str, error: HacpError) -> Outcome:
    """Whether a failed send is done after all, worth retrying, or given up."""
    if command == "ExitAU" and is_already_exited(error):
        return Outcome("delivered", "already exited")
    detail = f"{type(error).__name__}: {error.message}"
    if isinstance(error, HacpNetworkError | HacpNotHacpError):
        return Outcome("retry", detail)
    if isinstance(error, HacpHttpError) and (
        error.status >= 500 or error.status in _RETRY_STATUSES
    ):
        return Outcome("retry", detail)
    return Outcome("failed", detail)


class Dispatcher:
    """The delivery loop of one worker process."""

    def __init__(
        self,
        store: AsyncStore,
        send: Callable[[Claim], Awaitable[Outcome]],
        settings: GatewayConfig,
        *,
        clock: Clock,
        worker: str | None = None,
        concurrency: int = 16,
    ) -> None:
        self.store = store
        self.send = send
        self.settings = settings
        self.clock = clock
        self.worker = worker or worker_id()
        self.concurrency = concurrency
        self.lease_seconds = settings.hacp_timeout_seconds * 2 + 1.0
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._drain_until: float | None = None
        self._stop = False
        self._next_purge = 0.0

    def wake(self) -> None:
        """Look for due messages now (something was queued)."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver until stopped by :meth:`drain`."""
        while not self._stop:
            try:
                await self._step()
            except Exception:
                logger.exception("the delivery loop failed; trying again")
                await asyncio.sleep(_IDLE_POLL)

    async def _step(self) -> None:
        await self._housekeeping()
        claimed = await self._fill()
        if self._stop or await self._drained(claimed):
            self._stop = True
            return
        full = len(self._in_flight) >= self.concurrency
        if claimed and not full:
            return
        self._wake.clear()
        wait = _IDLE_POLL if full else await self._wait_seconds()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def drain(self, task: asyncio.Task[None], seconds: float) -> None:
        """Stop: deliver what falls due for up to ``seconds``, then hand back leases."""
        self._drain_until = self.clock() + seconds
        self.wake()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), timeout=seconds)
        self._stop = True
        self.wake()
        await asyncio.gather(task, return_exceptions=True)
        for flight in list(self._in_flight):
            flight.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _drained(self, claimed: int) -> bool:
        if self._drain_until is None or claimed or self._in_flight:
            return False
        due = await self.store.call(self.store.store.next_due)
        return due is None or due > self._drain_until

    async def _housekeeping(self) -> None:
        now = self.clock()
        if now < self._next_purge:
            return
        self._next_purge = now + _PURGE_EVERY
        retention = self.settings.session_retention_days * 86400
        await self.store.call(self.store.store.purge, retention)

    async def _fill(self) -> int:
        free = self.concurrency - len(self._in_flight)
        if free <= 0:
            return 0
        claims = await self.store.call(
            self.store.store.claim, self.worker, free, self.lease_seconds
        )
        for claim in claims:
            task = asyncio.create_task(self._deliver(claim))
            self._in_flight.add(task)
            task.add_done_callback(self._landed)
        return len(claims)

    def _landed(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self.wake()

    async def _wait_seconds(self) -> float:
        due = await self.store.call(self.store.store.next_due)
        if due is None:
            return _IDLE_POLL
        return min(_IDLE_POLL, max(_MIN_WAIT, due - self.clock()))

    async def _deliver(self, claim: Claim) -> None:
        message = claim.message
        try:
            outcome = await self.send(claim)
        except asyncio.CancelledError:
            await asyncio.shield(
                self.store.call(self.store.store.release, message.id, self.worker)
            )
            raise
        try:
            await self._store_outcome(claim, outcome)
        except Exception:
            logger.exception("cannot store the outcome of message %d", message.id)

    async def _store_outcome(self, claim: Claim, outcome: Outcome) -> None:
        message, store = claim.message, self.store.store
        if outcome.kind == "delivered":
            await self.store.call(store.delivered, message.id, outcome.detail)
            return
        age = self.clock() - message.queued_at
        if outcome.kind == "retry" and age < self.settings.give_up_after_hours * 3600:
            next_at = self.clock() + self.backoff(message.attempts)
            await self.store.call(
                store.retry, message.id, self.worker, next_at, outcome.detail
            )
            return
        verdict = "gave up" if outcome.kind == "retry" else "refused"
        await self.store.call(store.failed, message.id, f"{verdict}: {outcome.detail}")
        logger.warning(
            "session %d: %s %s after %d attempt%s: %s",
            claim.session.id,
            message.command,
            "given up" if outcome.kind == "retry" else "not accepted",
            message.attempts,
            "" if message.attempts == 1 else "s",
            outcome.detail,
        )

    def backoff(self, attempts: int) -> float:
        """The wait after the ``attempts``-th failed attempt of a message."""
        first = self.settings.retry_initial_seconds
        wait = first * 2.0 ** max(0, attempts - 1)
        return float(min(wait, self.settings.retry_max_seconds))
