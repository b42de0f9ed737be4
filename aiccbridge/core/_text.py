"""Text in and out of course files.

Writing: :func:`fit_text` fits free text into one clean line that an encoding
(and a picky LMS) can hold. Reading: the lenient decoding, line splitting and
the two syntaxes of course files (grouped keywords in the ``.crs``,
comma-separated tables elsewhere), reporting what they meet through a callback.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from anyascii import anyascii

from aiccbridge.core._model import ENCODINGS

__all__ = [
    "CONTROL_RE",
    "CrsGroups",
    "CsvTable",
    "FittedText",
    "Note",
    "decode_course_file",
    "fit_text",
    "has_control",
    "parse_crs",
    "parse_csv_row",
    "parse_csv_table",
    "split_lines",
]

CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Line breaks, tabs, every other C0 and C1 control character, and the bidi
embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069)."""

_READABLE = {"&": " and ", "@": " at ", "%": " percent ", "+": " plus "}
_CP1252 = frozenset(bytes(range(256)).decode("cp1252", errors="ignore"))
_LIGHT_CATEGORIES = ("P", "Z", "Sc", "Sk", "Mn", "Me", "Cf")
_JOINERS = "\u200c\u200d"


@dataclass(frozen=True, slots=True)
class FittedText:
    """The result of :func:`fit_text`.

    ``changed`` is true when ``text`` differs from the input; ``transliterated``
    when the change went beyond dropping accents and normalising punctuation and
    spaces (see :func:`fit_text`).
    """

    text: str
    changed: bool
    transliterated: bool


def has_control(value: str) -> bool:
    """Tell whether ``value`` holds a line break, a tab, another control character
    or a bidi control (see :data:`CONTROL_RE`)."""
    return CONTROL_RE.search(value) is not None


def fit_text(
    value: str, encoding: str, *, forbidden: str = "", fallback: str = ""
) -> FittedText:
    """Fit ``value`` into one clean line of text in ``encoding``.

    Steps, in order:

    1. Invisible format characters (Unicode category Cf: zero-width spaces, the
       byte-order mark U+FEFF, soft hyphens, bidi embeddings, overrides and
       isolates …) are dropped, in every encoding, except the zero-width
       non-joiner and joiner (U+200C, U+200D) that Persian and Indic scripts
       and emoji sequences need.
    2. Line breaks, tabs and other control characters become spaces.
    3. Characters ``encoding`` cannot hold are transliterated with ``anyascii``
       (``utf-8``: none; ``cp1252``: those outside Windows-1252; ``ascii``: every
       non-ASCII one). Typographic punctuation becomes its ASCII twin; emoji are
       dropped.
    4. Each character of ``forbidden`` becomes a readable word where one exists
       (``&`` → ``and``, ``@`` → ``at``, ``%`` → ``percent``, ``+`` → ``plus``),
       otherwise a space.
    5. Runs of white space collapse into one space; the ends are stripped.

    ``transliterated`` is true when step 3 replaced a character that is not
    "the same letter without its accent": a character counts as *light* (accent,
    punctuation or spacing only) when it is a Latin letter, punctuation, a space,
    a currency or modifier sign, a combining mark or a zero-width (non-)joiner,
    or when its compatibility decomposition without combining marks is plain
    ASCII (``é`` → ``e``, ``ﬁ`` → ``fi``, full-width ``Ａ`` → ``A``).
    Any other replacement (Japanese → romaji, Cyrillic, Arabic, a dropped
    emoji) is a transliteration. So ``"Café"`` → ``"Cafe"`` is not one,
    ``"日本"`` → ``"RiBen"`` is.

    The result is never empty: a result that is empty, or holds nothing but
    zero-width joiners and non-joiners, is replaced by ``fallback`` (fitted the
    same way, and marked transliterated); when that is empty too, ``ValueError``
    is raised. An unknown ``encoding`` is a ``ValueError`` as well.
    """
    if encoding not in ENCODINGS:
        raise ValueError(
            f"unknown encoding {encoding!r} (known: {', '.join(ENCODINGS)})"
        )
    text, heavy = _fit(value, encoding, forbidden)
    if text:
        return FittedText(text, text != value, heavy)
    if fallback:
        spare, _ = _fit(fallback, encoding, forbidden)
        if spare:
            return FittedText(spare, True, True)
    raise ValueError(f"text {value!r} is empty once fitted and has no fallback")


def _fit(value: str, encoding: str, forbidden: str) -> tuple[str, bool]:
    text = CONTROL_RE.sub(" ", _drop_format(value))
    heavy = False
    if encoding != "utf-8" and not _holds(text, encoding):
        text, heavy = _transliterate(text, encoding)
    for char in forbidden:
        if char in text:
            text = text.replace(char, _READABLE.get(char, " "))
    text = " ".join(text.split())
    return (text if text.strip(_JOINERS + " ") else ""), heavy


def _drop_format(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in text if c in _JOINERS or unicodedata.category(c) != "Cf")


def _holds(text: str, encoding: str) -> bool:
    if encoding == "ascii":
        return text.isascii()
    return all(char in _CP1252 for char in text)


def _transliterate(text: str, encoding: str) -> tuple[str, bool]:
    keep = _CP1252 if encoding == "cp1252" else frozenset()
    parts: list[str] = []
    heavy = False
    for char in text:
        if char.isascii() or char in keep:
            parts.append(char)
            continue
        parts.append(_ascii_of(char))
        heavy = heavy or not _is_light(char)
    return "".join(parts), heavy


@lru_cache(maxsize=4096)
def _ascii_of(char: str) -> str:
    spelled = anyascii(char)
    if len(spelled) > 2 and spelled.startswith(":") and spelled.endswith(":"):
        return " "
    return spelled


@lru_cache(maxsize=4096)
def _is_light(char: str) -> bool:
    category = unicodedata.category(char)
    if category.startswith(_LIGHT_CATEGORIES):
        return True
    if unicodedata.name(char, "").startswith("LATIN "):
        return True
    bare = "".join(
        c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
    )
    return bool(bare) and bare.isascii()


# -- reading: decoding, lines, and the two syntaxes of course files ---------------


class Note(Protocol):
    """Where the readers below report: ``note(code, file, line, **message_values)``."""

    def __call__(
        self, code: str, file: str, line: int | None, /, **values: object
    ) -> None: ...


_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(r"\r\n|\r|\n")
_FIELD = re.compile(r'[ \t]*(?:"((?:[^"]|"")*)"[ \t]*|([^,]*))(,|$)')
_PLAIN_ROW = re.compile(r'"[^"]*"(?:,"[^"]*")*')
_INI_SPECIAL = re.compile(r'[?{}|&~!()^";]')
_INI_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "none", "null"})
_ID_KEYS = frozenset({"course_id", "system_id", "file_name"})
_SHOWN = 40


def decode_course_file(note: Note, name: str, data: bytes) -> str:
    """Decode a course file leniently: UTF-8 (BOM or not), else Windows-1252.

    Never fails: undecodable bytes become U+FFFD and are reported.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        note("AICC704", name, None, problem="UTF-16 text, where LMSs read 8-bit text")
        return data.decode("utf-16", errors="replace")
    if data.startswith(_BOM):
        note("AICC701", name, 1)
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_cp1252(note, name, data)
    else:
        if not text.isascii():
            note("AICC703", name, _first_line_with(text, _not_ascii))
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        note("AICC704", name, line, problem="NUL bytes: this is not a text file")
    return text


def _decode_cp1252(note: Note, name: str, data: bytes) -> str:
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" in text:
        line = text.count("\n", 0, text.index("\ufffd")) + 1
        note("AICC704", name, line, problem="bytes neither UTF-8 nor Windows-1252")
    else:
        note("AICC702", name, _first_line_with(text, _not_ascii))
    return text


def _not_ascii(line: str) -> bool:
    return not line.isascii()


def _first_line_with(text: str, test: Callable[[str], bool]) -> int | None:
    for number, line in enumerate(_LINE_END.split(text), start=1):
        if test(line):
            return number
    return None


def split_lines(note: Note, name: str, text: str) -> list[tuple[int, str]]:
    """Split ``text`` on any line end, reporting line ends that are not CRLF, a
    missing final line end and runs of question marks. Returns (1-based line
    number, line) pairs.
    """
    crlf = text.count("\r\n")
    lone_cr, lone_lf = text.count("\r") - crlf, text.count("\n") - crlf
    if lone_cr or lone_lf:
        kind = "mixed" if crlf or (lone_cr and lone_lf) else ("LF" if lone_lf else "CR")
        note("AICC705", name, None, kind=kind)
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    elif text:
        note("AICC706", name, len(lines))
    numbered = list(enumerate(lines, start=1))
    lost = next((number for number, line in numbered if "???" in line), None)
    if lost is not None:
        note("AICC710", name, lost)
    return numbered


@dataclass
class CsvTable:
    """A comma-separated course table: lower-cased header names and data rows."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    width: int

    def column(self, key: str) -> int | None:
        """The index of column ``key`` (lower case), or ``None``."""
        return self.header.index(key) if key in self.header else None

    def records(self, keys: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
        """Each row as (line, {key: value}); missing columns and cells read as ""."""
        indexes = [(key, self.column(key)) for key in keys]
        return [
            (line, {key: _cell(cells, index) for key, index in indexes})
            for line, cells in self.rows
        ]


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


@dataclass
class _Row:
    line: int
    cells: list[str]
    unquoted: list[int]
    broken: bool


def parse_csv_row(line: str) -> tuple[list[str], list[int], bool]:
    """Split one CSV line: (stripped values, indexes of unquoted non-empty fields,
    whether the quoting is broken).
    """
    if _PLAIN_ROW.fullmatch(line):
        return [value.strip() for value in line[1:-1].split('","')], [], False
    values: list[str] = []
    unquoted: list[int] = []
    broken = False
    for match in _fields(line):
        quoted, bare, _ = match.groups()
        if quoted is not None:
            values.append(quoted.replace('""', '"').strip())
            continue
        bare = bare.strip()
        broken = broken or '"' in bare
        if bare:
            unquoted.append(len(values))
        values.append(bare.strip('"').strip())
    return values, unquoted, broken


def _fields(line: str) -> list[re.Match[str]]:
    matches = []
    position = 0
    while (match := _FIELD.match(line, position)) is not None:
        matches.append(match)
        if match.group(3) != ",":
            break
        position = match.end()
    return matches


def parse_csv_table(note: Note, name: str, lines: list[tuple[int, str]]) -> CsvTable:
    """Parse a course table, reporting unquoted fields, broken quoting, rows of
    another width than the header, repeated column names and values holding
    control or bidi characters.
    """
    content = [(number, line) for number, line in lines if line.strip()]
    if not content:
        return CsvTable(name, [], [], 0)
    rows = [_Row(n, *parse_csv_row(line)) for n, line in content]
    header = [h.lower() for h in rows[0].cells]
    _note_repeats(note, name, rows[0].line, header)
    _note_syntax(note, name, rows, len(header))
    _note_csv_controls(note, name, rows, content)
    width = max(len(row.cells) for row in rows)
    return CsvTable(name, header, [(row.line, row.cells) for row in rows[1:]], width)


def _note_repeats(note: Note, name: str, line: int, header: list[str]) -> None:
    counts = Counter(header)
    repeated = sorted(h for h, n in counts.items() if h and h != "member" and n > 1)
    if repeated:
        note("AICC711", name, line, columns=", ".join(repeated))


def _note_syntax(note: Note, name: str, rows: list[_Row], width: int) -> None:
    unquoted = [(row.line, index) for row in rows for index in row.unquoted]
    if unquoted:
        line, index = unquoted[0]
        note("AICC707", name, line, count=len(unquoted), column=index + 1)
    for row in rows[1:]:
        if row.broken:
            note("AICC709", name, row.line)
    odd = [row for row in rows[1:] if len(row.cells) != width]
    if odd:
        found = len(odd[0].cells)
        note("AICC708", name, odd[0].line, count=len(odd), width=width, found=found)


def _note_csv_controls(
    note: Note, name: str, rows: list[_Row], content: list[tuple[int, str]]
) -> None:
    columns = rows[0].cells
    for row, (_, line) in zip(rows, content, strict=True):
        if CONTROL_RE.search(line) is None:
            continue
        for index, cell in enumerate(row.cells):
            key = columns[index] if index < len(columns) else ""
            if row is rows[0] or not key:
                key = ("header of " if row is rows[0] else "") + f"column {index + 1}"
            _note_controls(note, name, row.line, key, cell)


def _note_controls(note: Note, name: str, line: int, key: str, value: str) -> None:
    found = sorted(set(CONTROL_RE.findall(value)))
    if not found:
        return
    code = "AICC712" if key.lower() in _ID_KEYS else "AICC713"
    chars = ", ".join(f"U+{ord(c):04X}" for c in found)
    shown = value if len(value) <= _SHOWN else value[:_SHOWN] + "…"
    note(code, name, line, key=key, value=shown, chars=chars)


@dataclass
class CrsGroups:
    """The keyword groups of a ``.crs`` file: group -> keyword -> (value, line),
    both lower-cased, and the free-form description lines."""

    groups: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    description: list[tuple[int, str]] = field(default_factory=list)

    def get(self, group: str, key: str) -> tuple[str, int] | None:
        """The (value, line) of ``key`` in ``group``, or ``None``."""
        return self.groups.get(group, {}).get(key)

    def value(self, group: str, key: str, default: str = "") -> str:
        """The value of ``key`` in ``group``, or ``default``."""
        found = self.get(group, key)
        return found[0] if found else default


_FREE_FORM = "course_description"


def parse_crs(note: Note, name: str, lines: list[tuple[int, str]]) -> CrsGroups:
    """Parse the grouped keyword syntax of a ``.crs`` leniently: any case, blank
    lines, indentation, spaces around ``=``, ``;`` comments; the
    ``[Course_Description]`` group is free text.
    """
    crs = CrsGroups()
    group: str | None = None
    for number, raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip().lower()
            crs.groups.setdefault(group, {})
        elif group == _FREE_FORM:
            crs.description.append((number, line))
            _check_value(note, name, number, "Course_Description", line)
        elif not line.startswith(";"):
            _keyword(note, name, crs, group, number, line)
    return crs


def _keyword(
    note: Note, name: str, crs: CrsGroups, group: str | None, number: int, line: str
) -> None:
    if "=" not in line:
        note("AICC211", name, number, text=line[:40])
        return
    key, _, value = (part.strip() for part in line.partition("="))
    if group is None:
        note("AICC212", name, number, key=key)
        return
    _note_controls(note, name, number, "keyword", key)
    if len(value) >= 2 and value[0] == value[-1] == '"':
        note("AICC218", name, number, key=key)
        value = value[1:-1].strip()
    if key.lower() in crs.groups[group]:
        note("AICC213", name, number, key=key)
    crs.groups[group][key.lower()] = (value, number)
    _check_value(note, name, number, key, value)


def _check_value(note: Note, name: str, number: int, key: str, value: str) -> None:
    _note_controls(note, name, number, key, value)
    special = sorted(set(_INI_SPECIAL.findall(value)))
    if special:
        note("AICC209", name, number, key=key, chars="".join(special))
    if "=" in value:
        note("AICC210", name, number, key=key)
    if value.lower() in _INI_WORDS:
        note("AICC214", name, number, key=key, value=value)
