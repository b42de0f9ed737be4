"""The sandbox's JSON API under ``/api`` (what sync and tests talk to).

Errors are ``{"error": message, "hint": hint}`` with a 4xx status. Routes:

- ``GET /api/health``; ``GET /api/profiles``; ``GET|PUT /api/profile``
- ``GET /api/courses``; ``POST /api/courses`` (the zip as the body);
  ``GET|PATCH|DELETE /api/courses/{course_id}``
- ``POST /api/launches``
- ``GET /api/records``; ``GET /api/log``
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aiccbridge import __version__
from aiccbridge.core import AiccBridgeError
from aiccbridge.sandbox._engine import (
    DEFAULT_PROFILE_KEY,
    default_profile,
    start_launch,
)
from aiccbridge.sandbox._importing import import_package
from aiccbridge.sandbox._profiles import PROFILES, get_profile
from aiccbridge.sandbox._store import Course, Learner, SandboxStore

__all__ = ["MAX_UPLOAD_BYTES", "ApiProblem", "api_routes", "read_limited"]

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
"""The largest package the sandbox takes in one request."""

_NO_STORE = {"Cache-Control": "no-store"}


class ApiProblem(Exception):
    """A request the API refuses: an HTTP status and a message."""

    def __init__(self, status: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint


def _store(request: Request) -> SandboxStore:
    store: SandboxStore = request.app.state.store
    return store


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=_NO_STORE)


def _problem(status: int, message: str, hint: str | None = None) -> JSONResponse:
    return _json({"error": message, "hint": hint}, status)


def _guarded(handler: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            response: Response = await handler(request)
        except ApiProblem as problem:
            return _problem(problem.status, problem.message, problem.hint)
        except AiccBridgeError as exc:
            return _problem(400, exc.message, exc.hint)
        return response

    endpoint.__doc__ = handler.__doc__
    return endpoint


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiProblem(413, f"the body is over {limit} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiProblem(413, f"the body is over {limit} bytes")
    return body


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await read_limited(request, 1024 * 1024) or b"{}")
    except ValueError:
        raise ApiProblem(400, "the body is not JSON") from None
    if not isinstance(data, dict):
        raise ApiProblem(400, "the body must be a JSON object")
    return data


def _course_or_404(request: Request) -> Course:
    course_id = request.path_params["course_id"]
    course = _store(request).course(course_id)
    if course is None:
        raise ApiProblem(404, f"no course {course_id!r} in the sandbox")
    return course


# ------------------------------------------------------------------ handlers


async def health(request: Request) -> Response:
    """Whether the sandbox runs, its profile and how many courses it holds."""
    store = _store(request)
    return _json(
        {
            "status": "ok",
            "version": __version__,
            "profile": default_profile(store).name,
            "courses": len(store.courses()),
        }
    )


async def profiles(request: Request) -> Response:
    """Every LMS profile and its habits."""
    return _json({"profiles": [p.to_dict() for p in PROFILES.values()]})


async def profile(request: Request) -> Response:
    """``GET``: the sandbox's profile; ``PUT {"profile": name}``: switch it."""
    store = _store(request)
    if request.method == "PUT":
        name = get_profile(str((await _json_body(request)).get("profile", ""))).name
        store.set_setting(DEFAULT_PROFILE_KEY, name)
    return _json({"profile": default_profile(store).name})


async def courses(request: Request) -> Response:
    """``GET``: every course; ``POST``: import the zip in the body.

    ``POST`` answers 201 (added), 200 (replaced or unchanged) or 422 (refused,
    with the diagnostics). Query: ``source`` (a file name for the log) and
    ``profile`` (the course's LMS profile).
    """
    store = _store(request)
    if request.method == "GET":
        retired = request.query_params.get("retired") == "1"
        return _json({"courses": [c.to_dict() for c in store.courses(retired=retired)]})
    data = await read_limited(request, MAX_UPLOAD_BYTES)
    wanted = request.query_params.get("profile")
    name = get_profile(wanted).name if wanted else None
    source = request.query_params.get("source") or "upload.zip"
    result = import_package(store, data, source=source, profile=name)
    status = {"added": 201, "refused": 422}.get(result.action, 200)
    return _json(result.to_dict(), status)


async def course(request: Request) -> Response:
    """``GET`` one course; ``PATCH {"profile": name|null}``; ``DELETE`` retires it
    (``?purge=1`` deletes it with its records)."""
    store = _store(request)
    found = _course_or_404(request)
    if request.method == "PATCH":
        wanted = (await _json_body(request)).get("profile")
        name = get_profile(str(wanted)).name if wanted else None
        store.update_course(found.course_id, profile=name)
    elif request.method == "DELETE":
        if request.query_params.get("purge") == "1":
            store.delete_course(found.course_id)
            return _json({"course_id": found.course_id, "action": "deleted"})
        store.update_course(found.course_id, retired=1)
        return _json({"course_id": found.course_id, "action": "retired"})
    return _json(_course_or_404(request).to_dict())


async def launches(request: Request) -> Response:
    """Start a launch: ``{"course_id", "student_id", "student_name"?, "au_id"?,
    "lesson_mode"?, "credit"?}`` → 201 with the ``launch_url`` to open."""
    body = await _json_body(request)
    store = _store(request)
    found = store.course(str(body.get("course_id", "")))
    if found is None:
        raise ApiProblem(404, f"no course {body.get('course_id')!r} in the sandbox")
    student = str(body.get("student_id", ""))
    learner = Learner(student, str(body.get("student_name") or student))
    launch = start_launch(
        store,
        str(request.base_url),
        found,
        learner,
        au_id=body.get("au_id"),
        lesson_mode=str(body.get("lesson_mode", "normal")),
        credit=str(body.get("credit", "credit")),
    )
    return _json(launch.to_dict(), 201)


async def records(request: Request) -> Response:
    """What was recorded, per learner and AU, with the Put* tables
    (``?student_id=`` and ``?course_id=`` filter)."""
    store = _store(request)
    found = store.records(
        student_id=request.query_params.get("student_id"),
        course_id=request.query_params.get("course_id"),
    )
    items = []
    for record in found:
        tables = store.tables(record.student_id, record.course_id, record.au_id)
        items.append(
            {
                **record.to_dict(),
                "interactions": tables.pop("PutInteractions", []),
                "tables": tables,
            }
        )
    return _json({"records": items})


async def log(request: Request) -> Response:
    """The HACP exchange log, session ids masked (``?student_id=``,
    ``?course_id=``, ``?limit=``, default 200)."""
    limit = request.query_params.get("limit", "200")
    found = _store(request).exchanges(
        student_id=request.query_params.get("student_id"),
        course_id=request.query_params.get("course_id"),
        limit=int(limit) if limit.isdigit() else 200,
    )
    return _json({"exchanges": [e.to_dict() for e in found]})


def api_routes() -> list[Route]:
    """The ``/api`` routes."""
    return [
        Route("/api/health", _guarded(health), methods=["GET"]),
        Route("/api/profiles", _guarded(profiles), methods=["GET"]),
        Route("/api/profile", _guarded(profile), methods=["GET", "PUT"]),
        Route("/api/courses", _guarded(courses), methods=["GET", "POST"]),
        Route(
            "/api/courses/{course_id}",
            _guarded(course),
            methods=["GET", "PATCH", "DELETE"],
        ),
        Route("/api/launches", _guarded(launches), methods=["POST"]),
        Route("/api/records", _guarded(records), methods=["GET"]),
        Route("/api/log", _guarded(log), methods=["GET"]),
    ]
