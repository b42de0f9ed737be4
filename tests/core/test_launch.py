"""Tests of the launch check: reading AICC_SID/AICC_URL and vetting the host."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from aiccbridge.core import AiccBridgeError, launch
from aiccbridge.core.launch import (
    LAUNCH_ERROR_REASONS,
    MAX_QUERY_LENGTH,
    PUBLIC_SUFFIXES,
    REFUSAL_REASONS,
    HostDecision,
    LaunchError,
    check_hacp_url,
    mask_session_id,
    normalise_host_entry,
    parse_launch,
)

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / ".." / "shared" / "corpus"
DOCS = REPO / "docs" / "launch-check.md"

# Docent-style launch of our own: lower-case names, a comma encoded in the SID,
# an AICC_URL without scheme whose pseudo-path is full of encoded commas.
DOCENT_STYLE = (
    "https://courses.example.net/wb/c17/lmsdefault.htm?aicc_sid=5120443%2CA001"
    "&aicc_url=hacp.example.org%2Fns-bin%2Fapi%2Flms%2Capp2%2C80%2FCMD%3DGET"
    "%2CSVR%3Dnode7.example.org%3A4100%2F"
)
DOCENT_URL = "https://hacp.example.org/ns-bin/api/lms,app2,80/CMD=GET,SVR=node7.example.org:4100/"
SID = "Qm7Zr2Kx9Lw4Pd8Tn3Vb"
ALLOWED = ["allowed.com"]


def _refusal(url: str, allow_list: list[str] | None = None) -> HostDecision:
    decision = check_hacp_url(url, ALLOWED if allow_list is None else allow_list)
    assert not decision.allowed
    return decision


# --- the public API ---------------------------------------------------------------


def test_public_names_are_pinned() -> None:
    assert sorted(launch.__all__) == sorted(
        [
            "ALLOW_REASONS",
            "LAUNCH_ERROR_REASONS",
            "MAX_QUERY_LENGTH",
            "PUBLIC_SUFFIXES",
            "REFUSAL_REASONS",
            "HostDecision",
            "LaunchError",
            "LaunchParams",
            "check_hacp_url",
            "mask_session_id",
            "normalise_host_entry",
            "parse_launch",
        ]
    )


def test_launch_error_is_an_aiccbridge_error() -> None:
    with pytest.raises(AiccBridgeError) as caught:
        parse_launch("aicc_url=https://lms.example.com/hacp")
    assert isinstance(caught.value, LaunchError)
    assert caught.value.hint


@pytest.mark.parametrize("reason", sorted(REFUSAL_REASONS | LAUNCH_ERROR_REASONS))
def test_every_reason_has_a_docs_section(reason: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert re.search(rf"^### `{reason}`$", text, re.MULTILINE), reason


# --- parse_launch -------------------------------------------------------------------


def test_docent_style_launch() -> None:
    params = parse_launch(DOCENT_STYLE)
    assert params.session_id == "5120443,A001"
    assert params.hacp_url == DOCENT_URL
    assert params.had_scheme is False
    assert params.extra == {}


@pytest.mark.corpus
def test_docent_capture_from_corpus() -> None:
    capture = CORPUS / "hacp" / "nudoru-docent" / "launch-url.docent65.txt"
    if not capture.is_file():
        pytest.skip("shared corpus not found next to the checkout (../shared/corpus)")
    params = parse_launch(capture.read_text(encoding="utf-8"))
    assert params.session_id == "3032659,A001"
    assert params.had_scheme is False
    assert params.hacp_url.startswith("https://sub.domain.com/ns-bin/docentnsapi/")
    assert ",CMD=GET," in params.hacp_url
    decision = check_hacp_url(params.hacp_url, ["sub.domain.com"])
    assert (decision.allowed, decision.host) == (True, "sub.domain.com")


def test_moodle_style_unencoded_url() -> None:
    query = f"aicc_sid={SID}&aicc_url=https://moodle.example.org/mod/scorm/aicc.php"
    params = parse_launch(query)
    assert params.hacp_url == "https://moodle.example.org/mod/scorm/aicc.php"
    assert params.had_scheme is True
    assert params.session_id == SID


@pytest.mark.parametrize(
    "encoded",
    [
        "https%3A%2F%2Flms.example.com%2Fhacp",
        "https%253A%252F%252Flms.example.com%252Fhacp",
        "https%25253A%25252F%25252Flms.example.com%25252Fhacp",
    ],
    ids=["once", "twice", "three-times"],
)
def test_encoded_url_is_decoded(encoded: str) -> None:
    params = parse_launch(f"AICC_SID={SID}&AICC_URL={encoded}")
    assert params.hacp_url == "https://lms.example.com/hacp"


def test_decoding_stops_after_three_rounds() -> None:
    four = "https%2525253A%2525252F%2525252Flms.example.com"
    params = parse_launch(f"AICC_SID={SID}&AICC_URL={four}")
    assert params.hacp_url == "https://https%3A%2F%2Flms.example.com"


def test_decoding_stops_once_it_looks_like_a_url() -> None:
    query = f"AICC_SID={SID}&AICC_URL=https%3A%2F%2Flms.example.com%2Fa%252Fb"
    assert parse_launch(query).hacp_url == "https://lms.example.com/a%2Fb"


def test_double_encoded_schemeless_url() -> None:
    query = f"aicc_sid={SID}&aicc_url=lms.example.com%252Fhacp%252Cx"
    params = parse_launch(query)
    assert params.hacp_url == "https://lms.example.com/hacp,x"
    assert params.had_scheme is False


@pytest.mark.parametrize(
    ("sid_name", "url_name"),
    [("AICC_SID", "AICC_URL"), ("aicc_sid", "aicc_url"), ("Aicc_Sid", "aICC_url")],
)
def test_names_in_any_case(sid_name: str, url_name: str) -> None:
    query = f"{sid_name}={SID}&{url_name}=https://lms.example.com/hacp&Lang=EN"
    params = parse_launch(query)
    assert params.session_id == SID
    assert params.hacp_url == "https://lms.example.com/hacp"
    assert params.extra == {"Lang": "EN"}


def test_question_mark_used_twice() -> None:
    url = (
        "https://courses.example.net/index.html?ShowDebug=true?AICC_URL="
        f"https%3A%2F%2Flms.example.com%2Fhacp&AICC_SID={SID}"
    )
    params = parse_launch(url)
    assert params.extra == {"ShowDebug": "true"}
    assert params.hacp_url == "https://lms.example.com/hacp"


@pytest.mark.parametrize(
    "prefix", ["", "?", "https://courses.example.net/c/start.htm?"]
)
def test_query_with_or_without_question_mark(prefix: str) -> None:
    params = parse_launch(f"{prefix}aicc_sid={SID}&aicc_url=lms.example.com/hacp")
    assert params.session_id == SID
    assert params.hacp_url == "https://lms.example.com/hacp"


def test_query_starting_with_a_parameter_and_a_second_question_mark() -> None:
    params = parse_launch(f"mode=x?aicc_sid={SID}&aicc_url=lms.example.com/h")
    assert params.extra == {"mode": "x"}
    assert params.session_id == SID


def test_unencoded_url_loses_its_own_query_to_extra() -> None:
    query = f"aicc_sid={SID}&aicc_url=https://lms.example.com/hacp?tenant=5"
    params = parse_launch(query)
    assert params.hacp_url == "https://lms.example.com/hacp"
    assert params.extra == {"tenant": "5"}


def test_fragment_is_dropped() -> None:
    params = parse_launch(f"aicc_sid={SID}&aicc_url=https://lms.example.com/h#top")
    assert params.hacp_url == "https://lms.example.com/h"


def test_mapping_input() -> None:
    query = {"AICC_SID": "5120443,A001", "aicc_url": "lms.example.com%2Fhacp", "x": "1"}
    params = parse_launch(query)
    assert params.session_id == "5120443,A001"
    assert params.hacp_url == "https://lms.example.com/hacp"
    assert params.extra == {"x": "1"}


def test_extra_keeps_case_and_first_value() -> None:
    query = f"aicc_sid={SID}&aicc_url=lms.example.com&Tenant=A&Tenant=B&tenant=c"
    assert parse_launch(query).extra == {"Tenant": "A", "tenant": "c"}


def test_sid_is_form_decoded_once() -> None:
    query = "aicc_sid=a+b%252C&aicc_url=lms.example.com"
    assert parse_launch(query).session_id == "a b%2C"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("lms.example.com:8443/hacp", "https://lms.example.com:8443/hacp"),
        ("//lms.example.com/hacp", "https://lms.example.com/hacp"),
        ("localhost:8080", "https://localhost:8080"),
    ],
)
def test_scheme_is_added(url: str, expected: str) -> None:
    params = parse_launch({"aicc_sid": SID, "aicc_url": url})
    assert (params.hacp_url, params.had_scheme) == (expected, False)


def test_http_scheme_is_kept() -> None:
    params = parse_launch({"aicc_sid": SID, "aicc_url": "http://127.0.0.1:8765/hacp"})
    assert (params.hacp_url, params.had_scheme) == ("http://127.0.0.1:8765/hacp", True)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("aicc_url=https://lms.example.com/hacp", "missing_sid"),
        ("aicc_sid=&aicc_url=https://lms.example.com/hacp", "missing_sid"),
        (f"aicc_sid={SID}", "missing_url"),
        (f"aicc_sid={SID}&aicc_url=+", "missing_url"),
        (f"aicc_sid={SID}&AICC_SID=other&aicc_url=lms.example.com", "duplicate_sid"),
        (
            f"aicc_sid={SID}&aicc_url=a.example.com&AICC_URL=b.example.com",
            "duplicate_url",
        ),
        (
            f"aicc_sid={SID}&aicc_url=lms.example.com&x=" + "y" * MAX_QUERY_LENGTH,
            "too_long",
        ),
    ],
)
def test_launch_errors(query: str, reason: str) -> None:
    with pytest.raises(LaunchError) as caught:
        parse_launch(query)
    assert caught.value.reason == reason
    assert SID not in str(caught.value)
    assert SID not in (caught.value.hint or "")


def test_mapping_too_long() -> None:
    query = {
        "aicc_sid": SID,
        "aicc_url": "lms.example.com",
        "x": "y" * MAX_QUERY_LENGTH,
    }
    with pytest.raises(LaunchError, match="over the limit"):
        parse_launch(query)


def test_same_value_twice_is_not_a_duplicate() -> None:
    query = f"aicc_sid={SID}&AICC_SID={SID}&aicc_url=lms.example.com"
    assert parse_launch(query).session_id == SID


# --- masking --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sid", "masked"),
    [
        ("3032659,A001", "30…01"),
        (SID, "Qm…Vb"),
        ("12345678", "1…8"),
        ("1234567", "…"),
        ("", "…"),
    ],
)
def test_mask_session_id(sid: str, masked: str) -> None:
    assert mask_session_id(sid) == masked


@given(st.text(min_size=1).filter(lambda s: s != "…"))
def test_mask_never_shows_the_whole_id(sid: str) -> None:
    assert sid not in mask_session_id(sid)


def test_repr_and_str_never_show_the_sid() -> None:
    params = parse_launch(
        f"aicc_sid={SID}&aicc_url=https://lms.example.com/hacp/{SID}?s={SID}&n={SID}"
    )
    assert params.session_id == SID
    for text in (repr(params), str(params)):
        assert SID not in text
        assert "Qm…Vb" in text


def test_details_never_show_the_sid() -> None:
    urls = [
        f"https://allowed.com/hacp/{SID}?sid={SID}",
        f"http://allowed.com/{SID}",
        f"https://evil.net/{SID}",
        f"https://allowed.com.evil.net/{SID}",
        f"https://{SID}@allowed.com/",
        f"https://allowed.com\\{SID}",
        f"ftp://allowed.com/{SID}",
        f"https://10.0.0.1/{SID}",
        f"https://allowed%2ecom/{SID}",
    ]
    decisions = [check_hacp_url(url, ALLOWED) for url in urls]
    decisions.append(check_hacp_url(f"https://allowed.com/{SID}", []))
    assert len({d.reason for d in decisions}) == len(decisions)
    for decision in decisions:
        assert SID not in repr(decision)
        assert SID not in str(decision)


# --- normalise_host_entry -------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("lms.example.com", "lms.example.com"),
        ("  LMS.Example.COM  ", "lms.example.com"),
        ("lms.example.com.", "lms.example.com"),
        ("https://lms.example.com", "lms.example.com"),
        ("HTTP://lms.example.com/", "lms.example.com"),
        ("https://lms.example.com:8443/mod/scorm/aicc.php?x=1", "lms.example.com"),
        ("lms.example.com:443", "lms.example.com"),
        ("//lms.example.com/path", "lms.example.com"),
        ("admin:secret@lms.example.com", "lms.example.com"),
        ("lms.example.com\\hacp", "lms.example.com"),
        ("\tlms.example.com\n", "lms.example.com"),
        ("*.Brainier.com", "*.brainier.com"),
        ("https://*.example.com/", "*.example.com"),
        ("*.example.co.uk", "*.example.co.uk"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("*.bücher.example", "*.xn--bcher-kva.example"),
        ("127.0.0.1", "127.0.0.1"),
        ("127.0.0.1:8765", "127.0.0.1"),
        ("http://127.0.0.1:8765/hacp", "127.0.0.1"),
        ("::1", "[::1]"),
        ("[0:0::1]:8080", "[::1]"),
        ("localhost", "localhost"),
        ("a_b.example.com", "a_b.example.com"),
    ],
)
def test_normalise_host_entry(entry: str, expected: str) -> None:
    assert normalise_host_entry(entry) == expected


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("https://", "no host"),
        ("*", "every host"),
        ("*.com", "every host under com"),
        ("*.co.uk", "every host under co.uk"),
        ("*.github.io", "every host under github.io"),
        ("*.", "no host"),
        ("*.127.0.0.1", "every host"),
        ("**.example.com", "first label"),
        ("a.*.example.com", "first label"),
        ("*example.com", "first label"),
        ("lms..example.com", "not a host name"),
        ("lms.exa mple.com", "not a host name"),
        ("allowed%2ecom", "not a host name"),
        ("-lms.example.com", "not a host name"),
        ("lms.example.com:http", "port"),
        ("lms.example.com:0", "port"),
        ("[::1", "not closed"),
        ("[not-ip]", "IPv6"),
        ("2130706433", "non-standard"),
        ("0x7f.0.0.1", "non-standard"),
        ("127.1", "non-standard"),
        ("127.000.000.001", "non-standard"),
        ("faß.de", "xn--"),
        ("allowed。com", "xn--"),
    ],
)
def test_entries_that_cannot_be_a_host(entry: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        normalise_host_entry(entry)


@pytest.mark.parametrize("suffix", sorted(PUBLIC_SUFFIXES))
def test_wildcard_over_listed_suffix_is_refused(suffix: str) -> None:
    with pytest.raises(ValueError, match="would admit every host"):
        normalise_host_entry(f"*.{suffix}")
    assert normalise_host_entry(f"*.lms.{suffix}") == f"*.lms.{suffix}"


# --- check_hacp_url: allowed ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://allowed.com/hacp", "allowed.com"),
        ("https://ALLOWED.Com/hacp", "allowed.com"),
        ("https://allowed.com./hacp", "allowed.com"),
        ("https://allowed.com:8443/hacp", "allowed.com"),
        ("https://allowed.com", "allowed.com"),
        ("https://allowed.com?x=1", "allowed.com"),
        ("https://allowed.com/a@b", "allowed.com"),
        ("HTTPS://allowed.com/hacp", "allowed.com"),
    ],
)
def test_allowed_exact(url: str, host: str) -> None:
    decision = check_hacp_url(url, ALLOWED)
    assert (decision.allowed, decision.reason, decision.host) == (
        True,
        "allowed_exact",
        host,
    )
    assert decision.matched == "allowed.com"


def test_matched_is_the_entry_as_given() -> None:
    decision = check_hacp_url("https://allowed.com/h", ["https://Allowed.com:443/"])
    assert decision.allowed
    assert decision.matched == "https://Allowed.com:443/"


@pytest.mark.parametrize(
    "host", ["a.example.com", "a.b.example.com", "A.EXAMPLE.COM", "a.example.com."]
)
def test_wildcard_admits_subdomains(host: str) -> None:
    decision = check_hacp_url(f"https://{host}/hacp", ["*.example.com"])
    assert (decision.allowed, decision.reason) == (True, "allowed_wildcard")
    assert decision.host == host.lower().rstrip(".")
    assert decision.matched == "*.example.com"


def test_wildcard_does_not_admit_the_bare_domain() -> None:
    decision = _refusal("https://example.com/hacp", ["*.example.com"])
    assert decision.reason == "not_listed"
    assert "'example.com'" in decision.detail
    assert "subdomains only" in decision.detail


@pytest.mark.parametrize(
    "host", ["xexample.com", "example.com.evil.net", "example.co", "exampl.com"]
)
def test_wildcard_does_not_admit_look_alikes(host: str) -> None:
    assert not check_hacp_url(f"https://{host}/", ["*.example.com"]).allowed


def test_bare_domain_and_wildcard_together() -> None:
    entries = ["example.com", "*.example.com"]
    assert check_hacp_url("https://example.com/", entries).reason == "allowed_exact"
    assert check_hacp_url("https://a.example.com/", entries).reason == (
        "allowed_wildcard"
    )


def test_exact_entry_wins_over_wildcard() -> None:
    entries = ["*.example.com", "lms.example.com"]
    decision = check_hacp_url("https://lms.example.com/", entries)
    assert (decision.reason, decision.matched) == ("allowed_exact", "lms.example.com")


@pytest.mark.parametrize(
    ("url", "entry"),
    [
        ("https://bücher.example/hacp", "xn--bcher-kva.example"),
        ("https://xn--bcher-kva.example/hacp", "bücher.example"),
        ("https://BÜCHER.example/hacp", "bücher.example"),
        ("https://lms.bücher.example/hacp", "*.bücher.example"),
    ],
)
def test_idna_hosts(url: str, entry: str) -> None:
    decision = check_hacp_url(url, [entry])
    assert decision.allowed
    assert decision.host.endswith("xn--bcher-kva.example")


def test_listed_ip_is_allowed_and_http_needs_the_switch() -> None:
    url = "http://127.0.0.1:8765/hacp"
    assert check_hacp_url(url, ["127.0.0.1"], allow_http=True).allowed
    refused = check_hacp_url(url, ["127.0.0.1"])
    assert (refused.reason, refused.matched) == ("plain_http", "127.0.0.1")


def test_listed_ipv6_is_allowed() -> None:
    decision = check_hacp_url("https://[0::1]:8443/hacp", ["::1"])
    assert (decision.allowed, decision.host) == (True, "[::1]")


def test_unusable_entries_are_skipped() -> None:
    decision = check_hacp_url("https://allowed.com/", ["*", "", "allowed.com"])
    assert decision.allowed


def test_allow_list_given_as_one_string() -> None:
    assert check_hacp_url("https://allowed.com/", "allowed.com").allowed


# --- check_hacp_url: each refusal -----------------------------------------------------


def test_not_listed_names_the_host_and_the_entry_to_add() -> None:
    decision = _refusal("https://lms.other.org:8443/hacp")
    assert (decision.reason, decision.host, decision.matched) == (
        "not_listed",
        "lms.other.org",
        None,
    )
    assert "add the entry 'lms.other.org'" in decision.detail


@pytest.mark.parametrize(
    "url",
    [
        "https://allowed.com.evil.net/hacp",
        "https://evilallowed.com/hacp",
        "https://allowed.com-login.net/",
        "https://login-allowed.com/",
    ],
)
def test_suffix_lookalike(url: str) -> None:
    decision = _refusal(url)
    assert decision.reason == "suffix_lookalike"
    assert "looks like the listed 'allowed.com'" in decision.detail


def test_subdomain_of_an_exact_entry_is_not_listed() -> None:
    decision = _refusal("https://www.allowed.com/")
    assert (decision.reason, decision.host) == ("not_listed", "www.allowed.com")
    assert "'*.allowed.com'" in decision.detail
    assert "add the entry 'www.allowed.com'" in decision.detail


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://allowed.com@evil.com/hacp", "evil.com"),
        ("https://user:pw@allowed.com/hacp", "allowed.com"),
        ("https://allowed.com:443@evil.com/", "evil.com"),
        ("https://@allowed.com/", "allowed.com"),
        ("https://a@b@evil.com/", "evil.com"),
    ],
)
def test_userinfo(url: str, host: str) -> None:
    decision = _refusal(url)
    assert (decision.reason, decision.host) == ("userinfo", host)
    assert "pw" not in decision.detail
    assert "user name or password" in decision.detail


@pytest.mark.parametrize(
    "url",
    [
        "https://allowed%2ecom/hacp",
        "https://allowed.com%40evil.com/",
        "https://%61llowed.com/",
        "https://[fe80::1%25eth0]/",
        "https://faß.de/",
        "https://allowed。com/",
        "https://allowed.com%2F@evil.com/",
    ],
)
def test_encoded_host(url: str) -> None:
    reason = _refusal(url, ["allowed.com", "fass.de"]).reason
    expected = "userinfo" if "@" in url else "encoded_host"
    assert reason == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://allowed.com\\@evil.com/",
        "https://evil.com\\.allowed.com/",
        "https:\\\\allowed.com/",
        "https://allowed.com\t.evil.net/",
        "https://allowed.com\n/",
        "https://allowed.com /",
        " https://allowed.com/",
        "https:///allowed.com/",
        "https:/allowed.com/",
        "https:allowed.com/",
    ],
)
def test_ambiguous_url(url: str) -> None:
    decision = _refusal(url)
    assert decision.reason == "ambiguous_url"
    assert decision.host == ""


@pytest.mark.parametrize(
    ("url", "entry"),
    [
        ("http://2130706433/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1"),
        ("http://127.1/", "127.0.0.1"),
        ("https://127.000.000.001/", "127.0.0.1"),
        ("https://10.0.0.1/hacp", "allowed.com"),
        ("https://[::1]/hacp", "allowed.com"),
        ("https://[::ffff:127.0.0.1]/", "127.0.0.1"),
        ("https://1.2.3.4/", "*.allowed.com"),
    ],
)
def test_ip_literal(url: str, entry: str) -> None:
    decision = check_hacp_url(url, [entry], allow_http=True)
    assert (decision.allowed, decision.reason) == (False, "ip_literal")
    assert "host name" in decision.detail


def test_plain_http() -> None:
    decision = _refusal("http://allowed.com/hacp")
    assert (decision.reason, decision.host) == ("plain_http", "allowed.com")
    assert "allow_http=True" in decision.detail
    assert "127.0.0.1" in decision.detail
    assert check_hacp_url("http://allowed.com/hacp", ALLOWED, allow_http=True).allowed


def test_plain_http_is_not_reported_for_an_unlisted_host() -> None:
    assert _refusal("http://evil.net/").reason == "not_listed"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://allowed.com/hacp",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "wss://allowed.com/",
        "allowed.com/hacp",
        "",
        "https://",
        "https:///",
        "https://:443/",
        "https://allowed.com:0/",
        "https://allowed.com:65536/",
        "https://allowed.com:８０/",
        "https://allowed.com:x/",
        "https://[::1/",
        "https://a:b:c/",
        "https://allowed..com/",
        "https://allowed.com*/",
        "https://allo<wed.com/",
        "https://" + "a" * 64 + ".com/",
    ],
)
def test_bad_url(url: str) -> None:
    assert _refusal(url).reason in ("bad_url", "ambiguous_url")


@pytest.mark.parametrize(
    "url", ["ftp://allowed.com/", "https://allowed.com:65536/", "https://a..b/"]
)
def test_bad_url_reason(url: str) -> None:
    assert _refusal(url).reason == "bad_url"


@pytest.mark.parametrize("allow_list", [[], ["", "*", "*.com", "bad host"]])
def test_empty_allow_list(allow_list: list[str]) -> None:
    decision = _refusal("https://lms.example.com/hacp", allow_list)
    assert (decision.reason, decision.host) == ("empty_allow_list", "lms.example.com")
    assert "lms.example.com" in decision.detail


def test_every_refusal_has_a_sentence() -> None:
    urls = [
        "https://evil.net/",
        "https://allowed.com.evil.net/",
        "https://x@allowed.com/",
        "https://allowed%2ecom/",
        "https://allowed.com\\x",
        "http://2130706433/",
        "http://allowed.com/",
        "ftp://allowed.com/",
    ]
    reasons = {check_hacp_url(url, ALLOWED).reason for url in urls}
    reasons.add(check_hacp_url("https://allowed.com/", []).reason)
    assert reasons == REFUSAL_REASONS
    for url in urls:
        detail = check_hacp_url(url, ALLOWED).detail
        assert detail.endswith(".") and detail[0].isupper() and "\n" not in detail


# --- parser differentials ------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "allowed.com",
        "evil.net",
        "@",
        "\\",
        ".",
        ":",
        "/",
        "?",
        "#",
        "%2e",
        "%40",
        "[",
        "]",
        "::1",
        "443",
        "\t",
        "ß",
        "。",
        "A",
    ]
)


def _httpx_host(url: str) -> str | None:
    try:
        return httpx.URL(url).raw_host.decode("ascii").lower().rstrip(".")
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return None


@settings(max_examples=400, deadline=None)
@example("https://", ["allowed.com"])
@example("https://", ["A", ".", "allowed.com", ":", "443", "/", "#", "@", "evil.net"])
@example("https://", ["allowed.com", ".", "?", "@", "evil.net"])
@example("http://", ["allowed.com", "/", "\\", "@", "evil.net"])
@given(st.sampled_from(["https://", "http://", "https:/", "https:"]), st.lists(_PIECES))
def test_allowed_means_every_reader_sees_the_allowed_host(
    scheme: str, pieces: list[str]
) -> None:
    url = scheme + "".join(pieces)
    decision = check_hacp_url(url, ["allowed.com", "*.allowed.com"], allow_http=True)
    if not decision.allowed:
        return
    host = decision.host
    assert host == "allowed.com" or host.endswith(".allowed.com")
    assert _httpx_host(url) == host
    assert (urlsplit(url).hostname or "").rstrip(".") == host
