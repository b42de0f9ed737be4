"""The sandbox LMS as an ASGI application (Starlette)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aiccbridge.sandbox._api import api_routes
from aiccbridge.sandbox._engine import DEFAULT_PROFILE_KEY
from aiccbridge.sandbox._profiles import get_profile
from aiccbridge.sandbox._store import SandboxStore
from aiccbridge.sandbox._web import web_routes

__all__ = ["DEFAULT_DB", "create_app"]

logger = logging.getLogger(__name__)

DEFAULT_DB = Path(".aiccbridge") / "sandbox.db"
"""Where ``aiccbridge lms serve`` keeps its state unless told otherwise."""


def create_app(
    store: SandboxStore | None = None,
    *,
    db: str | Path = DEFAULT_DB,
    profile: str | None = None,
) -> Starlette:
    """Build the sandbox application on ``store`` (else on the SQLite file ``db``).

    ``profile`` switches the sandbox-wide LMS profile (it is kept in the
    store); without it the store's choice stays, ``spec`` at first. Raises
    :class:`aiccbridge.errors.UsageError` for an unknown profile and
    :class:`aiccbridge.errors.StoreError` for a database that cannot be opened.
    """
    chosen = get_profile(profile).name if profile else None
    store = store or SandboxStore(db)
    if chosen:
        store.set_setting(DEFAULT_PROFILE_KEY, chosen)
    app = Starlette(routes=[*api_routes(), *web_routes()])
    app.state.store = store
    app.add_middleware(_AccessLog)
    return app


class _AccessLog:
    """One INFO line per request: method, path (never the query), status, time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            logger.info(
                "%s %s -> %d in %.0f ms",
                scope["method"],
                str(scope["path"])[:200],
                status,
                (time.perf_counter() - started) * 1000,
            )
