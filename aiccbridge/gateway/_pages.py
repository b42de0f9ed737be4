"""The HTML pages a learner's browser gets when a launch cannot go on.

Each page tells the learner what to do (go back to the LMS, or pass the page
on) and tells the LMS administrator what to fix. Pages show the session id
only masked, never a student id or name, and escape every value.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from aiccbridge.core.hacp import (
    HacpError,
    HacpHttpError,
    HacpLmsError,
    HacpNetworkError,
    HacpNotHacpError,
    HacpRedirectError,
)
from aiccbridge.launching import LaunchVerdict

__all__ = [
    "ADMIN_ADVICE",
    "lms_failed_page",
    "no_content_page",
    "not_found_page",
    "refused_page",
]

#: What the LMS administrator should do, for every reason a launch is refused.
ADMIN_ADVICE: dict[str, str] = {
    "missing_sid": "Launch the course from the LMS, not from a bookmark, and check "
    "that the LMS adds AICC_SID and AICC_URL to the launch address.",
    "missing_url": "Launch the course from the LMS, not from a bookmark, and check "
    "that the LMS adds AICC_SID and AICC_URL to the launch address.",
    "duplicate_sid": "The launch carried two different AICC_SID values. If the "
    "course's launch address stored in the LMS holds an AICC_SID of its own, "
    "remove it.",
    "duplicate_url": "The launch carried two different AICC_URL values. If the "
    "course's launch address stored in the LMS holds an AICC_URL of its own, "
    "remove it.",
    "too_long": "The launch address is far longer than a real launch; check the "
    "course's launch address in the LMS.",
    "unknown_tenant": "The package was made for a customer this service does not "
    "know. Ask the content provider for this customer's packages.",
    "unknown_vendor": "The content provider's setup names an LMS vendor it cannot "
    "load. Tell the content provider.",
    "unknown_course": "This course is not part of your organisation's library (or "
    "the provider withdrew it). Ask the content provider to check the licence.",
    "ambiguous_url": "The LMS must send a plain https://host/path HACP address. If "
    "it really sends this form, raise it with the LMS vendor.",
    "bad_url": "Check the HACP endpoint the LMS is configured with; it should look "
    "like https://lms.example.com/path.",
    "userinfo": "The LMS must send the HACP address without a user name or "
    "password. If the host is not your LMS's, someone edited the launch.",
    "encoded_host": "The LMS must send its host name in plain letters, without "
    "percent-escapes.",
    "empty_allow_list": "No LMS host is allowed for your organisation yet. Send the "
    "content provider your LMS's HACP host name.",
    "not_listed": "If this host really is your LMS's HACP endpoint, ask the content "
    "provider to add it to your allow-list. If you do not recognise it, do not: "
    "someone may have edited the launch.",
    "suffix_lookalike": "This host only looks like an allowed one. Do not have it "
    "added unless your LMS's own administrators confirm it is theirs.",
    "ip_literal": "The LMS named an IP address instead of a host name. Configure "
    "the LMS to use its host name.",
    "plain_http": "Configure the LMS to use https for HACP: plain http would send "
    "the session in clear.",
}

_LEARNER_REFUSED = (
    "This course could not be started from your learning system. Your progress "
    "has not been affected. Please send this page, or the reference below, to "
    "your training team or LMS administrator."
)
_LEARNER_LMS = (
    "The course could not read your enrolment from your learning system. Close "
    "this window and start the course again from the LMS in a few minutes. If it "
    "keeps happening, send this page to your LMS administrator."
)
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;"
    "padding:0 1rem;line-height:1.5;color:#222}h1{font-size:1.4rem}"
    "h2{font-size:1.05rem;margin-top:1.6rem}dt{font-weight:600}"
    "dd{margin:0 0 .4rem 0;font-family:monospace}"
    "section{border-top:1px solid #ccc}"
)


def refused_page(verdict: LaunchVerdict, provider: str) -> str:
    """The 403 page: why the launch was refused, for the learner and the admin."""
    advice = ADMIN_ADVICE.get(verdict.reason, "Tell the content provider.")
    facts = [
        ("reason", verdict.reason),
        ("tenant", verdict.tenant or "-"),
        ("course", verdict.course_id or "-"),
        ("HACP host", verdict.host or "-"),
        ("session", verdict.session or "-"),
    ]
    return _page(
        "This course cannot start",
        _LEARNER_REFUSED,
        [verdict.detail, advice],
        facts,
        provider,
    )


def lms_failed_page(
    error: HacpError, *, host: str, session: str, course_id: str, provider: str
) -> str:
    """The 502 page: the LMS did not answer GetParam with HACP."""
    kind, advice = _lms_advice(error, host)
    facts = [
        ("problem", kind),
        ("course", course_id),
        ("HACP host", host),
        ("session", session),
    ]
    return _page(
        "Your learning system did not answer",
        _LEARNER_LMS,
        [error.message, advice],
        facts,
        provider,
    )


def no_content_page(course_id: str, provider: str) -> str:
    """The page for an accepted launch of a course without a content address."""
    return _page(
        "This course has no content address",
        "This course cannot be opened right now. Please try again later or tell "
        "your training team.",
        [
            f"The catalog row of course {course_id} has no url; the content "
            "provider must add the course's content address to its catalog."
        ],
        [("course", course_id)],
        provider,
    )


def not_found_page(provider: str) -> str:
    """The page for an address that is not a launch address."""
    return _page(
        "Not a course address",
        "This address does not start a course. Start the course from your LMS.",
        ["The address does not match the provider's launch address pattern."],
        [],
        provider,
    )


def _lms_advice(error: HacpError, host: str) -> tuple[str, str]:
    if isinstance(error, HacpNetworkError):
        return "no answer", (
            f"Check that the LMS is up and that {host} can be reached from the "
            "content provider's servers (firewall, DNS, TLS certificate)."
        )
    if isinstance(error, HacpNotHacpError):
        return "HTML page in place of HACP", (
            "The LMS answered with a web page, not HACP data. The LMS session may "
            "have expired, or the LMS does not accept HACP requests from outside "
            "(check its AICC/HACP settings)."
        )
    if isinstance(error, HacpRedirectError):
        return "redirect", (
            "The LMS redirected the HACP request, usually to a login page: it must "
            "accept HACP requests that carry only the session id."
        )
    if isinstance(error, HacpHttpError):
        return f"HTTP {error.status}", (
            "Check the LMS's error log at this time for its HACP endpoint."
        )
    if isinstance(error, HacpLmsError):
        return f"HACP error {error.code}", error.hint or (
            "Check the LMS's HACP log for this session."
        )
    return "refused", error.hint or "Tell the content provider."


def _page(
    title: str,
    learner: str,
    admin: list[str],
    facts: list[tuple[str, str]],
    provider: str,
) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    rows = "".join(
        f"<dt>{_e(name)}</dt><dd>{_e(value)}</dd>"
        for name, value in [*facts, ("time", when)]
    )
    paragraphs = "".join(f"<p>{_e(text)}</p>" for text in admin)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="robots" content="noindex">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{_e(title)}</h1><p>{_e(learner)}</p>"
        f"<section><h2>For the LMS administrator</h2>{paragraphs}"
        f"<dl>{rows}</dl></section>"
        f"<p><small>{_e(provider)} course service</small></p>"
        "</main></body></html>\n"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
