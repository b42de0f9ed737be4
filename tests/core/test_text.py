from __future__ import annotations

import time

import pytest

from aiccbridge.core import FittedText, fit_text
from aiccbridge.core._text import parse_csv_row, parse_csv_table

ILIAS_FORBIDDEN = '?{}|&~!()^";'


def test_line_breaks_tabs_and_controls_become_single_spaces() -> None:
    raw = "  Safety\r\nfirst\tat\x00work\u2028now\x85ok\v  "
    expected = FittedText("Safety first at work now ok", True, False)
    assert fit_text(raw, "utf-8") == expected


def test_clean_utf8_text_is_left_alone() -> None:
    value = "Café — 日本語 “quoted” ✓"
    assert fit_text(value, "utf-8") == FittedText(value, False, False)


def test_runs_of_spaces_collapse() -> None:
    assert fit_text("a   b \u00a0 c", "utf-8").text == "a b c"


@pytest.mark.parametrize("value", ["Café crème", "Ünïcödé", "Straße", "Œuvre"])
def test_accents_are_dropped_in_ascii_without_counting_as_transliteration(
    value: str,
) -> None:
    fitted = fit_text(value, "ascii")
    assert fitted.text.isascii()
    assert fitted.changed and not fitted.transliterated


def test_accent_examples_in_ascii() -> None:
    assert fit_text("Café crème", "ascii").text == "Cafe creme"
    assert fit_text("Straße", "ascii").text == "Strasse"


def test_typographic_punctuation_becomes_plain_ascii() -> None:
    fitted = fit_text("It’s “good” – really — yes…", "ascii")
    assert fitted.text == 'It\'s "good" - really - yes...'
    assert not fitted.transliterated


def test_cp1252_keeps_what_it_can_hold() -> None:
    value = "Café über 5 € — “fine”"
    assert fit_text(value, "cp1252") == FittedText(value, False, False)


def test_cp1252_transliterates_the_rest() -> None:
    fitted = fit_text("Café Привет", "cp1252")
    assert fitted.text == "Café Privet"
    assert fitted.transliterated


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("日本語", "RiBenYu"),
        ("こんにちは", "konnichiha"),
        ("Привет мир", "Privet mir"),
        ("مرحبا", "mrhb"),
        ("สวัสดี", "swasdi"),
        ("北京", "BeiJing"),
    ],
)
def test_other_scripts_are_transliterated(value: str, expected: str) -> None:
    fitted = fit_text(value, "ascii")
    assert fitted == FittedText(expected, True, True)


def test_forbidden_characters_get_words_or_spaces() -> None:
    raw = 'Tom & Jerry (Part 2)? "Best"; ok!'
    fitted = fit_text(raw, "utf-8", forbidden=ILIAS_FORBIDDEN)
    assert fitted.text == "Tom and Jerry Part 2 Best ok"
    assert fitted.changed and not fitted.transliterated


def test_forbidden_applies_after_transliteration() -> None:
    fitted = fit_text("“quoted”", "ascii", forbidden='"')
    assert fitted.text == "quoted"


def test_emoji_only_title_falls_back_and_is_marked() -> None:
    fitted = fit_text("🎉🎉", "ascii", fallback="Course 12")
    assert fitted == FittedText("Course 12", True, True)


def test_emoji_inside_text_are_dropped_in_ascii() -> None:
    fitted = fit_text("Party 🎉 time", "ascii")
    assert fitted == FittedText("Party time", True, True)


def test_only_forbidden_characters_fall_back() -> None:
    fitted = fit_text("(?)", "utf-8", forbidden=ILIAS_FORBIDDEN, fallback="Untitled")
    assert fitted == FittedText("Untitled", True, True)


def test_the_fallback_is_fitted_too() -> None:
    fitted = fit_text("", "ascii", fallback=" Café\n(2) ", forbidden="()")
    assert fitted.text == "Cafe 2"


def test_empty_result_without_fallback_raises() -> None:
    with pytest.raises(ValueError, match="empty"):
        fit_text(" \t\r\n", "utf-8")
    with pytest.raises(ValueError, match="empty"):
        fit_text("🎉", "ascii", fallback="🎉")


def test_unknown_encoding_raises() -> None:
    with pytest.raises(ValueError, match="latin-9"):
        fit_text("x", "latin-9")


def test_unchanged_ascii_is_not_changed() -> None:
    expected = FittedText("Plain title 2", False, False)
    assert fit_text("Plain title 2", "ascii") == expected


@pytest.mark.parametrize("encoding", ["ascii", "cp1252", "utf-8"])
def test_result_always_encodes(encoding: str) -> None:
    value = "Ünïcode 日本 Привет € — 🎉 \u200b x"
    text = fit_text(value, encoding).text
    assert text.encode(encoding).decode(encoding) == text


ENCODINGS = ["ascii", "cp1252", "utf-8"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    "invisible", ["\u200b", "\u200b\u200b\u200b", "\ufeff", "\u202e\u2066", "\u00ad"]
)
def test_invisible_only_text_falls_back(encoding: str, invisible: str) -> None:
    fitted = fit_text(invisible, encoding, fallback="Course 7")
    assert fitted == FittedText("Course 7", True, True)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_joiners_alone_are_empty_too(encoding: str) -> None:
    fitted = fit_text("\u200d \u200c", encoding, fallback="Course 7")
    assert fitted.text == "Course 7"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_format_characters_are_dropped(encoding: str) -> None:
    raw = "\ufeffSafe\u200bty \u202efdp.exe\u202c \u2066first\u2069 co\u00adop"
    fitted = fit_text(raw, encoding)
    assert fitted == FittedText("Safety fdp.exe first coop", True, False)


def test_joiners_are_kept_in_utf8() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    for value in (persian, f"Team {family}", "\u0915\u094d\u200d\u0937"):
        assert fit_text(value, "utf-8") == FittedText(value, False, False)


def test_bidi_override_inside_a_utf8_title_is_removed() -> None:
    fitted = fit_text("Invoice \u202egnp.exe", "utf-8")
    assert fitted == FittedText("Invoice gnp.exe", True, False)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('"a,b"," c ",""', (["a,b", "c", ""], [], False)),
        ('""', ([""], [], False)),
        ('"a""b","c"', (['a"b', "c"], [], False)),
        ('"a" ,"b"', (["a", "b"], [], False)),
        ('a,"b"', (["a", "b"], [0], False)),
        ('"a"b,"c"', (['a"b', "c"], [0], True)),
    ],
)
def test_csv_rows_split_the_same_on_every_path(
    line: str, expected: tuple[list[str], list[int], bool]
) -> None:
    assert parse_csv_row(line) == expected


def _ignore(code: str, file: str, line: int | None, /, **values: object) -> None:
    """A note callback for tests that look only at the parsed table."""


def test_a_header_of_100000_columns_is_parsed_in_linear_time() -> None:
    header = ",".join(f'"c{i}"' for i in range(100_000))
    start = time.perf_counter()
    table = parse_csv_table(_ignore, "x.au", [(1, header), (2, '"v"')])
    elapsed = time.perf_counter() - start
    assert len(table.header) == 100_000 and table.rows == [(2, ["v"])]
    assert elapsed < 20, f"{elapsed:.1f} s (a quadratic reader took about 2 minutes)"


def test_control_characters_are_noted_per_cell_with_the_column_name() -> None:
    notes: list[tuple[str, int | None, dict[str, object]]] = []

    def note(code: str, file: str, line: int | None, /, **values: object) -> None:
        notes.append((code, line, values))

    lines = [(1, '"System_ID","","Title"'), (2, '"A\x1b1","b\x85b","c","d\u202e"')]
    parse_csv_table(note, "x.des", lines)
    found = [(c, n, v["key"], v["chars"]) for c, n, v in notes if c >= "AICC712"]
    assert found == [
        ("AICC712", 2, "System_ID", "U+001B"),
        ("AICC713", 2, "column 2", "U+0085"),
        ("AICC713", 2, "column 4", "U+202E"),
    ]
