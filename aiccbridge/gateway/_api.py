"""The progress API: ``POST /v1/progress`` and ``POST /v1/exit``.

Both need ``Authorization: Bearer <token>`` (the token in the environment
variable ``[gateway] progress_token_env``), compared in constant time. A
report is answered ``202`` only once it is stored durably in the outbox.
docs/gateway.md is the contract: every field, status code and example.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from aiccbridge.core.hacp import HacpError
from aiccbridge.gateway._gateway import Gateway
from aiccbridge.gateway._progress import (
    ExitRequest,
    ProgressReport,
    plan_exit,
    plan_progress,
)
from aiccbridge.gateway._store import Plan, Recorded, SessionRow

__all__ = ["MAX_BODY_BYTES", "exit_session", "progress"]

logger = logging.getLogger(__name__)

#: The largest request body the API reads.
MAX_BODY_BYTES = 16_384

_NO_STORE = {"Cache-Control": "no-store"}

M = TypeVar("M", bound=BaseModel)


async def progress(request: Request) -> Response:
    """Queue one progress report as a PutParam (and ExitAU at completion)."""
    gateway: Gateway = request.app.state.gateway
    parsed = await _parse(request, gateway, ProgressReport)
    if isinstance(parsed, Response):
        return parsed
    now = gateway.clock()

    def plan(session: SessionRow) -> Plan:
        profile = gateway.sender.profile_for(session.tenant)
        return plan_progress(session, parsed, now=now, profile=profile)

    return await _record(gateway, parsed.session, plan)


async def exit_session(request: Request) -> Response:
    """End a session early: a last PutParam, then ExitAU."""
    gateway: Gateway = request.app.state.gateway
    parsed = await _parse(request, gateway, ExitRequest)
    if isinstance(parsed, Response):
        return parsed
    now = gateway.clock()

    def plan(session: SessionRow) -> Plan:
        profile = gateway.sender.profile_for(session.tenant)
        return plan_exit(session, now=now, profile=profile)

    return await _record(gateway, parsed.session, plan)


async def _parse(request: Request, gateway: Gateway, model: type[M]) -> M | Response:
    if not gateway.authorized(request.headers.get("authorization")):
        return _json(
            {"error": "unauthorized", "detail": "missing or wrong bearer token"},
            401,
            {"WWW-Authenticate": 'Bearer realm="aiccbridge"'},
        )
    body = await _body(request)
    if body is None:
        detail = f"the body is over {MAX_BODY_BYTES} bytes"
        return _json({"error": "too_large", "detail": detail}, 413)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        return _json({"error": "invalid_body", "fields": _fields(exc)}, 422)


async def _body(request: Request) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _fields(exc: ValidationError) -> list[dict[str, str]]:
    """One entry per problem: the field's path and what is wrong with it."""
    out = []
    for error in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in error["loc"]) or "(body)"
        message = str(error["msg"])
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        out.append({"field": field, "message": message})
    return out


async def _record(
    gateway: Gateway, token: str, plan: Callable[[SessionRow], Plan]
) -> Response:
    store = gateway.store
    try:
        recorded = await store.call(store.store.record, token, plan)
    except HacpError as exc:
        logger.error("a progress report cannot be written as HACP: %s", exc.message)
        return _json({"error": "cannot_write", "detail": exc.message}, 500)
    if recorded.state == "queued":
        gateway.dispatcher.wake()
    return _answer(recorded)


def _answer(recorded: Recorded) -> Response:
    session = recorded.session
    if recorded.state == "unknown" or session is None:
        detail = "no session has this token (never launched, or purged)"
        return _json({"error": "unknown_session", "detail": detail}, 404)
    if recorded.state == "ended":
        reason = session.end_reason or "ended"
        detail = f"the session has ended ({reason}); nothing was queued"
        return _json({"error": "session_ended", "ended": reason, "detail": detail}, 409)
    body = {
        "status": "queued",
        "session": "ended" if recorded.ended else "open",
        "coalesced": recorded.coalesced,
    }
    return _json(body, 202)


def _json(
    body: dict[str, Any], status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        body, status_code=status, headers={**_NO_STORE, **(headers or {})}
    )
