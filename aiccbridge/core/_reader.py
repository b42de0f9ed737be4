"""The lenient reader: course files from any tool, with diagnostics.

Reading never fails on what the files say, only on what the container is: a
missing path, something that is neither a zip nor a folder, or a zip that
breaks the safety limits. Everything else becomes a :class:`Diagnostic`.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from aiccbridge.core._diagnostics import Diagnostic, PackageReading, make_diagnostic
from aiccbridge.core._errors import PackageError
from aiccbridge.core._model import (
    AICC_VERSIONS,
    ROOT,
    AssignableUnit,
    CourseInfo,
    Descriptor,
    Package,
    StructureRow,
    version_rules,
)
from aiccbridge.core._text import (
    CrsGroups,
    CsvTable,
    decode_course_file,
    parse_crs,
    parse_csv_table,
    split_lines,
)
from aiccbridge.core._writer import AU_COLUMNS, DES_COLUMNS
from aiccbridge.core._zipsafe import (
    DEFAULT_LIMITS,
    ArchiveContents,
    ZipLimits,
    read_folder,
    read_zip,
)

__all__ = ["read_package"]

logger = logging.getLogger(__name__)

_EXTENSIONS = ("crs", "au", "des", "cst", "ort", "pre", "cmp")
_MANDATORY = ("crs", "au", "des", "cst")
_LETTERS_DIGITS = re.compile(r"[A-Za-z0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_EXPRESSION_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_COUNT = re.compile(r"[0-9]{1,9}")
_MAX_NUMBER_CHARS = 20

_COURSE_KEYS = frozenset(
    {
        "course_creator",
        "course_id",
        "course_system",
        "course_title",
        "level",
        "max_fields_cst",
        "max_fields_ort",
        "total_aus",
        "total_blocks",
        "total_complex_obj",
        "total_objectives",
        "version",
    }
)
_GROUPS = ("course", "course_behavior", "course_description")
_REQUIRED = ("course_id", "course_title", "version")
_ILIAS_KEYS = (
    "course_creator",
    "course_system",
    "level",
    "max_fields_cst",
    "total_aus",
    "total_blocks",
)
_AU_FIELDS = tuple(column.lower() for column in AU_COLUMNS)
_DES_FIELDS = tuple(column.lower() for column in DES_COLUMNS)
_CMP_FIELDS = ("structure_element", "requirement", "result", "next", "return")


def read_package(
    source: str | os.PathLike[str] | bytes, *, limits: ZipLimits = DEFAULT_LIMITS
) -> PackageReading:
    """Read an AICC package from a zip path, a folder path or zip bytes.

    Raises ``PackageError`` when the path is missing, is neither a regular
    file nor a folder (a device or a pipe), or is not a zip, and
    ``UnsafeArchiveError`` when the zip breaks ``limits`` (paths
    outside the package, too many entries, too big, a compression ratio over the
    limit, encrypted members, symlinks). Everything else, even a package with no
    ``.crs``, comes back as a :class:`PackageReading` whose diagnostics say what
    a strict LMS would make of it.
    """
    label, contents = _load(source, limits)
    reading = _Reading(label, contents).run()
    logger.debug("read %s: %d diagnostics", label, len(reading.diagnostics))
    return reading


def _wanted(name: str) -> bool:
    return name.rpartition(".")[2].lower() in _EXTENSIONS


def _load(
    source: str | os.PathLike[str] | bytes, limits: ZipLimits
) -> tuple[str, ArchiveContents]:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        return "<bytes>", read_zip(data, label="<bytes>", limits=limits, wanted=_wanted)
    label = os.fspath(source)
    path = Path(label)
    mode = _mode(path, label)
    if stat.S_ISDIR(mode):
        return label, read_folder(path, limits=limits, wanted=_wanted)
    if not stat.S_ISREG(mode):
        raise PackageError(
            f"{label}: not a regular file or folder",
            hint="give the path of a package zip or of a folder with the course files",
        )
    return label, read_zip(label, label=label, limits=limits, wanted=_wanted)


def _mode(path: Path, label: str) -> int:
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        raise PackageError(
            f"{label}: no such file or folder",
            hint="give the path of a package zip or of a folder with the course files",
        ) from None
    except (OSError, ValueError) as exc:
        problem = getattr(exc, "strerror", None) or exc
        raise PackageError(f"{label}: cannot be read ({problem})") from None


# -- the reading -------------------------------------------------------------------


class _Reading:
    """One pass over one package; collects diagnostics as it goes."""

    def __init__(self, label: str, contents: ArchiveContents) -> None:
        self.label = label
        self.contents = contents
        self.diagnostics: list[Diagnostic] = []
        self.files: dict[str, str] = {}
        self.crs: CrsGroups | None = None
        self.tables: dict[str, CsvTable] = {}

    def note(self, code: str, file: str, line: int | None, /, **values: object) -> None:
        self.diagnostics.append(make_diagnostic(code, file, line, **values))

    def run(self) -> PackageReading:
        self._note_problems()
        base = self._pick_files()
        package = self._model(base) if base is not None else None
        return PackageReading(
            self.label,
            package,
            self.contents.names,
            tuple(self.diagnostics),
            self._course_fields(),
        )

    def _note_problems(self) -> None:
        for kind, name, detail in self.contents.problems:
            if kind == "damaged":
                self.note("AICC107", name, None, detail=detail)
            elif kind == "duplicate":
                self.note(
                    "AICC108", name, None, what="in the zip twice", used="the first"
                )
            elif kind == "special":
                self.note("AICC110", name, None)
            else:
                self.note("AICC109", name, None)

    # -- finding the files ---------------------------------------------------------

    def _pick_files(self) -> str | None:
        groups = _group(self.contents.names)
        if not groups:
            self.note("AICC105", "", None)
            return None
        key = _choose(groups)
        if len(groups) > 1:
            others = ", ".join(sorted(_label(k) for k in groups if k != key))
            self.note("AICC103", "", None, base=key[1], others=others)
        if key[0]:
            self.note("AICC102", "", None, folder=key[0])
        chosen = groups[key]
        bases = self._check_names(chosen)
        for ext in _MANDATORY:
            if ext not in chosen:
                self.note("AICC101", f"{min(bases)}.{ext}", None)
        first = chosen.get("crs") or next(iter(chosen.values()))
        return _stem(first[0])

    def _check_names(self, chosen: dict[str, list[str]]) -> set[str]:
        bases = set()
        for ext, names in chosen.items():
            self.files[ext] = names[0]
            for extra in names[1:]:
                self.note(
                    "AICC108", extra, None, what=f"a second .{ext}", used=names[0]
                )
            bases.add(_stem(names[0]))
            if not names[0].endswith("." + ext):
                self.note("AICC104", names[0], None, ext=ext)
        if len(bases) > 1:
            self.note("AICC106", "", None, bases=", ".join(sorted(bases)))
        return bases

    # -- modelling -----------------------------------------------------------------

    def _model(self, base: str) -> Package | None:
        self._parse()
        course = _course(self, self.crs)
        aus = _aus(self, self.tables.get("au"), course)
        structure = _structure(self, self.tables.get("cst"), aus or ())
        extras = _Extras(self, aus or (), structure)
        descriptors = _descriptors(self, aus or (), structure, extras)
        _check_counts(self, extras)
        if course is None or aus is None:
            return None
        return Package(
            base_name=base,
            course=course,
            aus=aus,
            descriptors=descriptors,
            structure=structure,
            objectives=extras.objectives,
            prerequisites=extras.prerequisites,
            completions=extras.completions,
        )

    def _parse(self) -> None:
        for ext, name in self.files.items():
            data = self.contents.data.get(name)
            if data is None:
                continue
            text = decode_course_file(self.note, name, data)
            lines = split_lines(self.note, name, text)
            if ext == "crs":
                self.crs = parse_crs(self.note, name, lines)
            else:
                self.tables[ext] = parse_csv_table(self.note, name, lines)

    def _course_fields(self) -> tuple[tuple[str, str], ...]:
        if self.crs is None:
            return ()
        groups = [self.crs.groups.get(g, {}) for g in ("course", "course_behavior")]
        return tuple((key, value) for g in groups for key, (value, _) in g.items())


def _stem(name: str) -> str:
    return name.rpartition("/")[2].rpartition(".")[0]


def _group(names: Iterable[str]) -> dict[tuple[str, str], dict[str, list[str]]]:
    groups: dict[tuple[str, str], dict[str, list[str]]] = {}
    for name in names:
        folder, _, file = name.rpartition("/")
        base, dot, ext = file.rpartition(".")
        if not dot or not base or ext.lower() not in _EXTENSIONS:
            continue
        if file.startswith("._") or name.startswith("__MACOSX/"):
            continue
        per_ext = groups.setdefault((folder, base.lower()), {})
        per_ext.setdefault(ext.lower(), []).append(name)
    return groups


def _label(key: tuple[str, str]) -> str:
    return f"{key[0]}/{key[1]}" if key[0] else key[1]


def _choose(groups: dict[tuple[str, str], dict[str, list[str]]]) -> tuple[str, str]:
    keys = sorted(groups, key=lambda k: (k[0].count("/") + bool(k[0]), k))
    with_crs = [key for key in keys if "crs" in groups[key]]
    return (with_crs or keys)[0]


_CRS_KEYWORDS = (
    "Course_Creator",
    "Course_ID",
    "Course_System",
    "Course_Title",
    "Level",
    "Max_Fields_CST",
    "Max_Fields_ORT",
    "Total_AUs",
    "Total_Blocks",
    "Total_Complex_Obj",
    "Total_Objectives",
    "Version",
    "Max_Normal",
)
_SPELLING = {name.lower(): name for name in _CRS_KEYWORDS + AU_COLUMNS + DES_COLUMNS}


def _spell(key: str) -> str:
    return _SPELLING.get(key, key)


# -- .crs --------------------------------------------------------------------------


def _course(reading: _Reading, crs: CrsGroups | None) -> CourseInfo | None:
    if crs is None:
        return None
    name = reading.files["crs"]
    if "course" not in crs.groups:
        reading.note("AICC201", name, None)
        return None
    missing = [key for key in _REQUIRED if not crs.value("course", key)]
    for key in missing:
        reading.note("AICC202", name, None, key=_spell(key))
    _check_course_keys(reading, name, crs)
    version = _version(reading, name, crs)
    if missing or version is None:
        return None
    return CourseInfo(
        course_id=crs.value("course", "course_id"),
        title=crs.value("course", "course_title"),
        version=version,
        creator=crs.value("course", "course_creator"),
        system=crs.value("course", "course_system"),
        level=crs.value("course", "level", "1"),
        max_normal=crs.value("course_behavior", "max_normal", "1"),
        description=" ".join(line for _, line in crs.description),
    )


def _check_course_keys(reading: _Reading, name: str, crs: CrsGroups) -> None:
    absent = [_spell(k) for k in _ILIAS_KEYS if crs.get("course", k) is None]
    if crs.get("course_behavior", "max_normal") is None:
        absent.append("Max_Normal ([Course_Behavior])")
    if absent:
        reading.note("AICC203", name, None, keys=", ".join(absent))
    found = crs.get("course_behavior", "max_normal")
    if found is not None and not _in_range(found[0], 1, 99):
        reading.note("AICC215", name, found[1], value=_cut(found[0]))
    _note_unknown_keys(reading, name, crs)
    if len(crs.description) > 1:
        first = crs.description[0][0]
        reading.note("AICC208", name, first, count=len(crs.description))


def _in_range(value: str, low: int, high: int) -> bool:
    number = _whole(value)
    return number is not None and low <= number <= high


def _whole(value: str) -> int | None:
    """The value of a count: one to nine ASCII digits, or ``None``."""
    return int(value) if _COUNT.fullmatch(value) else None


def _note_unknown_keys(reading: _Reading, name: str, crs: CrsGroups) -> None:
    known = {"course": _COURSE_KEYS, "course_behavior": frozenset({"max_normal"})}
    for group, keywords in crs.groups.items():
        if group not in _GROUPS:
            reading.note("AICC217", name, None, what=f"group [{group}]")
            continue
        for key, (_, line) in keywords.items():
            if key not in known.get(group, frozenset()):
                reading.note("AICC217", name, line, what=f"keyword {key} in [{group}]")


def _version(reading: _Reading, name: str, crs: CrsGroups) -> str | None:
    found = crs.get("course", "version")
    if found is None or not found[0]:
        return None
    value, line = found
    if value in AICC_VERSIONS:
        return value
    same = _same_version(value)
    outcome = f"read as {same}" if same else "the course is not modelled"
    known = ", ".join(AICC_VERSIONS)
    shown = _cut(value)
    reading.note("AICC207", name, line, value=shown, known=known, outcome=outcome)
    return same


def _same_version(value: str) -> str | None:
    if len(value) > _MAX_NUMBER_CHARS or not _NUMBER.fullmatch(value):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return next((v for v in AICC_VERSIONS if Decimal(v) == number), None)


def _check_counts(reading: _Reading, extras: _Extras) -> None:
    crs = reading.crs
    if crs is None or "course" not in crs.groups:
        return
    counts: list[tuple[str, str, int, str]] = []
    if "au" in reading.tables:
        counts.append(
            ("AICC204", "total_aus", len(reading.tables["au"].rows), "the .au has")
        )
    if "cst" in reading.tables:
        cst = reading.tables["cst"]
        blocks = {c[0].lower() for _, c in cst.rows if c and c[0]} - {"root"}
        counts.append(("AICC205", "total_blocks", len(blocks), "the .cst has"))
        counts.append(
            ("AICC206", "max_fields_cst", cst.width, "the widest .cst row has")
        )
    if extras.objectives and "ort" in reading.tables:
        width = reading.tables["ort"].width
        counts.append(("AICC216", "max_fields_ort", width, "the widest .ort row has"))
        total = len(extras.objective_ids)
        counts.append(("AICC216", "total_objectives", total, "the .ort names"))
    for code, key, actual, what in counts:
        _count(reading, crs, code, key, f"{what} {actual}", actual)


def _count(
    reading: _Reading, crs: CrsGroups, code: str, key: str, what: str, actual: int
) -> None:
    found = crs.get("course", key)
    name, spelled = reading.files["crs"], _spell(key)
    if found is None:
        if code == "AICC216":
            reading.note(
                code, name, None, problem=f"{spelled} is missing though {what}"
            )
        return
    value, line = found
    if _whole(value) == actual:
        return
    if _COUNT.fullmatch(value):
        problem = f"{spelled}={value} but {what}"
    else:
        problem = f"{spelled} is {_shown_number(value)}, not a sane whole number"
    reading.note(code, name, line, problem=problem)


def _shown_number(value: str) -> str:
    if len(value) <= _MAX_NUMBER_CHARS:
        return repr(value)
    return f"{_cut(value)!r} ({len(value)} characters)"


def _cut(value: str) -> str:
    """A number as shown in a message: cut after a few characters."""
    if len(value) <= _MAX_NUMBER_CHARS:
        return value
    return value[:_MAX_NUMBER_CHARS] + "…"


# -- .au ---------------------------------------------------------------------------


def _aus(
    reading: _Reading, table: CsvTable | None, course: CourseInfo | None
) -> tuple[AssignableUnit, ...] | None:
    if table is None:
        return None
    absent = [key for key in ("system_id", "file_name") if key not in table.header]
    for key in absent:
        line = 1 if table.header else None
        reading.note("AICC301", table.name, line, column=_spell(key))
    if absent:
        return None
    _note_columns(reading, table, _AU_FIELDS, "AICC302", "AICC309")
    decimals = version_rules(course.version).decimal_scores if course else True
    aus = _au_rows(reading, table, decimals)
    if not aus:
        reading.note("AICC311", table.name, None)
    return tuple(aus)


def _note_columns(
    reading: _Reading,
    table: CsvTable,
    fields: tuple[str, ...],
    missing_code: str,
    unknown_code: str | None = None,
) -> None:
    missing = [_spell(f) for f in fields if f not in table.header]
    if missing:
        reading.note(missing_code, table.name, 1, columns=", ".join(missing))
    unknown = sorted({h for h in table.header if h not in fields})
    if unknown and unknown_code:
        reading.note(unknown_code, table.name, 1, columns=", ".join(unknown))


def _au_rows(
    reading: _Reading, table: CsvTable, decimals: bool
) -> list[AssignableUnit]:
    aus: list[AssignableUnit] = []
    seen: dict[str, int] = {}
    for line, record in table.records(_AU_FIELDS):
        sid = record["system_id"]
        if not sid:
            reading.note("AICC304", table.name, line)
        elif sid.lower() in seen:
            first = seen[sid.lower()]
            reading.note("AICC305", table.name, line, sid=sid, first=first)
        else:
            seen[sid.lower()] = line
            _check_au(reading, table.name, line, record, decimals)
            aus.append(AssignableUnit(**record))
    return aus


def _check_au(
    reading: _Reading, name: str, line: int, record: dict[str, str], decimals: bool
) -> None:
    sid = record["system_id"]
    if not record["file_name"]:
        reading.note("AICC303", name, line, sid=sid)
    if not _LETTERS_DIGITS.fullmatch(sid):
        reading.note("AICC308", name, line, sid=sid)
    limit = record["max_time_allowed"]
    if limit:
        effect = "LMSs cut the learner off after that time"
        if not limit.strip("0:."):
            effect = "some LMSs read it as no time at all"
        reading.note("AICC306", name, line, sid=sid, value=limit, effect=effect)
    if record["mastery_score"]:
        reading.note("AICC307", name, line, sid=sid, value=record["mastery_score"])
    for key in ("max_score", "mastery_score"):
        problem = _score_problem(record[key], decimals)
        if problem:
            column, value = _spell(key), record[key]
            reading.note(
                "AICC310",
                name,
                line,
                sid=sid,
                column=column,
                value=value,
                problem=problem,
            )


def _score_problem(value: str, decimals: bool) -> str | None:
    if value and not _NUMBER.fullmatch(value):
        return "is not a number"
    if value and not decimals and "." in value:
        return "has a fraction, which AICC 2.x does not allow"
    return None


# -- .cst --------------------------------------------------------------------------


def _structure(
    reading: _Reading, table: CsvTable | None, aus: tuple[AssignableUnit, ...]
) -> tuple[StructureRow, ...]:
    if table is None:
        return ()
    header = table.header
    if header[:1] != ["block"] or any(h != "member" for h in header[1:]):
        problem = (
            'header is not "Block","Member",…; the first column is read as the '
            "block, the others as members"
        )
        reading.note("AICC506", table.name, 1, problem=problem)
    rows, lines = _merge_rows(reading, table)
    if ROOT.lower() not in rows:
        reading.note("AICC501", table.name, None)
    elif next(iter(rows)) != ROOT.lower():
        line = lines[ROOT.lower()]
        reading.note("AICC509", table.name, line, problem="Root is not the first row")
    ordered = sorted(rows.values(), key=lambda row: row.block != ROOT)
    if "au" in reading.tables:
        _check_links(reading, table.name, ordered, aus, lines)
    return tuple(ordered)


def _merge_rows(
    reading: _Reading, table: CsvTable
) -> tuple[dict[str, StructureRow], dict[str, int]]:
    merged: dict[str, tuple[str, list[str]]] = {}
    lines: dict[str, int] = {}
    for line, cells in table.rows:
        if not cells or not cells[0]:
            problem = "row with an empty Block; ignored"
            reading.note("AICC506", table.name, line, problem=problem)
            continue
        block = ROOT if cells[0].lower() == ROOT.lower() else cells[0]
        key = block.lower()
        if key in merged:
            problem = f"block {block!r} has a second row; its members are merged"
            reading.note("AICC509", table.name, line, problem=problem)
        merged.setdefault(key, (block, []))[1].extend(c for c in cells[1:] if c)
        lines.setdefault(key, line)
    rows = {key: StructureRow(b, tuple(m)) for key, (b, m) in merged.items()}
    return rows, lines


def _check_links(
    reading: _Reading,
    name: str,
    rows: list[StructureRow],
    aus: tuple[AssignableUnit, ...],
    lines: dict[str, int],
) -> None:
    au_keys = {au.system_id.lower() for au in aus}
    known = au_keys | {row.block.lower() for row in rows}
    counts: dict[str, list[str]] = {}
    for row in rows:
        line = lines[row.block.lower()]
        if row.block.lower() in au_keys:
            reading.note("AICC507", name, line, block=row.block)
        if not row.members:
            reading.note("AICC508", name, line, block=row.block)
        for member in row.members:
            counts.setdefault(member.lower(), []).append(member)
            if member.lower() not in known:
                reading.note("AICC502", name, line, block=row.block, member=member)
    for spellings in counts.values():
        if len(spellings) > 1:
            reading.note(
                "AICC505", name, None, member=spellings[0], count=len(spellings)
            )
    for au in aus:
        if au.system_id.lower() not in counts:
            reading.note("AICC504", name, None, sid=au.system_id)
    _check_tree(reading, name, rows, lines)


def _check_tree(
    reading: _Reading, name: str, rows: list[StructureRow], lines: dict[str, int]
) -> None:
    children = {row.block.lower(): [m.lower() for m in row.members] for row in rows}
    cycle = _find_cycle(children)
    if cycle:
        reading.note("AICC503", name, lines.get(cycle[0]), cycle=_shown_cycle(cycle))
    if ROOT.lower() not in children:
        return
    reached = _reach(children, ROOT.lower())
    in_cycle = set(cycle)
    shown = {row.block.lower(): row.block for row in rows}
    for block in children:
        if block not in reached and block not in in_cycle:
            reading.note("AICC510", name, lines[block], block=shown[block])


_CYCLE_SHOWN = 12


def _shown_cycle(cycle: list[str]) -> str:
    if len(cycle) <= _CYCLE_SHOWN:
        return " -> ".join(cycle)
    head = " -> ".join(cycle[: _CYCLE_SHOWN - 2])
    return f"{head} -> … ({len(cycle) - _CYCLE_SHOWN} more) -> " + " -> ".join(
        cycle[-2:]
    )


def _find_cycle(children: dict[str, list[str]]) -> list[str]:
    """A cycle of blocks (its first block repeated at the end), or ``[]``.

    Depth-first without recursion, so a chain of any length is no problem.
    """
    done: set[str] = set()
    for start in children:
        if start not in done and (found := _cycle_from(children, start, done)):
            return found
    return []


def _cycle_from(
    children: dict[str, list[str]], start: str, done: set[str]
) -> list[str]:
    path = [start]
    on_path = {start: 0}
    pending = [iter(children[start])]
    while pending:
        child = next(pending[-1], None)
        if child is None:
            node = path.pop()
            del on_path[node]
            done.add(node)
            pending.pop()
        elif child in on_path:
            return path[on_path[child] :] + [child]
        elif child in children and child not in done:
            on_path[child] = len(path)
            path.append(child)
            pending.append(iter(children[child]))
    return []


def _reach(children: dict[str, list[str]], start: str) -> set[str]:
    reached: set[str] = set()
    pending = [start]
    while pending:
        node = pending.pop()
        if node not in reached:
            reached.add(node)
            pending += children.get(node, [])
    return reached


# -- .ort, .pre, .cmp --------------------------------------------------------------


class _Extras:
    """The optional tables, read when their headers are the spec's."""

    def __init__(
        self,
        reading: _Reading,
        aus: tuple[AssignableUnit, ...],
        structure: tuple[StructureRow, ...],
    ) -> None:
        self.reading = reading
        self.known = {au.system_id.lower() for au in aus}
        self.known |= {row.block.lower() for row in structure}
        self.objective_ids: set[str] = set()
        self.referable = self.known
        self.objectives = self._objectives(reading.tables.get("ort"))
        self.objective_ids = {m.lower() for row in self.objectives for m in row.members}
        self.referable = self.known | self.objective_ids
        self.prerequisites = self._prerequisites(reading.tables.get("pre"))
        self.completions = self._completions(reading.tables.get("cmp"))

    def _readable(self, table: CsvTable, columns: tuple[str, ...]) -> bool:
        if columns[0] == "course_element":
            readable = table.header[:1] == ["course_element"]
        else:
            readable = set(columns) <= set(table.header)
        if not readable:
            wanted = ",".join(f'"{c.title()}"' for c in columns)
            self.reading.note("AICC601", table.name, 1, wanted=wanted)
        return readable

    def _check(self, table: CsvTable, line: int, names: list[str]) -> None:
        for name in names:
            if name.lower() not in self.referable:
                self.reading.note("AICC602", table.name, line, element=name)

    def _objectives(self, table: CsvTable | None) -> tuple[StructureRow, ...]:
        if table is None or not self._readable(table, ("course_element", "member…")):
            return ()
        rows = []
        for line, cells in table.rows:
            if cells and cells[0]:
                self._check(table, line, cells[:1])
                rows.append(StructureRow(cells[0], tuple(c for c in cells[1:] if c)))
        return tuple(rows)

    def _prerequisites(self, table: CsvTable | None) -> tuple[tuple[str, str], ...]:
        columns = ("structure_element", "prerequisite")
        if table is None or not self._readable(table, columns):
            return ()
        pairs = []
        for line, record in table.records(columns):
            element, expression = record["structure_element"], record["prerequisite"]
            self._check(table, line, [element, *_EXPRESSION_ID.findall(expression)])
            pairs.append((element, expression))
        return tuple(pairs)

    def _completions(self, table: CsvTable | None) -> tuple[tuple[str, ...], ...]:
        if table is None or not self._readable(table, _CMP_FIELDS):
            return ()
        rows = []
        for line, record in table.records(_CMP_FIELDS):
            self._check(table, line, [record["structure_element"]])
            rows.append(tuple(record[key] for key in _CMP_FIELDS))
        return tuple(rows)


# -- .des --------------------------------------------------------------------------


def _descriptors(
    reading: _Reading,
    aus: tuple[AssignableUnit, ...],
    structure: tuple[StructureRow, ...],
    extras: _Extras,
) -> tuple[Descriptor, ...]:
    table = reading.tables.get("des")
    if table is None:
        return ()
    if "system_id" not in table.header:
        reading.note("AICC404", table.name, 1)
        return ()
    _note_columns(reading, table, _DES_FIELDS, "AICC403")
    found = _descriptor_rows(reading, table, extras.referable | {ROOT.lower()})
    described = {d.system_id.lower() for d in found}
    for au in aus:
        if au.system_id.lower() not in described:
            reading.note("AICC401", table.name, None, sid=au.system_id)
    for row in structure[1:]:
        if row.block.lower() not in described:
            reading.note("AICC402", table.name, None, sid=row.block)
    return tuple(found)


def _descriptor_rows(
    reading: _Reading, table: CsvTable, known: set[str]
) -> list[Descriptor]:
    found: list[Descriptor] = []
    seen: set[str] = set()
    for line, record in table.records(_DES_FIELDS):
        sid = record["system_id"]
        if sid.lower() in seen:
            reading.note("AICC406", table.name, line, sid=sid)
            continue
        seen.add(sid.lower())
        if sid.lower() not in known:
            reading.note("AICC405", table.name, line, sid=sid)
        if not record["title"]:
            reading.note("AICC407", table.name, line, sid=sid)
        found.append(Descriptor(**record))
    return found
