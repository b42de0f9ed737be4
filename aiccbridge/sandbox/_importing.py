"""Importing AICC packages into the sandbox, through the core's package reader.

A package is imported exactly when ``aiccbridge package validate`` finds no
error in it and the reader could model the course; otherwise it is refused
with the same diagnostics ``validate --json`` lists (a file that is not a zip
at all gets the same ``AICC100`` entry ``validate`` gives). Courses are keyed
by their ``Course_ID``: a new upload of a known id replaces the course in
place, keeping its records.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from typing import Any, Literal

from aiccbridge.core import Package, PackageError, read_package
from aiccbridge.sandbox._store import Course, SandboxStore

__all__ = ["ImportResult", "import_package", "package_diagnostics"]

logger = logging.getLogger(__name__)

Action = Literal["added", "replaced", "unchanged", "refused"]


@dataclass(frozen=True)
class ImportResult:
    """What happened to one uploaded package."""

    action: Action
    source: str
    diagnostics: tuple[dict[str, Any], ...]
    course: Course | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when the course is in the sandbox now."""
        return self.action != "refused"

    def to_dict(self) -> dict[str, Any]:
        """The result for the JSON API."""
        return {
            "action": self.action,
            "ok": self.ok,
            "source": self.source,
            "reason": self.reason,
            "course": self.course.to_dict() if self.course else None,
            "diagnostics": list(self.diagnostics),
        }


def package_diagnostics(data: bytes) -> tuple[Package | None, list[dict[str, Any]]]:
    """Read zip bytes: the modelled package (or None) and the diagnostics, each as
    ``aiccbridge package validate --json`` prints it."""
    try:
        reading = read_package(data)
    except PackageError as exc:
        return None, [
            {
                "code": "AICC100",
                "severity": "error",
                "file": "",
                "line": None,
                "message": exc.message,
            }
        ]
    diagnostics = [d.to_dict() for d in reading.diagnostics]
    return (reading.package if reading.ok else None), diagnostics


def import_package(
    store: SandboxStore, data: bytes, *, source: str, profile: str | None = None
) -> ImportResult:
    """Import one package (zip bytes) into ``store``.

    ``profile`` sets the course's LMS profile (``None`` keeps the one it had).
    """
    package, diagnostics = package_diagnostics(data)
    if package is None:
        reason = _refusal(diagnostics)
        logger.info("package %s refused: %s", source, reason)
        return ImportResult("refused", source, tuple(diagnostics), reason=reason)
    sha = hashlib.sha256(data).hexdigest()
    old = store.course(package.course.course_id)
    action = _action(old, sha)
    course = _course(package, source, sha, diagnostics, old, profile, store.now())
    if action != "unchanged" or profile is not None:
        store.save_course(course, data)
    logger.info("package %s: course %s %s", source, course.course_id, action)
    return ImportResult(action, source, tuple(diagnostics), course)


def _refusal(diagnostics: list[dict[str, Any]]) -> str:
    errors = [d for d in diagnostics if d["severity"] == "error"]
    if errors:
        first = errors[0]
        return f"{len(errors)} error(s); first {first['code']}: {first['message']}"
    return "the course files could not be modelled (see the warnings)"


def _action(old: Course | None, sha: str) -> Action:
    if old is None or old.retired:
        return "added"
    return "unchanged" if old.sha256 == sha else "replaced"


def _course(
    package: Package,
    source: str,
    sha: str,
    diagnostics: list[dict[str, Any]],
    old: Course | None,
    profile: str | None,
    now: float,
) -> Course:
    same = old is not None and old.sha256 == sha
    return Course(
        course_id=package.course.course_id,
        title=package.course.title,
        version=package.course.version,
        source=source,
        sha256=sha,
        model=_model(package),
        diagnostics=diagnostics,
        profile=profile if profile is not None else (old.profile if old else None),
        retired=False,
        revision=(old.revision + (0 if same else 1)) if old else 1,
        imported_at=old.imported_at if old else now,
        updated_at=now,
    )


def _model(package: Package) -> dict[str, Any]:
    return {
        "course": asdict(package.course),
        "aus": [asdict(au) for au in package.aus],
        "descriptors": [asdict(d) for d in package.descriptors],
        "structure": [
            {"block": row.block, "members": list(row.members)}
            for row in package.structure
        ],
    }
