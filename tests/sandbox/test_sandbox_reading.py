"""How each profile reads a PutParam: the AU messages of the shared corpus, and
our own fixtures showing the same habits."""

from __future__ import annotations

import pytest

from aiccbridge.core.hacp import Score
from aiccbridge.sandbox import PROFILES, Report
from tests.sandbox.conftest import require_corpus


def read(profile: str, text: str, version: str = "4.0") -> Report:
    return PROFILES[profile].reader(text, version)


def corpus_text(name: str) -> str:
    folder = require_corpus("hacp")
    return (folder / name).read_bytes().decode("utf-8")


CR_ONLY = (
    "[core]\rlesson_location=5,5\rlesson_status=I\rtime=00:01:00\r[core_lesson]\rx"
)
LF_ONLY = "[Core]\nLesson_Location=p3\nLesson_Status=incomplete\n[Core_Lesson]\nsd"
CRLF = "[Core]\r\nLesson_Location=p3\r\nLesson_Status=c\r\nTime=0000:01:22\r\n"


# --- spec: strict values, any framing ---------------------------------------


def test_spec_takes_any_line_end_and_first_letters() -> None:
    report = read("spec", CR_ONLY)
    assert report.refused is None
    assert (report.status, report.location, report.core_lesson) == (
        "incomplete",
        "5,5",
        "x",
    )
    assert read("spec", CRLF).seconds == 82


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ("[Core]\r\nLesson_Status=complete\r\n", "not a CMI vocabulary word"),
        ("[Core]\r\nLesson_Status=browser\r\n", "not a CMI vocabulary word"),
        ("[Core]\r\nLesson_Status=incomplete,later\r\n", "exit flag"),
        ("[Core]\r\nLesson_Status=i\r\nTime=75\r\n", "not a CMITimespan"),
        ("[Core]\r\nLesson_Status=i\r\nTime=00%3a05%3a00\r\n", "not a CMITimespan"),
        ("[Core]\r\nLesson_Status=i\r\nScore=high\r\n", "CMIDecimal"),
        ("[Core]\r\nLesson_Location=" + "x" * 256 + "\r\n", "over 255"),
    ],
)
def test_spec_refuses_values_outside_the_types(data: str, why: str) -> None:
    refused = read("spec", data).refused
    assert refused is not None and why in refused


def test_spec_wants_whole_scores_from_a_2x_au() -> None:
    assert read("spec", "[Core]\r\nScore=72.5\r\n").score == Score(72.5)
    refused = read("spec", "[Core]\r\nScore=72.5\r\n", version="2.2").refused
    assert refused is not None and "whole number" in refused
    assert read("spec", "[Core]\r\nScore=72\r\n", version="2.2").score == Score(72)


@pytest.mark.corpus
def test_spec_on_the_corpus() -> None:
    rustici = read(
        "spec", corpus_text("reconstructed/au-rustici-driver382-putparam-aicc_data.txt")
    )
    assert (rustici.status, rustici.seconds, rustici.core_lesson) == (
        "incomplete",
        82,
        "ch1|ch2",
    )
    nudoru = read(
        "spec", corpus_text("reconstructed/au-nudoru-as3-putparam-aicc_data.txt")
    )
    assert (nudoru.status, nudoru.location) == ("incomplete", "5,5")
    halyard = read("spec", corpus_text("halyard/putparam-aicc_data.expected.txt"))
    assert halyard.refused is not None and "72%2c100" in halyard.refused


# --- moodle: CRLF only, first letters ---------------------------------------


def test_moodle_loses_everything_without_crlf() -> None:
    for text in (LF_ONLY, CR_ONLY):
        report = read("moodle", text)
        assert report.status is None and report.location is None
        assert report.refused is None
        assert any("CRLF" in note for note in report.notes)


def test_moodle_reads_statuses_by_their_first_letter() -> None:
    assert read("moodle", "[Core]\r\nLesson_Status=complete\r\n").status == "completed"
    assert read("moodle", "[Core]\r\nLesson_Status=browser\r\n").status == "browsed"
    report = read("moodle", "[Core]\r\nLesson_Status=incomplete, s\r\n")
    assert (report.status, report.exit_flag) == ("incomplete", "suspend")


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ("72, 100, 0", Score(72, 100, 0)),
        ("72,50", Score(72)),
        ("72,100,90", Score(72, 100)),
        ("72,,0", Score(72, None, 0)),
        ("abc", None),
    ],
)
def test_moodle_score_rules(score: str, expected: Score | None) -> None:
    assert read("moodle", f"[Core]\r\nScore={score}\r\n").score == expected


@pytest.mark.corpus
def test_moodle_on_the_corpus() -> None:
    nudoru = read(
        "moodle", corpus_text("reconstructed/au-nudoru-as3-putparam-aicc_data.txt")
    )
    assert nudoru.status is None and nudoru.location is None
    scoxapi = read(
        "moodle", corpus_text("reconstructed/au-scoxapi-putparam-aicc_data.txt")
    )
    assert scoxapi.status is None
    srs = read(
        "moodle", corpus_text("reconstructed/au-srs-adapter-putparam-aicc_data.txt")
    )
    assert (srs.status, srs.location) == ("incomplete", "3")


# --- ilias: LF lines, two '=' dropped ----------------------------------------


def test_ilias_drops_lines_with_two_equals_signs() -> None:
    text = "[core]\nlesson_status=i\n; remark\n[core_lesson]\nch1=done;ch2=half\nkeep"
    report = read("ilias", text)
    assert report.status == "incomplete"
    assert report.core_lesson == "keep"
    assert any("two or more '='" in note for note in report.notes)


def test_ilias_reads_crlf_after_trimming_but_not_cr_only() -> None:
    assert read("ilias", CRLF).status == "completed"
    assert read("ilias", CR_ONLY).status is None


@pytest.mark.corpus
def test_ilias_on_the_corpus() -> None:
    nudoru = read(
        "ilias", corpus_text("reconstructed/au-nudoru-as3-putparam-aicc_data.txt")
    )
    assert nudoru.status is None
    elfh = read(
        "ilias", corpus_text("reconstructed/au-elfh-spoor-putparam-aicc_data.txt")
    )
    assert (elfh.status, elfh.core_lesson) == ("incomplete", "Suspend_Data=abc123")


# --- chamilo: second decoding, upper-case letters ------------------------------


def test_chamilo_decodes_a_second_time() -> None:
    report = read("chamilo", "[Core]\r\nLesson_Location=a+b%2Fc%20d\r\n")
    assert report.location == "a b/c d"
    assert read("chamilo", "[Core]\r\nLesson_Location=x%2Cy\r\n").location == "x%2Cy"


@pytest.mark.parametrize(
    ("status", "saved"),
    [
        ("C", "completed"),
        ("NA", "not attempted"),
        ("passed", "passed"),
        ("c", None),
        ("F", None),
        ("incomplete,suspend", None),
    ],
)
def test_chamilo_statuses(status: str, saved: str | None) -> None:
    assert read("chamilo", f"[Core]\r\nLesson_Status={status}\r\n").status == saved


def test_chamilo_times_without_colon_are_seconds() -> None:
    assert read("chamilo", "[Core]\r\nTime=90\r\n").seconds == 90
    assert read("chamilo", "[Core]\r\nTime=00:01:30\r\n").seconds == 90


@pytest.mark.corpus
def test_chamilo_on_the_corpus() -> None:
    elfh = read(
        "chamilo", corpus_text("reconstructed/au-elfh-spoor-putparam-aicc_data.txt")
    )
    assert elfh.status is None and elfh.location == "page-4"
    profi = read(
        "chamilo", corpus_text("reconstructed/au-profiscience-putparam-aicc_data.txt")
    )
    assert profi.status is None
    rustici = read(
        "chamilo",
        corpus_text("reconstructed/au-rustici-driver382-putparam-aicc_data.txt"),
    )
    assert rustici.status == "incomplete"


# --- skillport: no fractions, no empty status -------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "[Core]\r\nLesson_Status=i\r\nScore=72.5\r\n",
        "[Core]\r\nLesson_Status=i\r\nTime=00:00:05.50\r\n",
        "[Core]\r\nLesson_Status=\r\nTime=00:00:05\r\n",
        "[Core]\r\nLesson_Location=p1\r\n",
    ],
)
def test_skillport_refuses_fractions_and_empty_statuses(data: str) -> None:
    assert read("skillport", data).refused


def test_skillport_takes_whole_numbers() -> None:
    report = read("skillport", "[Core]\r\nLesson_Status=passed\r\nScore=72\r\n")
    assert (report.refused, report.status, report.score) == (None, "passed", Score(72))


@pytest.mark.corpus
def test_skillport_on_the_corpus() -> None:
    profi = read(
        "skillport", corpus_text("reconstructed/au-profiscience-putparam-aicc_data.txt")
    )
    assert profi.refused is None and profi.status == "incomplete"
    rustici = read(
        "skillport",
        corpus_text("reconstructed/au-rustici-driver382-putparam-aicc_data.txt"),
    )
    assert rustici.refused is None and rustici.seconds == 82
