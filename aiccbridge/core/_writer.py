"""The strict writer: a :class:`Package` to course files and a deterministic zip.

What comes out is what a strict LMS wants (see the AICC research notes): CRLF
after every line, every CSV field double-quoted, one base name, lower-case
extensions, files at the zip root, all twelve ``.au`` columns, all ``[Course]``
keywords with the counts derived from the tables. A package that a strict LMS
would refuse is not written: :func:`render_package` raises ``PackageError``
naming the field instead.
"""

from __future__ import annotations

import logging
import re
import struct
import zlib
from collections.abc import Iterator, Sequence

from aiccbridge.core._errors import PackageError
from aiccbridge.core._model import (
    ENCODINGS,
    ROOT,
    AssignableUnit,
    Package,
    PackageFile,
    StructureRow,
    version_rules,
)
from aiccbridge.core._text import CONTROL_RE
from aiccbridge.core._zipsafe import unsafe_name

__all__ = [
    "AU_COLUMNS",
    "DEFLATE_LEVEL",
    "DES_COLUMNS",
    "ZIP_TIMESTAMP",
    "build_zip",
    "render_package",
    "zip_files",
]

logger = logging.getLogger(__name__)

AU_COLUMNS: tuple[str, ...] = (
    "System_ID",
    "Type",
    "Command_Line",
    "File_Name",
    "Max_Score",
    "Mastery_Score",
    "Max_Time_Allowed",
    "Time_Limit_Action",
    "System_Vendor",
    "Core_Vendor",
    "Web_Launch",
    "AU_Password",
)
"""The ``.au`` columns in the order the spec lists them (and the writer writes)."""

DES_COLUMNS: tuple[str, ...] = ("System_ID", "Developer_ID", "Title", "Description")
"""The ``.des`` columns in the order the writer writes them."""
CMP_COLUMNS = ("Structure_Element", "Requirement", "Result", "Next", "Return")
PRE_COLUMNS = ("Structure_Element", "Prerequisite")

DEFLATE_LEVEL = 6
"""The zlib level every zip member is compressed with."""

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
"""The modification time every zip member carries."""

_BASE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9]{0,254}")
_COURSE_ID = re.compile(r"[!-~]{1,255}")
_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_TIMESPAN = re.compile(r"[0-9]{2,4}:[0-5][0-9]:[0-5][0-9](\.[0-9]{1,2})?")
_TIME_ACTION = re.compile(r"[EC],[MN]|[MN],[EC]", re.IGNORECASE)
_EXPRESSION_ID = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_EDGE_SPACE = re.compile(r"^[^\S\n]|[^\S\n]$", re.MULTILINE)


def render_package(
    package: Package, encoding: str = "utf-8"
) -> tuple[PackageFile, ...]:
    """Render ``package`` as course files, in the order ``.crs``, ``.au``, ``.des``,
    ``.cst``, then ``.ort``, ``.pre`` and ``.cmp`` when their tables are non-empty.

    ``encoding`` is one of :data:`ENCODINGS` (utf-8 has no byte-order mark).
    Raises ``PackageError`` naming the field when the package is not fit to be
    uploaded: a value holding a line break, a tab, another control character,
    a bidi embedding, override or isolate (U+202A-U+202E, U+2066-U+2069) or
    spaces at either end, a value the encoding cannot hold, a missing mandatory
    value, an inconsistent course structure, or a score the version does not
    allow.
    """
    if encoding not in ENCODINGS:
        raise PackageError(
            f"unknown encoding {encoding!r}", hint=f"use one of {', '.join(ENCODINGS)}"
        )
    _check_package(package)
    base = package.base_name
    texts = [(f"{base}.crs", _crs(package)), (f"{base}.au", _au(package))]
    texts += [(f"{base}.des", _des(package)), (f"{base}.cst", _cst(package))]
    texts += _optional_tables(package)
    return tuple(_encode(package, name, text, encoding) for name, text in texts)


def build_zip(package: Package, encoding: str = "utf-8") -> bytes:
    """Render ``package`` and zip its files (see :func:`zip_files`)."""
    data = zip_files(render_package(package, encoding))
    logger.debug("built package %s: %d bytes", package.base_name, len(data))
    return data


def zip_files(files: Sequence[PackageFile]) -> bytes:
    """Zip ``files`` at the zip root, in the given order, deterministically.

    Every member is deflated at :data:`DEFLATE_LEVEL`, dated
    :data:`ZIP_TIMESTAMP`, marked as a regular file with mode 0644 and carries
    no extra field; the zip has no comment. The same files give the same bytes.
    Names must be safe relative paths (``PackageError`` otherwise); non-ASCII
    names are stored as UTF-8 with the zip's UTF-8 flag.
    """
    local: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for file in files:
        name, flags = _member_name(file.name)
        packed = zlib.compress(file.data, DEFLATE_LEVEL, wbits=-15)
        crc = zlib.crc32(file.data)
        sizes = (crc, len(packed), len(file.data), len(name))
        head = (20, flags, 8, 0, _DOS_DATE, *sizes)
        local += [_LOCAL.pack(_LOCAL_SIG, *head, 0), name, packed]
        central += [_CENTRAL.pack(_CENTRAL_SIG, 0x0314, *head)]
        central += [_CENTRAL_TAIL.pack(0, 0, 0, 0, _REGULAR_0644, offset), name]
        offset += _LOCAL.size + len(name) + len(packed)
    directory = b"".join(central)
    count = len(files)
    end = _END.pack(_END_SIG, 0, 0, count, count, len(directory), offset, 0)
    return b"".join(local) + directory + end


def _member_name(name: str) -> tuple[bytes, int]:
    problem = unsafe_name(name)
    if problem is not None:
        raise PackageError(f"cannot zip {name!r}: it {problem}")
    if name.isascii():
        return name.encode("ascii"), 0
    return name.encode("utf-8"), _UTF8_NAME


_UTF8_NAME = 0x800
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIH")
_CENTRAL_TAIL = struct.Struct("<HHHHII")
_END = struct.Struct("<IHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
_DOS_DATE = (
    ((ZIP_TIMESTAMP[0] - 1980) << 9) | (ZIP_TIMESTAMP[1] << 5) | ZIP_TIMESTAMP[2]
)
_REGULAR_0644 = 0o100644 << 16


# -- rendering ---------------------------------------------------------------------


def _line(values: Sequence[str]) -> str:
    return '"' + '","'.join([v.replace('"', '""') for v in values]) + '"\r\n'


def _crs(package: Package) -> str:
    course = package.course
    lines = ["[Course]", f"Course_Creator={course.creator}"]
    lines += [f"Course_ID={course.course_id}", f"Course_System={course.system}"]
    lines += [f"Course_Title={course.title}", f"Level={course.level}"]
    lines.append(f"Max_Fields_CST={package.max_fields_cst}")
    if package.objectives:
        lines.append(f"Max_Fields_ORT={package.max_fields_ort}")
    lines += [f"Total_AUs={package.total_aus}", f"Total_Blocks={package.total_blocks}"]
    if package.objectives:
        lines += ["Total_Complex_Obj=0", f"Total_Objectives={package.total_objectives}"]
    lines += [f"Version={course.version}", "[Course_Behavior]"]
    lines += [f"Max_Normal={course.max_normal}", "[Course_Description]"]
    if course.description:
        lines.append(course.description)
    return "\r\n".join(lines) + "\r\n"


def _au_values(au: AssignableUnit) -> tuple[str, ...]:
    return (
        au.system_id,
        au.type,
        au.command_line,
        au.file_name,
        au.max_score,
        au.mastery_score,
        au.max_time_allowed,
        au.time_limit_action,
        au.system_vendor,
        au.core_vendor,
        au.web_launch,
        au.au_password,
    )


_AU_HEADER = _line(AU_COLUMNS)
_DES_HEADER = _line(DES_COLUMNS)
_PRE_HEADER = _line(PRE_COLUMNS)
_CMP_HEADER = _line(CMP_COLUMNS)


def _au(package: Package) -> str:
    return _AU_HEADER + "".join([_line(_au_values(au)) for au in package.aus])


def _des(package: Package) -> str:
    rows = [
        _line((d.system_id, d.developer_id, d.title, d.description))
        for d in package.descriptors
    ]
    return _DES_HEADER + "".join(rows)


def _cst(package: Package) -> str:
    return _member_table("Block", package.structure, package.max_fields_cst)


def _member_table(first: str, rows: Sequence[StructureRow], width: int) -> str:
    lines = [_line((first,) + ("Member",) * (width - 1))]
    for row in rows:
        cells = (row.block, *row.members)
        lines.append(_line(cells + ("",) * (width - len(cells))))
    return "".join(lines)


def _optional_tables(package: Package) -> list[tuple[str, str]]:
    base = package.base_name
    tables: list[tuple[str, str]] = []
    if package.objectives:
        ort = _member_table(
            "Course_Element", package.objectives, package.max_fields_ort
        )
        tables.append((f"{base}.ort", ort))
    if package.prerequisites:
        pre = _PRE_HEADER + "".join([_line(row) for row in package.prerequisites])
        tables.append((f"{base}.pre", pre))
    if package.completions:
        cmp = _CMP_HEADER + "".join([_line(row) for row in package.completions])
        tables.append((f"{base}.cmp", cmp))
    return tables


def _encode(package: Package, name: str, text: str, encoding: str) -> PackageFile:
    try:
        return PackageFile(name, text.encode(encoding))
    except UnicodeEncodeError:
        label, value = _first_unencodable(package, encoding)
        raise PackageError(
            f"{package.base_name}: {label} {value!r} cannot be written in {encoding}",
            hint="fit the text with fit_text() for this encoding, or choose utf-8",
        ) from None


def _first_unencodable(package: Package, encoding: str) -> tuple[str, str]:
    for label, value in _labelled_values(package):
        try:
            value.encode(encoding)
        except UnicodeEncodeError:
            return label, value
    return "a value", ""


# -- checks ------------------------------------------------------------------------


def _fail(package: Package, problem: str, hint: str | None = None) -> PackageError:
    return PackageError(f"{package.base_name}: {problem}", hint=hint)


def _check_package(package: Package) -> None:
    if not _BASE_NAME.fullmatch(package.base_name):
        raise PackageError(
            f"base name {package.base_name!r} is not usable as a file name",
            hint="use 1-64 letters, digits, '-' and '_', not starting with '-' or '_'",
        )
    _check_values(package)
    _check_course(package)
    _check_aus(package)
    _check_structure(package)
    _check_descriptors(package)
    _check_extras(package)


def _all_values(package: Package) -> list[str]:
    course = package.course
    values = [course.course_id, course.title, course.creator, course.system]
    values += [course.level, course.max_normal, course.description]
    for au in package.aus:
        values += _au_values(au)
    for d in package.descriptors:
        values += (d.system_id, d.title, d.description, d.developer_id)
    for row in package.structure + package.objectives:
        values.append(row.block)
        values += row.members
    for pair in package.prerequisites:
        values += pair
    for cells in package.completions:
        values += cells
    return values


def _check_values(package: Package) -> None:
    values = _all_values(package)
    if CONTROL_RE.search("".join(values)) is None and (
        _EDGE_SPACE.search("\n".join(values)) is None
    ):
        return
    for label, value in _labelled_values(package):
        if CONTROL_RE.search(value):
            raise _fail(
                package,
                f"{label} {value!r} holds a line break, tab or control character"
                " (or a bidi control)",
                "fit the text with fit_text() before building the package",
            )
        if value != value.strip():
            raise _fail(
                package,
                f"{label} {value!r} has spaces at either end",
                "fit the text with fit_text() before building the package",
            )


def _labelled_values(package: Package) -> Iterator[tuple[str, str]]:
    course = package.course
    yield from [
        ("Course_ID", course.course_id),
        ("Course_Title", course.title),
        ("Course_Creator", course.creator),
        ("Course_System", course.system),
        ("Level", course.level),
        ("Max_Normal", course.max_normal),
        ("Course_Description", course.description),
    ]
    for au in package.aus:
        for column, value in zip(AU_COLUMNS, _au_values(au), strict=True):
            yield f"AU {au.system_id!r} {column}", value
    for d in package.descriptors:
        values = (d.system_id, d.developer_id, d.title, d.description)
        for column, value in zip(DES_COLUMNS, values, strict=True):
            yield f".des row {d.system_id!r} {column}", value
    yield from _labelled_rows(package)


def _labelled_rows(package: Package) -> Iterator[tuple[str, str]]:
    for ext, rows in ((".cst", package.structure), (".ort", package.objectives)):
        for row in rows:
            yield f"{ext} row {row.block!r} element", row.block
            for number, member in enumerate(row.members, start=1):
                yield f"{ext} row {row.block!r} member {number}", member
    for element, expression in package.prerequisites:
        yield f".pre row {element!r} Structure_Element", element
        yield f".pre row {element!r} Prerequisite", expression
    for cells in package.completions:
        for column, value in zip(CMP_COLUMNS, cells, strict=False):
            yield f".cmp row {cells[:1]!r} {column}", value


def _check_course(package: Package) -> None:
    course = package.course
    if not _COURSE_ID.fullmatch(course.course_id):
        raise _fail(
            package,
            f"Course_ID {course.course_id!r} is not an identifier",
            "use 1-255 printable ASCII characters without spaces",
        )
    for label, value in (("Course_Title", course.title), ("Level", course.level)):
        if not value:
            raise _fail(package, f"{label} is empty")
    if not _WHOLE.fullmatch(course.max_normal) or not 1 <= int(course.max_normal) <= 99:
        raise _fail(package, f"Max_Normal {course.max_normal!r} is not a number 1-99")
    if course.description.startswith("["):
        raise _fail(
            package,
            f"Course_Description {course.description[:20]!r}… starts with '['",
            "a reader would take it for a group header; reword the description",
        )


def _check_aus(package: Package) -> None:
    if not package.aus:
        raise _fail(package, "the package has no AU", "add at least one AssignableUnit")
    decimals = version_rules(package.course.version).decimal_scores
    for au in package.aus:
        _check_id(package, au.system_id, "AU System_ID")
        if not au.file_name:
            raise _fail(package, f"AU {au.system_id!r} File_Name is empty")
        _check_scores(package, au, decimals)
        _check_time(package, au)


def _check_id(package: Package, value: str, label: str) -> None:
    if not _ID.fullmatch(value):
        raise _fail(
            package,
            f"{label} {value!r} is not made of letters and digits",
            "use ids such as A1, A001 or B1 (a letter, then letters and digits)",
        )


def _check_scores(package: Package, au: AssignableUnit, decimals: bool) -> None:
    pattern = _DECIMAL if decimals else _WHOLE
    for label, value in (
        ("Max_Score", au.max_score),
        ("Mastery_Score", au.mastery_score),
    ):
        if value and not pattern.fullmatch(value):
            kind = "a number" if decimals else "a whole number"
            raise _fail(
                package,
                f"AU {au.system_id!r} {label} {value!r} is not {kind}",
                f"AICC {package.course.version} takes "
                + ("decimal scores" if decimals else "whole-number scores only"),
            )


def _check_time(package: Package, au: AssignableUnit) -> None:
    if au.max_time_allowed and not _TIMESPAN.fullmatch(au.max_time_allowed):
        raise _fail(
            package,
            f"AU {au.system_id!r} Max_Time_Allowed {au.max_time_allowed!r} "
            "is not HH:MM:SS",
        )
    if au.time_limit_action and not _TIME_ACTION.fullmatch(au.time_limit_action):
        raise _fail(
            package,
            f"AU {au.system_id!r} Time_Limit_Action {au.time_limit_action!r} "
            "is not one of E,M E,N C,M C,N",
        )


def _check_structure(package: Package) -> None:
    rows = package.structure
    if not rows or rows[0].block != ROOT:
        raise _fail(package, "the course structure must start with the 'Root' row")
    au_ids = {au.system_id.lower() for au in package.aus}
    if len(au_ids) != len(package.aus):
        raise _fail(package, "two AUs share a System_ID (ids ignore case)")
    blocks = [row.block.lower() for row in rows]
    if len(set(blocks)) != len(blocks):
        raise _fail(package, "a block has two rows in the course structure")
    for row in rows[1:]:
        _check_id(package, row.block, "block")
        if row.block.lower() in au_ids or row.block.lower() == ROOT.lower():
            raise _fail(package, f"block id {row.block!r} is taken by an AU or Root")
    _check_members(package, au_ids, set(blocks))


def _check_members(package: Package, au_ids: set[str], blocks: set[str]) -> None:
    seen: set[str] = set()
    for row in package.structure:
        if not row.members:
            raise _fail(package, f"block {row.block!r} has no members")
        for member in row.members:
            key = member.lower()
            if key not in au_ids and key not in blocks - {ROOT.lower()}:
                raise _fail(
                    package, f"block {row.block!r} names unknown member {member!r}"
                )
            if key in seen:
                raise _fail(package, f"{member!r} is a member of more than one block")
            seen.add(key)
    for element in [au.system_id for au in package.aus] + list(package.block_ids[1:]):
        if element.lower() not in seen:
            raise _fail(package, f"{element!r} is not in the course structure")
    _check_reachable(package)


def _check_reachable(package: Package) -> None:
    children = {
        row.block.lower(): [m.lower() for m in row.members] for row in package.structure
    }
    reached: set[str] = set()
    pending = [ROOT.lower()]
    while pending:
        node = pending.pop()
        if node not in reached:
            reached.add(node)
            pending += children.get(node, [])
    for block in children:
        if block not in reached:
            raise _fail(
                package, f"block {block!r} is not reachable from Root (a cycle)"
            )


def _element_ids(package: Package) -> set[str]:
    ids = {au.system_id.lower() for au in package.aus}
    return ids | {row.block.lower() for row in package.structure}


def _check_descriptors(package: Package) -> None:
    elements = _element_ids(package)
    objectives = {m.lower() for row in package.objectives for m in row.members}
    described: set[str] = set()
    for d in package.descriptors:
        key = d.system_id.lower()
        if key in described:
            raise _fail(package, f"two .des rows describe {d.system_id!r}")
        if key not in elements | objectives:
            raise _fail(package, f".des row describes unknown id {d.system_id!r}")
        if not d.title:
            raise _fail(package, f".des row {d.system_id!r} has an empty Title")
        described.add(key)
    for element in [au.system_id for au in package.aus] + list(package.block_ids[1:]):
        if element.lower() not in described:
            raise _fail(package, f"{element!r} has no .des row (title)")


def _check_extras(package: Package) -> None:
    elements = _element_ids(package)
    for row in package.objectives:
        if row.block.lower() not in elements:
            raise _fail(package, f".ort row names unknown element {row.block!r}")
        for member in row.members:
            _check_id(package, member, ".ort objective")
            if member.lower() in elements:
                raise _fail(
                    package, f"objective id {member!r} is taken by an AU or block"
                )
    for element, expression in package.prerequisites:
        _check_reference(package, element, elements, ".pre")
        _check_expression(package, element, expression, elements)
    for cells in package.completions:
        if len(cells) != len(CMP_COLUMNS):
            raise _fail(package, f".cmp row {cells!r} does not have five columns")
        _check_reference(package, cells[0], elements, ".cmp")


def _check_reference(
    package: Package, element: str, elements: set[str], ext: str
) -> None:
    if element.lower() not in elements:
        raise _fail(package, f"{ext} row names unknown element {element!r}")


def _check_expression(
    package: Package, element: str, expression: str, elements: set[str]
) -> None:
    if not expression:
        raise _fail(package, f".pre row {element!r} has an empty Prerequisite")
    for name in _EXPRESSION_ID.findall(expression):
        if name.lower() not in elements:
            raise _fail(
                package,
                f".pre row {element!r} Prerequisite names unknown element {name!r}",
            )
