"""Importing packages: through the API and the page, replaced in place, refused
with exactly the diagnostics ``aiccbridge package validate`` gives."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from aiccbridge.cli import run
from aiccbridge.core import AssignableUnit, StructureRow
from tests.sandbox.conftest import (
    CORPUS,
    TestClient,
    course_zip,
    launch,
    record,
    require_corpus,
    upload,
    zip_folder,
)


def validate(path: Path) -> dict[str, Any]:
    """What ``aiccbridge package validate --json`` says of one package."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run(["package", "validate", "--json", str(path)])
    (reading,) = json.loads(out.getvalue())["packages"]
    return dict(reading)


def without(data: bytes, suffix: str) -> bytes:
    """A copy of a zip without its members ending in ``suffix``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            if not name.endswith(suffix):
                archive.writestr(name, source.read(name))
    return buffer.getvalue()


def test_added_unchanged_replaced(client: TestClient) -> None:
    first = upload(client, course_zip(), source="C-1.zip")
    assert first.status_code == 201 and first.json()["action"] == "added"
    again = upload(client, course_zip())
    assert (again.status_code, again.json()["action"]) == (200, "unchanged")
    learner = launch(client)
    learner.send("GetParam")
    learner.put("[Core]\r\nLesson_Status=incomplete\r\nLesson_Location=p3\r\n")
    changed = upload(client, course_zip(title="First Course, second edition"))
    assert changed.json()["action"] == "replaced"
    assert changed.json()["course"]["revision"] == 2
    (course,) = client.get("/api/courses").json()["courses"]
    assert course["title"] == "First Course, second edition"
    assert record(client)["location"] == "p3"


def test_a_refused_package_gets_the_validate_diagnostics(
    client: TestClient, tmp_path: Path
) -> None:
    data = without(course_zip(), ".au")
    response = upload(client, data)
    assert response.status_code == 422
    body = response.json()
    assert body["action"] == "refused" and "AICC101" in body["reason"]
    path = tmp_path / "broken.zip"
    path.write_bytes(data)
    assert body["diagnostics"] == validate(path)["diagnostics"]
    assert client.get("/api/courses").json()["courses"] == []


def test_not_a_zip_is_refused_like_validate_does(
    client: TestClient, tmp_path: Path
) -> None:
    path = tmp_path / "notes.zip"
    path.write_bytes(b"these are not the packages you are looking for")
    body = upload(client, path.read_bytes()).json()
    expected = validate(path)["diagnostics"]
    assert [d["code"] for d in body["diagnostics"]] == ["AICC100"]
    assert body["diagnostics"][0]["code"] == expected[0]["code"]


def test_the_page_imports_several_packages(client: TestClient) -> None:
    files = [
        ("package", ("one.zip", course_zip("ONE", "One"), "application/zip")),
        ("package", ("two.zip", course_zip("TWO", "Two"), "application/zip")),
        ("package", ("bad.zip", b"junk", "application/zip")),
    ]
    response = client.post("/courses", files=files, data={"profile": "ilias"})
    assert response.status_code == 422
    assert "one.zip: added" in response.text and "bad.zip: refused" in response.text
    ids = {
        c["course_id"]: c["profile"]
        for c in client.get("/api/courses").json()["courses"]
    }
    assert ids == {"ONE": "ilias", "TWO": "ilias"}
    page = client.get("/").text
    assert "ONE" in page and "TWO" in page and "No course imported" not in page


def test_courses_show_their_structure(client: TestClient) -> None:
    aus = tuple(
        AssignableUnit(f"A{n}", f"https://content.example.com/{n}") for n in (1, 2, 3)
    )
    structure = (
        StructureRow("Root", ("B1", "A3")),
        StructureRow("B1", ("A1", "B2")),
        StructureRow("B2", ("A2",)),
    )
    titles = {
        "A1": "Intro",
        "A2": "Deep dive",
        "A3": "Wrap-up",
        "B1": "Part one",
        "B2": "Part two",
    }
    data = course_zip("PATH-1", "A path", aus=aus, structure=structure, titles=titles)
    assert upload(client, data).status_code == 201
    page = client.get("/courses/PATH-1").text
    order = [
        page.index(word)
        for word in ("Part one", "Intro", "Part two", "Deep dive", "Wrap-up")
    ]
    assert order == sorted(order)
    assert page.count("<ul>") >= 3
    api = client.get("/api/courses/PATH-1").json()
    assert [row["block"] for row in api["structure"]] == ["Root", "B1", "B2"]
    assert launch(client, "PATH-1").launch_url.startswith(
        "https://content.example.com/1?"
    )
    assert launch(client, "PATH-1", au_id="A3").launch_url.startswith(
        "https://content.example.com/3?"
    )


def test_retire_and_purge(client: TestClient, course: str) -> None:
    learner = launch(client)
    learner.send("GetParam")
    assert client.delete("/api/courses/C-1").json()["action"] == "retired"
    assert client.get("/api/courses").json()["courses"] == []
    refused = client.post("/api/launches", json={"course_id": "C-1", "student_id": "x"})
    assert refused.status_code == 400 and "retired" in refused.json()["error"]
    assert len(client.get("/api/records").json()["records"]) == 1
    assert upload(client, course_zip()).json()["action"] == "added"
    assert (
        client.delete("/api/courses/C-1", params={"purge": "1"}).json()["action"]
        == "deleted"
    )
    assert client.get("/api/records").json()["records"] == []
    assert client.get("/api/courses/C-1").status_code == 404


def test_too_big_an_upload_is_refused(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aiccbridge.sandbox._api.MAX_UPLOAD_BYTES", 100)
    assert upload(client, course_zip()).status_code == 413


def _corpus_packages() -> list[str]:
    folder = CORPUS / "aicc"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else ["<absent>"]


@pytest.mark.corpus
@pytest.mark.parametrize("name", _corpus_packages())
def test_every_corpus_package_imports_or_is_refused_like_validate(
    client: TestClient, tmp_path: Path, name: str
) -> None:
    folder = require_corpus("aicc") / name
    zips = sorted(folder.glob("*.zip"))
    data = zips[0].read_bytes() if zips else zip_folder(folder)
    path = tmp_path / f"{name}.zip"
    path.write_bytes(data)
    expected = validate(path)
    body = upload(client, data).json()
    assert body["diagnostics"] == expected["diagnostics"]
    imported = body["action"] != "refused"
    assert imported == (
        expected["ok"] and expected["course"] is not None and bool(expected["aus"])
    )
    if imported:
        assert body["course"]["course_id"] == expected["course"]["id"]
