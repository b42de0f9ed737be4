"""The gateway as an ASGI application (Starlette)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aiccbridge import __version__
from aiccbridge._asgi import AccessLog
from aiccbridge.config import Config, find_config, load_config
from aiccbridge.gateway._api import exit_session, progress
from aiccbridge.gateway._gateway import Gateway
from aiccbridge.gateway._launch import launch
from aiccbridge.gateway._store import Clock
from aiccbridge.plugins import Plugins, load_plugins

__all__ = ["create_app"]

logger = logging.getLogger(__name__)


def create_app(
    config: Config | None = None,
    *,
    plugins: Plugins | None = None,
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    concurrency: int = 16,
) -> Starlette:
    """Build the gateway application.

    ``config`` defaults to the file :func:`aiccbridge.config.find_config`
    names (``$AICCBRIDGE_CONFIG``, else ``./aiccbridge.toml``), so the
    function is also an app factory for ASGI servers. The catalog is read and
    the state store opened here; delivery starts with the app's lifespan.
    ``clock`` (seconds since the epoch) and ``transport`` (for HACP requests)
    are for tests; ``concurrency`` bounds the HACP messages sent at once.

    Raises :class:`aiccbridge.errors.ConfigError` when the progress token
    variable is unset or empty, and the catalog's and the store's errors.
    """
    config = config or load_config(find_config(None))
    gateway = Gateway(
        config,
        plugins or load_plugins(),
        clock=clock or time.time,
        transport=transport,
        concurrency=concurrency,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.stop()

    app = Starlette(routes=_routes(), lifespan=lifespan)
    app.state.gateway = gateway
    app.add_middleware(AccessLog, logger=logger)
    return app


def _routes() -> list[Route]:
    return [
        Route("/health", health, methods=["GET"]),
        Route("/v1/progress", progress, methods=["POST"]),
        Route("/v1/exit", exit_session, methods=["POST"]),
        Route("/{path:path}", launch, methods=["GET"]),
    ]


async def health(request: Request) -> Response:
    """Whether this worker runs, and what waits in the outbox."""
    gateway: Gateway = request.app.state.gateway
    stats: dict[str, Any] = await gateway.store.call(gateway.store.store.stats)
    deliveries = stats["deliveries"]
    body = {
        "status": "ok",
        "version": __version__,
        "pending": deliveries["queued"] + deliveries["sending"],
        **stats,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
