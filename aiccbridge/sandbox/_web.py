"""The sandbox's page routes, the content of imported packages, and ``/hacp``."""

from __future__ import annotations

import logging
import mimetypes
import zipfile
from io import BytesIO
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from aiccbridge.core import AiccBridgeError
from aiccbridge.sandbox._api import MAX_UPLOAD_BYTES, ApiProblem, read_limited
from aiccbridge.sandbox._engine import (
    DEFAULT_PROFILE_KEY,
    answer_hacp,
    default_profile,
    effective_profile,
    start_launch,
)
from aiccbridge.sandbox._importing import ImportResult, import_package
from aiccbridge.sandbox._pages import (
    course_page,
    import_page,
    index_page,
    log_page,
    message_page,
    profiles_page,
    record_page,
)
from aiccbridge.sandbox._profiles import get_profile
from aiccbridge.sandbox._store import Learner, SandboxStore

__all__ = ["MAX_HACP_BYTES", "web_routes"]

logger = logging.getLogger(__name__)

MAX_HACP_BYTES = 1024 * 1024
"""The largest HACP request body the sandbox reads."""

_NO_STORE = {"Cache-Control": "no-store"}


def _store(request: Request) -> SandboxStore:
    store: SandboxStore = request.app.state.store
    return store


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=_NO_STORE)


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _not_found(what: str) -> HTMLResponse:
    return _html(message_page("Not found", what), 404)


def _guarded(handler: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            response: Response = await handler(request)
        except AiccBridgeError as exc:
            return _html(message_page("Refused", exc.message, exc.hint), 400)
        except ApiProblem as problem:
            return _html(message_page("Refused", problem.message), problem.status)
        return response

    endpoint.__doc__ = handler.__doc__
    return endpoint


async def index(request: Request) -> Response:
    """The front page."""
    store = _store(request)
    return _html(index_page(default_profile(store), store.courses(), store.records()))


async def set_profile(request: Request) -> Response:
    """Switch the sandbox's profile (a form post)."""
    form = await request.form()
    _store(request).set_setting(
        DEFAULT_PROFILE_KEY, get_profile(str(form.get("profile", ""))).name
    )
    return _back("/")


async def upload(request: Request) -> Response:
    """Import the packages of a multipart form (field ``package``)."""
    store = _store(request)
    form = await request.form(max_part_size=MAX_UPLOAD_BYTES)
    wanted = str(form.get("profile") or "")
    profile = get_profile(wanted).name if wanted else None
    results: list[ImportResult] = []
    for item in form.getlist("package"):
        if isinstance(item, UploadFile):
            data = await item.read()
            source = item.filename or "upload.zip"
            results.append(import_package(store, data, source=source, profile=profile))
    if not results:
        return _html(message_page("Import", "no package file was sent"), 400)
    status = 200 if all(r.ok for r in results) else 422
    return _html(import_page(results), status)


async def show_course(request: Request) -> Response:
    """One course and its structure."""
    store = _store(request)
    course = store.course(request.path_params["course_id"])
    if course is None:
        return _not_found("no such course in the sandbox")
    found = store.records(course_id=course.course_id)
    return _html(course_page(course, effective_profile(store, course), found))


async def set_course_profile(request: Request) -> Response:
    """Set or clear a course's own profile (a form post)."""
    store = _store(request)
    course = store.course(request.path_params["course_id"])
    if course is None:
        return _not_found("no such course in the sandbox")
    wanted = str((await request.form()).get("profile") or "")
    store.update_course(
        course.course_id, profile=get_profile(wanted).name if wanted else None
    )
    return _back(str(request.url_for("course", course_id=course.course_id)))


async def launch(request: Request) -> Response:
    """Start a launch from the form and send the new window to the AU."""
    store = _store(request)
    form = await request.form()
    course = store.course(str(form.get("course_id", "")))
    if course is None:
        return _not_found("no such course in the sandbox")
    student = str(form.get("student_id", "")).strip()
    learner = Learner(student, str(form.get("student_name") or student).strip())
    try:
        started = start_launch(
            store,
            str(request.base_url),
            course,
            learner,
            au_id=str(form.get("au_id") or "") or None,
            lesson_mode=str(form.get("lesson_mode", "normal")),
            credit=str(form.get("credit", "credit")),
        )
    except AiccBridgeError as exc:
        return _html(message_page("Launch refused", exc.message, exc.hint), 400)
    return _back(started.url)


async def show_record(request: Request) -> Response:
    """Everything recorded for one learner and AU."""
    store = _store(request)
    query = request.query_params
    student, course_id = query.get("student", ""), query.get("course", "")
    record = store.record(student, course_id, query.get("au", ""))
    found = store.exchanges(student_id=student, course_id=course_id)
    tables = store.tables(record.student_id, record.course_id, record.au_id)
    return _html(record_page(record, store.learner(student), tables, found))


async def show_log(request: Request) -> Response:
    """The latest HACP exchanges."""
    return _html(log_page(_store(request).exchanges()))


async def show_profiles(request: Request) -> Response:
    """The profiles and their habits."""
    return _html(profiles_page(default_profile(_store(request))))


async def content(request: Request) -> Response:
    """A file inside an imported package, for AUs with a relative ``File_Name``."""
    store = _store(request)
    data = store.course_zip(request.path_params["course_id"])
    if data is None:
        return _not_found("no such course in the sandbox")
    member = _member(data, request.path_params["path"])
    if member is None:
        return _not_found("the package holds no such file")
    kind = mimetypes.guess_type(request.path_params["path"])[0]
    return Response(member, media_type=kind or "application/octet-stream")


def _member(data: bytes, path: str) -> bytes | None:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        names = {name.lower(): name for name in archive.namelist()}
        name = names.get(path.lower())
        if name is None or name.endswith("/"):
            return None
        return archive.read(name)


async def hacp(request: Request) -> Response:
    """The HACP endpoint: a form POST, or a GET with the fields in the query."""
    if request.method == "GET":
        body: bytes | str = request.url.query
    else:
        try:
            body = await read_limited(request, MAX_HACP_BYTES)
        except ApiProblem as problem:
            return Response(problem.message, status_code=problem.status)
    kind = request.headers.get("content-type")
    answer = answer_hacp(_store(request), body, kind)
    return Response(
        answer.body,
        status_code=answer.status,
        headers={"Content-Type": answer.content_type, **_NO_STORE},
    )


def web_routes() -> list[Route]:
    """The page routes, ``/content`` and ``/hacp``."""
    routes: list[tuple[str, Any, list[str], str | None]] = [
        ("/", index, ["GET"], None),
        ("/profile", set_profile, ["POST"], None),
        ("/courses", upload, ["POST"], None),
        ("/courses/{course_id}", show_course, ["GET"], "course"),
        ("/courses/{course_id}/profile", set_course_profile, ["POST"], None),
        ("/launch", launch, ["POST"], None),
        ("/record", show_record, ["GET"], None),
        ("/log", show_log, ["GET"], None),
        ("/profiles", show_profiles, ["GET"], None),
        ("/content/{course_id}/{path:path}", content, ["GET"], None),
        ("/hacp", hacp, ["GET", "POST"], None),
    ]
    return [
        Route(path, _guarded(endpoint), methods=methods, name=name)
        for path, endpoint, methods, name in routes
    ]
