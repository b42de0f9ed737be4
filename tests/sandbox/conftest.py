"""Fixtures for the sandbox LMS tests: an app on an in-memory store, packages,
and a small HACP speaker that launches a course and talks to ``/hacp``."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from aiccbridge.core import (
    AssignableUnit,
    CourseInfo,
    Descriptor,
    Package,
    StructureRow,
    build_zip,
)
from aiccbridge.sandbox import SandboxStore, create_app

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / ".." / "shared" / "corpus"

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def require_corpus(part: str) -> Path:
    """A folder of the shared corpus; skip the test when it is absent."""
    folder = CORPUS / part
    if not folder.is_dir():
        pytest.skip(
            f"the shared corpus is not next to this checkout ({folder}); "
            "CI has it, a plain clone does not"
        )
    return folder


def course_zip(
    course_id: str = "C-1",
    title: str = "First Course",
    *,
    aus: tuple[AssignableUnit, ...] | None = None,
    structure: tuple[StructureRow, ...] | None = None,
    titles: dict[str, str] | None = None,
) -> bytes:
    """A valid package: one AU by default, or the AUs and blocks given."""
    units = aus or (AssignableUnit("A1", f"https://content.example.com/{course_id}"),)
    rows = structure or (StructureRow("Root", tuple(a.system_id for a in units)),)
    names = titles or {a.system_id: title for a in units}
    package = Package(
        "course",
        CourseInfo(course_id, title, "3.5", creator="tests"),
        units,
        tuple(Descriptor(sid, text) for sid, text in names.items()),
        rows,
    )
    return build_zip(package, "ascii")


def zip_folder(folder: Path) -> bytes:
    """The files of a folder as a zip, at its root, in name order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


@pytest.fixture
def store() -> Iterator[SandboxStore]:
    """A sandbox store in memory, on a clock that moves only when told."""
    clock = Clock()
    opened = SandboxStore(":memory:", clock=clock)
    yield opened
    opened.close()


class Clock:
    """A settable clock for the store."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client(store: SandboxStore) -> Iterator[TestClient]:
    """The sandbox app on ``store``, as an HTTP client (base http://testserver)."""
    with TestClient(create_app(store)) as test_client:
        yield test_client


@dataclass
class Learner:
    """One launched session, spoken to like an AU does."""

    client: TestClient
    sid: str
    launch_url: str

    def send(self, command: str, aicc_data: str = "", **extra: str) -> httpx.Response:
        fields = {
            "command": command,
            "version": extra.pop("version", "4.0"),
            "session_id": extra.pop("session_id", self.sid),
            "aicc_data": aicc_data,
        }
        return self.client.post("/hacp", data=fields)

    def put(self, aicc_data: str, **extra: str) -> httpx.Response:
        return self.send("PutParam", aicc_data, **extra)


def upload(client: TestClient, data: bytes, **params: str) -> httpx.Response:
    """Import a package through the JSON API."""
    return client.post("/api/courses", content=data, params=params)


def launch(
    client: TestClient,
    course_id: str = "C-1",
    student_id: str = "learner-1",
    name: str = "Doe, Jane",
    **extra: Any,
) -> Learner:
    """Start a launch through the JSON API and read its AICC_SID."""
    body = {"course_id": course_id, "student_id": student_id, "student_name": name}
    response = client.post("/api/launches", json={**body, **extra})
    assert response.status_code == 201, response.text
    url = response.json()["launch_url"]
    query = {k.lower(): v for k, v in parse_qsl(urlsplit(url).query)}
    return Learner(client, query["aicc_sid"], url)


@pytest.fixture
def course(client: TestClient) -> str:
    """One imported one-AU course, ``C-1``."""
    assert upload(client, course_zip()).status_code == 201
    return "C-1"


def record(client: TestClient, course_id: str = "C-1") -> dict[str, Any]:
    """The only record of a course, from the JSON API."""
    (found,) = client.get("/api/records", params={"course_id": course_id}).json()[
        "records"
    ]
    return dict(found)
