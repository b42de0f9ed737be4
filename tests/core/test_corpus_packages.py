"""Real packages from the shared corpus, each paired with a small fixture of our own
that shows the same habits (tests/fixtures/packages/), so every behaviour checked
on the corpus is also checked without it."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from aiccbridge.core import Package, PackageReading, read_package

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / ".." / "shared" / "corpus" / "aicc"
FIXTURES = REPO / "tests" / "fixtures" / "packages"


@dataclass(frozen=True)
class Case:
    corpus: str
    fixture: str
    codes: frozenset[str]
    modelled: bool = True


def _codes(*numbers: int) -> frozenset[str]:
    return frozenset(f"AICC{n}" for n in numbers)


CASES = [
    Case("buicangtri-ispring", "presenter-lf", _codes(705, 706)),
    Case("lxblend-ispring", "presenter-lf", _codes(705, 706)),
    Case("stktech-ispring", "presenter-crlf", _codes(706)),
    Case("scouser-storyline", "story-lf", _codes(306, 705, 706)),
    Case("manishkumar-storyline", "story-lf", _codes(306, 705, 706)),
    Case("scoxapi-readytraining", "presenter-lf", _codes(705, 706)),
    Case("guissy-storyline2", "question-marks-crlf", _codes(209, 306, 706, 710)),
    Case("emp-universitysite", "unquoted-crlf", _codes(306, 706, 707)),
    Case("inspired-iengine", "indented-lf", _codes(215, 705, 706)),
    Case("emp-lifespeak", "multiline-utf8", _codes(208, 306, 703, 705)),
    Case("emp-synthetic-pre-ort", "pre-ort-made-up", _codes(306, 504, 601, 705, 707)),
    Case(
        "emp-synthetic-complex",
        "broken-structure",
        _codes(
            205, 206, 207, 217, 306, 307, 502, 503, 505, 506, 507, 509, 601, 705, 707
        ),
        modelled=False,
    ),
    Case("moodle-validaicc", "<only-cst-zip>", _codes(101, 706), modelled=False),
]


def only_cst_zip() -> bytes:
    """Our twin of Moodle's 'valid AICC' test zip: one CRLF .cst, no final newline."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lone.cst", b'"block","member"\r\n"root","A1"')
    return buffer.getvalue()


def read_fixture(name: str) -> PackageReading:
    if name == "<only-cst-zip>":
        return read_package(only_cst_zip())
    return read_package(FIXTURES / name)


def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(
            f"the shared corpus is not next to this checkout ({CORPUS.resolve()}); "
            "CI has it, a plain clone does not"
        )
    return CORPUS


def read_corpus(name: str) -> PackageReading:
    folder = corpus_dir() / name
    zips = sorted(folder.glob("*.zip"))
    return read_package(zips[0] if zips else folder)


def assert_case(reading: PackageReading, case: Case) -> None:
    assert set(reading.codes) == case.codes
    assert (reading.package is not None) == case.modelled
    assert reading.ok == (not any(d.severity == "error" for d in reading.diagnostics))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.fixture)
def test_own_fixture(case: Case) -> None:
    assert_case(read_fixture(case.fixture), case)


@pytest.mark.corpus
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.corpus)
def test_corpus_package(case: Case) -> None:
    assert_case(read_corpus(case.corpus), case)


@pytest.mark.corpus
def test_every_corpus_package_reads_and_has_expectations() -> None:
    names = sorted(p.name for p in corpus_dir().iterdir() if p.is_dir())
    assert names, "the corpus has no packages"
    for name in names:
        reading = read_corpus(name)
        assert reading.files
        assert name in {case.corpus for case in CASES}, f"add expectations for {name}"


# -- what the model makes of the habits --------------------------------------------


def _only(reading: PackageReading) -> Package:
    assert reading.package is not None
    return reading.package


def check_indented(package: Package, course_id: str, title: str) -> None:
    course = package.course
    assert (course.course_id, course.title) == (course_id, title)
    assert (course.version, course.level, course.max_normal) == ("2.2", "1", "0")
    assert package.aus[0].command_line == "NA"
    assert package.aus[0].file_name == "index.htm"
    assert package.structure[0].block == "Root"
    assert package.descriptors[0].developer_id.endswith("-DEMO-1")


def test_indented_keys_fixture() -> None:
    package = _only(read_fixture("indented-lf"))
    check_indented(package, "DEMO", "Demo Test Course")
    assert package.course.description == "A course to try the reader on."


@pytest.mark.corpus
def test_indented_keys_corpus() -> None:
    package = _only(read_corpus("inspired-iengine"))
    check_indented(package, "DEMO", "AICC iEngine 4.1 Test Course")
    assert package.course.description.startswith("This course is designed")


def check_multiline(package: Package, paragraphs: int) -> None:
    description = package.course.description
    assert "\n" not in description and "\u2014" in description
    assert description.count(". ") >= paragraphs - 1
    assert package.course.level == "2"
    au = package.aus[0]
    assert au.file_name.startswith("https://") and "?" in au.file_name
    assert au.max_score == "100"


def test_multiline_description_fixture() -> None:
    package = _only(read_fixture("multiline-utf8"))
    check_multiline(package, 3)
    assert package.course.description == (
        "Rest matters\u2014more than most people think. Learn three habits that help. "
        "Then try them for a week."
    )


@pytest.mark.corpus
def test_multiline_description_corpus() -> None:
    package = _only(read_corpus("emp-lifespeak"))
    check_multiline(package, 3)
    assert package.course.description.startswith("Web APIs drive")
    assert package.course.description.endswith("assigning orders to sales reps.")


def check_story(package: Package) -> None:
    au = package.aus[0]
    assert (au.system_id, au.type, au.file_name) == ("A001", "story", "index_lms.html")
    assert (au.max_time_allowed, au.time_limit_action) == ("9999:59:59", "C,N")
    assert package.course.course_id.endswith("_course_id")


def test_column_order_fixture() -> None:
    check_story(_only(read_fixture("story-lf")))


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["scouser-storyline", "manishkumar-storyline"])
def test_column_order_corpus(name: str) -> None:
    check_story(_only(read_corpus(name)))


def check_pre_ort(package: Package) -> None:
    assert [au.system_id for au in package.aus] == ["A1", "A2"]
    assert [(r.block, r.members) for r in package.structure] == [("Root", ("A1",))]
    assert package.objectives == () and package.prerequisites == ()
    assert package.aus[0].max_score == "100"


def test_pre_ort_fixture() -> None:
    check_pre_ort(_only(read_fixture("pre-ort-made-up")))


@pytest.mark.corpus
def test_pre_ort_corpus() -> None:
    reading = read_corpus("emp-synthetic-pre-ort")
    check_pre_ort(_only(reading))
    missing = [d for d in reading.diagnostics if d.code == "AICC504"]
    assert [(d.file, "'A2'" in d.message) for d in missing] == [("lesson.cst", True)]


def test_only_cst_zip_fixture() -> None:
    reading = read_fixture("<only-cst-zip>")
    assert reading.files == ("lone.cst",)
    assert sorted(d.file for d in reading.errors) == ["lone.au", "lone.crs", "lone.des"]


@pytest.mark.corpus
def test_only_cst_zip_corpus() -> None:
    reading = read_corpus("moodle-validaicc")
    assert reading.files == ("moodle.cst",)
    assert sorted(d.file for d in reading.errors) == [
        "moodle.au",
        "moodle.crs",
        "moodle.des",
    ]


def test_question_marks_fixture() -> None:
    package = _only(read_fixture("question-marks-crlf"))
    assert package.course.title == "???PPT?????"


@pytest.mark.corpus
def test_question_marks_corpus() -> None:
    package = _only(read_corpus("guissy-storyline2"))
    assert package.course.title.startswith("???PPT")


def test_unquoted_fixture_lines() -> None:
    reading = read_fixture("unquoted-crlf")
    unquoted = [d for d in reading.diagnostics if d.code == "AICC707"]
    assert [(d.file, d.line) for d in unquoted] == [("quiz.au", 2)]
    assert "Moodle silently drops" in unquoted[0].message


@pytest.mark.corpus
def test_unquoted_corpus_lines() -> None:
    reading = read_corpus("emp-universitysite")
    unquoted = [d for d in reading.diagnostics if d.code == "AICC707"]
    assert [(d.file, d.line) for d in unquoted] == [("assessment.au", 2)]


def test_presenter_fixture_values() -> None:
    package = _only(read_fixture("presenter-lf"))
    assert package.course.creator == "Jane Doe"
    assert package.course.description == ""
    assert package.aus[0].core_vendor == "Slide Presenter"


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "creator"),
    [("lxblend-ispring", "Friederike Berg"), ("stktech-ispring", "Ekaterina Ataikina")],
)
def test_presenter_corpus_values(name: str, creator: str) -> None:
    package = _only(read_corpus(name))
    assert package.course.creator == creator
    assert package.course.description == ""
    assert package.aus[0].core_vendor == "iSpring Presenter"
