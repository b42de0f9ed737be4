"""What the lenient reader says about a package: diagnostics and the reading.

Every diagnostic code is listed in :data:`CODES` with its severity; the codes are
stable and documented one per row in ``docs/diagnostics.md``. They are grouped
by the file they are about:

======  ==================================================
AICC1…  the package or zip as a whole (``AICC100``: it cannot be
        read as a package at all; ``read_package`` raises instead,
        the commands report it)
AICC2…  the ``.crs`` course description
AICC3…  the ``.au`` assignable-unit table
AICC4…  the ``.des`` descriptor table
AICC5…  the ``.cst`` course structure
AICC6…  the ``.ort``, ``.pre`` and ``.cmp`` tables
AICC7…  text, encoding and CSV syntax of any file
======  ==================================================

Severities: ``error`` — a strict LMS will not import the package (or not use
that part); ``warning`` — some LMSs take it, others do not or lose data;
``info`` — worth knowing, harmless for the LMSs we know.

Messages and file names never carry control or bidi characters from the
package: each is shown escaped (``\\x1b``, ``\\u202e``), so a message stays one
harmless line on a terminal.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from aiccbridge.core._model import AssignableUnit, Package
from aiccbridge.core._text import CONTROL_RE

__all__ = [
    "CODES",
    "MESSAGES",
    "SEVERITIES",
    "Diagnostic",
    "PackageReading",
    "make_diagnostic",
]

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

_RULE = "ILIAS checks the count and refuses the package"

_TABLE: dict[str, tuple[str, str]] = {
    "AICC100": ("error", "{problem}"),
    "AICC101": (
        "error",
        "mandatory file {file} is missing; strict LMSs refuse the package",
    ),
    "AICC102": (
        "warning",
        "course files are in {folder!r}, not at the zip root; several LMSs look only "
        "at the root",
    ),
    "AICC103": (
        "warning",
        "several courses in one package; reading {base!r}, ignoring {others} (LMSs "
        "differ in which one they import)",
    ),
    "AICC104": (
        "warning",
        "extension is not lower-case .{ext}; Moodle's upload check wants a lower-case "
        ".cst, and case-sensitive servers miss the file",
    ),
    "AICC105": (
        "error",
        "no AICC course files (.crs, .au, .des, .cst) found; no LMS can import this "
        "package",
    ),
    "AICC106": (
        "warning",
        "base names differ in case ({bases}); LMSs that compare names exactly will "
        "not match the files",
    ),
    "AICC107": ("error", "cannot be unpacked ({detail}); no LMS can read it either"),
    "AICC108": ("warning", "{what}; {used} is used, an LMS may pick the other"),
    "AICC109": ("warning", "is a symbolic link; it is not followed"),
    "AICC110": (
        "warning",
        "is not a regular file (a device, pipe or socket); it is not read",
    ),
    "AICC201": (
        "error",
        "no [Course] group; no LMS can read the course id, title or version",
    ),
    "AICC202": (
        "error",
        "{key} is missing or empty in [Course]; strict LMSs refuse the course",
    ),
    "AICC203": (
        "warning",
        "missing {keys}; ILIAS refuses a .crs without all nine [Course] keywords and "
        "Max_Normal",
    ),
    "AICC204": ("error", "{problem}; " + _RULE),
    "AICC205": ("error", "{problem}; " + _RULE),
    "AICC206": ("error", "{problem}; " + _RULE),
    "AICC207": ("warning", "Version {value!r} is not one of {known}; {outcome}"),
    "AICC208": (
        "warning",
        "[Course_Description] spans {count} lines; ILIAS keeps the first, Chamilo "
        "the last",
    ),
    "AICC209": (
        "warning",
        "{key} holds {chars}; ILIAS's INI parser can cut the value short or refuse "
        "the whole file",
    ),
    "AICC210": (
        "warning",
        "{key} holds '='; Moodle and Chamilo split the line at the wrong '='",
    ),
    "AICC211": ("warning", "line {text!r} is not Keyword=Value; ignored"),
    "AICC212": ("warning", "{key} comes before any [group]; ignored"),
    "AICC213": ("warning", "{key} is given twice; the last one is used"),
    "AICC214": (
        "warning",
        "{key} is {value!r}; ILIAS's INI parser turns it into 1 or nothing",
    ),
    "AICC215": (
        "warning",
        "Max_Normal is {value!r}, not a number from 1 to 99; LMSs may let no AU open "
        "in normal mode",
    ),
    "AICC216": ("warning", "{problem}; LMSs reading objectives get the wrong count"),
    "AICC217": ("info", "unknown {what}; ignored"),
    "AICC218": (
        "warning",
        "{key} value is in double quotes; Moodle keeps them as part of the value",
    ),
    "AICC301": ("error", "no {column} column; strict LMSs refuse the .au"),
    "AICC302": (
        "warning",
        "missing column(s) {columns}; ILIAS refuses an .au without all twelve",
    ),
    "AICC303": ("error", "AU {sid!r} has an empty File_Name; it cannot be launched"),
    "AICC304": ("error", "AU row with an empty System_ID; skipped"),
    "AICC305": (
        "error",
        "System_ID {sid!r} repeats the AU of line {first} (ids ignore case); LMSs "
        "keep one of them or refuse the package",
    ),
    "AICC306": ("warning", "AU {sid!r} has Max_Time_Allowed {value}; {effect}"),
    "AICC307": (
        "warning",
        "AU {sid!r} has Mastery_Score {value}; LMSs turn a reported score into "
        "passed/failed",
    ),
    "AICC308": (
        "warning",
        "System_ID {sid!r} is not letters and digits; some LMSs reject it",
    ),
    "AICC309": ("info", "unknown column(s) {columns}; ignored"),
    "AICC310": ("warning", "AU {sid!r} {column} {value!r} {problem}"),
    "AICC311": ("error", "no AU rows; there is nothing to launch"),
    "AICC401": (
        "error",
        "AU {sid!r} has no .des row; strict LMSs refuse it, others show no title",
    ),
    "AICC402": ("warning", "block {sid!r} has no .des row, so no title"),
    "AICC403": (
        "warning",
        "missing column(s) {columns}; ILIAS refuses a .des without all four",
    ),
    "AICC404": ("error", "no System_ID column; no title can be matched to an AU"),
    "AICC405": ("info", "row for unknown id {sid!r}; LMSs ignore it"),
    "AICC406": ("warning", "a second row for {sid!r}; the first is used"),
    "AICC407": ("warning", "{sid!r} has an empty Title; LMSs show no name"),
    "AICC501": ("error", "no Root row; LMSs cannot find the top of the course"),
    "AICC502": (
        "error",
        "block {block!r} names {member!r}, which is neither an AU nor a block; "
        "strict LMSs refuse the structure",
    ),
    "AICC503": ("error", "blocks form a cycle ({cycle}); LMSs loop or refuse it"),
    "AICC504": (
        "warning",
        "AU {sid!r} is not in the course structure; Moodle shows it outside the "
        "course, other LMSs hide it",
    ),
    "AICC505": (
        "warning",
        "{member!r} is a member {count} times; LMSs show it once, twice or refuse "
        "the structure",
    ),
    "AICC506": ("warning", "{problem}"),
    "AICC507": ("error", "block {block!r} has the id of an AU; ids must be unique"),
    "AICC508": ("warning", "block {block!r} has no members; LMSs show an empty block"),
    "AICC509": ("info", "{problem}"),
    "AICC510": ("warning", "block {block!r} is not reached from Root; LMSs hide it"),
    "AICC601": (
        "warning",
        "header is not {wanted}; the file is not read (LMSs ignore it as well)",
    ),
    "AICC602": (
        "warning",
        "{element!r} is not an AU, block or objective of the course",
    ),
    "AICC701": (
        "warning",
        "starts with a UTF-8 byte-order mark; some LMSs read it as part of the first "
        "line (a .crs then has no [Course] group)",
    ),
    "AICC702": (
        "warning",
        "not UTF-8; read as Windows-1252 with non-ASCII text, which a strict LMS "
        "reading ASCII or UTF-8 mangles",
    ),
    "AICC703": (
        "warning",
        "non-ASCII text (UTF-8); LMSs that read Latin-1 or ASCII (ILIAS, Chamilo) "
        "turn it into mojibake",
    ),
    "AICC704": ("error", "{problem}; LMSs cannot read the text"),
    "AICC705": (
        "warning",
        "{kind} line ends, not CRLF; Moodle splits on CRLF only and then reads "
        "nothing from the file",
    ),
    "AICC706": ("info", "no line end after the last line"),
    "AICC707": (
        "warning",
        "{count} non-empty field(s) without double quotes (first: column {column}); "
        "Moodle silently drops such rows",
    ),
    "AICC708": (
        "warning",
        "{count} row(s) with another number of columns than the header's {width} "
        "(first: {found}); ILIAS refuses such a table",
    ),
    "AICC709": ("warning", "broken double quotes in this row; LMSs split it wrongly"),
    "AICC710": (
        "warning",
        "'???' in the text; the exporting tool probably replaced non-ASCII "
        "characters by question marks",
    ),
    "AICC711": (
        "warning",
        "column {columns} appears more than once; the first is used",
    ),
    "AICC712": (
        "error",
        "{key} {value!r} holds control or bidi characters ({chars}); LMSs cannot "
        "match or launch such an id or file name",
    ),
    "AICC713": (
        "warning",
        "{key} {value!r} holds control or bidi characters ({chars}); LMSs show the "
        "text garbled or reordered",
    ),
}

CODES: dict[str, str] = {code: severity for code, (severity, _) in _TABLE.items()}
"""Every diagnostic code the reader can emit, with its severity."""

MESSAGES: dict[str, str] = {code: text for code, (_, text) in _TABLE.items()}
"""The message of every code, as a ``str.format`` template."""


def make_diagnostic(
    code: str, file: str, line: int | None, /, **values: object
) -> Diagnostic:
    """Build the diagnostic ``code`` with its message filled from ``values``
    (and ``file``); control and bidi characters in the message and the file
    name are escaped (``\\x1b``, ``\\u202e``)."""
    message = MESSAGES[code].format(file=file, **values)
    return Diagnostic(code, CODES[code], _escaped(file), line, _escaped(message))


def _escaped(text: str) -> str:
    return CONTROL_RE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    number = ord(match.group())
    return f"\\x{number:02x}" if number < 0x100 else f"\\u{number:04x}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about a package.

    ``file`` is the file's name inside the package ("" for the package as a
    whole); ``line`` the 1-based line it points at, when it points at one;
    ``message`` one line saying what was found and what a strict LMS does with it.
    """

    code: str
    severity: str
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file or "package"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.code} {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The diagnostic as a JSON-ready mapping."""
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True)
class PackageReading:
    """Everything :func:`~aiccbridge.core.package.read_package` found.

    ``package`` is ``None`` when the files are too broken to model (no usable
    ``.crs`` ``[Course]`` with id, title and a known version, or no usable
    ``.au``); the diagnostics then say why. ``course_fields`` holds the
    ``[Course]`` and ``[Course_Behavior]`` values as read (keywords lower-cased),
    also when there is no package.
    """

    source: str
    package: Package | None
    files: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    course_fields: tuple[tuple[str, str], ...] = ()

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of severity ``error``."""
        return self._of("error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of severity ``warning``."""
        return self._of("warning")

    @property
    def infos(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of severity ``info``."""
        return self._of("info")

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error."""
        return not self.errors

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of all diagnostics, in order."""
        return tuple(d.code for d in self.diagnostics)

    def _of(self, severity: str) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == severity)

    def to_dict(self) -> dict[str, Any]:
        """The reading as a JSON-ready mapping (what ``--json`` prints)."""
        package = self.package
        return {
            "source": self.source,
            "base_name": package.base_name if package else None,
            "course": self._course_dict(),
            "aus": [_au_dict(au) for au in package.aus] if package else [],
            "blocks": _blocks(package) if package else [],
            "files": list(self.files),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "ok": self.ok,
        }

    def _course_dict(self) -> dict[str, str] | None:
        if self.package is not None:
            course = self.package.course
            return {
                "id": course.course_id,
                "title": course.title,
                "version": course.version,
                "level": course.level,
            }
        fields = dict(self.course_fields)
        if not fields:
            return None
        keys = [("id", "course_id"), ("title", "course_title")]
        keys += [("version", "version"), ("level", "level")]
        return {name: fields.get(key, "") for name, key in keys}


def _au_dict(au: AssignableUnit) -> dict[str, str]:
    return asdict(au)


def _blocks(package: Package) -> list[dict[str, Any]]:
    return [
        {"id": row.block, "members": list(row.members)} for row in package.structure
    ]
