"""What the lenient reader says about a package: diagnostics and the reading.

Every diagnostic code is listed in :data:`CODES` with its severity; the codes are
stable and documented one per row in ``docs/diagnostics.md``. They are grouped
by the file they are about:

======  ==================================================
AICC1…  the package or zip as a whole
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
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from aiccbridge.core._model import AssignableUnit, Package

__all__ = ["CODES", "SEVERITIES", "Diagnostic", "PackageReading"]

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

CODES: dict[str, str] = {
    "AICC101": "error",
    "AICC102": "warning",
    "AICC103": "warning",
    "AICC104": "warning",
    "AICC105": "error",
    "AICC106": "warning",
    "AICC107": "error",
    "AICC108": "warning",
    "AICC109": "warning",
    "AICC201": "error",
    "AICC202": "error",
    "AICC203": "warning",
    "AICC204": "error",
    "AICC205": "error",
    "AICC206": "error",
    "AICC207": "warning",
    "AICC208": "warning",
    "AICC209": "warning",
    "AICC210": "warning",
    "AICC211": "warning",
    "AICC212": "warning",
    "AICC213": "warning",
    "AICC214": "warning",
    "AICC215": "warning",
    "AICC216": "warning",
    "AICC217": "info",
    "AICC218": "warning",
    "AICC301": "error",
    "AICC302": "warning",
    "AICC303": "error",
    "AICC304": "error",
    "AICC305": "error",
    "AICC306": "warning",
    "AICC307": "warning",
    "AICC308": "warning",
    "AICC309": "info",
    "AICC310": "warning",
    "AICC311": "error",
    "AICC401": "error",
    "AICC402": "warning",
    "AICC403": "warning",
    "AICC404": "error",
    "AICC405": "info",
    "AICC406": "warning",
    "AICC407": "warning",
    "AICC501": "error",
    "AICC502": "error",
    "AICC503": "error",
    "AICC504": "warning",
    "AICC505": "warning",
    "AICC506": "warning",
    "AICC507": "error",
    "AICC508": "warning",
    "AICC509": "info",
    "AICC510": "warning",
    "AICC601": "warning",
    "AICC602": "warning",
    "AICC701": "warning",
    "AICC702": "warning",
    "AICC703": "warning",
    "AICC704": "error",
    "AICC705": "warning",
    "AICC706": "info",
    "AICC707": "warning",
    "AICC708": "warning",
    "AICC709": "warning",
    "AICC710": "warning",
    "AICC711": "warning",
}
"""Every diagnostic code the reader can emit, with its severity."""


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
        keys = (("id", "course_id"), ("title", "course_title"))
        keys += (("version", "version"), ("level", "level"))
        return {name: fields.get(key, "") for name, key in keys}


def _au_dict(au: AssignableUnit) -> dict[str, str]:
    return asdict(au)


def _blocks(package: Package) -> list[dict[str, Any]]:
    return [
        {"id": row.block, "members": list(row.members)} for row in package.structure
    ]
