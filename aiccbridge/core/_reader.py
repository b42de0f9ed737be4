"""The lenient reader: course files from any tool, with diagnostics.

Reading never fails on what the files say, only on what the container is: a
missing path, something that is neither a zip nor a folder, or a zip that
breaks the safety limits. Everything else becomes a :class:`Diagnostic`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from aiccbridge.core._diagnostics import CODES, Diagnostic, PackageReading
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
_AU_FIELDS = (
    "system_id",
    "type",
    "command_line",
    "file_name",
    "max_score",
    "mastery_score",
    "max_time_allowed",
    "time_limit_action",
    "system_vendor",
    "core_vendor",
    "web_launch",
    "au_password",
)
_DES_FIELDS = ("system_id", "developer_id", "title", "description")
_CMP_FIELDS = ("structure_element", "requirement", "result", "next", "return")


def read_package(
    source: str | os.PathLike[str] | bytes, *, limits: ZipLimits = DEFAULT_LIMITS
) -> PackageReading:
    """Read an AICC package from a zip path, a folder path or zip bytes.

    Raises ``PackageError`` when the path is missing or is neither a zip nor a
    folder, and ``UnsafeArchiveError`` when the zip breaks ``limits`` (paths
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
    if path.is_dir():
        return label, read_folder(path, limits=limits, wanted=_wanted)
    if not path.exists():
        raise PackageError(
            f"{label}: no such file or folder",
            hint="give the path of a package zip or of a folder with the course files",
        )
    return label, read_zip(label, label=label, limits=limits, wanted=_wanted)


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

    def note(self, code: str, file: str, line: int | None, message: str) -> None:
        self.diagnostics.append(Diagnostic(code, CODES[code], file, line, message))

    def run(self) -> PackageReading:
        for name, problem in self.contents.problems:
            code = "AICC107" if "unpacked" in problem else "AICC108"
            code = "AICC109" if "symbolic" in problem else code
            self.note(code, name, None, f"{name} {problem}")
        base = self._pick_files()
        package = self._model(base) if base is not None else None
        fields = self._course_fields()
        return PackageReading(
            self.label, package, self.contents.names, tuple(self.diagnostics), fields
        )

    # -- finding the files ---------------------------------------------------------

    def _pick_files(self) -> str | None:
        groups = _group(self.contents.names)
        if not groups:
            self.note(
                "AICC105",
                "",
                None,
                "no AICC course files (.crs, .au, .des, .cst) found; "
                "no LMS can import this package",
            )
            return None
        key = _choose(groups)
        if len(groups) > 1:
            others = ", ".join(sorted(_label(k) for k in groups if k != key))
            self.note(
                "AICC103",
                "",
                None,
                f"several courses in one package; reading {key[1]!r}, ignoring {others}"
                " (LMSs differ in which one they import)",
            )
        chosen = groups[key]
        self._check_names(key[0], chosen)
        return self._base_name(chosen)

    def _check_names(self, folder: str, chosen: dict[str, list[str]]) -> None:
        if folder:
            self.note(
                "AICC102",
                "",
                None,
                f"course files are in {folder!r}, not at the zip root; "
                "several LMSs look only at the root",
            )
        bases = set()
        for ext, names in chosen.items():
            self.files[ext] = names[0]
            for extra in names[1:]:
                self.note(
                    "AICC108", extra, None, f"a second .{ext} file; {names[0]} is used"
                )
            file = names[0].rpartition("/")[2]
            bases.add(file.rpartition(".")[0])
            if not file.endswith("." + ext):
                self.note(
                    "AICC104",
                    names[0],
                    None,
                    f"extension is not lower-case .{ext}; Moodle's upload check "
                    "wants lower-case (a .CST is rejected) and case-sensitive servers "
                    "miss the file",
                )
        if len(bases) > 1:
            self.note(
                "AICC106",
                "",
                None,
                f"base names differ in case ({', '.join(sorted(bases))}); "
                "LMSs that compare names exactly will not match the files",
            )
        for ext in _MANDATORY:
            if ext not in chosen:
                base = min(bases)
                self.note(
                    "AICC101",
                    f"{base}.{ext}",
                    None,
                    f"mandatory file {base}.{ext} is missing; "
                    "strict LMSs refuse the package",
                )

    def _base_name(self, chosen: dict[str, list[str]]) -> str:
        first = chosen.get("crs") or next(iter(chosen.values()))
        return first[0].rpartition("/")[2].rpartition(".")[0]

    # -- modelling -----------------------------------------------------------------

    def _model(self, base: str) -> Package | None:
        texts = {ext: self._text(name) for ext, name in self.files.items()}
        crs_lines = texts.get("crs")
        if crs_lines is not None:
            self.crs = parse_crs(self.note, self.files["crs"], crs_lines)
        for ext, lines in texts.items():
            if ext != "crs" and lines is not None:
                self.tables[ext] = parse_csv_table(self.note, self.files[ext], lines)
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

    def _text(self, name: str) -> list[tuple[int, str]] | None:
        data = self.contents.data.get(name)
        if data is None:
            return None
        return split_lines(self.note, name, decode_course_file(self.note, name, data))

    def _course_fields(self) -> tuple[tuple[str, str], ...]:
        if self.crs is None:
            return ()
        fields = []
        for group in ("course", "course_behavior"):
            for key, (value, _) in self.crs.groups.get(group, {}).items():
                fields.append((key, value))
        return tuple(fields)


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


_SPELLING = {
    name.lower(): name
    for name in (
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
        *(c.title().replace("Id", "ID").replace("Au_", "AU_") for c in _AU_FIELDS),
        "Developer_ID",
        "Title",
        "Description",
    )
}


def _spell(key: str) -> str:
    return _SPELLING.get(key, key)


# -- .crs --------------------------------------------------------------------------


def _course(reading: _Reading, crs: CrsGroups | None) -> CourseInfo | None:
    if crs is None:
        return None
    name = reading.files["crs"]
    if "course" not in crs.groups:
        reading.note(
            "AICC201",
            name,
            None,
            "no [Course] group; no LMS can read the course id, title or version",
        )
        return None
    missing = [key for key in _REQUIRED if not crs.value("course", key)]
    for key in missing:
        reading.note(
            "AICC202",
            name,
            None,
            f"{_spell(key)} is missing or empty in [Course]; strict LMSs refuse "
            "the course",
        )
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
        reading.note(
            "AICC203",
            name,
            None,
            f"missing {', '.join(absent)}; ILIAS refuses a .crs without all nine "
            "[Course] keywords and Max_Normal",
        )
    _check_max_normal(reading, name, crs)
    _note_unknown_keys(reading, name, crs)
    if len(crs.description) > 1:
        reading.note(
            "AICC208",
            name,
            crs.description[0][0],
            f"[Course_Description] spans {len(crs.description)} lines; ILIAS keeps "
            "the first, Chamilo the last",
        )


def _check_max_normal(reading: _Reading, name: str, crs: CrsGroups) -> None:
    found = crs.get("course_behavior", "max_normal")
    if found is None:
        return
    value, line = found
    if not value.isdigit() or not 1 <= int(value) <= 99:
        reading.note(
            "AICC215",
            name,
            line,
            f"Max_Normal is {value!r}, not a number from 1 to 99; LMSs may let no AU "
            "open in normal mode",
        )


def _note_unknown_keys(reading: _Reading, name: str, crs: CrsGroups) -> None:
    known = {"course": _COURSE_KEYS, "course_behavior": frozenset({"max_normal"})}
    for group, keywords in crs.groups.items():
        if group not in _GROUPS:
            reading.note("AICC217", name, None, f"unknown group [{group}]; ignored")
            continue
        for key, (_, line) in keywords.items():
            if key not in known.get(group, frozenset()):
                reading.note(
                    "AICC217",
                    name,
                    line,
                    f"unknown keyword {key} in [{group}]; ignored",
                )


def _version(reading: _Reading, name: str, crs: CrsGroups) -> str | None:
    found = crs.get("course", "version")
    if found is None or not found[0]:
        return None
    value, line = found
    if value in AICC_VERSIONS:
        return value
    same = _same_version(value)
    known = ", ".join(AICC_VERSIONS)
    if same is not None:
        message = (
            f"Version {value!r} read as {same}; LMSs comparing text may not know it"
        )
    else:
        message = (
            f"unknown Version {value!r} (known: {known}); the course is not modelled"
        )
    reading.note("AICC207", name, line, message)
    return same


def _same_version(value: str) -> str | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return next((v for v in AICC_VERSIONS if Decimal(v) == number), None)


def _check_counts(reading: _Reading, extras: _Extras) -> None:
    crs = reading.crs
    if crs is None or "course" not in crs.groups:
        return
    tables = reading.tables
    if "au" in tables:
        actual = len(tables["au"].rows)
        _count(reading, crs, "total_aus", actual, "AICC204", f"the .au has {actual}")
    if "cst" in tables:
        cst = tables["cst"]
        blocks = len({c[0].lower() for _, c in cst.rows if c and c[0]} - {"root"})
        _count(
            reading, crs, "total_blocks", blocks, "AICC205", f"the .cst has {blocks}"
        )
        wide = f"the .cst is {cst.width} wide"
        _count(reading, crs, "max_fields_cst", cst.width, "AICC206", wide)
    if extras.objectives and "ort" in tables:
        width = tables["ort"].width
        wide = f"the .ort is {width} wide"
        _count(reading, crs, "max_fields_ort", width, "AICC216", wide)
        total = len(extras.objective_ids)
        has = f"the .ort names {total}"
        _count(reading, crs, "total_objectives", total, "AICC216", has)


def _count(
    reading: _Reading, crs: CrsGroups, key: str, actual: int, code: str, what: str
) -> None:
    found = crs.get("course", key)
    name = reading.files["crs"]
    if found is None:
        if code == "AICC216":
            reading.note(code, name, None, f"{_spell(key)} is missing though {what}")
        return
    value, line = found
    if not value.isdigit():
        reading.note(
            code, name, line, f"{_spell(key)} is {value!r}, not a whole number"
        )
    elif int(value) != actual:
        reading.note(
            code,
            name,
            line,
            f"{_spell(key)}={value} but {what}; ILIAS checks the count and refuses "
            "the package",
        )


# -- .au ---------------------------------------------------------------------------


def _aus(
    reading: _Reading, table: CsvTable | None, course: CourseInfo | None
) -> tuple[AssignableUnit, ...] | None:
    if table is None:
        return None
    absent = [key for key in ("system_id", "file_name") if key not in table.header]
    for key in absent:
        reading.note(
            "AICC301",
            table.name,
            1 if table.header else None,
            f"no {_spell(key)} column; strict LMSs refuse the .au",
        )
    if absent:
        return None
    _note_columns(reading, table, _AU_FIELDS, "AICC302", "AICC309", "all twelve")
    decimals = version_rules(course.version).decimal_scores if course else True
    aus = _au_rows(reading, table, decimals)
    if not aus:
        reading.note(
            "AICC311", table.name, None, "no AU rows; there is nothing to launch"
        )
    return tuple(aus)


def _note_columns(
    reading: _Reading,
    table: CsvTable,
    fields: tuple[str, ...],
    missing_code: str,
    unknown_code: str | None,
    how_many: str,
) -> None:
    missing = [_spell(f) for f in fields if f not in table.header]
    if missing:
        reading.note(
            missing_code,
            table.name,
            1,
            f"missing column(s) {', '.join(missing)}; ILIAS refuses a table without "
            f"{how_many} columns",
        )
    unknown = sorted({h for h in table.header if h not in fields})
    if unknown and unknown_code:
        reading.note(
            unknown_code,
            table.name,
            1,
            f"unknown column(s) {', '.join(unknown)}; ignored",
        )


def _au_rows(
    reading: _Reading, table: CsvTable, decimals: bool
) -> list[AssignableUnit]:
    aus: list[AssignableUnit] = []
    seen: dict[str, int] = {}
    for line, record in table.records(_AU_FIELDS):
        sid = record["system_id"]
        if not sid:
            reading.note("AICC304", table.name, line, "AU row with an empty System_ID")
            continue
        if sid.lower() in seen:
            reading.note(
                "AICC305",
                table.name,
                line,
                f"System_ID {sid!r} repeats the AU of line {seen[sid.lower()]} (ids "
                "ignore case); LMSs keep one of them or refuse the package",
            )
            continue
        seen[sid.lower()] = line
        _check_au(reading, table.name, line, record, decimals)
        aus.append(AssignableUnit(**record))
    return aus


def _check_au(
    reading: _Reading, name: str, line: int, record: dict[str, str], decimals: bool
) -> None:
    sid = record["system_id"]
    if not record["file_name"]:
        reading.note("AICC303", name, line, f"AU {sid!r} has an empty File_Name")
    if not _LETTERS_DIGITS.fullmatch(sid):
        reading.note(
            "AICC308",
            name,
            line,
            f"System_ID {sid!r} is not letters and digits; some LMSs reject it",
        )
    limit = record["max_time_allowed"]
    if limit:
        effect = (
            "some LMSs read it as no time at all"
            if not limit.strip("0:.")
            else "LMSs cut the learner off after that time"
        )
        reading.note(
            "AICC306", name, line, f"AU {sid!r} has Max_Time_Allowed {limit}; {effect}"
        )
    if record["mastery_score"]:
        reading.note(
            "AICC307",
            name,
            line,
            f"AU {sid!r} has Mastery_Score {record['mastery_score']}; LMSs turn a "
            "reported score into passed/failed",
        )
    for key in ("max_score", "mastery_score"):
        _check_score(reading, name, line, sid, key, record[key], decimals)


def _check_score(
    reading: _Reading,
    name: str,
    line: int,
    sid: str,
    key: str,
    value: str,
    decimals: bool,
) -> None:
    if not value:
        return
    if not _NUMBER.fullmatch(value):
        problem = "is not a number"
    elif not decimals and "." in value:
        problem = "has a fraction, which AICC 2.x does not allow"
    else:
        return
    reading.note("AICC310", name, line, f"AU {sid!r} {_spell(key)} {value!r} {problem}")


# -- .cst --------------------------------------------------------------------------


def _structure(
    reading: _Reading, table: CsvTable | None, aus: tuple[AssignableUnit, ...]
) -> tuple[StructureRow, ...]:
    if table is None:
        return ()
    header = table.header
    if header[:1] != ["block"] or any(h != "member" for h in header[1:]):
        reading.note(
            "AICC506",
            table.name,
            1,
            'header is not "Block","Member",…; the first column is read as the block '
            "and the others as members",
        )
    rows, lines = _merge_rows(reading, table)
    if ROOT.lower() not in rows:
        reading.note(
            "AICC501", table.name, None, "no Root row; LMSs cannot find the course top"
        )
    elif next(iter(rows)) != ROOT.lower():
        reading.note(
            "AICC509", table.name, lines[ROOT.lower()], "Root is not the first row"
        )
    ordered = sorted(rows.values(), key=lambda row: row.block != ROOT)
    if "au" in reading.tables:
        _check_links(reading, table.name, ordered, aus, lines)
    return tuple(ordered)


def _merge_rows(
    reading: _Reading, table: CsvTable
) -> tuple[dict[str, StructureRow], dict[str, int]]:
    rows: dict[str, StructureRow] = {}
    lines: dict[str, int] = {}
    for line, cells in table.rows:
        if not cells or not cells[0]:
            reading.note(
                "AICC506", table.name, line, "row with an empty Block; ignored"
            )
            continue
        block = ROOT if cells[0].lower() == ROOT.lower() else cells[0]
        members = tuple(c for c in cells[1:] if c)
        key = block.lower()
        if key in rows:
            reading.note(
                "AICC509", table.name, line, f"block {block!r} has a second row; merged"
            )
            members = rows[key].members + members
        rows[key] = StructureRow(rows[key].block if key in rows else block, members)
        lines.setdefault(key, line)
    return rows, lines


def _check_links(
    reading: _Reading,
    name: str,
    rows: list[StructureRow],
    aus: tuple[AssignableUnit, ...],
    lines: dict[str, int],
) -> None:
    au_keys = {au.system_id.lower() for au in aus}
    blocks = {row.block.lower() for row in rows}
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for row in rows:
        line = lines[row.block.lower()]
        if row.block.lower() in au_keys:
            reading.note(
                "AICC507",
                name,
                line,
                f"block {row.block!r} has the id of an AU; ids must be unique",
            )
        if not row.members:
            reading.note("AICC508", name, line, f"block {row.block!r} has no members")
        for member in row.members:
            key = member.lower()
            counts[key] = counts.get(key, 0) + 1
            shown.setdefault(key, member)
            if key not in au_keys and key not in blocks:
                reading.note(
                    "AICC502",
                    name,
                    line,
                    f"block {row.block!r} names {member!r}, which is neither an AU "
                    "nor a block; strict LMSs refuse the structure",
                )
    _note_membership(reading, name, aus, counts, shown)
    _check_tree(reading, name, rows, lines)


def _note_membership(
    reading: _Reading,
    name: str,
    aus: tuple[AssignableUnit, ...],
    counts: dict[str, int],
    shown: dict[str, str],
) -> None:
    for key, count in counts.items():
        if count > 1:
            reading.note(
                "AICC505",
                name,
                None,
                f"{shown[key]!r} is a member {count} times; LMSs show it once, twice "
                "or refuse the structure",
            )
    for au in aus:
        if au.system_id.lower() not in counts:
            reading.note(
                "AICC504",
                name,
                None,
                f"AU {au.system_id!r} is not in the course structure; Moodle shows it "
                "outside the course, other LMSs hide it",
            )


def _check_tree(
    reading: _Reading, name: str, rows: list[StructureRow], lines: dict[str, int]
) -> None:
    children = {row.block.lower(): [m.lower() for m in row.members] for row in rows}
    cycle = _find_cycle(children)
    if cycle:
        reading.note(
            "AICC503",
            name,
            lines.get(cycle[0]),
            f"blocks form a cycle ({' -> '.join(cycle)}); LMSs loop or refuse",
        )
    reached = _reach(children, ROOT.lower())
    for block in children:
        if block not in reached and block not in cycle and ROOT.lower() in children:
            reading.note(
                "AICC510",
                name,
                lines[block],
                f"block {block!r} is not reached from Root",
            )


def _find_cycle(children: dict[str, list[str]]) -> list[str]:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for child in children.get(node, []):
            if child not in children:
                continue
            if state.get(child) == 1:
                return path[path.index(child) :] + [child]
            if child not in state and (found := visit(child)):
                return found
        state[node] = 2
        path.pop()
        return []

    for start in children:
        if start not in state and (found := visit(start)):
            return found
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
        self.objectives = self._objectives(reading.tables.get("ort"))
        self.objective_ids = {m.lower() for row in self.objectives for m in row.members}
        self.prerequisites = self._prerequisites(reading.tables.get("pre"))
        self.completions = self._completions(reading.tables.get("cmp"))

    def _unread(self, table: CsvTable, wanted: str) -> None:
        self.reading.note(
            "AICC601",
            table.name,
            1,
            f"header is not {wanted}; the file is not read (LMSs ignore it as well)",
        )

    def _unknown(self, table: CsvTable, line: int, element: str) -> None:
        self.reading.note(
            "AICC602",
            table.name,
            line,
            f"{element!r} is not an AU or block of the course",
        )

    def _objectives(self, table: CsvTable | None) -> tuple[StructureRow, ...]:
        if table is None:
            return ()
        if table.header[:1] != ["course_element"]:
            self._unread(table, '"Course_Element","Member",…')
            return ()
        rows = []
        for line, cells in table.rows:
            if cells and cells[0]:
                if cells[0].lower() not in self.known:
                    self._unknown(table, line, cells[0])
                rows.append(StructureRow(cells[0], tuple(c for c in cells[1:] if c)))
        return tuple(rows)

    def _prerequisites(self, table: CsvTable | None) -> tuple[tuple[str, str], ...]:
        if table is None:
            return ()
        if not {"structure_element", "prerequisite"} <= set(table.header):
            self._unread(table, '"Structure_Element","Prerequisite"')
            return ()
        known = self.known | self.objective_ids
        pairs = []
        for line, record in table.records(("structure_element", "prerequisite")):
            element, expression = record["structure_element"], record["prerequisite"]
            names = [element, *_EXPRESSION_ID.findall(expression)]
            for unknown in [n for n in names if n.lower() not in known]:
                self._unknown(table, line, unknown)
            pairs.append((element, expression))
        return tuple(pairs)

    def _completions(self, table: CsvTable | None) -> tuple[tuple[str, ...], ...]:
        if table is None:
            return ()
        if not set(_CMP_FIELDS) <= set(table.header):
            self._unread(table, '"Structure_Element","Requirement","Result","Next",…')
            return ()
        rows = []
        for line, record in table.records(_CMP_FIELDS):
            if record["structure_element"].lower() not in self.known:
                self._unknown(table, line, record["structure_element"])
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
        reading.note(
            "AICC404", table.name, 1, "no System_ID column; no title can be used"
        )
        return ()
    _note_columns(reading, table, _DES_FIELDS, "AICC403", None, "all four")
    found = _descriptor_rows(reading, table, extras.known | extras.objective_ids)
    described = {d.system_id.lower() for d in found}
    for au in aus:
        if au.system_id.lower() not in described:
            reading.note(
                "AICC401",
                table.name,
                None,
                f"AU {au.system_id!r} has no .des row; strict LMSs refuse it",
            )
    for row in structure[1:]:
        if row.block.lower() not in described:
            reading.note(
                "AICC402", table.name, None, f"block {row.block!r} has no title"
            )
    return tuple(found)


def _descriptor_rows(
    reading: _Reading, table: CsvTable, known: set[str]
) -> list[Descriptor]:
    found: list[Descriptor] = []
    seen: set[str] = set()
    for line, record in table.records(_DES_FIELDS):
        sid = record["system_id"]
        if sid.lower() in seen:
            reading.note("AICC406", table.name, line, f"a second row for {sid!r}")
            continue
        seen.add(sid.lower())
        if sid.lower() not in known | {ROOT.lower()}:
            reading.note("AICC405", table.name, line, f"row for unknown id {sid!r}")
        if not record["title"]:
            reading.note("AICC407", table.name, line, f"{sid!r} has an empty Title")
        found.append(Descriptor(**record))
    return found
