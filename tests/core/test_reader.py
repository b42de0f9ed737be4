from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import re
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiccbridge.core import (
    AICC_VERSIONS,
    DIAGNOSTIC_CODES,
    ENCODINGS,
    AssignableUnit,
    CourseInfo,
    Descriptor,
    Diagnostic,
    Package,
    PackageError,
    PackageReading,
    StructureRow,
    build_zip,
    fit_text,
    read_package,
    render_package,
    zip_files,
)
from aiccbridge.core import PackageFile as File
from aiccbridge.core._diagnostics import make_diagnostic

REPO = Path(__file__).resolve().parents[2]

BASE = Package(
    base_name="course",
    course=CourseInfo(
        course_id="C1", title="Title", version="3.0", creator="P", system="Web"
    ),
    aus=(AssignableUnit("A1", "a.html"), AssignableUnit("A2", "b.html")),
    descriptors=(
        Descriptor("A1", "One"),
        Descriptor("A2", "Two"),
        Descriptor("B1", "B"),
    ),
    structure=(StructureRow("Root", ("B1",)), StructureRow("B1", ("A1", "A2"))),
)

Files = dict[str, str | bytes]


def base_files(package: Package = BASE) -> Files:
    return {f.name: f.data.decode() for f in render_package(package)}


def base_text(name: str) -> str:
    return {f.name: f.data.decode() for f in render_package(BASE)}[name]


def zipped(files: Files) -> bytes:
    return zip_files(
        [File(n, d.encode() if isinstance(d, str) else d) for n, d in files.items()]
    )


def read(files: Files) -> PackageReading:
    return read_package(zipped(files))


def edit(name: str, old: str, new: str, files: Files | None = None) -> Files:
    files = base_files() if files is None else files
    text = files[name]
    assert isinstance(text, str) and old in text, (name, old)
    files[name] = text.replace(old, new, 1)
    return files


def test_the_base_package_is_clean() -> None:
    reading = read(base_files())
    assert reading.diagnostics == ()
    assert reading.package == BASE
    assert reading.ok and reading.errors == () and reading.warnings == ()


# -- one example for every diagnostic code -----------------------------------------


def _renamed(old: str, new: str) -> Files:
    files = base_files()
    files[new] = files.pop(old)
    return files


def _without(name: str) -> Files:
    files = base_files()
    del files[name]
    return files


def _damaged(tmp: Path) -> PackageReading:
    data = bytearray(zipped(base_files()))
    start = data.find(b"PK\x03\x04") + 30 + len("course.crs")
    data[start : start + 6] = b"\xff" * 6
    return read_package(bytes(data))


def _symlinked(tmp: Path) -> PackageReading:
    for name, text in base_files().items():
        (tmp / name).write_text(str(text), newline="")
    (tmp / "extra.txt").symlink_to(tmp / "course.crs")
    return read_package(tmp)


def _fifo_as_crs(tmp: Path) -> PackageReading:
    if not hasattr(os, "mkfifo"):
        pytest.skip("this platform has no named pipes")
    for name, text in base_files().items():
        if name != "course.crs":
            (tmp / name).write_text(str(text), newline="")
    os.mkfifo(tmp / "course.crs")
    release = threading.Timer(10, _open_for_writing, (tmp / "course.crs",))
    release.start()  # so that a reader waiting for a writer fails instead of hangs
    try:
        return read_package(tmp)
    finally:
        release.cancel()


def _open_for_writing(fifo: Path) -> None:
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def _bytes_in(name: str, data: bytes) -> Files:
    files = base_files()
    files[name] = data
    return files


def _with_objectives() -> Files:
    package = Package(
        base_name="course",
        course=BASE.course,
        aus=BASE.aus,
        descriptors=BASE.descriptors,
        structure=BASE.structure,
        objectives=(StructureRow("A1", ("J1", "J2")),),
    )
    return edit(
        "course.crs", "Max_Fields_ORT=3", "Max_Fields_ORT=4", base_files(package)
    )


def _cst(text: str) -> Files:
    files = base_files()
    files["course.cst"] = text
    return files


HEADER = '"Block","Member","Member"\r\n'
AU_ROW = '"A1","","","a.html","","","","","","","",""\r\n'

Example = Callable[[Path], PackageReading]


def files_example(make: Callable[[], Files]) -> Example:
    return lambda tmp: read(make())


EXAMPLES: dict[str, tuple[Example, str, int | None]] = {
    "AICC101": (files_example(lambda: _without("course.des")), "course.des", None),
    "AICC102": (
        files_example(lambda: {f"sub/{n}": d for n, d in base_files().items()}),
        "",
        None,
    ),
    "AICC103": (
        files_example(lambda: base_files() | {"other.au": base_text("course.au")}),
        "",
        None,
    ),
    "AICC104": (
        files_example(lambda: _renamed("course.cst", "course.CST")),
        "course.CST",
        None,
    ),
    "AICC105": (files_example(lambda: {"readme.txt": "hello"}), "", None),
    "AICC106": (files_example(lambda: _renamed("course.au", "Course.au")), "", None),
    "AICC107": (_damaged, "course.crs", None),
    "AICC108": (
        files_example(lambda: base_files() | {"course.AU": base_text("course.au")}),
        "course.AU",
        None,
    ),
    "AICC109": (_symlinked, "extra.txt", None),
    "AICC110": (_fifo_as_crs, "course.crs", None),
    "AICC201": (
        files_example(lambda: edit("course.crs", "[Course]\r\n", "")),
        "course.crs",
        None,
    ),
    "AICC202": (
        files_example(lambda: edit("course.crs", "Course_ID=C1\r\n", "")),
        "course.crs",
        None,
    ),
    "AICC203": (
        files_example(lambda: edit("course.crs", "Level=1\r\n", "")),
        "course.crs",
        None,
    ),
    "AICC204": (
        files_example(lambda: edit("course.crs", "Total_AUs=2", "Total_AUs=3")),
        "course.crs",
        8,
    ),
    "AICC205": (
        files_example(lambda: edit("course.crs", "Total_Blocks=1", "Total_Blocks=2")),
        "course.crs",
        9,
    ),
    "AICC206": (
        files_example(
            lambda: edit("course.crs", "Max_Fields_CST=3", "Max_Fields_CST=9")
        ),
        "course.crs",
        7,
    ),
    "AICC207": (
        files_example(lambda: edit("course.crs", "Version=3.0", "Version=3.1")),
        "course.crs",
        10,
    ),
    "AICC208": (
        files_example(
            lambda: (
                base_files() | {"course.crs": base_text("course.crs") + "a\r\nb\r\n"}
            )
        ),
        "course.crs",
        14,
    ),
    "AICC209": (
        files_example(lambda: edit("course.crs", "Title=Title", "Title=A & B")),
        "course.crs",
        5,
    ),
    "AICC210": (
        files_example(lambda: edit("course.crs", "Title=Title", "Title=A=B")),
        "course.crs",
        5,
    ),
    "AICC211": (
        files_example(
            lambda: edit("course.crs", "Level=1\r\n", "Level=1\r\ngarbage\r\n")
        ),
        "course.crs",
        7,
    ),
    "AICC212": (
        files_example(lambda: edit("course.crs", "[Course]", "Foo=1\r\n[Course]")),
        "course.crs",
        1,
    ),
    "AICC213": (
        files_example(
            lambda: edit("course.crs", "Level=1\r\n", "Level=1\r\nLEVEL=2\r\n")
        ),
        "course.crs",
        7,
    ),
    "AICC214": (
        files_example(lambda: edit("course.crs", "Title=Title", "Title=None")),
        "course.crs",
        5,
    ),
    "AICC215": (
        files_example(lambda: edit("course.crs", "Max_Normal=1", "Max_Normal=0")),
        "course.crs",
        12,
    ),
    "AICC216": (files_example(_with_objectives), "course.crs", 8),
    "AICC217": (
        files_example(
            lambda: edit("course.crs", "Level=1\r\n", "Level=1\r\nFoo=bar\r\n")
        ),
        "course.crs",
        7,
    ),
    "AICC218": (
        files_example(lambda: edit("course.crs", "Title=Title", 'Title="Title"')),
        "course.crs",
        5,
    ),
    "AICC301": (
        files_example(lambda: edit("course.au", '"File_Name"', '"Launch"')),
        "course.au",
        1,
    ),
    "AICC302": (
        files_example(lambda: edit("course.au", ',"AU_Password"', ",")),
        "course.au",
        1,
    ),
    "AICC303": (
        files_example(lambda: edit("course.au", '"a.html"', '""')),
        "course.au",
        2,
    ),
    "AICC304": (
        files_example(lambda: edit("course.au", '"A1",', '"",')),
        "course.au",
        2,
    ),
    "AICC305": (
        files_example(lambda: edit("course.au", '"A2",', '"a1",')),
        "course.au",
        3,
    ),
    "AICC306": (
        files_example(
            lambda: edit("course.au", '"a.html","","",""', '"a.html","","","00:30:00"')
        ),
        "course.au",
        2,
    ),
    "AICC307": (
        files_example(lambda: edit("course.au", '"a.html","",""', '"a.html","","80"')),
        "course.au",
        2,
    ),
    "AICC308": (
        files_example(
            lambda: edit(
                "course.cst",
                '"A1"',
                '"A-1"',
                edit("course.des", '"A1"', '"A-1"', edit("course.au", '"A1"', '"A-1"')),
            )
        ),
        "course.au",
        2,
    ),
    "AICC309": (
        files_example(
            lambda: edit("course.au", '"AU_Password"', '"AU_Password","Extra"')
        ),
        "course.au",
        1,
    ),
    "AICC310": (
        files_example(lambda: edit("course.au", '"a.html",""', '"a.html","lots"')),
        "course.au",
        2,
    ),
    "AICC311": (
        files_example(
            lambda: (
                base_files()
                | {"course.au": base_text("course.au").split("\r\n")[0] + "\r\n"}
            )
        ),
        "course.au",
        None,
    ),
    "AICC401": (
        files_example(lambda: edit("course.des", '"A1","","One",""\r\n', "")),
        "course.des",
        None,
    ),
    "AICC402": (
        files_example(lambda: edit("course.des", '"B1","","B",""\r\n', "")),
        "course.des",
        None,
    ),
    "AICC403": (
        files_example(lambda: edit("course.des", '"Developer_ID"', '"Dev"')),
        "course.des",
        1,
    ),
    "AICC404": (
        files_example(lambda: edit("course.des", '"System_ID"', '"Id"')),
        "course.des",
        1,
    ),
    "AICC405": (
        files_example(
            lambda: edit(
                "course.des", '"B1","","B",""', '"B1","","B",""\r\n"Z9","","Z",""'
            )
        ),
        "course.des",
        5,
    ),
    "AICC406": (
        files_example(
            lambda: edit(
                "course.des", '"B1","","B",""', '"B1","","B",""\r\n"b1","","B",""'
            )
        ),
        "course.des",
        5,
    ),
    "AICC407": (
        files_example(lambda: edit("course.des", '"One"', '""')),
        "course.des",
        2,
    ),
    "AICC501": (
        files_example(lambda: _cst(HEADER + '"B1","A1","A2"\r\n')),
        "course.cst",
        None,
    ),
    "AICC502": (
        files_example(lambda: _cst(HEADER + '"Root","B1","A9"\r\n"B1","A1","A2"\r\n')),
        "course.cst",
        2,
    ),
    "AICC503": (
        files_example(
            lambda: _cst(
                HEADER + '"Root","A1","A2"\r\n"B1","B2",""\r\n"B2","B1",""\r\n'
            )
        ),
        "course.cst",
        3,
    ),
    "AICC504": (
        files_example(lambda: _cst(HEADER + '"Root","A1",""\r\n')),
        "course.cst",
        None,
    ),
    "AICC505": (
        files_example(lambda: _cst(HEADER + '"Root","B1","A1"\r\n"B1","A1","A2"\r\n')),
        "course.cst",
        None,
    ),
    "AICC506": (
        files_example(lambda: edit("course.cst", '"Block"', '"Parent"')),
        "course.cst",
        1,
    ),
    "AICC507": (
        files_example(lambda: _cst(HEADER + '"Root","A1",""\r\n"A1","A2",""\r\n')),
        "course.cst",
        3,
    ),
    "AICC508": (
        files_example(lambda: _cst(HEADER + '"Root","A1","A2"\r\n"B1","",""\r\n')),
        "course.cst",
        3,
    ),
    "AICC509": (
        files_example(lambda: _cst(HEADER + '"B1","A1","A2"\r\n"Root","B1",""\r\n')),
        "course.cst",
        3,
    ),
    "AICC510": (
        files_example(lambda: _cst(HEADER + '"Root","A1",""\r\n"B1","A2",""\r\n')),
        "course.cst",
        3,
    ),
    "AICC601": (
        files_example(
            lambda: base_files() | {"course.ort": '"Objective","AU"\r\n"J1","A1"\r\n'}
        ),
        "course.ort",
        1,
    ),
    "AICC602": (
        files_example(
            lambda: (
                base_files()
                | {
                    "course.pre": '"Structure_Element","Prerequisite"\r\n'
                    '"A2","A1&Q7"\r\n'
                }
            )
        ),
        "course.pre",
        2,
    ),
    "AICC701": (
        files_example(
            lambda: _bytes_in(
                "course.des", b"\xef\xbb\xbf" + base_text("course.des").encode()
            )
        ),
        "course.des",
        1,
    ),
    "AICC702": (
        files_example(
            lambda: _bytes_in(
                "course.des",
                base_text("course.des").replace("One", "Caf\xe9").encode("cp1252"),
            )
        ),
        "course.des",
        2,
    ),
    "AICC703": (
        files_example(lambda: edit("course.des", "One", "Café")),
        "course.des",
        2,
    ),
    "AICC704": (
        files_example(
            lambda: _bytes_in(
                "course.des", base_text("course.des").encode() + b'"x\x81"\r\n'
            )
        ),
        "course.des",
        5,
    ),
    "AICC705": (
        files_example(
            lambda: (
                base_files()
                | {"course.cst": base_text("course.cst").replace("\r\n", "\n")}
            )
        ),
        "course.cst",
        None,
    ),
    "AICC706": (
        files_example(
            lambda: base_files() | {"course.cst": base_text("course.cst").rstrip()}
        ),
        "course.cst",
        3,
    ),
    "AICC707": (
        files_example(lambda: edit("course.au", '"a.html"', "a.html")),
        "course.au",
        2,
    ),
    "AICC708": (
        files_example(lambda: edit("course.des", '"Two",""', '"Two"')),
        "course.des",
        3,
    ),
    "AICC709": (
        files_example(lambda: edit("course.des", '"Two"', '"Tw"o"')),
        "course.des",
        3,
    ),
    "AICC710": (
        files_example(lambda: edit("course.des", "One", "???")),
        "course.des",
        2,
    ),
    "AICC711": (
        files_example(
            lambda: edit("course.des", '"Description"', '"Description","Title"')
        ),
        "course.des",
        1,
    ),
    "AICC712": (
        files_example(lambda: edit("course.au", '"a.html"', '"a\x1b.html"')),
        "course.au",
        2,
    ),
    "AICC713": (
        files_example(lambda: edit("course.des", '"One"', '"\u202eenO"')),
        "course.des",
        2,
    ),
}

# Codes the commands give for a path read_package() refuses with an exception.
CONTAINER_CODES = {"AICC100"}


def test_every_code_has_an_example() -> None:
    assert sorted(EXAMPLES) == sorted(set(DIAGNOSTIC_CODES) - CONTAINER_CODES)


def test_aicc100_carries_the_message_of_a_refused_path() -> None:
    with pytest.raises(PackageError) as caught:
        read_package(b"this is not a zip")
    note = make_diagnostic("AICC100", "", None, problem=caught.value.message)
    assert (note.code, note.severity) == ("AICC100", "error")
    assert note.message == caught.value.message
    assert "not a zip" in note.message


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_code_example(code: str, tmp_path: Path) -> None:
    make, file, line = EXAMPLES[code]
    reading = make(tmp_path)
    found = [d for d in reading.diagnostics if d.code == code]
    assert found, f"{code} not reported; got {reading.codes}"
    assert (found[0].file, found[0].line) == (file, line)
    assert found[0].severity == DIAGNOSTIC_CODES[code]
    assert found[0].message and "\n" not in found[0].message


def test_every_code_is_documented() -> None:
    doc = (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (AICC\d{3}) \| (\w+) \|", doc, re.MULTILINE))
    assert rows == DIAGNOSTIC_CODES


# -- leniency ----------------------------------------------------------------------


def test_loose_crs_syntax_is_read() -> None:
    crs = (
        "\n; a comment\n[COURSE]\n   course_id  =  C1 \n\tCOURSE_TITLE= Title\n"
        "course_creator=P\ncourse_system=Web\nlevel=1\nmax_fields_cst=3\n"
        "total_aus=2\ntotal_blocks=1\n  version =3.0\n \n[course_behavior]\n"
        "max_normal = 1\n[Course_Description]\n"
    )
    reading = read(base_files() | {"course.crs": crs})
    assert reading.package == BASE
    assert set(reading.codes) == {"AICC705"}


def test_csv_columns_in_any_order_and_case_unquoted_and_short() -> None:
    au = "file_name,SYSTEM_ID,Type\r\na.html,A1,x\r\nb.html,A2\r\n"
    reading = read(base_files() | {"course.au": au})
    assert reading.package is not None
    assert reading.package.aus == (
        AssignableUnit("A1", "a.html", type="x"),
        AssignableUnit("A2", "b.html"),
    )
    assert {"AICC302", "AICC707", "AICC708"} <= set(reading.codes)
    assert reading.errors == ()


def test_quoted_fields_keep_commas_and_quotes() -> None:
    reading = read(edit("course.des", '"One"', '"One, ""the first"""'))
    assert reading.package is not None
    assert reading.package.descriptors[0].title == 'One, "the first"'
    assert reading.diagnostics == ()


def test_multi_line_description_is_joined() -> None:
    crs = base_text("course.crs") + "  First.  \r\n\r\nSecond [x].\r\n"
    reading = read(base_files() | {"course.crs": crs})
    assert reading.package is not None
    assert reading.package.course.description == "First. Second [x]."


def test_line_end_kinds() -> None:
    cst = base_text("course.cst")
    for text, kind in (
        (cst.replace("\r\n", "\n"), "LF"),
        (cst.replace("\r\n", "\r"), "CR"),
        (cst.replace("\r\n", "\n", 1), "mixed"),
    ):
        reading = read(base_files() | {"course.cst": text})
        assert reading.package == BASE
        [note] = [d for d in reading.diagnostics if d.code == "AICC705"]
        assert note.message.startswith(kind) and "Moodle" in note.message


def test_cp1252_file_is_decoded() -> None:
    des = base_text("course.des").replace("One", "Café – 5 €")
    reading = read(base_files() | {"course.des": des.encode("cp1252")})
    assert reading.package is not None
    assert reading.package.descriptors[0].title == "Café – 5 €"


def test_utf16_and_nul_are_undecodable() -> None:
    des = base_text("course.des")
    for data in (des.encode("utf-16"), des.encode() + b"\0\0"):
        reading = read(base_files() | {"course.des": data})
        assert "AICC704" in reading.codes


def test_a_bom_is_stripped() -> None:
    crs = b"\xef\xbb\xbf" + base_text("course.crs").encode()
    reading = read(base_files() | {"course.crs": crs})
    assert reading.package == BASE
    assert reading.codes == ("AICC701",)


def test_files_in_a_sub_folder_are_read() -> None:
    reading = read({f"pkg/inner/{n}": d for n, d in base_files().items()})
    assert reading.package == BASE
    assert reading.codes == ("AICC102",)


def test_several_base_names_pick_the_one_with_a_crs() -> None:
    files = base_files()
    files = {"a.au": files["course.au"], "a.cst": files["course.cst"]} | files
    reading = read(files)
    assert reading.package == BASE
    assert reading.codes == ("AICC103",)
    assert "'course'" in reading.diagnostics[0].message


def test_mac_resource_files_are_ignored() -> None:
    files = base_files() | {"__MACOSX/._course.crs": b"\0\1", "._course.au": b"\0"}
    reading = read(files)
    assert reading.package == BASE and reading.diagnostics == ()


def test_folder_and_path_sources(tmp_path: Path) -> None:
    for name, text in base_files().items():
        (tmp_path / name).write_bytes(str(text).encode())
    zip_path = tmp_path / "course.zip"
    zip_path.write_bytes(zipped(base_files()))
    for source in (tmp_path, str(tmp_path), zip_path, str(zip_path)):
        reading = read_package(source)
        assert reading.package == BASE
        assert reading.source == str(source)
    assert read_package(zip_path.read_bytes()).source == "<bytes>"


def test_missing_crs_still_reads() -> None:
    reading = read(_without("course.crs"))
    assert reading.package is None
    assert reading.codes == ("AICC101",)
    assert reading.to_dict()["course"] is None


def test_unknown_version_keeps_the_course_fields() -> None:
    reading = read(edit("course.crs", "Version=3.0", "Version=1.0"))
    assert reading.package is None
    assert reading.to_dict()["course"] == {
        "id": "C1",
        "title": "Title",
        "version": "1.0",
        "level": "1",
    }


def test_numeric_twin_of_a_version_is_modelled() -> None:
    reading = read(edit("course.crs", "Version=3.0", "Version=3"))
    assert reading.package is not None and reading.package.course.version == "3.0"
    assert reading.codes == ("AICC207",)


def test_to_dict_is_json_ready() -> None:
    reading = read(edit("course.au", '"a.html"', "a.html"))
    data = json.loads(json.dumps(reading.to_dict()))
    assert data["source"] == "<bytes>"
    assert data["base_name"] == "course"
    assert data["course"] == {
        "id": "C1",
        "title": "Title",
        "version": "3.0",
        "level": "1",
    }
    assert [au["system_id"] for au in data["aus"]] == ["A1", "A2"]
    assert data["aus"][0]["file_name"] == "a.html" and len(data["aus"][0]) == 12
    assert data["blocks"] == [
        {"id": "Root", "members": ["B1"]},
        {"id": "B1", "members": ["A1", "A2"]},
    ]
    assert data["files"] == [f"course.{e}" for e in ("crs", "au", "des", "cst")]
    assert data["diagnostics"] == [
        {
            "code": "AICC707",
            "severity": "warning",
            "file": "course.au",
            "line": 2,
            "message": data["diagnostics"][0]["message"],
        }
    ]
    assert data["ok"] is True


def test_diagnostic_text() -> None:
    note = Diagnostic(
        "AICC303", "error", "course.au", 2, "AU 'A1' has an empty File_Name"
    )
    assert str(note) == "course.au:2: AICC303 error: AU 'A1' has an empty File_Name"
    assert (
        str(Diagnostic("AICC105", "error", "", None, "x"))
        == "package: AICC105 error: x"
    )


def test_errors_and_warnings_split() -> None:
    reading = read(edit("course.au", '"a.html"', '""', edit("course.au", '"A2"', "A2")))
    assert [d.code for d in reading.errors] == ["AICC303"]
    assert [d.code for d in reading.warnings] == ["AICC707"]
    assert not reading.ok


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\0" * 50,
        b"\xff\xfe\x00",
        b'"""\r\n,,,\r\n"',
        b"[\r\n=\r\n[]\r\n",
        bytes(range(256)),
    ],
)
def test_garbage_in_any_file_never_crashes(garbage: bytes) -> None:
    for name in base_files():
        reading = read(_bytes_in(name, garbage))
        assert isinstance(reading, PackageReading)
        assert reading.diagnostics


def test_zip_containing_a_zip_is_not_followed() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.zip", zipped(base_files()))
    reading = read_package(buffer.getvalue())
    assert reading.codes == ("AICC105",)
    assert reading.files == ("inner.zip",)


# -- round trip: everything the writer makes reads back clean and equal -----------


CRS_FORBIDDEN = '?{}|&~!()^";=[]'
INI_WORDS = {"yes", "no", "on", "off", "true", "false", "none", "null"}

# cp1252 text is drawn from ASCII and U+00C0-U+00FF only: bytes 0x80-0xBF could make
# a cp1252 file that is also valid UTF-8 (see docs/diagnostics.md).
ALPHABETS = {
    "ascii": st.characters(min_codepoint=32, max_codepoint=126),
    "cp1252": st.one_of(
        st.characters(min_codepoint=32, max_codepoint=126),
        st.characters(min_codepoint=0xC0, max_codepoint=0xFF),
    ),
    "utf-8": st.characters(exclude_categories=["Cs"]),
}


def expected_codes(package: Package, encoding: str) -> set[str]:
    """The only diagnostics a written package may get back (docs/diagnostics.md)."""
    values = [str(v) for v in _every_value(package)]
    codes = set()
    if not all(v.isascii() for v in values):
        codes.add("AICC702" if encoding == "cp1252" else "AICC703")
    if any(au.max_time_allowed for au in package.aus):
        codes.add("AICC306")
    if any(au.mastery_score for au in package.aus):
        codes.add("AICC307")
    if any("???" in v for v in values):
        codes.add("AICC710")
    return codes


def _every_value(package: Package) -> list[object]:
    values: list[object] = list(vars_of(package.course))
    for au in package.aus:
        values += vars_of(au)
    for d in package.descriptors:
        values += vars_of(d)
    return values


def vars_of(item: object) -> list[object]:
    return [getattr(item, name) for name in item.__slots__]  # type: ignore[attr-defined]


@st.composite
def texts(draw: st.DrawFn, encoding: str, forbidden: str = "") -> str:
    raw = draw(st.text(ALPHABETS[encoding], min_size=1, max_size=30))
    value = fit_text(raw, encoding, forbidden=forbidden, fallback="x").text
    if value.lower() in INI_WORDS:
        value = f"{value} x"
    return value


@st.composite
def packages(draw: st.DrawFn, encoding: str) -> Package:
    version = draw(st.sampled_from(AICC_VERSIONS))
    numbers = draw(st.lists(st.integers(1, 999), min_size=1, max_size=6, unique=True))
    au_ids = [f"A{n}" for n in numbers]
    block_ids = [f"B{n}" for n in range(1, draw(st.integers(0, len(au_ids))) + 1)]
    structure = _draw_tree(draw, au_ids, block_ids)
    aus = tuple(_draw_au(draw, sid, version, encoding) for sid in au_ids)
    objectives = _draw_objectives(draw, au_ids)
    objective_ids = sorted({m for row in objectives for m in row.members})
    described = (
        au_ids + block_ids + draw(st.lists(st.sampled_from(objective_ids or ["-"])))
    )
    descriptors = tuple(
        Descriptor(
            sid,
            draw(texts(encoding)),
            draw(st.just("") | texts(encoding)),
            draw(st.just("") | texts(encoding)),
        )
        for sid in dict.fromkeys(described)
        if sid != "-"
    )
    return Package(
        base_name=draw(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True)),
        course=_draw_course(draw, version, encoding),
        aus=aus,
        descriptors=descriptors,
        structure=structure,
        objectives=objectives,
        prerequisites=_draw_prerequisites(draw, au_ids),
        completions=tuple(
            (sid, draw(st.sampled_from(au_ids)), "completed", "", "")
            for sid in draw(st.lists(st.sampled_from(au_ids), max_size=2, unique=True))
        ),
    )


def _draw_course(draw: st.DrawFn, version: str, encoding: str) -> CourseInfo:
    crs_text = texts(encoding, CRS_FORBIDDEN)
    return CourseInfo(
        course_id=draw(
            st.from_regex(r"[A-Za-z0-9_.:-]{1,20}", fullmatch=True).filter(
                lambda v: v.lower() not in INI_WORDS
            )
        ),
        title=draw(crs_text),
        version=version,
        creator=draw(st.just("") | crs_text),
        system=draw(st.just("") | crs_text),
        level=draw(st.sampled_from(["1", "2", "3a", "3b", "4"])),
        max_normal=str(draw(st.integers(1, 99))),
        description=draw(st.just("") | crs_text),
    )


def _draw_au(draw: st.DrawFn, sid: str, version: str, encoding: str) -> AssignableUnit:
    score = st.integers(0, 1000).map(str)
    if version not in ("2.2", "2.5"):
        score = score | st.decimals(0, 1000, places=2).map(str)
    optional = st.just("")
    return AssignableUnit(
        system_id=sid,
        file_name=draw(texts(encoding)),
        type=draw(optional | texts(encoding)),
        command_line=draw(optional | texts(encoding)),
        max_score=draw(optional | score),
        mastery_score=draw(optional | optional | score),
        max_time_allowed=draw(optional | optional | st.just("00:30:00")),
        time_limit_action=draw(optional | st.sampled_from(["C,N", "E,M"])),
        system_vendor=draw(optional | texts(encoding)),
        core_vendor=draw(optional | texts(encoding)),
        web_launch=draw(optional | texts(encoding)),
        au_password=draw(optional | texts(encoding)),
    )


def _draw_tree(
    draw: st.DrawFn, au_ids: list[str], block_ids: list[str]
) -> tuple[StructureRow, ...]:
    members: dict[str, list[str]] = {"Root": []}
    for index, block in enumerate(block_ids):
        parent = (
            draw(st.sampled_from(["Root", *block_ids[:index]])) if index else "Root"
        )
        members[parent].append(block)
        members[block] = [au_ids[index]]
    for sid in au_ids[len(block_ids) :]:
        members[draw(st.sampled_from(["Root", *block_ids]))].append(sid)
    return tuple(StructureRow(block, tuple(items)) for block, items in members.items())


def _draw_objectives(draw: st.DrawFn, au_ids: list[str]) -> tuple[StructureRow, ...]:
    elements = draw(st.lists(st.sampled_from(au_ids), max_size=3, unique=True))
    return tuple(
        StructureRow(
            sid,
            tuple(
                draw(
                    st.lists(
                        st.sampled_from(["J1", "J2", "J3"]),
                        min_size=1,
                        max_size=3,
                        unique=True,
                    )
                )
            ),
        )
        for sid in elements
    )


def _draw_prerequisites(
    draw: st.DrawFn, au_ids: list[str]
) -> tuple[tuple[str, str], ...]:
    if len(au_ids) < 2:
        return ()
    rows = []
    for sid in draw(st.lists(st.sampled_from(au_ids[1:]), max_size=2, unique=True)):
        parts = draw(st.lists(st.sampled_from(au_ids), min_size=1, max_size=3))
        rows.append((sid, draw(st.sampled_from(["&", "|"])).join(parts)))
    return tuple(rows)


@pytest.mark.parametrize("encoding", ENCODINGS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_written_packages_read_back_clean_and_equal(
    encoding: str, data: st.DataObject
) -> None:
    package = data.draw(packages(encoding))
    reading = read_package(build_zip(package, encoding))
    assert reading.package == package
    assert reading.errors == ()
    assert set(reading.codes) == expected_codes(package, encoding)


def _variety() -> list[tuple[str, Package]]:
    title = "Ünïcode — 5 €"
    one = Package(
        base_name="one",
        course=CourseInfo(course_id="C9", title=title, version="2.2"),
        aus=(AssignableUnit("A1", "https://x.example/?a=1&b=2", max_score="100"),),
        descriptors=(Descriptor("A1", title),),
        structure=(StructureRow("Root", ("A1",)),),
    )
    cases = []
    for version in AICC_VERSIONS:
        course = dataclasses.replace(one.course, version=version)
        for encoding in ("utf-8", "cp1252"):
            cases += [(encoding, dataclasses.replace(one, course=course))]
            cases += [(encoding, dataclasses.replace(BASE, course=course))]
    cases += [("ascii", _plain(one)), ("ascii", _plain(BASE)), ("utf-8", _plain(BASE))]
    return cases


def _plain(package: Package) -> Package:
    course = CourseInfo(course_id="C9", title="Plain", version="4.0")
    descriptors = tuple(Descriptor(d.system_id, "Plain") for d in package.descriptors)
    return dataclasses.replace(package, course=course, descriptors=descriptors)


@pytest.mark.parametrize(("encoding", "package"), _variety())
def test_variety_reads_back(encoding: str, package: Package) -> None:
    reading = read_package(build_zip(package, encoding))
    assert reading.package == package
    non_ascii = {"utf-8": {"AICC703"}, "cp1252": {"AICC702"}, "ascii": set()}
    expected = non_ascii[encoding] if package.course.title != "Plain" else set()
    assert set(reading.codes) == expected


# -- hostile input: nothing crashes, nothing takes quadratic time -----------------

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _chain_cst(length: int, last: str) -> str:
    rows = [f'"B{i}","B{i + 1}"\r\n' for i in range(1, length)]
    return '"Block","Member"\r\n"Root","B1"\r\n' + "".join(rows) + f'"B{length}",{last}'


def test_a_chain_of_3000_blocks_is_no_recursion_error() -> None:
    reading = read(base_files() | {"course.cst": _chain_cst(3000, '"A1","A2"\r\n')})
    assert reading.package is not None
    assert len(reading.package.structure) == 3001
    assert not {"AICC503", "AICC510"} & set(reading.codes)


def test_a_cycle_of_3000_blocks_is_found_and_shown_short() -> None:
    cst = _chain_cst(3000, '"B1"\r\n') + '"B9999","A1","A2"\r\n'
    reading = read(base_files() | {"course.cst": cst})
    [cycle] = [d for d in reading.diagnostics if d.code == "AICC503"]
    assert cycle.message.startswith("blocks form a cycle (b1 -> b2 -> ")
    assert "b3000 -> b1)" in cycle.message and len(cycle.message) < 300
    unreached = [d.message for d in reading.diagnostics if d.code == "AICC510"]
    assert unreached == ["block 'B9999' is not reached from Root; LMSs hide it"]


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("Version=3.0", "Version=sNaN", "AICC207"),
        ("Version=3.0", "Version=-sNaN", "AICC207"),
        ("Version=3.0", "Version=NaN", "AICC207"),
        ("Version=3.0", "Version=Infinity", "AICC207"),
        ("Version=3.0", "Version=3e0", "AICC207"),
        ("Version=3.0", "Version=" + "3" * 5000, "AICC207"),
        ("Total_AUs=2", "Total_AUs=²", "AICC204"),
        ("Total_AUs=2", "Total_AUs=٢", "AICC204"),
        ("Total_AUs=2", "Total_AUs=" + "1" * 5000, "AICC204"),
        ("Total_AUs=2", "Total_AUs=0000000002", "AICC204"),
        ("Total_Blocks=1", "Total_Blocks=¹", "AICC205"),
        ("Max_Fields_CST=3", "Max_Fields_CST=①", "AICC206"),
        ("Max_Normal=1", "Max_Normal=²", "AICC215"),
        ("Max_Normal=1", "Max_Normal=" + "1" * 5000, "AICC215"),
    ],
)
def test_odd_numbers_are_diagnostics_not_crashes(old: str, new: str, code: str) -> None:
    reading = read(edit("course.crs", old, new))
    [note] = [d for d in reading.diagnostics if d.code == code]
    assert note.line is not None and len(note.message) < 300


def test_an_odd_count_says_it_is_not_a_sane_number() -> None:
    reading = read(edit("course.crs", "Total_AUs=2", "Total_AUs=" + "2" * 5000))
    [note] = [d for d in reading.diagnostics if d.code == "AICC204"]
    assert "…' (5000 characters), not a sane whole number" in note.message


def test_an_odd_objective_count_is_a_diagnostic() -> None:
    files = edit("course.crs", "Total_Objectives=2", "Total_Objectives=²", _ort())
    reading = read(files)
    assert "AICC216" in reading.codes


def _ort() -> Files:
    package = dataclasses.replace(BASE, objectives=(StructureRow("A1", ("J1", "J2")),))
    return base_files(package)


def _many_aus(count: int) -> Files:
    files = base_files()
    au_rows = [
        f'"X{i}","","","x.html","","","","","","","",""\r\n' for i in range(count)
    ]
    files["course.au"] = str(files["course.au"]) + "".join(au_rows)
    des_rows = [f'"X{i}","","Title {i}",""\r\n' for i in range(count)]
    files["course.des"] = str(files["course.des"]) + "".join(des_rows)
    return files


def _seconds(files: Files) -> tuple[float, PackageReading]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    data = buffer.getvalue()
    start = time.perf_counter()
    reading = read_package(data)
    return time.perf_counter() - start, reading


# A generous bound: these guard against quadratic reading (a denial of service),
# which took a minute or more on these inputs; linear reading takes about 2 s.
_BOUND = 20


def test_50000_aus_with_their_descriptors_read_in_linear_time() -> None:
    elapsed, reading = _seconds(_many_aus(50_000))
    assert reading.package is not None and len(reading.package.descriptors) == 50_003
    assert elapsed < _BOUND, f"{elapsed:.1f} s for 100,000 rows"


def test_20000_cst_rows_for_one_block_read_in_linear_time() -> None:
    rows = ('"Root"' + ',"A1","A2"' * 10 + "\r\n") * 20_000
    elapsed, reading = _seconds(base_files() | {"course.cst": HEADER + rows})
    assert reading.package is not None
    assert len(reading.package.structure[0].members) == 400_000
    assert elapsed < _BOUND, f"{elapsed:.1f} s for 20,000 rows of 400,000 members"


def test_the_reported_control_line_is_escaped_in_every_message() -> None:
    evil = "\x1b[2J\x1b]0;pwned\x07Evil=1"
    reading = read(edit("course.crs", "[Course]\r\n", f"[Course]\r\n{evil}\r\n"))
    assert reading.diagnostics
    for note in reading.diagnostics:
        assert CONTROL.search(note.message) is None, note.message
        assert CONTROL.search(str(note)) is None
    assert any(r"\x1b[2j\x1b]0;pwned\x07evil" in d.message for d in reading.diagnostics)


@pytest.mark.parametrize(
    ("name", "old", "new", "code", "key"),
    [
        ("course.crs", "Course_ID=C1", "Course_ID=C\x1b1", "AICC712", "Course_ID"),
        ("course.crs", "=Title", "=Ti\u202etle", "AICC713", "Course_Title"),
        ("course.crs", "Level=", "Le\u2066vel=", "AICC713", "keyword"),
        (
            "course.crs",
            "Course_Creator=P",
            "Course_Creator=P\tQ",
            "AICC713",
            "Course_Creator",
        ),
        ("course.au", '"a.html"', '"a\x85.html"', "AICC712", "File_Name"),
        ("course.au", '"A1"', '"A\u20661"', "AICC712", "System_ID"),
        ("course.des", '"A2"', '"A\u202d2"', "AICC712", "System_ID"),
        ("course.des", '"Two"', '"T\x7fwo"', "AICC713", "Title"),
        ("course.cst", '"A1"', '"A\u20691"', "AICC713", "Member"),
        ("course.au", '"Type"', '"Ty\u2028pe"', "AICC713", "header of column 2"),
    ],
)
def test_control_and_bidi_characters_in_values_are_flagged(
    name: str, old: str, new: str, code: str, key: str
) -> None:
    reading = read(edit(name, old, new))
    found = [d for d in reading.diagnostics if d.code in ("AICC712", "AICC713")]
    assert [(d.code, d.file) for d in found] == [(code, name)]
    assert found[0].message.startswith(f"{key} '")
    assert found[0].severity == ("error" if code == "AICC712" else "warning")
    assert CONTROL.search(found[0].message) is None


def test_a_long_value_is_shown_cut_short() -> None:
    reading = read(edit("course.des", '"One"', '"' + "x" * 500 + '\u202e"'))
    [note] = [d for d in reading.diagnostics if d.code == "AICC713"]
    assert "x" * 40 + "…'" in note.message and "U+202E" in note.message


def test_file_names_in_diagnostics_are_escaped(tmp_path: Path) -> None:
    for name, text in base_files().items():
        (tmp_path / name).write_text(str(text), newline="")
    (tmp_path / "evil\u202etxt.crs").symlink_to(tmp_path / "course.crs")
    reading = read_package(tmp_path)
    [note] = [d for d in reading.diagnostics if d.code == "AICC109"]
    assert note.file == "evil\\u202etxt.crs"
