"""Read a content provider's course catalog (CSV or JSON) into catalog entries.

``[catalog]`` in aiccbridge.toml names the file and maps catalog fields onto its
columns; :func:`read_catalog` takes that as a :class:`CatalogSpec` and returns a
:class:`Catalog`. A field that ``[catalog.columns]`` does not map is read from a
column of the same name when the file has one (header names match without regard
to case). ``id`` and ``title`` must have a column.

The file as a whole must be readable: a regular file (not a pipe or device) of at
most 512 MiB, text, a header line, well-formed JSON nested no deeper than Python's
parser allows. Anything else raises :class:`CatalogError`. The text is taken as:

* UTF-8 (with or without a byte-order mark) when all of it decodes as UTF-8;
* else UTF-8 still when it holds at least one valid UTF-8 multi-byte sequence
  (the file is UTF-8 with a few rows in another encoding): each record holding a
  byte that is not UTF-8 is rejected, naming the byte and its offset in the file;
* else Windows-1252. A byte that is neither raises :class:`CatalogError`.

A CSV field may be up to 16 MiB long. Row by row the reader is lenient:

* a row that cannot become an entry goes to :attr:`Catalog.rejected` with its
  line and a one-line reason, and reading goes on. Rejected are: a blank id or
  title; an id that breaks the id rule below; a line break inside an id, title or
  URL (in a CSV file that means broken quoting); an unknown kind; a learning path
  without children or listing itself; a CSV row with more non-empty fields than
  the header has; a second row with an id already used by a row of different
  content; a record with bytes that are not UTF-8 in a UTF-8 file.
* an optional value that cannot be read is dropped with a note in
  :attr:`Catalog.notes` and the row is kept: a duration or mastery score that is
  not a number (or is negative, or a score outside 0-100, or a duration over ten
  years), an ``active`` that is not a boolean word, a URL that is not http(s) with
  a host, a language that is not a language tag, children given for anything but
  a learning path.
* a row repeating an earlier row exactly is folded into it, with a note.

The id rule: an id is 1 to 255 ASCII letters, digits and ``- _ . :``, and starts
with a letter or digit. Ids end up in file names (so ``.`` or ``..`` would make
hidden or odd package files) and in AICC system and course ids.

Durations are numbers in ``duration_unit`` (a decimal comma is accepted) and are
kept as whole seconds, rounded half up. ``updated`` is kept as given unless it is
an ISO 8601 date or time, which is rewritten in one canonical form. Descriptions
keep their line breaks (as ``\\n``); every other text value is only stripped.
Line numbers count CR, LF and CRLF alike as line breaks. Children of a learning
path are not looked up here: whoever builds the packages checks that they exist.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import math
import os
import re
import stat
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from aiccbridge.core import AiccBridgeError

__all__ = [
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

logger = logging.getLogger(__name__)

#: Every field a catalog row can give, ``id`` first.
CATALOG_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "description",
    "url",
    "kind",
    "children",
    "language",
    "duration",
    "updated",
    "author",
    "subject",
    "active",
    "mastery_score",
)
#: The kinds of catalog entry, each built into a different package shape.
KINDS = ("course", "learning_path", "video")
#: The units ``duration_unit`` may name, with their length in seconds.
DURATION_UNITS: Mapping[str, int] = {"seconds": 1, "minutes": 60, "hours": 3600}

_MAX_ID = 255
_ID_BAD = re.compile(r"[^A-Za-z0-9_.:\-]")
_ID_START = re.compile(r"[A-Za-z0-9]")
_MIB = 1024 * 1024
_MAX_BYTES = 512 * _MIB
_MAX_FIELD = 16 * _MIB
_MAX_SECONDS = 10 * 365 * 24 * 3600
_SHOWN = 40
_ESCAPED = re.compile(r"[\udc80-\udcff]")
_UTF8_MULTIBYTE = re.compile(r"[^\x00-\x7f\udc80-\udcff]")
_CHILD_SPLIT = re.compile(r"[|;,]")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_URL = re.compile(
    r"https?://(?:[^\s/?#@]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^\s/?#@:\[\]]+)(?::\d*)?"
    r"(?:[/?#]\S*)?",
    re.IGNORECASE,
)
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON = json.JSONDecoder(parse_int=Decimal)
_WRAPPERS = ("courses", "items", "entries")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_KIND_WORDS = {
    "course": "course",
    "video": "video",
    "learning_path": "learning_path",
    "learning path": "learning_path",
    "learning-path": "learning_path",
    "path": "learning_path",
}
_NO_CHILDREN: tuple[str, ...] = ()
_CSV_BROKEN = ": the file's quoting looks broken"
_FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".json": "json"}


class CatalogError(AiccBridgeError):
    """The catalog file is missing, not text, or does not fit ``[catalog]``."""


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One usable catalog row: a course, a learning path or a video."""

    id: str
    title: str
    line: int
    description: str = ""
    url: str = ""
    kind: str = "course"
    children: tuple[str, ...] = ()
    language: str = ""
    duration_seconds: int | None = None
    updated: str = ""
    author: str = ""
    subject: str = ""
    active: bool = True
    mastery_score: float | None = None

    def content_key(self) -> tuple[object, ...]:
        """Every field but ``line``: equal keys mean the same catalog content."""
        return (
            self.id,
            self.title,
            self.description,
            self.url,
            self.kind,
            self.children,
            self.language,
            self.duration_seconds,
            self.updated,
            self.author,
            self.subject,
            self.active,
            self.mastery_score,
        )


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row left out of the catalog: where it starts, its id (or ""), and why."""

    line: int
    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CatalogNote:
    """Something dropped or folded in a row that was kept."""

    line: int
    id: str
    message: str


@dataclass(frozen=True)
class Catalog:
    """What :func:`read_catalog` found in one catalog file."""

    path: Path
    entries: tuple[CatalogEntry, ...]
    rejected: tuple[RejectedRow, ...]
    notes: tuple[CatalogNote, ...]
    encoding: str

    def by_id(self) -> dict[str, CatalogEntry]:
        """The entries keyed by id (ids are unique within a catalog)."""
        return {entry.id: entry for entry in self.entries}


@dataclass(frozen=True, slots=True)
class CatalogSpec:
    """Where the catalog is and how its columns map onto catalog fields.

    ``columns`` maps a catalog field to a column (CSV) or key (JSON) of the file;
    ``format`` is ``"csv"``, ``"json"`` or None to go by the file's extension.
    """

    path: Path
    columns: Mapping[str, str] = field(default_factory=dict)
    duration_unit: str = "minutes"
    format: str | None = None


def read_catalog(spec: CatalogSpec) -> Catalog:
    """Read the catalog ``spec`` describes; bad rows are rejected, not raised.

    Raises :class:`CatalogError` when the file is missing, empty, not text, not
    well-formed, or lacks a column that ``spec`` maps.
    """
    unit = _check_spec(spec)
    fmt = _format_of(spec)
    source = _decode(_read_bytes(spec.path), spec.path)
    reader = _csv_records if fmt == "csv" else _json_records
    collector = _Collector(unit, _CSV_BROKEN if fmt == "csv" else "")
    with closing(reader(source, spec)) as records:
        for record in records:
            collector.add(record)
    catalog = collector.catalog(spec.path, source.encoding)
    logger.debug(
        "read %d entries from %s (%d rejected, %d notes)",
        len(catalog.entries),
        spec.path,
        len(catalog.rejected),
        len(catalog.notes),
    )
    return catalog


# --- the spec and the file ---------------------------------------------------


def _check_spec(spec: CatalogSpec) -> str:
    unit = spec.duration_unit.strip().lower()
    if unit not in DURATION_UNITS:
        raise CatalogError(
            f"[catalog] duration_unit {spec.duration_unit!r} is not one of "
            + ", ".join(DURATION_UNITS),
        )
    unknown = [name for name in spec.columns if name not in CATALOG_FIELDS]
    if unknown:
        raise CatalogError(
            f"[catalog.columns] names unknown field {unknown[0]!r}",
            hint="the fields are " + ", ".join(CATALOG_FIELDS),
        )
    for name, column in spec.columns.items():
        if not isinstance(column, str) or not column.strip():
            raise CatalogError(f"[catalog.columns] {name} must name a column")
    return unit


def _format_of(spec: CatalogSpec) -> str:
    if spec.format is not None:
        fmt = spec.format.strip().lower()
        if fmt not in ("csv", "json"):
            raise CatalogError(f"[catalog] format {spec.format!r} is not csv or json")
        return fmt
    guessed = _FORMATS.get(spec.path.suffix.lower())
    if guessed is None:
        raise CatalogError(
            f"{spec.path}: cannot tell the catalog format from the file name",
            hint='set format = "csv" or "json" under [catalog]',
        )
    return guessed


def _read_bytes(path: Path) -> bytes:
    try:
        return _read_regular_file(path)
    except FileNotFoundError:
        raise CatalogError(
            f"{path}: catalog file not found",
            hint="[catalog] path is taken relative to the config file",
        ) from None
    except IsADirectoryError:
        raise CatalogError(f"{path}: is a folder, not a catalog file") from None
    except OSError as error:
        raise CatalogError(f"{path}: cannot read the catalog: {error}") from None


def _read_regular_file(path: Path) -> bytes:
    """The bytes of ``path``, refusing pipes, devices and oversized files."""
    _check_file(path, os.stat(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    with open(os.open(path, flags), "rb") as handle:
        _check_file(path, os.fstat(handle.fileno()))
        data = handle.read(_MAX_BYTES + 1)
    if len(data) > _MAX_BYTES:
        raise _too_large(path)
    return data


def _check_file(path: Path, status: os.stat_result) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(path)
    if not stat.S_ISREG(status.st_mode):
        raise CatalogError(
            f"{path}: not a regular file (a pipe, device or socket?)",
            hint="point [catalog] path at a CSV or JSON file",
        )
    if status.st_size > _MAX_BYTES:
        raise _too_large(path)


def _too_large(path: Path) -> CatalogError:
    return CatalogError(
        f"{path}: the catalog file is larger than {_MAX_BYTES // _MIB} MiB",
        hint="split the catalog, or check that the path names the right file",
    )


@dataclass(frozen=True, slots=True)
class _Escapes:
    """The bytes that are not UTF-8 in a text decoded with ``surrogateescape``.

    For each, in order: its index in the text, its offset in the file, its value.
    """

    chars: Sequence[int] = ()
    offsets: Sequence[int] = ()
    values: Sequence[int] = ()

    def problem(self, start: int, end: int) -> str:
        """Why ``text[start:end]`` cannot be trusted, or "" when it can."""
        first = bisect_left(self.chars, start)
        if first == len(self.chars) or self.chars[first] >= end:
            return ""
        return (
            f"not valid UTF-8 (byte 0x{self.values[first]:02x} at offset "
            f"{self.offsets[first]}); the file mixes encodings"
        )


@dataclass(frozen=True, slots=True)
class _Text:
    """A decoded catalog file."""

    text: str
    encoding: str
    escapes: _Escapes = field(default_factory=_Escapes)


def _decode(data: bytes, path: Path) -> _Text:
    if b"\0" in data:
        raise CatalogError(
            f"{path}: not a text file: it holds NUL bytes (binary data or UTF-16)",
            hint="save the catalog as UTF-8 CSV or JSON",
        )
    body = data.removeprefix(codecs.BOM_UTF8)
    source = _decode_text(body, len(data) - len(body), path)
    if not source.text.strip():
        raise CatalogError(f"{path}: the catalog file is empty")
    if source.encoding == "utf-8" and len(body) != len(data):
        return _Text(source.text, "utf-8-sig", source.escapes)
    return source


def _decode_text(body: bytes, skipped: int, path: Path) -> _Text:
    """UTF-8; UTF-8 with a few bad bytes when it has UTF-8 text; else cp1252."""
    try:
        return _Text(body.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", "surrogateescape")
    if _UTF8_MULTIBYTE.search(text):
        escapes = _escapes(text, skipped)
        logger.debug("%s is UTF-8 with %d bytes that are not", path, len(escapes.chars))
        return _Text(text, "utf-8", escapes)
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as error:
        raise CatalogError(
            f"{path}: not a text file: byte 0x{body[error.start]:02x} at offset "
            f"{skipped + error.start} is neither UTF-8 nor Windows-1252",
            hint="save the catalog as UTF-8 CSV or JSON",
        ) from None
    logger.debug("%s is not UTF-8; read it as Windows-1252", path)
    return _Text(text, "cp1252")


def _escapes(text: str, skipped: int) -> _Escapes:
    chars: list[int] = []
    offsets: list[int] = []
    done, offset = 0, skipped
    for match in _ESCAPED.finditer(text):
        offset += len(text[done : match.start()].encode("utf-8", "surrogateescape"))
        done = match.start()
        chars.append(done)
        offsets.append(offset)
    values = [ord(text[i]) - 0xDC00 for i in chars]
    return _Escapes(chars, offsets, values)


# --- records: one mapping of field to raw value per row -----------------------


@dataclass(frozen=True, slots=True)
class _Record:
    line: int
    values: Mapping[str, object]
    problem: str = ""


def _resolve(spec: CatalogSpec, names: Sequence[str]) -> dict[str, int]:
    """Map each catalog field the file provides onto an index into ``names``."""
    found: dict[str, int] = {}
    for name in CATALOG_FIELDS:
        column = spec.columns.get(name)
        index = _find_column(names, (column or name).strip(), spec.path)
        if index is not None:
            found[name] = index
        elif column is not None:
            raise _missing_column(spec.path, name, column, names)
        elif name in ("id", "title"):
            raise _missing_column(spec.path, name, None, names)
    return found


def _find_column(names: Sequence[str], column: str, path: Path) -> int | None:
    matches = [i for i, name in enumerate(names) if name == column]
    if not matches:
        folded = column.casefold()
        matches = [i for i, name in enumerate(names) if name.casefold() == folded]
    if len(matches) > 1:
        raise CatalogError(
            f"{path}: column {column!r} appears {len(matches)} times in the header",
            hint="rename one of them, or map the field to another column",
        )
    return matches[0] if matches else None


def _missing_column(
    path: Path, name: str, column: str | None, names: Sequence[str]
) -> CatalogError:
    have = ", ".join(repr(n) for n in names if n) or "no columns"
    if column is None:
        return CatalogError(
            f"{path}: no column for the catalog field {name!r}",
            hint=f'map it under [catalog.columns] ({name} = "<column>"); '
            f"the file has {have}",
        )
    return CatalogError(
        f"{path}: column {column!r} mapped to the catalog field {name!r} is not in "
        "the file",
        hint=f"the file has {have}",
    )


class _FieldLimit:
    """Raises ``csv.field_size_limit`` while any catalog is read, then restores it.

    The limit is global to the process; readers in several threads share one raise.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lock = threading.Lock()
        self.readers = 0
        self.saved = 0

    def __enter__(self) -> None:
        with self.lock:
            if not self.readers:
                self.saved = csv.field_size_limit()
                csv.field_size_limit(max(self.saved, self.limit))
            self.readers += 1

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.readers -= 1
            if not self.readers:
                csv.field_size_limit(self.saved)


_FIELD_LIMIT = _FieldLimit(_MAX_FIELD)


class _Lines:
    """The lines of a text, for ``csv.reader``, counting the characters read."""

    def __init__(self, text: str) -> None:
        self.lines = io.StringIO(text, newline="")
        self.end = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.end += len(line)
        return line


def _csv_records(source: _Text, spec: CatalogSpec) -> Iterator[_Record]:
    lines = _Lines(source.text)
    reader = csv.reader(lines, delimiter=_delimiter(source.text))
    start = 1
    with _FIELD_LIMIT:
        try:
            header = _csv_header(reader, spec.path)
            _check_header(source.escapes.problem(0, lines.end), spec.path)
            columns = _resolve(spec, header)
            start, begin = reader.line_num + 1, lines.end
            for row in reader:
                line, start = start, reader.line_num + 1
                problem, begin = source.escapes.problem(begin, lines.end), lines.end
                if any(cell.strip() for cell in row):
                    yield _csv_record(row, line, columns, len(header), problem)
        except csv.Error as error:
            raise _csv_error(spec.path, start, error) from None


def _check_header(problem: str, path: Path) -> None:
    if problem:
        raise CatalogError(
            f"{path}: the header line is {problem}",
            hint="save the whole catalog as UTF-8",
        )


def _csv_error(path: Path, line: int, error: csv.Error) -> CatalogError:
    reason = str(error)
    if "field limit" in reason:
        reason = f"a field is larger than {_MAX_FIELD // _MIB} MiB"
    return CatalogError(
        f"{path}:{line}: cannot read the CSV: {reason}",
        hint="look for an unclosed quote at or after that line",
    )


def _delimiter(text: str) -> str:
    lines = io.StringIO(text, newline="")
    header = next((line for line in lines if line.strip()), "")
    if "," in header:
        return ","
    semicolons, tabs = header.count(";"), header.count("\t")
    if semicolons or tabs:
        return ";" if semicolons >= tabs else "\t"
    return ","


def _csv_header(reader: Iterator[list[str]], path: Path) -> list[str]:
    for row in reader:
        if any(cell.strip() for cell in row):
            return [cell.strip() for cell in row]
    raise CatalogError(f"{path}: the catalog has no header line")


def _csv_record(
    row: list[str], line: int, columns: Mapping[str, int], width: int, problem: str
) -> _Record:
    size = len(row)
    values = {name: row[i] if i < size else "" for name, i in columns.items()}
    if problem:
        return _Record(line, values, problem)
    if size > width and any(cell.strip() for cell in row[width:]):
        problem = (
            f"row has {size} fields but the header has {width}: "
            "an unquoted delimiter inside a value?"
        )
        return _Record(line, values, problem)
    return _Record(line, values)


_Items = list[tuple[int, int, object]]
"""Each record of a JSON catalog: where its text starts and ends, and its value."""


def _json_records(source: _Text, spec: CatalogSpec) -> Iterator[_Record]:
    text = source.text
    items = _json_items(source, spec.path)
    if not items:
        return
    names = list(dict.fromkeys(k for *_, v in items if isinstance(v, dict) for k in v))
    keys = {name: names[i] for name, i in _resolve(spec, names).items()}
    lines = _line_numbers(text, [start for start, _, _ in items])
    for (start, end, item), line in zip(items, lines, strict=True):
        problem = source.escapes.problem(start, end)
        if not isinstance(item, dict):
            problem = problem or "record is not a JSON object"
            item = {}
        values = {name: item.get(key) for name, key in keys.items()}
        yield _Record(line, values, problem)


def _json_items(source: _Text, path: Path) -> _Items:
    text = source.text
    try:
        return _json_top(text, path)
    except json.JSONDecodeError as error:
        line = _line_at(text, error.pos)
        reason = source.escapes.problem(error.pos, error.pos + 1) or error.msg
        raise CatalogError(f"{path}:{line}: not valid JSON: {reason}") from None
    except RecursionError:
        raise CatalogError(
            f"{path}: the JSON is nested too deeply to read",
            hint="a catalog needs only an array of flat objects",
        ) from None


def _json_top(text: str, path: Path) -> _Items:
    pos = _skip(text, 0)
    if text.startswith("[", pos):
        items, pos = _json_array(text, pos)
    elif text.startswith("{", pos):
        items, pos = _json_wrapped(text, pos, path)
    else:
        raise _json_shape(path)
    if _skip(text, pos) != len(text):
        raise json.JSONDecodeError("extra data after the catalog", text, pos)
    return items


def _skip(text: str, pos: int) -> int:
    match = _JSON_SPACE.match(text, pos)
    return match.end() if match else pos


def _json_array(text: str, pos: int) -> tuple[_Items, int]:
    """Decode the array at ``pos``, keeping where each element starts and ends."""
    items: _Items = []
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return items, pos + 1
    while True:
        value, end = _JSON.raw_decode(text, pos)
        items.append((pos, end, value))
        pos = _skip(text, end)
        if text.startswith("]", pos):
            return items, pos + 1
        pos = _skip(text, _expect(text, pos, ",") + 1)


def _json_wrapped(text: str, pos: int, path: Path) -> tuple[_Items, int]:
    """Walk the object at ``pos`` and return the one catalog array inside it."""
    found: dict[str, _Items] = {}
    pos = _skip(text, pos + 1)
    while not text.startswith("}", pos):
        key, pos = _JSON.raw_decode(text, pos)
        if not isinstance(key, str):
            raise json.JSONDecodeError("expected a key in double quotes", text, pos)
        pos = _skip(text, _expect(text, _skip(text, pos), ":") + 1)
        if key.lower() in _WRAPPERS and text.startswith("[", pos):
            found[key], pos = _json_array(text, pos)
        else:
            pos = _JSON.raw_decode(text, pos)[1]
        pos = _skip(text, pos)
        if not text.startswith("}", pos):
            pos = _skip(text, _expect(text, pos, ",") + 1)
    if len(found) != 1:
        raise _json_shape(path)
    return next(iter(found.values())), pos + 1


def _expect(text: str, pos: int, char: str) -> int:
    if not text.startswith(char, pos):
        raise json.JSONDecodeError(f"expected {char!r}", text, pos)
    return pos


def _json_shape(path: Path) -> CatalogError:
    return CatalogError(
        f"{path}: a JSON catalog must be an array of objects, or an object with "
        "one array under 'courses', 'items' or 'entries'"
    )


def _line_numbers(text: str, offsets: Sequence[int]) -> list[int]:
    """The line of each offset (ascending, none inside a CRLF pair)."""
    lines: list[int] = []
    line, last = 1, 0
    for offset in offsets:
        line += _breaks(text, last, offset)
        lines.append(line)
        last = offset
    return lines


def _line_at(text: str, offset: int) -> int:
    return 1 + _breaks(text, 0, offset)


def _breaks(text: str, start: int, end: int) -> int:
    """How many line breaks (CR, LF or CRLF) ``text[start:end]`` holds."""
    crlf = text.count("\r\n", start, end)
    return text.count("\n", start, end) + text.count("\r", start, end) - crlf


# --- rows become entries -----------------------------------------------------


class _Reject(Exception):
    """The row cannot become an entry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Bad(Exception):
    """An optional value that cannot be read; the value is dropped, not the row."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Collector:
    """Turns records into entries, rejections and notes, folding duplicates."""

    def __init__(self, unit: str, broken: str) -> None:
        self.broken = broken
        self.parsers = _parsers(unit, broken)
        self.entries: list[CatalogEntry] = []
        self.rejected: list[RejectedRow] = []
        self.notes: list[CatalogNote] = []
        self.seen: dict[str, CatalogEntry] = {}

    def add(self, record: _Record) -> None:
        messages: list[str] = []
        try:
            if record.problem:
                raise _Reject(record.problem)
            entry = _entry(record, self.parsers, self.broken, messages)
        except _Reject as reject:
            shown = _shown_id(record.values.get("id"))
            self.rejected.append(RejectedRow(record.line, shown, reject.reason))
            return
        self._keep(entry, messages)

    def _keep(self, entry: CatalogEntry, messages: list[str]) -> None:
        first = self.seen.get(entry.id)
        if first is None:
            self.seen[entry.id] = entry
            self.entries.append(entry)
            self.notes.extend(CatalogNote(entry.line, entry.id, m) for m in messages)
        elif first.content_key() == entry.content_key():
            message = f"exact duplicate of line {first.line}; folded into it"
            self.notes.append(CatalogNote(entry.line, entry.id, message))
        else:
            reason = f"id already used on line {first.line} with different content"
            self.rejected.append(RejectedRow(entry.line, entry.id, reason))

    def catalog(self, path: Path, encoding: str) -> Catalog:
        return Catalog(
            path,
            tuple(self.entries),
            tuple(self.rejected),
            tuple(self.notes),
            encoding,
        )


_Parser = Callable[[object], Any]


def _parsers(unit: str, broken: str) -> dict[str, tuple[str, _Parser]]:
    """Optional catalog field -> (CatalogEntry attribute, reader of its value)."""
    return {
        "description": ("description", _description),
        "url": ("url", lambda raw: _url(raw, broken)),
        "children": ("children", _children),
        "language": ("language", _language),
        "duration": ("duration_seconds", lambda raw: _duration(raw, unit)),
        "updated": ("updated", _updated),
        "author": ("author", lambda raw: _text(raw, "author")),
        "subject": ("subject", lambda raw: _text(raw, "subject")),
        "active": ("active", _active),
        "mastery_score": ("mastery_score", _mastery),
    }


def _entry(
    record: _Record,
    parsers: Mapping[str, tuple[str, _Parser]],
    broken: str,
    notes: list[str],
) -> CatalogEntry:
    values = record.values
    ident = _identifier(values.get("id"), broken)
    title = _one_line(values.get("title"), "title", broken)
    kind = _kind(values.get("kind"))
    found = _optional_values(values, parsers, notes)
    children = found.pop("children", ())
    found["children"] = _check_children(ident, kind, children, notes)
    return CatalogEntry(ident, title, record.line, kind=kind, **found)


def _optional_values(
    values: Mapping[str, object],
    parsers: Mapping[str, tuple[str, _Parser]],
    notes: list[str],
) -> dict[str, Any]:
    """Read the optional fields a row has; a value that cannot be read is noted."""
    found: dict[str, Any] = {}
    for name, raw in values.items():
        parser = parsers.get(name)
        if parser is None or raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            found[parser[0]] = parser[1](raw)
        except _Bad as bad:
            notes.append(f"{bad.message}; dropped")
    return found


def _text(raw: object, name: str) -> str:
    """A scalar value as stripped text; None is empty."""
    if isinstance(raw, str):
        return raw.strip()
    if raw is None:
        return ""
    if _is_number(raw):
        return str(raw)
    kind = {bool: "boolean", list: "list", dict: "object"}.get(type(raw), "value")
    raise _Bad(f"{name} is a JSON {kind}, not text")


def _is_number(raw: object) -> bool:
    return isinstance(raw, int | float | Decimal) and not isinstance(raw, bool)


def _show(raw: object) -> str:
    """A value as a note quotes it: text in quotes, cut short when long."""
    if isinstance(raw, str):
        return repr(_clip(raw.strip()))
    if isinstance(raw, list | dict):
        return "[…]" if isinstance(raw, list) else "{…}"
    if isinstance(raw, Decimal):
        return _clip(str(raw))
    return json.dumps(raw)


def _clip(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _shown_id(raw: object) -> str:
    """The id to name a rejected row by: its first line, or "" when it has none."""
    try:
        text = _text(raw, "id")
    except _Bad:
        return ""
    return _ESCAPED.sub("\ufffd", text.splitlines()[0].strip()) if text else ""


def _has_break(text: str) -> bool:
    return "\n" in text or "\r" in text


def _one_line(raw: object, name: str, broken: str) -> str:
    try:
        text = _text(raw, name)
    except _Bad as bad:
        raise _Reject(bad.message) from None
    if not text:
        raise _Reject(f"{name} is empty")
    if _has_break(text):
        raise _Reject(f"line break inside {name}{broken}")
    return text


def _identifier(raw: object, broken: str) -> str:
    ident = _one_line(raw, "id", broken)
    if len(ident) > _MAX_ID:
        raise _Reject(f"id is {len(ident)} characters long; at most {_MAX_ID} allowed")
    bad = _ID_BAD.search(ident)
    if bad:
        raise _Reject(
            f"id {ident!r} holds {bad.group()!r}; only letters, digits and "
            "- _ . : are allowed"
        )
    if not _ID_START.match(ident):
        raise _Reject(
            f"id {ident!r} starts with {ident[0]!r}; an id must start with an "
            "ASCII letter or digit"
        )
    return ident


def _kind(raw: object) -> str:
    try:
        text = _text(raw, "kind")
    except _Bad as bad:
        raise _Reject(bad.message) from None
    if not text:
        return "course"
    kind = _KIND_WORDS.get(" ".join(text.lower().split()))
    if kind is None:
        raise _Reject(f"kind {text!r} is not one of " + ", ".join(KINDS))
    return kind


def _children(raw: object) -> tuple[str, ...]:
    if isinstance(raw, list):
        items = [_text(item, "children") for item in raw]
    else:
        items = _CHILD_SPLIT.split(_text(raw, "children"))
    return tuple(child for child in (item.strip() for item in items) if child)


def _check_children(
    ident: str, kind: str, children: tuple[str, ...], notes: list[str]
) -> tuple[str, ...]:
    if kind != "learning_path":
        if children:
            notes.append(f"children given for a {kind}; dropped")
        return ()
    if not children:
        raise _Reject("learning_path has no children")
    if ident in children:
        raise _Reject("learning_path lists itself as a child")
    unique = tuple(dict.fromkeys(children))
    if len(unique) != len(children):
        notes.append("children list an id more than once; kept once")
    return unique


def _url(raw: object, broken: str) -> str:
    text = _text(raw, "url")
    if _has_break(text):
        raise _Reject(f"line break inside url{broken}")
    if not _URL.fullmatch(text):
        raise _Bad(f"url {text!r} is not an http(s) address with a host")
    return text


def _description(raw: object) -> str:
    return _text(raw, "description").replace("\r\n", "\n").replace("\r", "\n")


def _language(raw: object) -> str:
    text = _text(raw, "language")
    tag = text.replace("_", "-").lower()
    if not _LANGUAGE.fullmatch(tag):
        raise _Bad(f"language {text!r} is not a language tag such as 'en' or 'pt-BR'")
    return tag


def _number(raw: object, name: str, what: str) -> Decimal:
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not math.isfinite(raw):
            raise _Bad(f"{name} {raw} is not {what}")
        return Decimal(str(raw))
    text = _text(raw, name) if not isinstance(raw, bool) else ""
    if not _NUMBER.fullmatch(text):
        raise _Bad(f"{name} {_show(raw)} is not {what}")
    return Decimal(text.replace(",", "."))


def _duration(raw: object, unit: str) -> int:
    value = _number(raw, "duration", f"a number of {unit}")
    if value < 0:
        raise _Bad(f"duration {_show(raw)} is negative")
    if value > _MAX_SECONDS or value * DURATION_UNITS[unit] > _MAX_SECONDS:
        raise _Bad(f"duration {_show(raw)} is over ten years")
    seconds = value * DURATION_UNITS[unit]
    return int(seconds.to_integral_value(rounding=ROUND_HALF_UP))


def _mastery(raw: object) -> float:
    what = "a number from 0 to 100"
    number = raw.strip().removesuffix("%") if isinstance(raw, str) else raw
    try:
        value = _number(number, "mastery_score", what)
    except _Bad:
        raise _Bad(f"mastery_score {_show(raw)} is not {what}") from None
    if not 0 <= value <= 100:
        raise _Bad(f"mastery_score {_show(raw)} is not {what}")
    return float(value)


def _active(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | Decimal) and raw in (0, 1):
        return bool(raw)
    word = raw.strip().lower() if isinstance(raw, str) else ""
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise _Bad(f"active {_show(raw)} is not true/false, yes/no, y/n or 1/0")


def _updated(raw: object) -> str:
    text = _text(raw, "updated")
    try:
        if len(text) <= 10:
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    canonical = moment.isoformat()
    if canonical.endswith("+00:00"):
        return canonical.removesuffix("+00:00") + "Z"
    return canonical
