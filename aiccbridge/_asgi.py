"""What the gateway and the sandbox LMS share as ASGI services: logging set-up
for uvicorn and a per-request log line that never shows a query string."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLog", "log_config"]

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MAX_LOGGED_PATH = 200


def log_config(level: int) -> dict[str, Any]:
    """Logging for every worker: aiccbridge's lines (HACP exchanges included)
    and uvicorn's own, on stderr; uvicorn's access log is off (it would show
    launch queries, which hold the session id)."""
    stream = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": _FORMAT}},
        "handlers": {"stderr": stream},
        "loggers": {
            "aiccbridge": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


class AccessLog:
    """One INFO line per request: method, path (never the query), status, time,
    and the peer's address, on the logger given."""

    def __init__(self, app: ASGIApp, logger: logging.Logger) -> None:
        self.app = app
        self.logger = logger

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
            client = scope.get("client") or ("-", 0)
            self.logger.info(
                "%s %s -> %d in %.0f ms from %s",
                scope["method"],
                str(scope["path"])[:_MAX_LOGGED_PATH],
                status,
                (time.perf_counter() - started) * 1000,
                client[0],
            )
