from __future__ import annotations

import dataclasses

import pytest

import aiccbridge.core as core
from aiccbridge.core import (
    AICC_VERSIONS,
    ENCODINGS,
    AssignableUnit,
    CourseInfo,
    Descriptor,
    Package,
    StructureRow,
    _diagnostics,
    _model,
    _reader,
    _text,
    _writer,
    _zipsafe,
    version_rules,
)
from aiccbridge.core import package as package_module


def _package(**changes: object) -> Package:
    base = Package(
        base_name="course",
        course=CourseInfo(course_id="C1", title="Title", version="3.0"),
        aus=(AssignableUnit("A1", "a.html"), AssignableUnit("A2", "b.html")),
        descriptors=(Descriptor("A1", "One"), Descriptor("A2", "Two")),
        structure=(
            StructureRow("Root", ("B1",)),
            StructureRow("B1", ("A1", "B2")),
            StructureRow("B2", ("A2",)),
        ),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_versions_and_encodings() -> None:
    assert AICC_VERSIONS == ("2.2", "2.5", "3.0", "3.5", "4.0")
    assert ENCODINGS == ("ascii", "cp1252", "utf-8")


@pytest.mark.parametrize("version", ["1.0", "3", "2.0", "", "4.1"])
def test_course_info_refuses_unknown_versions(version: str) -> None:
    with pytest.raises(ValueError, match="unknown AICC version"):
        CourseInfo(course_id="C1", title="T", version=version)


def test_course_info_defaults() -> None:
    course = CourseInfo(course_id="C1", title="T", version="4.0")
    assert (course.level, course.max_normal, course.description) == ("1", "1", "")


def test_model_is_frozen() -> None:
    au = AssignableUnit("A1", "a.html")
    with pytest.raises(dataclasses.FrozenInstanceError):
        au.file_name = "b.html"  # type: ignore[misc]


def test_assignable_unit_has_all_twelve_columns() -> None:
    names = {f.name for f in dataclasses.fields(AssignableUnit)}
    assert names == {c.lower() for c in _writer.AU_COLUMNS}
    assert len(_writer.AU_COLUMNS) == 12
    assert _writer.AU_COLUMNS[:4] == ("System_ID", "Type", "Command_Line", "File_Name")


def test_derived_counts() -> None:
    package = _package(
        objectives=(StructureRow("A1", ("J1", "J2")), StructureRow("A2", ("j1",)))
    )
    assert package.total_aus == 2
    assert package.total_blocks == 2
    assert package.max_fields_cst == 3
    assert package.max_fields_ort == 3
    assert package.total_objectives == 2
    assert package.block_ids == ("Root", "B1", "B2")


def test_counts_without_blocks_or_objectives() -> None:
    package = _package(structure=(StructureRow("Root", ("A1", "A2")),))
    assert package.total_blocks == 0
    assert package.max_fields_cst == 3
    assert package.max_fields_ort == 0
    assert package.total_objectives == 0


@pytest.mark.parametrize(
    ("version", "family", "decimals"),
    [
        ("2.2", "2.2", False),
        ("2.5", "2.2", False),
        ("3.0", "3.0", True),
        ("3.5", "3.5", True),
        ("4.0", "4.0", True),
    ],
)
def test_version_rules(version: str, family: str, decimals: bool) -> None:
    rules = version_rules(version)
    assert (rules.version, rules.spec_family, rules.decimal_scores) == (
        version,
        family,
        decimals,
    )


def test_version_rules_refuses_unknown() -> None:
    with pytest.raises(ValueError, match="2.0"):
        version_rules("2.0")


def test_version_rules_docstring_lists_every_version() -> None:
    doc = core.VersionRules.__doc__ or ""
    for version in AICC_VERSIONS:
        assert f"\n    {version} " in doc


PUBLIC = [
    "AICC_VERSIONS",
    "DIAGNOSTIC_CODES",
    "ENCODINGS",
    "AssignableUnit",
    "CourseInfo",
    "Descriptor",
    "Diagnostic",
    "FittedText",
    "Package",
    "PackageFile",
    "PackageReading",
    "StructureRow",
    "VersionRules",
    "ZipLimits",
    "build_zip",
    "fit_text",
    "read_package",
    "render_package",
    "version_rules",
    "zip_files",
]


def test_public_api_is_pinned() -> None:
    assert sorted(package_module.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(core, name) is getattr(package_module, name)
        assert name in core.__all__
    assert core.__all__ == sorted(core.__all__)


def test_private_modules_export_deliberately() -> None:
    assert _model.__all__ == [
        "AICC_VERSIONS",
        "ENCODINGS",
        "ROOT",
        "AssignableUnit",
        "CourseInfo",
        "Descriptor",
        "Package",
        "PackageFile",
        "StructureRow",
        "VersionRules",
        "version_rules",
    ]
    assert _reader.__all__ == ["read_package"]
    assert _diagnostics.__all__ == [
        "CODES",
        "MESSAGES",
        "SEVERITIES",
        "Diagnostic",
        "PackageReading",
        "make_diagnostic",
    ]
    assert _writer.__all__ == [
        "AU_COLUMNS",
        "DEFLATE_LEVEL",
        "DES_COLUMNS",
        "ZIP_TIMESTAMP",
        "build_zip",
        "render_package",
        "zip_files",
    ]
    assert _text.__all__ == [
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
    assert _zipsafe.__all__ == [
        "DEFAULT_LIMITS",
        "ArchiveContents",
        "ZipLimits",
        "read_folder",
        "read_zip",
        "unsafe_name",
    ]
    for module in (_model, _reader, _diagnostics, _writer, _text, _zipsafe):
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)


def test_core_imports_nothing_else_of_aiccbridge() -> None:
    for module in (_model, _reader, _diagnostics, _writer, _text, _zipsafe):
        source = open(module.__file__ or "", encoding="utf-8").read()  # noqa: SIM115
        for line in source.splitlines():
            if line.startswith(("import aiccbridge", "from aiccbridge")):
                assert line.startswith("from aiccbridge.core._"), line
