from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import zipfile
import zlib

import pytest

from aiccbridge.core import (
    AssignableUnit,
    CourseInfo,
    Descriptor,
    Package,
    PackageError,
    PackageFile,
    StructureRow,
    build_zip,
    render_package,
    zip_files,
)

AU_HEADER = (
    '"System_ID","Type","Command_Line","File_Name","Max_Score","Mastery_Score",'
    '"Max_Time_Allowed","Time_Limit_Action","System_Vendor","Core_Vendor",'
    '"Web_Launch","AU_Password"\r\n'
)


def one_au(**course: str) -> Package:
    info = {"course_id": "C100", "title": "Fire safety", "version": "3.0"} | course
    return Package(
        base_name="course",
        course=CourseInfo(**info, creator="Provider", system="Web"),
        aus=(AssignableUnit("A1", "https://learn.example.com/c/100"),),
        descriptors=(Descriptor("A1", "Fire safety", "Basics", "C100"),),
        structure=(StructureRow("Root", ("A1",)),),
    )


def nested() -> Package:
    return Package(
        base_name="path1",
        course=CourseInfo(
            course_id="P1", title="Path", version="4.0", description="All of it."
        ),
        aus=(
            AssignableUnit("A1", "a.html", max_score="100"),
            AssignableUnit("A2", "b.html"),
            AssignableUnit("A3", "c.html"),
        ),
        descriptors=(
            Descriptor("A1", "One"),
            Descriptor("A2", "Two"),
            Descriptor("A3", "Three"),
            Descriptor("B1", "Block one"),
            Descriptor("J1", "Objective"),
        ),
        structure=(
            StructureRow("Root", ("B1", "A3")),
            StructureRow("B1", ("A1", "A2")),
        ),
        objectives=(StructureRow("A1", ("J1",)), StructureRow("A2", ("J1", "J2"))),
        prerequisites=(("A2", "A1"), ("A3", "A1&(A2|~B1)")),
        completions=(("A3", "A2", "completed", "", ""),),
    )


def texts(package: Package, encoding: str = "utf-8") -> dict[str, str]:
    return {
        f.name.rpartition(".")[2]: f.data.decode(encoding)
        for f in render_package(package, encoding)
    }


def test_one_au_package_files_exactly() -> None:
    files = texts(one_au())
    assert list(files) == ["crs", "au", "des", "cst"]
    assert files["crs"] == (
        "[Course]\r\nCourse_Creator=Provider\r\nCourse_ID=C100\r\nCourse_System=Web\r\n"
        "Course_Title=Fire safety\r\nLevel=1\r\nMax_Fields_CST=2\r\nTotal_AUs=1\r\n"
        "Total_Blocks=0\r\nVersion=3.0\r\n[Course_Behavior]\r\nMax_Normal=1\r\n"
        "[Course_Description]\r\n"
    )
    assert files["au"] == (
        AU_HEADER + '"A1","","","https://learn.example.com/c/100","","","","","",'
        '"","",""\r\n'
    )
    assert files["des"] == (
        '"System_ID","Developer_ID","Title","Description"\r\n'
        '"A1","C100","Fire safety","Basics"\r\n'
    )
    assert files["cst"] == '"Block","Member"\r\n"Root","A1"\r\n'


def test_nested_package_with_optional_tables() -> None:
    files = texts(nested())
    assert list(files) == ["crs", "au", "des", "cst", "ort", "pre", "cmp"]
    crs = files["crs"]
    for line in (
        "Max_Fields_CST=3",
        "Max_Fields_ORT=3",
        "Total_AUs=3",
        "Total_Blocks=1",
        "Total_Complex_Obj=0",
        "Total_Objectives=2",
        "Version=4.0",
    ):
        assert f"\r\n{line}\r\n" in crs
    assert crs.endswith("[Course_Description]\r\nAll of it.\r\n")
    assert files["cst"] == (
        '"Block","Member","Member"\r\n"Root","B1","A3"\r\n"B1","A1","A2"\r\n'
    )
    assert files["ort"] == (
        '"Course_Element","Member","Member"\r\n"A1","J1",""\r\n"A2","J1","J2"\r\n'
    )
    assert files["pre"] == (
        '"Structure_Element","Prerequisite"\r\n"A2","A1"\r\n"A3","A1&(A2|~B1)"\r\n'
    )
    assert files["cmp"] == (
        '"Structure_Element","Requirement","Result","Next","Return"\r\n'
        '"A3","A2","completed","",""\r\n'
    )


@pytest.mark.parametrize("encoding", ["ascii", "cp1252", "utf-8"])
def test_every_line_ends_in_crlf_and_every_field_is_quoted(encoding: str) -> None:
    for ext, text in texts(nested(), encoding).items():
        assert text.endswith("\r\n")
        lines = text.split("\r\n")[:-1]
        assert all("\r" not in line and "\n" not in line for line in lines)
        if ext != "crs":
            for line in lines:
                assert re.fullmatch(r'"[^"]*"(,"[^"]*")*', line), line


def test_double_quotes_are_doubled_and_round_trip_through_csv() -> None:
    package = dataclasses.replace(
        one_au(), descriptors=(Descriptor("A1", 'The "best" course', 'a,"b"'),)
    )
    des = texts(package)["des"]
    assert '"A1","","The ""best"" course","a,""b"""\r\n' in des


def test_utf8_has_no_byte_order_mark() -> None:
    package = one_au(title="Sécurité")
    crs = render_package(package, "utf-8")[0].data
    assert not crs.startswith(b"\xef\xbb\xbf")
    assert "Course_Title=Sécurité".encode() in crs


def test_cp1252_bytes() -> None:
    crs = render_package(one_au(title="Café — 5 €"), "cp1252")[0].data
    assert b"Course_Title=Caf\xe9 \x97 5 \x80\r\n" in crs


def test_version_string_is_written_as_requested() -> None:
    assert "\r\nVersion=2.5\r\n" in texts(one_au(version="2.5"))["crs"]


@pytest.mark.parametrize("version", ["2.2", "2.5"])
@pytest.mark.parametrize("column", ["max_score", "mastery_score"])
def test_decimal_scores_are_refused_under_2x(version: str, column: str) -> None:
    au = dataclasses.replace(AssignableUnit("A1", "a.html"), **{column: "80.5"})
    package = dataclasses.replace(one_au(version=version), aus=(au,))
    name = "Max_Score" if column == "max_score" else "Mastery_Score"
    with pytest.raises(PackageError, match=f"AU 'A1' {name} '80.5'"):
        render_package(package)
    whole = dataclasses.replace(
        package, aus=(dataclasses.replace(au, **{column: "80"}),)
    )
    assert render_package(whole)


@pytest.mark.parametrize("version", ["3.0", "3.5", "4.0"])
def test_decimal_scores_are_fine_from_3(version: str) -> None:
    au = AssignableUnit("A1", "a.html", max_score="99.5", mastery_score="80.25")
    package = dataclasses.replace(one_au(version=version), aus=(au,))
    assert '"99.5","80.25"' in texts(package)["au"]


def test_non_numeric_score_is_refused() -> None:
    au = AssignableUnit("A1", "a.html", max_score="lots")
    with pytest.raises(PackageError, match="Max_Score 'lots' is not a number"):
        render_package(dataclasses.replace(one_au(), aus=(au,)))


@pytest.mark.parametrize(
    ("break_", "where"),
    [("\r\n", "title"), ("\n", "title"), ("\u2028", "title"), ("\t", "creator")],
)
def test_line_breaks_and_tabs_in_values_are_refused(break_: str, where: str) -> None:
    course = dataclasses.replace(one_au().course, **{where: f"a{break_}b"})
    label = "Course_Title" if where == "title" else "Course_Creator"
    with pytest.raises(PackageError, match=f"{label} .* line break, tab or control"):
        render_package(dataclasses.replace(one_au(), course=course))


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\x85"])
def test_bidi_controls_in_values_are_refused(char: str) -> None:
    package = dataclasses.replace(
        one_au(), descriptors=(Descriptor("A1", f"evil{char}txt.exe"),)
    )
    with pytest.raises(PackageError, match=r"\.des row 'A1' Title .* bidi control"):
        render_package(package)


def test_line_break_in_a_table_value_is_named() -> None:
    package = dataclasses.replace(
        one_au(), descriptors=(Descriptor("A1", "One", "two\nlines"),)
    )
    with pytest.raises(PackageError, match=r"\.des row 'A1' Description"):
        render_package(package)


def test_spaces_at_the_ends_are_refused() -> None:
    with pytest.raises(PackageError, match="Course_Title ' Fire' has spaces"):
        render_package(one_au(title=" Fire"))
    for title in ("One ", "One\u00a0", "\u3000One"):
        package = dataclasses.replace(one_au(), descriptors=(Descriptor("A1", title),))
        with pytest.raises(PackageError, match=r"\.des row 'A1' Title .* has spaces"):
            render_package(package)


@pytest.mark.parametrize(
    ("encoding", "title"), [("ascii", "Café"), ("cp1252", "日本"), ("cp1252", "Ω")]
)
def test_values_the_encoding_cannot_hold_are_refused(encoding: str, title: str) -> None:
    with pytest.raises(
        PackageError, match=f"Course_Title .* cannot be written in {encoding}"
    ):
        render_package(one_au(title=title), encoding)


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(PackageError, match="unknown encoding 'latin-1'"):
        render_package(one_au(), "latin-1")


def _structure(*rows: tuple[str, tuple[str, ...]]) -> Package:
    structure = tuple(StructureRow(block, members) for block, members in rows)
    return dataclasses.replace(nested(), structure=structure)


@pytest.mark.parametrize(
    ("package", "message"),
    [
        (_structure(("B1", ("A1",)), ("Root", ("B1",))), "must start with the 'Root'"),
        (
            _structure(("Root", ("B1", "A3", "A9")), ("B1", ("A1", "A2"))),
            "unknown member 'A9'",
        ),
        (
            _structure(("Root", ("B1",)), ("B1", ("A1", "A2"))),
            "'A3' is not in the course",
        ),
        (
            _structure(("Root", ("B1", "A3", "A1")), ("B1", ("A1", "A2"))),
            "'A1' is a member of more than one block",
        ),
        (_structure(("Root", ("A3",)), ("B1", ("A1", "A2", "B1"))), "not reachable"),
        (_structure(("Root", ("B1", "A3", "A1", "A2")), ("B1", ())), "has no members"),
        (dataclasses.replace(nested(), structure=()), "must start with the 'Root'"),
    ],
)
def test_broken_structures_are_refused(package: Package, message: str) -> None:
    with pytest.raises(PackageError, match=message):
        render_package(package)


def test_other_inconsistencies_are_refused() -> None:
    base = nested()
    cases = [
        (dataclasses.replace(base, aus=()), "has no AU"),
        (
            dataclasses.replace(base, aus=(*base.aus, AssignableUnit("a1", "x.html"))),
            "share a System_ID",
        ),
        (
            dataclasses.replace(base, descriptors=base.descriptors[1:]),
            "'A1' has no .des",
        ),
        (
            dataclasses.replace(
                base, descriptors=(*base.descriptors, Descriptor("X9", "X"))
            ),
            "unknown id 'X9'",
        ),
        (
            dataclasses.replace(base, prerequisites=(("A2", "A1&Z7"),)),
            "unknown element 'Z7'",
        ),
        (dataclasses.replace(base, objectives=(StructureRow("Q1", ("J1",)),)), "'Q1'"),
        (dataclasses.replace(base, completions=(("A1", "A2"),)), "five columns"),
        (
            dataclasses.replace(base, aus=(AssignableUnit("A 1", "x"), *base.aus[1:])),
            "not made of letters and digits",
        ),
        (
            dataclasses.replace(base, aus=(AssignableUnit("A1", ""), *base.aus[1:])),
            "File_Name is empty",
        ),
        (dataclasses.replace(base, base_name="../x"), "base name '../x'"),
    ]
    for package, message in cases:
        with pytest.raises(PackageError, match=re.escape(message)):
            render_package(package)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"course_id": "has space"}, "Course_ID 'has space' is not an identifier"),
        ({"course_id": ""}, "Course_ID '' is not an identifier"),
        ({"title": ""}, "Course_Title is empty"),
        ({"max_normal": "0"}, "Max_Normal '0'"),
        ({"description": "[Course]"}, "starts with '['"),
    ],
)
def test_course_values_are_checked(change: dict[str, str], message: str) -> None:
    course = dataclasses.replace(one_au().course, **change)
    with pytest.raises(PackageError, match=re.escape(message)):
        render_package(dataclasses.replace(one_au(), course=course))


def test_time_values_are_checked() -> None:
    good = AssignableUnit(
        "A1", "a", max_time_allowed="01:30:00", time_limit_action="C,N"
    )
    assert render_package(dataclasses.replace(one_au(), aus=(good,)))
    for field, value in (("max_time_allowed", "90 min"), ("time_limit_action", "X")):
        bad = dataclasses.replace(good, **{field: value})
        with pytest.raises(PackageError, match=repr(value)):
            render_package(dataclasses.replace(one_au(), aus=(bad,)))


def test_errors_carry_a_hint() -> None:
    with pytest.raises(PackageError) as caught:
        render_package(one_au(title="a\nb"))
    assert caught.value.hint and "fit_text" in caught.value.hint


# -- the zip -----------------------------------------------------------------------


def test_zip_is_deterministic() -> None:
    assert build_zip(nested()) == build_zip(nested())
    assert build_zip(nested(), "cp1252") == build_zip(nested(), "cp1252")


def test_zip_members_are_plain_files_at_the_root() -> None:
    archive = zipfile.ZipFile(io.BytesIO(build_zip(nested())))
    assert archive.testzip() is None
    assert archive.comment == b""
    names = [info.filename for info in archive.infolist()]
    assert names == [
        f"path1.{ext}" for ext in ("crs", "au", "des", "cst", "ort", "pre", "cmp")
    ]
    for info in archive.infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert info.create_system == 3
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.extra == b"" and info.comment == b""
        assert info.flag_bits == 0
    rendered = {f.name: f.data for f in render_package(nested())}
    assert {n: archive.read(n) for n in names} == rendered


def test_zip_files_keeps_the_given_order() -> None:
    files = [PackageFile("b.txt", b"bee"), PackageFile("a.txt", b"")]
    archive = zipfile.ZipFile(io.BytesIO(zip_files(files)))
    assert archive.namelist() == ["b.txt", "a.txt"]
    assert archive.read("b.txt") == b"bee" and archive.read("a.txt") == b""


def test_zip_files_names() -> None:
    archive = zipfile.ZipFile(io.BytesIO(zip_files([PackageFile("été/a.txt", b"x")])))
    assert archive.namelist() == ["été/a.txt"]
    assert archive.infolist()[0].flag_bits == 0x800
    for bad in ("../a.txt", "/a.txt", "a\\b.txt"):
        with pytest.raises(PackageError, match="cannot zip"):
            zip_files([PackageFile(bad, b"")])


def test_empty_zip() -> None:
    assert zipfile.ZipFile(io.BytesIO(zip_files([]))).namelist() == []


FILES_SHA256 = "a310d8270bb331e1e4889e198bb9cf405501683a34ee218f8c221a125f9b65e6"
ZIP_SHA256 = "da72ebb0c7480723075d565beb8e342968f23bf841443c20dccd51705a0b7458"


def test_pinned_bytes_of_a_small_package() -> None:
    rendered = b"".join(f.data for f in render_package(one_au()))
    assert hashlib.sha256(rendered).hexdigest() == FILES_SHA256


def test_pinned_zip_of_a_small_package() -> None:
    if "ng" in zlib.ZLIB_RUNTIME_VERSION.lower():
        pytest.skip(f"zlib-ng ({zlib.ZLIB_RUNTIME_VERSION}) deflates differently")
    assert hashlib.sha256(build_zip(one_au())).hexdigest() == ZIP_SHA256
