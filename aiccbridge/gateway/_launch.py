"""The launch endpoint: check, GetParam, open a session, send the browser on.

A launch is checked with :func:`aiccbridge.launching.check_launch`, exactly as
``aiccbridge launch check`` does. A refused launch gets a 403 page. An accepted
one reads the learner with ``GetParam`` (to exactly the checked ``AICC_URL``);
an LMS that does not answer with HACP gets a 502 page. Then a session is
opened and the browser is redirected to the course's content address with
``aiccbridge_session=<token>`` added to its query.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from aiccbridge.core.hacp import AiccData, CoreData, HacpClient, HacpError
from aiccbridge.core.launch import LaunchParams
from aiccbridge.gateway._gateway import Gateway
from aiccbridge.gateway._pages import (
    lms_failed_page,
    no_content_page,
    not_found_page,
    refused_page,
)
from aiccbridge.gateway._store import NewSession
from aiccbridge.launching import LaunchVerdict, check_launch

__all__ = ["SESSION_PARAM", "launch"]

logger = logging.getLogger(__name__)

#: The query parameter that carries the session token to the content.
SESSION_PARAM = "aiccbridge_session"

_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_DONE = ("completed", "passed")


async def launch(request: Request) -> Response:
    """Answer one launch: 302 to the content, 403 refused, 502 LMS failed."""
    gateway: Gateway = request.app.state.gateway
    named = gateway.template.match(_raw_path(request))
    if named is None:
        return _html(not_found_page(gateway.provider), 404)
    if request.method == "HEAD":
        return Response(status_code=200, headers=_PRIVATE)
    verdict = _check(gateway, named, request.scope.get("query_string", b""))
    if not verdict.accepted or verdict.params is None:
        _log_refusal(verdict)
        return _html(refused_page(verdict, gateway.provider), 403)
    return await _accepted(gateway, verdict, verdict.params)


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes) and raw:
        return raw.decode("latin-1").split("?", 1)[0]
    return str(request.scope["path"])


def _check(gateway: Gateway, named: dict[str, str], query: bytes) -> LaunchVerdict:
    tenant = named.get("tenant")
    return check_launch(
        gateway.config,
        gateway.plugins,
        tenant=tenant,
        course_id=named.get("course_id"),
        query=query.decode("utf-8", errors="replace"),
        courses=gateway.courses.get(tenant or ""),
    )


def _log_refusal(verdict: LaunchVerdict) -> None:
    logger.info(
        "launch refused (%s): tenant %s, course %s: %s",
        verdict.reason,
        verdict.tenant or "-",
        verdict.course_id or "-",
        verdict.detail,
    )


async def _accepted(
    gateway: Gateway, verdict: LaunchVerdict, params: LaunchParams
) -> Response:
    tenant, course_id = verdict.tenant or "", verdict.course_id or ""
    entry = gateway.courses[tenant][course_id]
    if not entry.url:
        logger.warning("launch of course %s: the catalog gives no url", course_id)
        return _html(no_content_page(course_id, gateway.provider), 500)
    try:
        data = await _get_param(gateway, tenant, params)
    except HacpError as exc:
        logger.warning(
            "launch of course %s: GetParam to %s failed: %s",
            course_id,
            verdict.host,
            exc.message,
        )
        page = lms_failed_page(
            exc,
            host=verdict.host,
            session=verdict.session,
            course_id=course_id,
            provider=gateway.provider,
        )
        return _html(page, 502)
    token = secrets.token_urlsafe(32)
    new = _new_session(gateway, verdict, params, data, token)
    session = await gateway.store.call(gateway.store.store.open_session, new)
    logger.info(
        "launch accepted: tenant %s, course %s, LMS host %s: session %d",
        tenant,
        course_id,
        verdict.host,
        session.id,
    )
    return RedirectResponse(_with_token(entry.url, token), 302, headers=_PRIVATE)


async def _get_param(gateway: Gateway, tenant: str, params: LaunchParams) -> AiccData:
    checked = params.hacp_url
    hacp = HacpClient(
        checked,
        params.session_id,
        profile=gateway.sender.profile_for(tenant),
        client=gateway.http,
        timeout=gateway.settings.hacp_timeout_seconds,
        retries=1,
        allowed=lambda url: url == checked,
    )
    return await hacp.get_param()


def _new_session(
    gateway: Gateway,
    verdict: LaunchVerdict,
    params: LaunchParams,
    data: AiccData,
    token: str,
) -> NewSession:
    tenant = verdict.tenant or ""
    student = (data.core.student_id or "").strip()
    learner = (
        gateway.store.store.learner_key(tenant, verdict.host, student)
        if student
        else None
    )
    status, score = _floor(data.core)
    return NewSession(
        token=token,
        tenant=tenant,
        course_id=verdict.course_id or "",
        lms_host=verdict.host,
        learner=learner,
        hacp_url=params.hacp_url,
        aicc_sid=params.session_id,
        floor_status=status,
        floor_score=score,
    )


def _floor(core: CoreData) -> tuple[str | None, float | None]:
    """The status and Score the LMS holds, when they say the course is done."""
    status = core.lesson_status.status.value if core.lesson_status else None
    if status not in _DONE:
        return None, None
    score = core.score.raw if core.score else None
    return status, score if score is not None and 0 <= score <= 100 else None


def _with_token(url: str, token: str) -> str:
    """``url`` with the session token added to its query, the rest kept as is."""
    parts = urlsplit(url)
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and unquote_plus(pair.split("=", 1)[0]) != SESSION_PARAM
    ]
    query = "&".join([*kept, f"{SESSION_PARAM}={token}"])
    return urlunsplit(parts._replace(query=query))


def _html(page: str, status: int) -> HTMLResponse:
    return HTMLResponse(page, status_code=status, headers=_PRIVATE)
