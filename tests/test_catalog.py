"""Tests of the catalog reader: encodings, CSV and JSON shapes, row rules."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
import tempfile
import threading
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aiccbridge.catalog as catalog_module
from aiccbridge.catalog import (
    CATALOG_FIELDS,
    KINDS,
    Catalog,
    CatalogEntry,
    CatalogError,
    CatalogNote,
    CatalogSpec,
    RejectedRow,
    read_catalog,
)
from aiccbridge.core import AiccBridgeError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "catalogs"
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
CORPUS_CATALOGS = CORPUS / "catalogs"

PROVIDER_COLUMNS = {
    "id": "Course ID",
    "title": "Name",
    "description": "Summary",
    "url": "Link",
    "kind": "Type",
    "children": "Members",
    "language": "Lang",
    "duration": "Minutes",
    "mastery_score": "Pass Mark",
}
UDEMY_COLUMNS = {
    "id": "course_id",
    "title": "course_title",
    "url": "url",
    "duration": "content_duration",
    "subject": "subject",
}
QUOTING = "line break inside title: the file's quoting looks broken"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    return path


def read(path: Path, columns: Mapping[str, str] | None = None, **kw: str) -> Catalog:
    return read_catalog(CatalogSpec(path, dict(columns or {}), **kw))


def read_text(tmp_path: Path, content: str | bytes, name: str = "c.csv") -> Catalog:
    return read(write(tmp_path, name, content))


def only_entry(catalog: Catalog) -> CatalogEntry:
    assert not catalog.rejected, catalog.rejected
    assert len(catalog.entries) == 1, catalog.entries
    return catalog.entries[0]


def only_entry_of(catalog: Catalog, ident: str) -> CatalogEntry:
    assert [entry.id for entry in catalog.entries] == [ident]
    return catalog.entries[0]


def reasons(catalog: Catalog) -> list[str]:
    return [row.reason for row in catalog.rejected]


def messages(catalog: Catalog) -> list[str]:
    return [note.message for note in catalog.notes]


def one_row(tmp_path: Path, header: str, row: str) -> Catalog:
    return read_text(tmp_path, f"{header}\n{row}\n")


def require_corpus(name: str) -> Path:
    path = CORPUS_CATALOGS / name
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS_CATALOGS} (no ../shared here)")
    return path


# --- the public surface -------------------------------------------------------


def test_public_names_are_pinned() -> None:
    assert sorted(catalog_module.__all__) == sorted(
        [
            "CATALOG_FIELDS",
            "DURATION_UNITS",
            "KINDS",
            "Catalog",
            "CatalogEntry",
            "CatalogError",
            "CatalogNote",
            "CatalogSpec",
            "RejectedRow",
            "read_catalog",
        ]
    )


def test_fields_and_kinds() -> None:
    assert CATALOG_FIELDS[0] == "id"
    assert len(CATALOG_FIELDS) == len(set(CATALOG_FIELDS)) == 13
    assert set(CATALOG_FIELDS) >= {"title", "children", "duration", "mastery_score"}
    assert KINDS == ("course", "learning_path", "video")


def test_catalog_error_is_an_aiccbridge_error(tmp_path: Path) -> None:
    with pytest.raises(AiccBridgeError) as caught:
        read(tmp_path / "absent.csv")
    assert isinstance(caught.value, CatalogError)
    assert caught.value.hint


def test_content_key_ignores_the_line() -> None:
    first = CatalogEntry("a", "A", 2, duration_seconds=60)
    again = CatalogEntry("a", "A", 9, duration_seconds=60)
    other = CatalogEntry("a", "A", 2, duration_seconds=61)
    assert first != again
    assert first.content_key() == again.content_key()
    assert first.content_key() != other.content_key()
    assert len(first.content_key()) == 13


def test_by_id(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title\nb,B\na,A\n")
    assert list(catalog.by_id()) == ["b", "a"]
    assert catalog.by_id()["a"].title == "A"


# --- the CSV fixture that exercises most row rules ---------------------------


@pytest.fixture(scope="module")
def provider() -> Catalog:
    return read(FIXTURES / "provider.csv", PROVIDER_COLUMNS)


def test_provider_entries(provider: Catalog) -> None:
    lines = {entry.id: entry.line for entry in provider.entries}
    assert lines == {
        "C-100": 2,
        "V-200": 4,
        "LP-1": 5,
        "C-101": 6,
        "C-102": 7,
        "C-108": 21,
        "C-109": 22,
    }
    assert provider.encoding == "utf-8"


def test_provider_full_entry(provider: Catalog) -> None:
    assert provider.by_id()["C-100"] == CatalogEntry(
        id="C-100",
        title="Safe Lifting",
        line=2,
        description="Lift with your legs.\nKeep the load close.",
        url="https://learn.example.com/c/100",
        kind="course",
        language="en-us",
        duration_seconds=45 * 60,
        updated="2024-03-01",
        author="Dana Smith",
        subject="Safety",
        active=True,
        mastery_score=80.0,
    )


def test_provider_video_and_path(provider: Catalog) -> None:
    video, path = provider.by_id()["V-200"], provider.by_id()["LP-1"]
    assert (video.kind, video.language, video.active) == ("video", "pt-br", False)
    assert video.duration_seconds == 750
    assert video.updated == "2024-03-01T10:00:00Z"
    assert path.kind == "learning_path"
    assert path.children == ("C-100", "V-200")


def test_provider_rejections(provider: Catalog) -> None:
    assert provider.rejected == (
        RejectedRow(8, "C-103", "title is empty"),
        RejectedRow(9, "", "id is empty"),
        RejectedRow(
            10,
            "bad id!",
            "id 'bad id!' holds ' '; only letters, digits and - _ . : are allowed",
        ),
        RejectedRow(
            11, "C-104", "kind 'webinar' is not one of course, learning_path, video"
        ),
        RejectedRow(12, "LP-2", "learning_path has no children"),
        RejectedRow(13, "LP-3", "learning_path lists itself as a child"),
        RejectedRow(16, "C-101", "id already used on line 6 with different content"),
        RejectedRow(17, "C-105", QUOTING),
        RejectedRow(
            19,
            "C-107",
            "row has 14 fields but the header has 13: "
            "an unquoted delimiter inside a value?",
        ),
    )


def test_provider_notes(provider: Catalog) -> None:
    assert provider.notes == (
        CatalogNote(
            6, "C-101", "duration '4 hours' is not a number of minutes; dropped"
        ),
        CatalogNote(
            7,
            "C-102",
            "url 'ftp://files.example.com/c/102' is not an http(s) address with a "
            "host; dropped",
        ),
        CatalogNote(
            7,
            "C-102",
            "language 'English' is not a language tag such as 'en' or 'pt-BR'; dropped",
        ),
        CatalogNote(
            7, "C-102", "active 'maybe' is not true/false, yes/no, y/n or 1/0; dropped"
        ),
        CatalogNote(
            7, "C-102", "mastery_score '120' is not a number from 0 to 100; dropped"
        ),
        CatalogNote(14, "C-100", "exact duplicate of line 2; folded into it"),
    )


def test_provider_dropped_values_leave_defaults(provider: Catalog) -> None:
    kept = provider.by_id()["C-102"]
    assert (kept.url, kept.language, kept.active, kept.mastery_score) == (
        "",
        "",
        True,
        None,
    )
    assert kept.duration_seconds == 20 * 60
    assert provider.by_id()["C-101"].duration_seconds is None


# --- encodings and unreadable files -------------------------------------------


def test_utf8_bom_is_stripped_from_the_first_header(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, b"\xef\xbb\xbfid,title\r\nA,Caf\xc3\xa9\r\n")
    assert catalog.encoding == "utf-8-sig"
    assert only_entry(catalog).title == "Café"


def test_plain_utf8(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title\nA,Naïve – ok\n")
    assert catalog.encoding == "utf-8"
    assert only_entry(catalog).title == "Naïve – ok"


def test_cp1252_fallback(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, b"id,title\nA,Caf\xe9 \x80 5\n")
    assert catalog.encoding == "cp1252"
    assert only_entry(catalog).title == "Café € 5"


def test_bom_with_cp1252_body(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, b"\xef\xbb\xbfid,title\nA,Caf\xe9\n")
    assert catalog.encoding == "cp1252"
    assert only_entry(catalog).title == "Café"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "id,title\nA,B\n".encode("utf-16"),
        b"id,title\nA,\x81\x8d\x8f\x90\x9d\n",
    ],
    ids=["png", "utf-16", "undefined-cp1252-bytes"],
)
def test_not_a_text_file(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "c.csv", data)
    with pytest.raises(CatalogError, match="not a text file") as caught:
        read(path)
    assert str(path) in caught.value.message


MIXED = "id,title\nM1,Sécurité au travail\nM2,Führung\n".encode() + b"M3,Caf\xe9\n"
MIXED_REASON = "not valid UTF-8 (byte 0x{:02x} at offset {}); the file mixes encodings"


def test_mixed_encodings_reject_only_the_foreign_rows(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, MIXED)
    assert catalog.encoding == "utf-8"
    titles = [(e.id, e.title) for e in catalog.entries]
    assert titles == [("M1", "Sécurité au travail"), ("M2", "Führung")]
    offset = MIXED.index(b"\xe9")
    assert catalog.rejected == (
        RejectedRow(4, "M3", MIXED_REASON.format(0xE9, offset)),
    )
    assert not catalog.notes


def test_mixed_encodings_offsets_count_the_bom(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + MIXED
    catalog = read_text(tmp_path, data)
    assert catalog.encoding == "utf-8-sig"
    assert [e.id for e in catalog.entries] == ["M1", "M2"]
    assert reasons(catalog) == [MIXED_REASON.format(0xE9, data.index(b"\xe9"))]


def test_mixed_encodings_when_cp1252_cannot_read_the_utf8(tmp_path: Path) -> None:
    # "Á" is C3 81 in UTF-8, and 0x81 means nothing in Windows-1252.
    data = "id,title\nA,Ágil\n".encode() + b"B,Ol\xe9\nC,Fine\nD,Z\x81\xe9\n"
    catalog = read_text(tmp_path, data)
    assert [(e.id, e.title) for e in catalog.entries] == [("A", "Ágil"), ("C", "Fine")]
    assert catalog.rejected == (
        RejectedRow(3, "B", MIXED_REASON.format(0xE9, data.index(b"\xe9"))),
        RejectedRow(5, "D", MIXED_REASON.format(0x81, data.rindex(b"\x81"))),
    )


def test_mixed_encodings_reject_the_whole_multiline_record(tmp_path: Path) -> None:
    data = 'id,title,description\nA,Ü,"one\ntwo \xe9"\nB,B,\n'.encode("latin-1")
    data = data.replace(b"\xdc", "Ü".encode())
    catalog = read_text(tmp_path, data)
    assert [e.id for e in catalog.entries] == ["B"]
    assert [(r.line, r.id) for r in catalog.rejected] == [(2, "A")]
    assert catalog.entries[0].line == 4


def test_mixed_encodings_bad_byte_in_an_id_is_not_passed_on(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title\nA,Ü\n".encode() + b"Caf\xe9,T\n")
    assert [r.id for r in catalog.rejected] == ["Caf\ufffd"]
    assert [e.id for e in catalog.entries] == ["A"]


def test_mixed_encodings_in_the_header_is_an_error(tmp_path: Path) -> None:
    data = b"id,title,dur\xe9e\n" + "A,Ü,5\n".encode()
    with pytest.raises(CatalogError, match="header line is not valid UTF-8") as caught:
        read_text(tmp_path, data)
    assert "byte 0xe9 at offset 12" in caught.value.message


def test_mixed_encodings_in_json(tmp_path: Path) -> None:
    data = '[\n{"id": "A", "title": "Ü"},\n'.encode() + b'{"id": "B", "title": "\xe9"}]'
    catalog = read_text(tmp_path, data, "c.json")
    assert [e.title for e in catalog.entries] == ["Ü"]
    offset = data.index(b"\xe9")
    assert catalog.rejected == (RejectedRow(3, "B", MIXED_REASON.format(0xE9, offset)),)


def test_mixed_encodings_json_syntax_error_names_the_byte(tmp_path: Path) -> None:
    data = '[{"id": "A", "title": "Ü"},\n'.encode() + b"\xe9]"
    with pytest.raises(CatalogError) as caught:
        read_text(tmp_path, data, "c.json")
    message = caught.value.message
    assert (
        "c.json:2: not valid JSON: not valid UTF-8 (byte 0xe9 at offset 29)" in message
    )


def test_neither_encoding_reports_the_offset_in_the_file(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfid,title\nA,Caf\xe9\nB,\x81\n"
    with pytest.raises(CatalogError, match="not a text file") as caught:
        read_text(tmp_path, data)
    offset = data.index(b"\x81")
    assert f"byte 0x81 at offset {offset} is neither UTF-8 nor" in caught.value.message


@pytest.mark.corpus
def test_udemy_with_one_appended_cp1252_row(tmp_path: Path) -> None:
    source = require_corpus("udemy_courses.csv")
    path = tmp_path / "udemy.csv"
    shutil.copyfile(source, path)
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    size = path.stat().st_size
    with path.open("ab") as handle:
        handle.write(b"M3,Caf\xe9,https://www.udemy.com/m3/,True,0,1,1,1,All,1,x,y\n")
    catalog = read(path, UDEMY_COLUMNS, duration_unit="hours")
    assert catalog.encoding == "utf-8"
    assert len(catalog.entries) == 3659
    assert catalog.rejected[-1].id == "M3"
    assert catalog.rejected[-1].reason == MIXED_REASON.format(0xE9, size + 6)
    clean = read(source, UDEMY_COLUMNS, duration_unit="hours")
    assert catalog.entries == clean.entries
    assert catalog.rejected[:-1] == clean.rejected


@pytest.mark.parametrize("content", ["", "\n\n  \r\n", "\ufeff"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    with pytest.raises(CatalogError, match="empty"):
        read_text(tmp_path, content)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "catalog.csv"
    with pytest.raises(CatalogError, match="not found") as caught:
        read(path)
    assert str(path) in caught.value.message


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "catalog.csv"
    folder.mkdir()
    with pytest.raises(CatalogError, match="folder"):
        read(folder)


def test_a_device_is_not_a_regular_file(tmp_path: Path) -> None:
    for device in (Path("/dev/null"), Path("/dev/zero")):
        if not device.exists():
            pytest.skip(f"{device} does not exist here")
        with pytest.raises(CatalogError, match="not a regular file"):
            read(device, format="csv")


def _read_in_thread(path: Path, outcome: list[BaseException | Catalog]) -> None:
    try:
        outcome.append(read(path))
    except BaseException as error:
        outcome.append(error)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "c.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException | Catalog] = []
    reader = threading.Thread(target=_read_in_thread, args=(fifo, outcome))
    reader.daemon = True
    reader.start()
    reader.join(5)
    if reader.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(5)
        pytest.fail("reading a named pipe blocked until a writer came")
    assert isinstance(outcome[0], CatalogError), outcome
    assert "not a regular file" in outcome[0].message


def test_file_over_the_size_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "c.csv", "id,title\na,A\n")
    monkeypatch.setattr(catalog_module, "_MAX_BYTES", 12)
    with pytest.raises(CatalogError, match="larger than 0 MiB"):
        read(path)
    monkeypatch.setattr(catalog_module, "_MAX_BYTES", 13)
    assert only_entry(read(path)).id == "a"


def test_read_is_bounded_when_the_size_is_not_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    status = Path("/proc/self/status")
    if not status.is_file() or status.stat().st_size:
        pytest.skip("no /proc file that reports size 0 here")
    monkeypatch.setattr(catalog_module, "_MAX_BYTES", 16)
    with pytest.raises(CatalogError, match="larger than"):
        read(status, format="csv")


# --- the spec -----------------------------------------------------------------


def test_format_from_extension_and_override(tmp_path: Path) -> None:
    path = write(tmp_path, "export.dat", '[{"id": "a", "title": "A"}]')
    with pytest.raises(CatalogError, match="format"):
        read(path)
    assert only_entry(read(path, format="json")).id == "a"
    tsv = write(tmp_path, "export.tsv", "id\ttitle\na\tA\n")
    assert only_entry(read(tsv)).title == "A"


@pytest.mark.parametrize(
    ("kw", "columns", "match"),
    [
        ({"duration_unit": "days"}, {}, "duration_unit"),
        ({"format": "xml"}, {}, "format"),
        ({}, {"titel": "title"}, "unknown field 'titel'"),
        ({}, {"title": "  "}, "must name a column"),
    ],
)
def test_bad_spec(
    tmp_path: Path, kw: dict[str, str], columns: dict[str, str], match: str
) -> None:
    path = write(tmp_path, "c.csv", "id,title\na,A\n")
    with pytest.raises(CatalogError, match=match):
        read(path, columns, **kw)


def test_missing_mapped_column_names_field_column_and_file(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,title,minutes\na,A,5\n")
    with pytest.raises(CatalogError) as caught:
        read(path, {"duration": "length"})
    message = caught.value.message
    assert "'duration'" in message and "'length'" in message and str(path) in message
    assert "'minutes'" in (caught.value.hint or "")


def test_required_field_without_column(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no column for the catalog field 'title'"):
        read_text(tmp_path, "id,name\na,A\n")


def test_header_match_ignores_case_but_exact_wins(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "ID,Title,title,AUTHOR\na,Loose,Exact,Kim\n")
    entry = only_entry(catalog)
    assert (entry.id, entry.title, entry.author) == ("a", "Exact", "Kim")


def test_ambiguous_header(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="appears 2 times"):
        read_text(tmp_path, "id,Title,TITLE\na,A,B\n")


def test_mapped_column_case_insensitive(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "Code,Course Name\nX1,Hello\n")
    entry = only_entry(read(path, {"id": "code", "title": "course name"}))
    assert (entry.id, entry.title) == ("X1", "Hello")


# --- CSV shape ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "id;title;duration\na;A, with comma;1,5\n",
        "id\ttitle\tduration\na\tA, with comma\t1,5\n",
    ],
    ids=["semicolon", "tab"],
)
def test_other_delimiters(tmp_path: Path, content: str) -> None:
    entry = only_entry(read_text(tmp_path, content))
    assert (entry.title, entry.duration_seconds) == ("A, with comma", 90)


def test_comma_wins_when_the_header_has_one(tmp_path: Path) -> None:
    entry = only_entry(read_text(tmp_path, "id,title\na,x;y\n"))
    assert entry.title == "x;y"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_with_multiline_fields(tmp_path: Path, newline: str) -> None:
    rows = ["id,title,description", 'a,A,"one', 'two"', "", "b,B,plain"]
    catalog = read_text(tmp_path, newline.join(rows) + newline)
    assert [(e.id, e.line) for e in catalog.entries] == [("a", 2), ("b", 5)]
    assert catalog.entries[0].description == "one\ntwo"


def test_leading_blank_lines_before_the_header(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "\n\nid,title\na,A\n")
    assert only_entry(catalog).line == 4


def test_no_header_line(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="no header line"):
        read_text(tmp_path, ",,,\n , ,\n")


def test_json_values_that_are_not_text(tmp_path: Path) -> None:
    items = [
        {"id": True, "title": "A"},
        {"id": "b", "title": {"en": "B"}},
        {"id": "c", "title": "C", "author": ["Kim", "Lee"]},
    ]
    catalog = read_text(tmp_path, json.dumps(items), "c.json")
    assert catalog.rejected == (
        RejectedRow(1, "", "id is a JSON boolean, not text"),
        RejectedRow(1, "b", "title is a JSON object, not text"),
    )
    assert only_entry_of(catalog, "c").author == ""
    assert messages(catalog) == ["author is a JSON list, not text; dropped"]


def test_header_only(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title\n")
    assert (catalog.entries, catalog.rejected, catalog.notes) == ((), (), ())


def test_broken_quoting_rejects_the_record(tmp_path: Path) -> None:
    content = (
        'id,title,url\na,"Open,https://x.example/a\nb,Rest",https://x.example/b\nc,C,\n'
    )
    catalog = read_text(tmp_path, content)
    assert catalog.rejected == (RejectedRow(2, "a", QUOTING),)
    assert [(e.id, e.line) for e in catalog.entries] == [("c", 4)]


@pytest.mark.parametrize("field", ["id", "url"])
def test_line_break_in_id_or_url(tmp_path: Path, field: str) -> None:
    values = {"id": "ab", "title": "T", "url": "https://x.example/"}
    values[field] = values[field][:1] + "\n" + values[field][1:]
    row = ",".join(f'"{values[k]}"' for k in ("id", "title", "url"))
    catalog = one_row(tmp_path, "id,title,url", row)
    expected = f"line break inside {field}: the file's quoting looks broken"
    assert reasons(catalog) == [expected]
    assert catalog.rejected[0].id == ("a" if field == "id" else "ab")


def test_unclosed_quote_beyond_the_field_limit(tmp_path: Path) -> None:
    content = 'id,title\na,A\nb,"' + "x" * (16 * 1024 * 1024 + 1) + "\n"
    with pytest.raises(CatalogError, match=r"c\.csv:3: cannot read the CSV") as caught:
        read_text(tmp_path, content)
    assert "a field is larger than 16 MiB" in caught.value.message
    assert "unclosed quote" in (caught.value.hint or "")


def test_field_over_128_kib_is_read(tmp_path: Path) -> None:
    long = "x" * 300_000
    catalog = read_text(tmp_path, f"id,title,description\na,A,{long}\nb,B,\n")
    assert [len(e.description) for e in catalog.entries] == [300_000, 0]


def test_field_limit_is_restored_after_reading(tmp_path: Path) -> None:
    before = csv.field_size_limit()
    read_text(tmp_path, "id,title\na," + "x" * 200_000 + "\n")
    assert csv.field_size_limit() == before
    with pytest.raises(CatalogError, match="no column"):
        read_text(tmp_path, "id,name\na," + "x" * 200_000 + "\n")
    assert csv.field_size_limit() == before


def test_field_limit_already_larger_is_kept(tmp_path: Path) -> None:
    before = csv.field_size_limit(64 * 1024 * 1024)
    try:
        read_text(tmp_path, "id,title\na,A\n")
        assert csv.field_size_limit() == 64 * 1024 * 1024
    finally:
        csv.field_size_limit(before)


def test_short_rows_and_trailing_empty_cells(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title,author\na,A\nb,B,Kim,,,\n")
    assert [(e.id, e.author) for e in catalog.entries] == [("a", ""), ("b", "Kim")]
    assert not catalog.rejected


def test_rows_of_only_delimiters_are_skipped(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title\n,,\n , \na,A\n")
    assert only_entry(catalog).line == 4


# --- row rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "row", "reason"),
    [
        ("id,title", "a,", "title is empty"),
        ("id,title", "a,   ", "title is empty"),
        ("id,title", "  ,T", "id is empty"),
        ("id,title", "a/b,T", "id 'a/b' holds '/'"),
        ("id,title", "a\tb,T", "id 'a\\tb' holds '\\t'"),
        ("id,title", "café,T", "id 'café' holds 'é'"),
        ("id,title", "a b,T", "id 'a b' holds ' '"),
        ("id,title", f"{'x' * 256},T", "id is 256 characters long; at most 255"),
        ("id,title", ".,T", "id '.' starts with '.'; an id must start with an"),
        ("id,title", "..,T", "id '..' starts with '.'; an id must start with an"),
        ("id,title", "-a,T", "id '-a' starts with '-'"),
        ("id,title", "_a,T", "id '_a' starts with '_'"),
        ("id,title", ":a,T", "id ':a' starts with ':'"),
        ("id,title,kind", "a,T,module", "kind 'module' is not one of"),
        ("id,title,kind", "a,T,path", "learning_path has no children"),
        ("id,title,kind,children", "a,T,path, | ;", "learning_path has no children"),
        ("id,title,kind,children", "a,T,path,b|a", "learning_path lists itself"),
    ],
)
def test_rejected_rows(tmp_path: Path, header: str, row: str, reason: str) -> None:
    catalog = one_row(tmp_path, header, row)
    assert not catalog.entries
    assert len(catalog.rejected) == 1
    assert catalog.rejected[0].reason.startswith(reason)
    assert catalog.rejected[0].line == 2
    assert "\n" not in catalog.rejected[0].reason


def test_longest_allowed_id_and_allowed_punctuation(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, f"id,title\n{'x' * 255},T\na-b_c.d:E9,T\n")
    assert [len(e.id) for e in catalog.entries] == [255, 10]
    assert not catalog.rejected


def test_ids_may_end_or_continue_with_punctuation(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title\n9.,T\nA..b,T\nz:-_,T\n")
    assert [e.id for e in catalog.entries] == ["9.", "A..b", "z:-_"]
    assert not catalog.rejected


def test_reading_goes_on_after_a_rejected_row(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title\na,\nb,B\n,C\nd,D\n")
    assert [e.id for e in catalog.entries] == ["b", "d"]
    assert [(r.line, r.id) for r in catalog.rejected] == [(2, "a"), (4, "")]


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("", "course"),
        ("Course", "course"),
        ("VIDEO", "video"),
        ("learning_path", "learning_path"),
        ("Learning Path", "learning_path"),
        ("learning-path", "learning_path"),
        ("Path", "learning_path"),
    ],
)
def test_kind_words(tmp_path: Path, word: str, kind: str) -> None:
    entry = only_entry(one_row(tmp_path, "id,title,kind,children", f"a,T,{word},b"))
    assert entry.kind == kind
    assert entry.children == (("b",) if kind == "learning_path" else ())


def test_children_split_and_trimmed(tmp_path: Path) -> None:
    row = 'p,T,path," a | b;c,,d ;"'
    entry = only_entry(one_row(tmp_path, "id,title,kind,children", row))
    assert entry.children == ("a", "b", "c", "d")


def test_children_repeated_are_kept_once(tmp_path: Path) -> None:
    catalog = one_row(tmp_path, "id,title,kind,children", "p,T,path,a|b|a")
    assert only_entry(catalog).children == ("a", "b")
    assert messages(catalog) == ["children list an id more than once; kept once"]


def test_children_of_a_course_are_dropped(tmp_path: Path) -> None:
    catalog = one_row(tmp_path, "id,title,children", "c,T,a|b")
    assert only_entry(catalog).children == ()
    assert messages(catalog) == ["children given for a course; dropped"]


def test_unknown_children_are_not_checked_here(tmp_path: Path) -> None:
    catalog = one_row(tmp_path, "id,title,kind,children", "p,T,path,nowhere")
    assert only_entry(catalog).children == ("nowhere",)


@pytest.mark.parametrize(
    ("unit", "value", "seconds"),
    [
        ("minutes", "45", 2700),
        ("minutes", "1.25", 75),
        ("minutes", "1,25", 75),
        ("minutes", "0", 0),
        ("hours", "1.5", 5400),
        ("hours", ",5", 1800),
        ("hours", "0.0125", 45),
        ("seconds", "0.5", 1),
        ("seconds", "2.49", 2),
        ("seconds", "+7", 7),
        ("Minutes", "2", 120),
    ],
)
def test_duration_units(tmp_path: Path, unit: str, value: str, seconds: int) -> None:
    path = write(tmp_path, "c.csv", f'id,title,duration\na,T,"{value}"\n')
    entry = only_entry(read(path, duration_unit=unit))
    assert entry.duration_seconds == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4 hours", "duration '4 hours' is not a number of minutes; dropped"),
        ("1,000.5", "duration '1,000.5' is not a number of minutes; dropped"),
        ("PT4H", "duration 'PT4H' is not a number of minutes; dropped"),
        ("-5", "duration '-5' is negative; dropped"),
        ("nan", "duration 'nan' is not a number of minutes; dropped"),
    ],
)
def test_bad_duration_is_a_note(tmp_path: Path, value: str, message: str) -> None:
    catalog = one_row(tmp_path, "id,title,duration", f'a,T,"{value}"')
    assert only_entry(catalog).duration_seconds is None
    assert catalog.notes == (CatalogNote(2, "a", message),)


HUGE = "1" * 5000


@pytest.mark.parametrize(
    ("unit", "value", "seconds"),
    [("seconds", "315360000", 315360000), ("hours", "87600", 315360000)],
)
def test_duration_of_ten_years_is_kept(
    tmp_path: Path, unit: str, value: str, seconds: int
) -> None:
    path = write(tmp_path, "c.csv", f"id,title,duration\na,T,{value}\n")
    assert only_entry(read(path, duration_unit=unit)).duration_seconds == seconds


@pytest.mark.parametrize(
    ("unit", "value"),
    [
        ("seconds", "315360001"),
        ("hours", "87600.001"),
        ("minutes", HUGE),
        ("hours", "9" * 1_000_001),
        ("seconds", "1" + "0" * 30 + ".5"),
    ],
)
def test_duration_over_ten_years_is_a_note(
    tmp_path: Path, unit: str, value: str
) -> None:
    path = write(tmp_path, "c.csv", f"id,title,duration\na,T,{value}\n")
    catalog = read(path, duration_unit=unit)
    assert only_entry(catalog).duration_seconds is None
    shown = value if len(value) <= 40 else value[:40] + "…"
    assert messages(catalog) == [f"duration {shown!r} is over ten years; dropped"]
    assert len(repr(catalog)) < 1000


def test_huge_mastery_score_is_a_short_note(tmp_path: Path) -> None:
    catalog = one_row(tmp_path, "id,title,mastery_score", f"a,T,{HUGE}")
    assert only_entry(catalog).mastery_score is None
    assert messages(catalog) == [
        f"mastery_score '{HUGE[:40]}…' is not a number from 0 to 100; dropped"
    ]


def test_huge_json_numbers(tmp_path: Path) -> None:
    items = (
        f'[{{"id": "a", "title": "A", "duration": {HUGE}, "mastery_score": {HUGE}}},'
        f'{{"id": {HUGE}, "title": "B"}}, {{"id": "c", "title": {HUGE}}}]'
    )
    catalog = read_text(tmp_path, items, "c.json")
    assert [(e.id, e.duration_seconds, e.mastery_score) for e in catalog.entries] == [
        ("a", None, None),
        ("c", None, None),
    ]
    assert catalog.entries[1].title == HUGE
    assert messages(catalog) == [
        f"duration {HUGE[:40]}… is over ten years; dropped",
        f"mastery_score {HUGE[:40]}… is not a number from 0 to 100; dropped",
    ]
    assert reasons(catalog) == ["id is 5000 characters long; at most 255 allowed"]
    assert len(repr(catalog)) < 20_000


def test_json_integers_still_read_as_numbers(tmp_path: Path) -> None:
    items = '[{"id": 7, "title": "T", "duration": 2, "active": 1, "mastery_score": 70}]'
    entry = only_entry(read_text(tmp_path, items, "c.json"))
    assert (entry.id, entry.duration_seconds, entry.active) == ("7", 120, True)
    assert entry.mastery_score == 70.0 and isinstance(entry.mastery_score, float)


def test_json_container_values_are_shown_short(tmp_path: Path) -> None:
    items = json.dumps([{"id": "a", "title": "T", "active": list(range(10_000))}])
    catalog = read_text(tmp_path, items, "c.json")
    assert messages(catalog) == [
        "active […] is not true/false, yes/no, y/n or 1/0; dropped"
    ]


@pytest.mark.parametrize(
    ("word", "active"),
    [
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        ("y", True),
        ("1", True),
        ("false", False),
        ("No", False),
        ("N", False),
        ("0", False),
        ("", True),
    ],
)
def test_active_words(tmp_path: Path, word: str, active: bool) -> None:
    catalog = one_row(tmp_path, "id,title,active", f"a,T,{word}")
    assert only_entry(catalog).active is active
    assert not catalog.notes


@pytest.mark.parametrize(
    ("value", "score"), [("80", 80.0), ("0", 0.0), ("100", 100.0), ("72,5", 72.5)]
)
def test_mastery_score(tmp_path: Path, value: str, score: float) -> None:
    catalog = one_row(tmp_path, "id,title,mastery_score", f'a,T,"{value}"')
    assert only_entry(catalog).mastery_score == score
    assert not catalog.notes


@pytest.mark.parametrize("value", ["101", "-1", "high", "80 points"])
def test_bad_mastery_score_is_a_note(tmp_path: Path, value: str) -> None:
    catalog = one_row(tmp_path, "id,title,mastery_score", f"a,T,{value}")
    assert only_entry(catalog).mastery_score is None
    assert messages(catalog) == [
        f"mastery_score '{value}' is not a number from 0 to 100; dropped"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://learn.example.com/c/1?x=1#top",
        "http://127.0.0.1:8080/",
        "HTTPS://[::1]/launch",
        "https://user@host.example",
    ],
)
def test_good_urls(tmp_path: Path, url: str) -> None:
    catalog = one_row(tmp_path, "id,title,url", f"a,T,{url}")
    assert only_entry(catalog).url == url
    assert not catalog.notes


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example.com/x",
        "learn.example.com/c/1",
        "https://",
        "https:///path",
        "https://host.example/a b",
        "mailto:someone@example.com",
    ],
)
def test_malformed_url_is_a_note(tmp_path: Path, url: str) -> None:
    catalog = one_row(tmp_path, "id,title,url", f'a,T,"{url}"')
    assert only_entry(catalog).url == ""
    assert messages(catalog) == [
        f"url {url!r} is not an http(s) address with a host; dropped"
    ]


@pytest.mark.parametrize(
    ("value", "tag"),
    [("en", "en"), ("EN", "en"), ("pt_BR", "pt-br"), ("zh-Hant-TW", "zh-hant-tw")],
)
def test_language_tags(tmp_path: Path, value: str, tag: str) -> None:
    assert (
        only_entry(one_row(tmp_path, "id,title,language", f"a,T,{value}")).language
        == tag
    )


@pytest.mark.parametrize(
    ("value", "updated"),
    [
        ("2024-03-01", "2024-03-01"),
        ("20240301", "2024-03-01"),
        ("2024-03-01 09:30", "2024-03-01T09:30:00"),
        ("2017-01-18T20:58:58Z", "2017-01-18T20:58:58Z"),
        ("2017-01-18T20:58:58+00:00", "2017-01-18T20:58:58Z"),
        ("2017-01-18T20:58:58+02:00", "2017-01-18T20:58:58+02:00"),
        ("last week", "last week"),
        ("01/18/2017", "01/18/2017"),
    ],
)
def test_updated_is_normalised_when_iso(
    tmp_path: Path, value: str, updated: str
) -> None:
    catalog = one_row(tmp_path, "id,title,updated", f"a,T,{value}")
    assert only_entry(catalog).updated == updated
    assert not catalog.notes


def test_text_fields_are_stripped_description_keeps_breaks(tmp_path: Path) -> None:
    row = 'a ,  Title  ,"  first\r\nsecond\rthird  ", Kim ,  Safety  '
    entry = only_entry(one_row(tmp_path, "id,title,description,author,subject", row))
    assert (entry.id, entry.title, entry.author, entry.subject) == (
        "a",
        "Title",
        "Kim",
        "Safety",
    )
    assert entry.description == "first\nsecond\nthird"


# --- duplicates -----------------------------------------------------------------


def test_exact_duplicates_fold_with_a_note(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title,price\na,A,10\nb,B,1\na,A,10\na, A ,99\n")
    assert [(e.id, e.line) for e in catalog.entries] == [("a", 2), ("b", 3)]
    assert catalog.notes == (
        CatalogNote(4, "a", "exact duplicate of line 2; folded into it"),
        CatalogNote(5, "a", "exact duplicate of line 2; folded into it"),
    )
    assert not catalog.rejected


def test_conflicting_duplicate_rejects_the_later_row(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title\na,A\nb,B\na,Another A\n")
    assert [e.title for e in catalog.entries] == ["A", "B"]
    assert catalog.rejected == (
        RejectedRow(4, "a", "id already used on line 2 with different content"),
    )


def test_duplicate_of_a_rejected_row_is_kept(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "id,title\na,\na,A\n")
    assert [(e.id, e.line) for e in catalog.entries] == [("a", 3)]
    assert reasons(catalog) == ["title is empty"]


# --- JSON -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wrapped() -> Catalog:
    return read(FIXTURES / "provider.json")


def test_json_wrapped_entries(wrapped: Catalog) -> None:
    assert [(e.id, e.line) for e in wrapped.entries] == [
        ("C-100", 4),
        ("2001", 12),
        ("LP-1", 13),
        ("C-202", 17),
        ("C-203", 18),
    ]
    first, numbered = wrapped.entries[0], wrapped.entries[1]
    assert (first.duration_seconds, first.active, first.mastery_score) == (
        2700,
        True,
        75.5,
    )
    assert first.language == "en"
    assert (numbered.duration_seconds, numbered.active) == (90, False)
    assert wrapped.by_id()["LP-1"].children == ("C-100", "2001")
    assert wrapped.by_id()["C-202"].mastery_score == 80.0
    assert wrapped.by_id()["C-203"].updated == "2024-02-30"


def test_json_wrapped_rejections_and_notes(wrapped: Catalog) -> None:
    assert wrapped.rejected == (
        RejectedRow(14, "C-200", "title is a JSON list, not text"),
        RejectedRow(15, "C-201", "line break inside title"),
        RejectedRow(16, "", "record is not a JSON object"),
    )
    assert wrapped.notes == (
        CatalogNote(17, "C-202", "duration true is not a number of minutes; dropped"),
        CatalogNote(
            17,
            "C-202",
            "active 'sometimes' is not true/false, yes/no, y/n or 1/0; dropped",
        ),
        CatalogNote(18, "C-203", "duration -5 is negative; dropped"),
    )


@pytest.mark.parametrize("key", ["courses", "items", "entries", "Courses"])
def test_json_wrapper_keys(tmp_path: Path, key: str) -> None:
    text = json.dumps({"count": 1, key: [{"id": "a", "title": "A"}], "x": {}})
    assert only_entry(read_text(tmp_path, text, "c.json")).id == "a"


def test_json_array_lines(tmp_path: Path) -> None:
    text = '[\n  {"id": "a",\n   "title": "A"},\n\n  {"id": "b", "title": "B"}\n]\n'
    catalog = read_text(tmp_path, text, "c.json")
    assert [(e.id, e.line) for e in catalog.entries] == [("a", 2), ("b", 5)]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        "[" + '{"a":' * 3000 + "1" + "}" * 3000 + "]",
        '{"courses": [' + "[" * 50_000 + "]" * 50_000 + "]}",
        '{"meta": ' + "[" * 50_000 + "]" * 50_000 + ', "courses": []}',
    ],
    ids=["arrays", "objects", "in-wrapper", "beside-wrapper"],
)
def test_json_nested_too_deeply(tmp_path: Path, text: str) -> None:
    with pytest.raises(CatalogError, match="nested too deeply"):
        read_text(tmp_path, text, "c.json")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_json_lines_with_any_line_break(tmp_path: Path, newline: str) -> None:
    rows = ["[", '{"id": "a",', '"title": "A"},', "", '{"id": "b", "title": "B"}', "]"]
    catalog = read_text(tmp_path, newline.join(rows), "c.json")
    assert [(e.id, e.line) for e in catalog.entries] == [("a", 2), ("b", 5)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_json_error_line_with_any_line_break(tmp_path: Path, newline: str) -> None:
    text = newline.join(["[", '{"id": "a", "title": "A"},', "", '{"id": }', "]"])
    with pytest.raises(CatalogError, match=r"c\.json:4: not valid JSON"):
        read_text(tmp_path, text, "c.json")


def test_json_children_as_list_or_string(tmp_path: Path) -> None:
    items = [
        {"id": "p", "title": "P", "kind": "path", "children": ["a", " b ", ""]},
        {"id": "q", "title": "Q", "kind": "path", "children": "a;b"},
        {"id": "r", "title": "R", "kind": "path", "children": [["a"]]},
    ]
    catalog = read_text(tmp_path, json.dumps(items), "c.json")
    assert [e.children for e in catalog.entries] == [("a", "b"), ("a", "b")]
    assert reasons(catalog) == ["learning_path has no children"]
    assert messages(catalog) == []


def test_json_nulls_are_absent(tmp_path: Path) -> None:
    text = '[{"id": "a", "title": "A", "url": null, "duration": null, "active": null}]'
    catalog = read_text(tmp_path, text, "c.json")
    entry = only_entry(catalog)
    assert (entry.url, entry.duration_seconds, entry.active) == ("", None, True)
    assert not catalog.notes


def test_json_empty_array(tmp_path: Path) -> None:
    catalog = read_text(tmp_path, "[ ]", "c.json")
    assert (catalog.entries, catalog.rejected) == ((), ())


def test_json_mapped_key_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "c.json", '[{"code": "a", "name": "A"}]')
    assert only_entry(read(path, {"id": "code", "title": "NAME"})).title == "A"
    with pytest.raises(CatalogError, match="'author'"):
        read(path, {"id": "code", "title": "name", "author": "by"})


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[{"id": "a", "title": "A"},\n {"id": "b"\n', r"c\.json:3: not valid JSON"),
        ('[{"id": "a", "title": "A"},]', "not valid JSON"),
        ('[{"id": "a", "title": "A"}] trailing', "extra data"),
        ('{"courses": [], "items": []}', "one array under"),
        ('{"data": [{"id": "a"}]}', "one array under"),
        ('{"courses": {"id": "a"}}', "one array under"),
        ("42", "array of objects"),
    ],
)
def test_json_shape_errors(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(CatalogError, match=match):
        read_text(tmp_path, text, "c.json")


# --- properties -------------------------------------------------------------------

_ID = st.builds(
    str.__add__, st.sampled_from("aZ09"), st.text("abcXYZ019-_.:", max_size=11)
)
_LINE_TEXT = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\r\n\x00"),
    max_size=20,
).filter(str.strip)
_DESCRIPTION = st.lists(_LINE_TEXT, max_size=3).map("\n".join)
_ROWS = st.lists(
    st.tuples(_ID, _LINE_TEXT, _DESCRIPTION), max_size=8, unique_by=lambda r: r[0]
)


@settings(max_examples=60, deadline=None)
@given(rows=_ROWS, terminator=st.sampled_from(["\n", "\r\n"]))
def test_csv_round_trip(rows: list[tuple[str, str, str]], terminator: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=terminator)
    writer.writerow(["id", "title", "description"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        catalog = read_text(Path(folder), out.getvalue())
    expected, line = [], 2
    for ident, title, description in rows:
        expected.append((ident, title.strip(), description.strip(), line))
        line += 1 + description.count("\n")
    found = [(e.id, e.title, e.description, e.line) for e in catalog.entries]
    assert found == expected
    assert not catalog.rejected and not catalog.notes


@settings(max_examples=40, deadline=None)
@given(rows=_ROWS)
def test_json_round_trip(rows: list[tuple[str, str, str]]) -> None:
    parts = [
        json.dumps({"id": i, "title": t, "description": d}, indent=2)
        for i, t, d in rows
    ]
    text = "[\n" + ",\n".join(parts) + "\n]\n"
    with tempfile.TemporaryDirectory() as folder:
        catalog = read_text(Path(folder), text, "c.json")
    expected, line = [], 2
    for part, (ident, title, _) in zip(parts, rows, strict=True):
        expected.append((ident, title.strip(), line))
        line += part.count("\n") + 1
    assert [(e.id, e.title, e.line) for e in catalog.entries] == expected


# --- the shared corpus --------------------------------------------------------------


def _udemy_records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Every record with the line it starts on, read with the csv module alone."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        records, start = [], reader.line_num + 1
        for row in reader:
            records.append((start, row))
            start = reader.line_num + 1
    return header, records


@pytest.fixture(scope="module")
def udemy() -> tuple[Catalog, list[str], list[tuple[int, list[str]]]]:
    path = require_corpus("udemy_courses.csv")
    header, records = _udemy_records(path)
    return read(path, UDEMY_COLUMNS, duration_unit="hours"), header, records


@pytest.mark.corpus
def test_udemy_counts(
    udemy: tuple[Catalog, list[str], list[tuple[int, list[str]]]],
) -> None:
    catalog, _, records = udemy
    assert len(records) == 3678
    assert (len(catalog.entries), len(catalog.rejected), len(catalog.notes)) == (
        3659,
        13,
        6,
    )
    assert catalog.encoding == "utf-8"
    assert len(catalog.entries) + len(catalog.rejected) + len(catalog.notes) == 3678


@pytest.mark.corpus
def test_udemy_empty_titles_rejected_with_their_lines(
    udemy: tuple[Catalog, list[str], list[tuple[int, list[str]]]],
) -> None:
    catalog, header, records = udemy
    title = header.index("course_title")
    blank = [(line, row[0]) for line, row in records if not row[title].strip()]
    assert len(blank) == 8
    found = [(r.line, r.id) for r in catalog.rejected if r.reason == "title is empty"]
    assert found == blank


@pytest.mark.corpus
def test_udemy_broken_quoting_rejected(
    udemy: tuple[Catalog, list[str], list[tuple[int, list[str]]]],
) -> None:
    catalog, header, records = udemy
    used = [header.index(c) for c in ("course_id", "course_title", "url")]
    broken = [
        (line, row[0])
        for line, row in records
        if any("\n" in row[i] or "\r" in row[i] for i in used)
    ]
    assert len(broken) == 5
    assert [(r.line, r.id) for r in catalog.rejected if r.reason == QUOTING] == broken


@pytest.mark.corpus
def test_udemy_duplicates_are_folded(
    udemy: tuple[Catalog, list[str], list[tuple[int, list[str]]]],
) -> None:
    catalog, header, records = udemy
    used = [header.index(c) for c in UDEMY_COLUMNS.values()]
    groups: defaultdict[str, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
    for line, row in records:
        groups[row[0]].append((line, tuple(row[i] for i in used)))
    expected = []
    for rows in groups.values():
        assert len({values for _, values in rows}) == 1, rows
        first = rows[0][0]
        expected += [(line, first) for line, _ in rows[1:]]
    assert len(expected) == 6
    pattern = re.compile(r"exact duplicate of line (\d+); folded into it")
    folded = []
    for note in catalog.notes:
        match = pattern.fullmatch(note.message)
        assert match, note
        folded.append((note.line, int(match.group(1))))
    assert sorted(folded) == sorted(expected)


@pytest.mark.corpus
def test_udemy_values(
    udemy: tuple[Catalog, list[str], list[tuple[int, list[str]]]],
) -> None:
    catalog, header, records = udemy
    duration = header.index("content_duration")
    hours = {row[0]: float(row[duration]) for _, row in records}
    for entry in catalog.entries:
        assert entry.duration_seconds == round(hours[entry.id] * 3600)
        assert entry.url.startswith("https://www.udemy.com/")
        assert entry.kind == "course"
    assert catalog.entries[0].line == 2


@pytest.mark.corpus
@pytest.mark.parametrize("id_column", ["course_code", "course_id"])
def test_university_bom(id_column: str) -> None:
    path = require_corpus("university_courses_bom.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    catalog = read(path, {"id": id_column, "title": "course_title"})
    assert catalog.encoding == "utf-8-sig"
    assert len(catalog.entries) == 59
    assert not catalog.rejected and not catalog.notes
    first = catalog.entries[0]
    assert first.id == ("PSYC1020" if id_column == "course_code" else "1")
    assert first.title == "Introduction to Psychology: Minds, Brains and Behaviour"
