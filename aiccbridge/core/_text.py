"""Text in and out of course files.

Writing: :func:`fit_text` fits free text into one clean line that an encoding
(and a picky LMS) can hold. Reading: the lenient decoding, line splitting and
the two syntaxes of course files (grouped keywords in the ``.crs``,
comma-separated tables elsewhere), reporting what they meet through a callback.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

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

CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Line breaks, tabs and every other control character."""

_READABLE = {"&": " and ", "@": " at ", "%": " percent ", "+": " plus "}
_CP1252 = frozenset(bytes(range(256)).decode("cp1252", errors="ignore"))
_LIGHT_CATEGORIES = ("P", "Z", "Sc", "Sk", "Mn", "Me", "Cf")


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
    """Tell whether ``value`` holds a line break, a tab or another control character."""
    return CONTROL_RE.search(value) is not None


def fit_text(
    value: str, encoding: str, *, forbidden: str = "", fallback: str = ""
) -> FittedText:
    """Fit ``value`` into one clean line of text in ``encoding``.

    Steps, in order:

    1. Line breaks, tabs and other control characters become spaces.
    2. Characters ``encoding`` cannot hold are transliterated with ``anyascii``
       (``utf-8``: none; ``cp1252``: those outside Windows-1252; ``ascii``: every
       non-ASCII one). Typographic punctuation becomes its ASCII twin; emoji are
       dropped.
    3. Each character of ``forbidden`` becomes a readable word where one exists
       (``&`` → ``and``, ``@`` → ``at``, ``%`` → ``percent``, ``+`` → ``plus``),
       otherwise a space.
    4. Runs of white space collapse into one space; the ends are stripped.

    ``transliterated`` is true when step 2 replaced a character that is not
    "the same letter without its accent": a character counts as *light* (accent,
    punctuation or spacing only) when it is a Latin letter, punctuation, a space,
    a currency or modifier sign, a combining mark or an invisible format
    character, or when its compatibility decomposition without combining marks
    is plain ASCII (``é`` → ``e``, ``ﬁ`` → ``fi``, full-width ``Ａ`` → ``A``).
    Any other replacement (Japanese → romaji, Cyrillic, Arabic, a dropped
    emoji) is a transliteration. So ``"Café"`` → ``"Cafe"`` is not one,
    ``"日本"`` → ``"RiBen"`` is.

    The result is never empty: an empty result is replaced by ``fallback``
    (fitted the same way, and marked transliterated); when that is empty too,
    ``ValueError`` is raised. An unknown ``encoding`` is a ``ValueError`` as well.
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
    text = CONTROL_RE.sub(" ", value)
    heavy = False
    if encoding != "utf-8" and not _holds(text, encoding):
        text, heavy = _transliterate(text, encoding)
    for char in forbidden:
        if char in text:
            text = text.replace(char, _READABLE.get(char, " "))
    return " ".join(text.split()), heavy


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

Note = Callable[[str, str, "int | None", str], None]
"""Where the readers below report: ``note(code, file, line, message)``."""

_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(r"\r\n|\r|\n")
_FIELD = re.compile(r'[ \t]*(?:"((?:[^"]|"")*)"[ \t]*|([^,]*))(,|$)')
_INI_SPECIAL = re.compile(r'[?{}|&~!()^";]')
_INI_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "none", "null"})


def decode_course_file(note: Note, name: str, data: bytes) -> str:
    """Decode a course file leniently: UTF-8 (BOM or not), else Windows-1252.

    Never fails: undecodable bytes become U+FFFD and are reported.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        note("AICC704", name, None, "UTF-16 text; LMSs read 8-bit text and see garbage")
        return data.decode("utf-16", errors="replace")
    if data.startswith(_BOM):
        note(
            "AICC701",
            name,
            1,
            "starts with a UTF-8 byte-order mark; some LMSs read it as part of the "
            "first line (a .crs then has no [Course] group)",
        )
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_cp1252(note, name, data)
    else:
        _note_non_ascii(note, name, text)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        note("AICC704", name, line, "holds NUL bytes; this is not a text file")
    return text


def _decode_cp1252(note: Note, name: str, data: bytes) -> str:
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" in text:
        line = text.count("\n", 0, text.index("\ufffd")) + 1
        note(
            "AICC704",
            name,
            line,
            "bytes that are neither UTF-8 nor Windows-1252; the text cannot be read",
        )
        return text
    line = _first_line_with(text, lambda s: not s.isascii())
    note(
        "AICC702",
        name,
        line,
        "not UTF-8; read as Windows-1252 with non-ASCII text, which a strict LMS "
        "reading ASCII or UTF-8 mangles",
    )
    return text


def _note_non_ascii(note: Note, name: str, text: str) -> None:
    if text.isascii():
        return
    note(
        "AICC703",
        name,
        _first_line_with(text, lambda s: not s.isascii()),
        "non-ASCII text (UTF-8); LMSs that read Latin-1 or ASCII (ILIAS, Chamilo) "
        "turn it into mojibake",
    )


def _first_line_with(text: str, test: Callable[[str], bool]) -> int | None:
    for number, line in enumerate(_LINE_END.split(text), start=1):
        if test(line):
            return number
    return None


def split_lines(note: Note, name: str, text: str) -> list[tuple[int, str]]:
    """Split ``text`` on any line end, reporting line ends that are not CRLF and a
    missing final line end. Returns (1-based line number, line) pairs.
    """
    crlf = text.count("\r\n")
    lone_cr, lone_lf = text.count("\r") - crlf, text.count("\n") - crlf
    if lone_cr or lone_lf:
        kind = "mixed" if crlf or (lone_cr and lone_lf) else ("LF" if lone_lf else "CR")
        note(
            "AICC705",
            name,
            None,
            f"{kind} line ends, not CRLF; Moodle splits on CRLF only and then reads "
            "nothing from the file",
        )
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    elif text:
        note("AICC706", name, len(lines), "no line end after the last line")
    if any("???" in line for line in lines):
        line = next(n for n, s in enumerate(lines, start=1) if "???" in s)
        note(
            "AICC710",
            name,
            line,
            "'???' in the text; the exporting tool probably replaced non-ASCII "
            "characters by question marks",
        )
    return list(enumerate(lines, start=1))


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


def parse_csv_row(line: str) -> tuple[list[str], list[int], bool]:
    """Split one CSV line: (stripped values, indexes of unquoted non-empty fields,
    whether the quoting is broken).
    """
    values: list[str] = []
    unquoted: list[int] = []
    broken = False
    position = 0
    while True:
        match = _FIELD.match(line, position)
        if match is None:  # cannot happen: the pattern matches any text, even ""
            return values, unquoted, True
        quoted, bare, separator = match.groups()
        if quoted is not None:
            values.append(quoted.replace('""', '"').strip())
        else:
            bare = bare.strip()
            broken = broken or '"' in bare
            if bare:
                unquoted.append(len(values))
            values.append(bare.strip('"').strip())
        position = match.end()
        if separator != ",":
            return values, unquoted, broken


def parse_csv_table(note: Note, name: str, lines: list[tuple[int, str]]) -> CsvTable:
    """Parse a course table, reporting unquoted fields, broken quoting, rows of
    another width than the header and repeated column names.
    """
    content = [(number, line) for number, line in lines if line.strip()]
    if not content:
        return CsvTable(name, [], [], 0)
    header_line, header_text = content[0]
    header, _, _ = parse_csv_row(header_text)
    header = [h.lower() for h in header]
    _note_repeats(note, name, header_line, header)
    rows = [(number, parse_csv_row(line)) for number, line in content[1:]]
    _note_syntax(note, name, header_line, header_text, rows, len(header))
    width = max([len(header)] + [len(cells) for _, (cells, _, _) in rows])
    return CsvTable(name, header, [(n, cells) for n, (cells, _, _) in rows], width)


def _note_repeats(note: Note, name: str, line: int, header: list[str]) -> None:
    repeated = sorted(
        {h for h in header if h and h != "member" and header.count(h) > 1}
    )
    if repeated:
        note(
            "AICC711",
            name,
            line,
            f"column {', '.join(repeated)} appears more than once; the first is used",
        )


def _note_syntax(
    note: Note,
    name: str,
    header_line: int,
    header_text: str,
    rows: list[tuple[int, tuple[list[str], list[int], bool]]],
    width: int,
) -> None:
    _, header_unquoted, _ = parse_csv_row(header_text)
    unquoted = [(header_line, i) for i in header_unquoted]
    unquoted += [(n, i) for n, (_, found, _) in rows for i in found]
    if unquoted:
        line, index = unquoted[0]
        note(
            "AICC707",
            name,
            line,
            f"{len(unquoted)} non-empty field(s) without double quotes (first: column "
            f"{index + 1}); Moodle silently drops such rows",
        )
    for number, (_, _, broken) in rows:
        if broken:
            note("AICC709", name, number, "broken double quotes in this row")
    odd = [(n, len(cells)) for n, (cells, _, _) in rows if len(cells) != width]
    if odd:
        note(
            "AICC708",
            name,
            odd[0][0],
            f"{len(odd)} row(s) with another number of columns than the header's "
            f"{width} (first: {odd[0][1]}); ILIAS refuses such a table",
        )


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
        note(
            "AICC211", name, number, f"line {line[:40]!r} is not Keyword=Value; ignored"
        )
        return
    shown, _, value = line.partition("=")
    shown, value = shown.strip(), value.strip()
    if group is None:
        note("AICC212", name, number, f"{shown} comes before any [group]; ignored")
        return
    if len(value) >= 2 and value[0] == value[-1] == '"':
        note("AICC218", name, number, f"{shown} value is in quotes; Moodle keeps them")
        value = value[1:-1].strip()
    keywords = crs.groups[group]
    if shown.lower() in keywords:
        note("AICC213", name, number, f"{shown} given twice; the last one is used")
    keywords[shown.lower()] = (value, number)
    _check_value(note, name, number, shown, value)


def _check_value(note: Note, name: str, number: int, key: str, value: str) -> None:
    special = sorted(set(_INI_SPECIAL.findall(value)))
    if special:
        note(
            "AICC209",
            name,
            number,
            f"{key} holds {''.join(special)}; ILIAS's INI parser can cut the value "
            "short or refuse the whole file",
        )
    if "=" in value:
        note(
            "AICC210",
            name,
            number,
            f"{key} holds '='; Moodle and Chamilo split the line at the wrong '='",
        )
    if value.lower() in _INI_WORDS:
        note(
            "AICC214",
            name,
            number,
            f"{key} is {value!r}; ILIAS's INI parser turns it into 1 or nothing",
        )
