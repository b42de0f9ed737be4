from __future__ import annotations

import pytest

from aiccbridge.core import FittedText, fit_text

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
