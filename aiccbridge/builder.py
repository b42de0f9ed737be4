"""Catalog entries become AICC packages for one tenant.

A course or a video becomes one AU; a learning path becomes one AU per member
course, listed in order under ``Root``. Every AU's ``File_Name`` is the provider's
launch address. Text is fitted to the tenant's encoding and the vendor's forbidden
characters; each row whose text changed beyond dropping accents is reported.
The package's fingerprint is the sha256 of its course files, so a change is found
from content, never from timestamps.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

from aiccbridge import __version__
from aiccbridge.catalog import CatalogEntry
from aiccbridge.core import (
    AssignableUnit,
    CourseInfo,
    Descriptor,
    FittedText,
    Package,
    PackageFile,
    StructureRow,
    fit_text,
    render_package,
    version_rules,
    zip_files,
)

__all__ = [
    "BuildSettings",
    "BuiltPackage",
    "Transliteration",
    "build_entry",
    "input_key",
    "member_problem",
    "package_file_name",
]

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
COURSE_SYSTEM = "aiccbridge"
#: Bumped whenever the same inputs would build different bytes.
BUILD_FORMAT = "1"
_MAX_STEM = 120
_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)
#: Longest title and description written; longer text is cut at a word.
MAX_TITLE = 255
MAX_DESCRIPTION = 2000


@dataclass(frozen=True, slots=True)
class BuildSettings:
    """What a tenant and its vendor decide about the packages built for it."""

    tenant: str
    launch_url: str
    provider: str
    aicc_version: str
    encoding: str
    forbidden_chars: str = ""


@dataclass(frozen=True, slots=True)
class Transliteration:
    """One text field that had to change beyond dropping accents."""

    line: int
    id: str
    field: str
    original: str
    text: str

    def to_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "id": self.id,
            "field": self.field,
            "original": self.original,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class BuiltPackage:
    """A package ready to zip, with what sync needs to know about it."""

    entry: CatalogEntry
    title: str
    file_name: str
    files: tuple[PackageFile, ...]
    fingerprint: str
    transliterations: tuple[Transliteration, ...]

    def zip_bytes(self) -> bytes:
        return zip_files(self.files)


def package_file_name(course_id: str) -> str:
    """The zip's file name, from the course id alone: same id, same name.

    Characters unsafe in file names become ``_``; an id too long for a file name
    is cut and given a digest of the whole id, so distinct ids keep distinct
    names; names Windows reserves (``CON``, ``LPT1`` ...) get a ``_`` suffix.
    """
    stem = _UNSAFE_FILE_CHARS.sub("_", course_id)
    if len(stem) > _MAX_STEM:
        digest = hashlib.sha256(course_id.encode("utf-8")).hexdigest()[:16]
        stem = f"{stem[: _MAX_STEM - 17]}-{digest}"
    if stem.split(".")[0].upper() in _RESERVED_NAMES:
        stem += "_"
    return stem + ".zip"


def member_problem(
    entry: CatalogEntry, by_id: Mapping[str, CatalogEntry]
) -> str | None:
    """Why a learning path cannot be built from the catalog, or None."""
    for child in entry.children:
        member = by_id.get(child)
        if member is None:
            return f"learning path member {child!r} is not in the catalog"
        if member.kind == "learning_path":
            return f"learning path member {child!r} is itself a learning path"
        if not member.active:
            return (
                f"learning path member {child!r} is inactive; remove it from the path"
            )
    return None


def input_key(
    entry: CatalogEntry, settings: BuildSettings, by_id: Mapping[str, CatalogEntry]
) -> str:
    """A digest of everything a package is built from: same key, same package.

    Sync uses it to skip rebuilding a package whose inputs did not change; when
    the key differs, the rebuilt package's fingerprint still decides.
    """
    members = [by_id[c].content_key() for c in entry.children if c in by_id]
    text = repr((BUILD_FORMAT, __version__, settings, entry.content_key(), members))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def build_entry(
    entry: CatalogEntry, settings: BuildSettings, by_id: Mapping[str, CatalogEntry]
) -> BuiltPackage:
    """Build the package for one catalog entry (members looked up in ``by_id``)."""
    fitter = _Fitter(settings, entry)
    title = fitter.fit("title", entry.title, fallback=entry.id)
    description = _free_form(
        fitter.fit(
            "description", entry.description, fallback=title, limit=MAX_DESCRIPTION
        )
    )
    members = (
        [by_id[c] for c in entry.children] if entry.kind == "learning_path" else []
    )
    units = members or [entry]
    aus = tuple(_au(i, unit, settings) for i, unit in enumerate(units, 1))
    descriptors = tuple(
        _descriptor(au, unit, fitter, title, description)
        for au, unit in zip(aus, units, strict=True)
    )
    course = CourseInfo(
        course_id=entry.id,
        title=title,
        version=settings.aicc_version,
        creator=fitter.fit("author", entry.author, fallback=settings.provider),
        system=COURSE_SYSTEM,
        description=description,
    )
    structure = (StructureRow("Root", tuple(au.system_id for au in aus)),)
    package = Package("course", course, aus, descriptors, structure)
    files = render_package(package, settings.encoding)
    return BuiltPackage(
        entry=entry,
        title=title,
        file_name=package_file_name(entry.id),
        files=files,
        fingerprint=_fingerprint(files),
        transliterations=tuple(fitter.changes),
    )


class _Fitter:
    """Fits one entry's texts and remembers what had to be transliterated."""

    def __init__(self, settings: BuildSettings, entry: CatalogEntry) -> None:
        self.settings = settings
        self.entry = entry
        self.changes: list[Transliteration] = []

    def fit(
        self, field: str, value: str, *, fallback: str, limit: int = MAX_TITLE
    ) -> str:
        """Fit a row's text; a blank one takes the fallback, fitted but not reported."""
        if not value.strip():
            if not fallback:
                return ""
            return _shorten(self._fitted(fallback, COURSE_SYSTEM).text, limit)
        fitted = self._fitted(value, fallback)
        text = _shorten(fitted.text, limit)
        if fitted.transliterated or text != fitted.text:
            change = Transliteration(self.entry.line, self.entry.id, field, value, text)
            self.changes.append(change)
        return text

    def _fitted(self, value: str, fallback: str) -> FittedText:
        return fit_text(
            value,
            self.settings.encoding,
            forbidden=self.settings.forbidden_chars,
            fallback=fallback,
        )


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word, marked with ``...``."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "..."


def _au(index: int, unit: CatalogEntry, settings: BuildSettings) -> AssignableUnit:
    # a path's AU is its member course, with the member's own mastery score
    mastery = unit.mastery_score
    return AssignableUnit(
        system_id=f"A{index}",
        file_name=_launch_address(settings, unit.id),
        type=unit.kind,
        max_score="100" if mastery is not None else "",
        mastery_score=_score_text(mastery, settings.aicc_version),
        system_vendor=COURSE_SYSTEM,
    )


def _descriptor(
    au: AssignableUnit,
    unit: CatalogEntry,
    fitter: _Fitter,
    title: str,
    description: str,
) -> Descriptor:
    if unit is fitter.entry:
        return Descriptor(au.system_id, title, description, developer_id=unit.id)
    member_fitter = _Fitter(fitter.settings, unit)
    member_title = member_fitter.fit("title", unit.title, fallback=unit.id)
    member_text = member_fitter.fit(
        "description", unit.description, fallback=member_title, limit=MAX_DESCRIPTION
    )
    fitter.changes.extend(member_fitter.changes)
    return Descriptor(au.system_id, member_title, member_text, developer_id=unit.id)


def _free_form(text: str) -> str:
    """A ``[Course_Description]`` line must not look like a group header."""
    if not text.startswith("["):
        return text
    close = text.find("]")
    if close == -1:
        return "(" + text[1:]
    return "(" + text[1:close] + ")" + text[close + 1 :]


def _launch_address(settings: BuildSettings, course_id: str) -> str:
    return settings.launch_url.format(
        tenant=quote(settings.tenant, safe=""), course_id=quote(course_id, safe="")
    )


def _score_text(score: float | None, version: str) -> str:
    """A mastery score as AICC writes it: whole for 2.x, else up to 2 decimals."""
    if score is None:
        return ""
    places = Decimal("0.01") if version_rules(version).decimal_scores else Decimal(1)
    value = Decimal(str(score)).quantize(places, rounding=ROUND_HALF_UP)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fingerprint(files: tuple[PackageFile, ...]) -> str:
    digest = hashlib.sha256()
    for item in files:
        digest.update(item.name.encode("utf-8") + b"\0")
        digest.update(len(item.data).to_bytes(8, "big") + item.data)
    return digest.hexdigest()
