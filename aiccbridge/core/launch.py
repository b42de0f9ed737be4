"""The launch check: read a launch's AICC parameters and vet the HACP host.

When an LMS launches a course it appends ``AICC_SID`` (the session id, the only
credential HACP has) and ``AICC_URL`` (the LMS's HACP endpoint) to the launch
URL. Anyone can edit that URL, so the provider only ever talks to hosts that the
tenant's admin put on the allow list.

- :func:`parse_launch` reads the two parameters from a query string, a full
  launch URL or an already parsed mapping, however the LMS spelled and encoded
  them, and returns :class:`LaunchParams`.
- :func:`normalise_host_entry` turns an allow-list entry as an admin typed it
  into the form hosts are compared in.
- :func:`check_hacp_url` decides whether the HACP URL may be contacted and says
  why in a :class:`HostDecision` with a stable ``reason`` code.
- :func:`mask_session_id` is the only form in which a session id is shown.

Nothing here returns or formats a session id in clear, except the
``session_id`` attribute itself.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus, urlsplit

from aiccbridge.core._errors import AiccBridgeError

__all__ = [
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

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 16_384
"""The longest launch query (in characters) that :func:`parse_launch` reads."""

ALLOW_REASONS = frozenset({"allowed_exact", "allowed_wildcard"})
"""The ``reason`` codes of a :class:`HostDecision` that allows the host."""

REFUSAL_REASONS = frozenset(
    {
        "ambiguous_url",
        "bad_url",
        "empty_allow_list",
        "encoded_host",
        "ip_literal",
        "not_listed",
        "plain_http",
        "suffix_lookalike",
        "userinfo",
    }
)
"""The ``reason`` codes of a :class:`HostDecision` that refuses the host."""

LAUNCH_ERROR_REASONS = frozenset(
    {"duplicate_sid", "duplicate_url", "missing_sid", "missing_url", "too_long"}
)
"""The ``reason`` codes a :class:`LaunchError` can carry."""

PUBLIC_SUFFIXES = frozenset(
    {
        # Two-label suffixes under which anyone can register a domain.
        *("ac.uk", "co.uk", "gov.uk", "ltd.uk", "me.uk", "net.uk", "org.uk"),
        *("plc.uk", "sch.uk", "nhs.uk", "com.au", "net.au", "org.au", "edu.au"),
        *("gov.au", "id.au", "asn.au", "co.nz", "net.nz", "org.nz", "ac.nz"),
        *("govt.nz", "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "co.kr"),
        *("or.kr", "co.in", "net.in", "org.in", "firm.in", "gen.in", "ind.in"),
        *("ac.in", "co.za", "org.za", "gov.za", "ac.za", "com.br", "net.br"),
        *("org.br", "gov.br", "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn"),
        *("com.mx", "org.mx", "gob.mx", "com.ar", "com.tr", "org.tr", "gov.tr"),
        *("com.sg", "edu.sg", "gov.sg", "com.hk", "org.hk", "com.tw", "org.tw"),
        *("com.my", "com.ph", "co.id", "or.id", "co.il", "org.il", "ac.il"),
        *("co.th", "com.vn", "com.pk", "com.ng", "com.eg", "com.sa", "com.co"),
        *("com.pe", "com.ua", "co.ke", "com.pl", "com.es", "co.at", "or.at"),
        # Shared hosting: anyone can get a subdomain and serve pages there.
        *("github.io", "gitlab.io", "herokuapp.com", "azurewebsites.net"),
        *("cloudapp.net", "cloudfront.net", "amazonaws.com", "s3.amazonaws.com"),
        *("appspot.com", "googleapis.com", "blogspot.com", "firebaseapp.com"),
        *("web.app", "netlify.app", "vercel.app", "pages.dev", "workers.dev"),
    }
)
"""Domains a wildcard entry may not cover (``*.co.uk``, ``*.github.io``, …).

Not the full public suffix list: a wildcard over a single label (``*.com``) is
refused anyway, and this set adds the common multi-label registries and
shared-hosting domains.
"""

_AICC_NAMES = ("aicc_sid", "aicc_url")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_HOST_PORT = re.compile(r"[^:/?#@]+:[0-9]+(?:[/?#]|$)")
_SCHEMELESS_URL = re.compile(r"[A-Za-z0-9.\-\[\]:]+/")
_AMBIGUOUS = re.compile(r"[\x00-\x20\x7f\\]")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
_PORT = re.compile(r"[0-9]{1,5}")
_UNICODE_DOTS = "\u3002\uff0e\uff61"


class LaunchError(AiccBridgeError):
    """A launch whose query lacks or garbles ``AICC_SID`` or ``AICC_URL``.

    ``reason`` is one of :data:`LAUNCH_ERROR_REASONS`. The message never
    contains the session id.
    """

    def __init__(self, message: str, *, reason: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LaunchParams:
    """The AICC parameters of one launch.

    ``session_id`` is ``AICC_SID`` decoded once; ``hacp_url`` is ``AICC_URL``
    decoded (once or twice, as the LMS encoded it) with ``https://`` added when
    it came without a scheme (``had_scheme`` is then false). ``extra`` holds the
    other query parameters with their names as sent; the first of repeated
    names wins. The repr shows the session id masked.
    """

    session_id: str
    hacp_url: str
    had_scheme: bool
    extra: dict[str, str] = field(default_factory=dict, hash=False)

    def __repr__(self) -> str:
        sid = self.session_id
        extra = {_redact(k, sid): _redact(v, sid) for k, v in self.extra.items()}
        return (
            f"LaunchParams(session_id={mask_session_id(sid)!r}, "
            f"hacp_url={_redact(self.hacp_url, sid)!r}, "
            f"had_scheme={self.had_scheme!r}, extra={extra!r})"
        )


@dataclass(frozen=True, slots=True)
class HostDecision:
    """Whether an HACP URL may be contacted, and why.

    ``host`` is the URL's normalised host ("" when none could be read);
    ``reason`` a stable code from :data:`ALLOW_REASONS` or
    :data:`REFUSAL_REASONS`; ``detail`` one sentence saying what was checked and
    what to fix; ``matched`` the allow-list entry (as given) that covers the
    host, also set when the host is listed but plain http was refused.
    """

    allowed: bool
    host: str
    reason: str
    detail: str
    matched: str | None = None


class _HostProblem(Exception):
    """A host that cannot be used, with the refusal reason and a sentence."""

    def __init__(self, reason: str, detail: str, host: str = "") -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.host = host


@dataclass(frozen=True, slots=True)
class _Host:
    """A host read from a URL or an allow-list entry, in comparison form."""

    name: str
    is_ip: bool


# --- session ids -----------------------------------------------------------------


def mask_session_id(sid: str) -> str:
    """Return ``sid`` in a form fit for logs and messages.

    Ids of 12 characters or more keep two characters at each end
    (``"30…01"``), ids of 8 to 11 keep one (``"3…1"``), shorter ids are shown
    as ``"…"`` only.
    """
    keep = 2 if len(sid) >= 12 else 1 if len(sid) >= 8 else 0
    if not keep:
        return "…"
    return f"{sid[:keep]}…{sid[-keep:]}"


def _redact(text: str, sid: str) -> str:
    return text.replace(sid, mask_session_id(sid)) if sid else text


# --- reading a launch ------------------------------------------------------------


def parse_launch(query: str | Mapping[str, str]) -> LaunchParams:
    """Read ``AICC_SID`` and ``AICC_URL`` from a launch.

    ``query`` is a query string (with or without the leading ``?``), a whole
    launch URL (everything after its first ``?`` is read; a second ``?`` counts
    as a separator between parameters, a ``#`` fragment is dropped) or a mapping
    a web framework already decoded. Parameter names match in any case.

    Raises :class:`LaunchError` when either parameter is missing or empty, is
    given twice with different values, or the query is over
    :data:`MAX_QUERY_LENGTH`.
    """
    pairs = _query_pairs(query) if isinstance(query, str) else _mapping_pairs(query)
    session_id = _only_value(pairs, "aicc_sid")
    hacp_url, had_scheme = _add_scheme(_decode_url(_only_value(pairs, "aicc_url")))
    extra: dict[str, str] = {}
    for name, value in pairs:
        if name and name.strip().lower() not in _AICC_NAMES:
            extra.setdefault(name, value)
    return LaunchParams(session_id, hacp_url, had_scheme, extra)


def _query_pairs(query: str) -> list[tuple[str, str]]:
    _check_length(len(query))
    text = query.partition("#")[0].strip()
    head, question, tail = text.partition("?")
    if question and not _is_parameter(head):
        text = tail
    pairs = []
    for item in re.split(r"[&?]", text):
        name, _, value = item.partition("=")
        pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs


def _is_parameter(head: str) -> bool:
    """Tell a leading ``name=value`` from the path of a launch URL."""
    name, equals, _ = head.partition("=")
    return bool(equals) and "/" not in name and ":" not in name


def _mapping_pairs(query: Mapping[str, str]) -> list[tuple[str, str]]:
    _check_length(sum(len(k) + len(v) + 2 for k, v in query.items()))
    return list(query.items())


def _check_length(length: int) -> None:
    if length > MAX_QUERY_LENGTH:
        raise LaunchError(
            f"the launch query is {length} characters long, over the limit of "
            f"{MAX_QUERY_LENGTH}",
            reason="too_long",
            hint="check the course's launch URL in the LMS; a real launch is short",
        )


def _only_value(pairs: list[tuple[str, str]], name: str) -> str:
    label = name.upper()
    values = {v for k, v in pairs if k.strip().lower() == name and v.strip()}
    if not values:
        raise LaunchError(
            f"the launch has no {label} parameter",
            reason=f"missing_{name[5:]}",
            hint="launch the course from the LMS, not from a bookmark, and check "
            "that the LMS appends AICC_SID and AICC_URL to the launch URL",
        )
    if len(values) > 1:
        raise LaunchError(
            f"the launch carries {label} more than once with different values",
            reason=f"duplicate_{name[5:]}",
            hint="someone may have edited the launch URL; launch again from the LMS",
        )
    return values.pop()


def _decode_url(value: str) -> str:
    """Undo the second and third encoding some LMSs put on ``AICC_URL``."""
    value = value.strip()
    for _ in range(2):
        decoded = unquote(value)
        if _looks_like_url(value) or decoded == value:
            break
        value = decoded
    return value


def _looks_like_url(value: str) -> bool:
    return "://" in value[:40] or _SCHEMELESS_URL.match(value) is not None


def _add_scheme(url: str) -> tuple[str, bool]:
    scheme = _SCHEME.match(url)
    if scheme and not _HOST_PORT.match(url):
        return url, True
    return "https:" + url if url.startswith("//") else "https://" + url, False


# --- allow-list entries ----------------------------------------------------------


def normalise_host_entry(entry: str) -> str:
    """Return an allow-list entry in the form hosts are compared in.

    Surrounding spaces, a scheme, user info, a port, a path, a trailing dot and
    upper case are dropped; Unicode labels become their ``xn--`` form; IP
    addresses take their standard form (IPv6 in brackets). ``*.example.com``
    stays a wildcard. Raises :class:`ValueError` naming the problem for an
    entry that cannot be a host: empty, ``*``, a wildcard over a public suffix
    (``*.com``, ``*.co.uk``, see :data:`PUBLIC_SUFFIXES`), a ``*`` elsewhere, a
    number-form IP address or characters a host name cannot hold.
    """
    text = _strip_entry(entry)
    if text == "*":
        raise ValueError("allow-list entry '*' would admit every host; list host names")
    if text.startswith("*."):
        return _wildcard_entry(text[2:], entry)
    if "*" in text:
        raise ValueError(
            f"allow-list entry {entry.strip()!r}: '*' is only allowed as the whole "
            "first label, as in '*.example.com'"
        )
    return _entry_host(text, entry).name


def _strip_entry(entry: str) -> str:
    text = entry.strip()
    if not text:
        raise ValueError("an allow-list entry is empty")
    text = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", text).removeprefix("//")
    text = re.split(r"[/?#\\]", text, maxsplit=1)[0].rpartition("@")[2]
    try:
        return _split_port(text, bare_ipv6=True)[0]
    except _HostProblem as problem:
        raise ValueError(f"allow-list entry {entry.strip()!r}: {problem}") from None


def _wildcard_entry(base: str, entry: str) -> str:
    host = _entry_host(base, entry)
    if host.is_ip or "." not in host.name or host.name in PUBLIC_SUFFIXES:
        raise ValueError(
            f"allow-list entry {entry.strip()!r} would admit every host under "
            f"{host.name}, where anyone can register one; list the LMS's own hosts"
        )
    return "*." + host.name


def _entry_host(text: str, entry: str) -> _Host:
    try:
        return _canonical_host(text)
    except _HostProblem as problem:
        fix = "; type its xn-- form" if problem.reason == "encoded_host" else ""
        message = f"allow-list entry {entry.strip()!r}: {problem}{fix}"
        raise ValueError(message) from None


# --- hosts -----------------------------------------------------------------------


def _split_port(text: str, *, bare_ipv6: bool) -> tuple[str, str | None]:
    """Split ``host[:port]``; raise :class:`_HostProblem` for a bad port."""
    if text.startswith("["):
        inner, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise _HostProblem("bad_url", "its IPv6 address is not closed by ']'")
        return f"[{inner}]", _port(rest[1:]) if rest else None
    if text.count(":") > 1:
        if bare_ipv6:
            return f"[{text}]", None
        raise _HostProblem("bad_url", "its host has more than one ':'")
    host, colon, port = text.partition(":")
    return host, _port(port) if colon else None


def _port(port: str) -> str:
    if not _PORT.fullmatch(port) or not 0 < int(port) < 65536:
        raise _HostProblem("bad_url", "its port is not a number from 1 to 65535")
    return port


def _canonical_host(text: str) -> _Host:
    """Lower case, no trailing dot, IDNA ascii; IPs in their standard form."""
    host = text.lower()
    if host.startswith("["):
        return _ipv6(host[1:-1])
    host = host.removesuffix(".")
    if not host:
        raise _HostProblem("bad_url", "it has no host")
    if not host.isascii():
        host = _idna(host)
    labels = host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        return _ipv4(host)
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise _HostProblem(
            "bad_url", f"{host!r} is not a host name (letters, digits, '-', '_', '.')"
        )
    return _Host(host, is_ip=False)


def _ipv6(text: str) -> _Host:
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        raise _HostProblem("bad_url", "its host is not a valid IPv6 address") from None
    if address.scope_id:
        raise _HostProblem("encoded_host", "its IPv6 address carries a zone id")
    return _Host(f"[{address.compressed}]", is_ip=True)


def _ipv4(host: str) -> _Host:
    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        address = None
    if address is None or str(address) != host:
        raise _HostProblem(
            "ip_literal",
            f"{host!r} is an IP address written as a number in a non-standard "
            "form (decimal, octal or hex); only the dotted form a.b.c.d is read",
        )
    return _Host(host, is_ip=True)


def _idna(host: str) -> str:
    """Convert Unicode labels to ``xn--`` form, refusing lossy conversions."""
    problem = _HostProblem(
        "encoded_host",
        "its host holds Unicode characters that IDNA rewrites into other "
        "characters, so readers disagree on which host is meant",
    )
    if any(dot in host for dot in _UNICODE_DOTS):
        raise problem
    try:
        ascii_labels = [_idna_label(label) for label in host.split(".")]
    except UnicodeError:
        raise problem from None
    return ".".join(ascii_labels)


def _idna_label(label: str) -> str:
    if label.isascii():
        return label
    encoded = label.encode("idna")
    if encoded.decode("idna") != label:
        raise UnicodeError("label does not survive the round trip")
    return encoded.decode("ascii")


# --- the check -------------------------------------------------------------------


def check_hacp_url(
    url: str, allow_list: Iterable[str], *, allow_http: bool = False
) -> HostDecision:
    """Decide whether ``url`` (an ``AICC_URL``) may be contacted.

    The URL's host, normalised like :func:`normalise_host_entry` does, must
    equal an entry, or be a subdomain of a ``*.`` entry (never the bare domain
    itself). A port is fine: only the host is checked. The URL must be https
    unless ``allow_http`` is set (meant for a test LMS on 127.0.0.1). Anything
    URL readers might read two ways is refused. Entries that cannot be
    normalised are skipped. Never raises for a bad URL: see the decision's
    ``reason`` and ``detail``.
    """
    try:
        scheme, host = _read_url(url)
    except _HostProblem as problem:
        return _logged(_refuse(problem.reason, problem.host, problem.detail))
    entries = _usable_entries(allow_list)
    if not entries:
        return _logged(_empty_list(host))
    decision = _match(host, entries)
    if decision.allowed and scheme == "http" and not allow_http:
        decision = _plain_http(decision)
    return _logged(decision)


def _read_url(url: str) -> tuple[str, _Host]:
    """Return the scheme and the checked host, or raise :class:`_HostProblem`."""
    try:
        scheme, authority = _authority(url)
        if "@" in authority:
            raise _HostProblem("userinfo", "", _userinfo_host(authority))
        if "%" in authority:
            raise _HostProblem("encoded_host", "its host holds percent-escapes")
        raw_host, _ = _split_port(authority, bare_ipv6=False)
        _cross_check(url, raw_host)
        return scheme, _canonical_host(raw_host)
    except _HostProblem as problem:
        problem.detail = _problem_sentence(problem)
        raise


def _authority(url: str) -> tuple[str, str]:
    if _AMBIGUOUS.search(url):
        raise _HostProblem(
            "ambiguous_url", "it holds a backslash, a space or a control character"
        )
    scheme = _SCHEME.match(url)
    if not scheme:
        raise _HostProblem("bad_url", "it does not start with https://")
    name = scheme.group(1).lower()
    if name not in ("http", "https"):
        raise _HostProblem("bad_url", f"its scheme {name[:20]!r} is not http(s)")
    rest = url[scheme.end() :]
    if not rest.startswith("//") or rest.startswith("///"):
        raise _HostProblem("ambiguous_url", f"'{name}:' is not followed by exactly //")
    return name, re.split(r"[/?#]", rest[2:], maxsplit=1)[0]


def _userinfo_host(authority: str) -> str:
    try:
        raw_host, _ = _split_port(authority.rpartition("@")[2], bare_ipv6=False)
        return _canonical_host(raw_host).name
    except _HostProblem:
        return ""


def _cross_check(url: str, raw_host: str) -> None:
    """Refuse when the standard library reads a different host."""
    try:
        theirs = urlsplit(url).hostname or ""
    except ValueError:
        theirs = None
    if theirs != raw_host.strip("[]").lower():
        raise _HostProblem("ambiguous_url", "URL readers disagree on its host")


_FIXES = {
    "ambiguous_url": "URL readers do not agree on the host of such a URL",
    "bad_url": "the LMS must send an https:// URL with a host name",
    "encoded_host": "the LMS must send its host name in plain letters",
    "ip_literal": "ask the LMS for its host name instead",
}


def _problem_sentence(problem: _HostProblem) -> str:
    if problem.reason == "userinfo":
        return (
            "The HACP URL was refused because it carries a user name or password "
            f"before '@' (its real host is {problem.host or 'unreadable'}), a common "
            "disguise that HACP never needs; the LMS must send https://host/path."
        )
    return f"The HACP URL was refused because {problem}; {_FIXES[problem.reason]}."


def _usable_entries(allow_list: Iterable[str]) -> list[tuple[str, str]]:
    entries = []
    for entry in [allow_list] if isinstance(allow_list, str) else allow_list:
        try:
            entries.append((entry, normalise_host_entry(entry)))
        except ValueError as error:
            logger.debug("allow-list entry skipped: %s", error)
    return entries


def _match(host: _Host, entries: list[tuple[str, str]]) -> HostDecision:
    for entry, normal in entries:
        if normal == host.name:
            return _allow("allowed_exact", host.name, entry)
    for entry, normal in entries:
        if _wildcard_covers(normal, host):
            return _allow("allowed_wildcard", host.name, entry)
    return _not_listed(host, [normal for _, normal in entries])


def _wildcard_covers(normal: str, host: _Host) -> bool:
    """``*.example.com`` covers ``a.example.com`` and ``a.b.example.com`` only."""
    return normal.startswith("*.") and not host.is_ip and host.name.endswith(normal[1:])


def _allow(reason: str, host: str, entry: str) -> HostDecision:
    how = "equals" if reason == "allowed_exact" else "is a subdomain covered by"
    detail = f"Host {host} {how} the allow-list entry {entry.strip()!r}."
    return HostDecision(True, host, reason, detail, entry)


def _not_listed(host: _Host, normals: list[str]) -> HostDecision:
    name = host.name
    if host.is_ip:
        return _refuse("ip_literal", name, _ip_sentence(name))
    if "*." + name in normals:
        return _refuse("not_listed", name, _bare_domain_sentence(name))
    parents = [n for n in normals if name.endswith("." + n)]
    if parents:
        return _refuse("not_listed", name, _subdomain_sentence(name, parents[0]))
    lookalikes = [n.removeprefix("*.") for n in normals if n.removeprefix("*.") in name]
    if lookalikes:
        return _refuse("suffix_lookalike", name, _lookalike_sentence(name, lookalikes))
    return _refuse("not_listed", name, _unlisted_sentence(name))


def _unlisted_sentence(host: str) -> str:
    return (
        f"Host {host} is not on this tenant's allow list; if it really is the "
        f"LMS's HACP host, add the entry {host!r}."
    )


def _bare_domain_sentence(host: str) -> str:
    return (
        f"Host {host} is not on this tenant's allow list: the entry '*.{host}' "
        f"covers its subdomains only; add the entry {host!r} as well if the LMS "
        "serves HACP there."
    )


def _subdomain_sentence(host: str, parent: str) -> str:
    return (
        f"Host {host} is not on this tenant's allow list: it is a subdomain of the "
        f"listed {parent!r}, but entries match exactly; add the entry {host!r} "
        f"(or '*.{parent}' for every subdomain)."
    )


def _lookalike_sentence(host: str, lookalikes: list[str]) -> str:
    return (
        f"Host {host} only looks like the listed {lookalikes[0]!r} (anyone can "
        "register such a name), so it was refused; add the entry "
        f"{host!r} only if the LMS's admin confirms it is their HACP host."
    )


def _ip_sentence(host: str) -> str:
    return (
        f"The HACP URL names the IP address {host} instead of a host name; IP "
        f"addresses are refused unless listed exactly (add {host!r} only for a "
        "test or sandbox LMS)."
    )


def _empty_list(host: _Host) -> HostDecision:
    detail = (
        "The tenant's allow list has no usable entry, so no HACP host can be "
        f"trusted; add the LMS's HACP host names (this launch used {host.name})."
    )
    return _refuse("empty_allow_list", host.name, detail)


def _plain_http(decision: HostDecision) -> HostDecision:
    detail = (
        f"Host {decision.host} is listed but the HACP URL uses plain http, which "
        "would send the session id in clear; the LMS must use https "
        "(allow_http=True exists for test LMSs on 127.0.0.1)."
    )
    return HostDecision(False, decision.host, "plain_http", detail, decision.matched)


def _refuse(reason: str, host: str, detail: str) -> HostDecision:
    return HostDecision(False, host, reason, detail, None)


def _logged(decision: HostDecision) -> HostDecision:
    logger.debug("HACP host %r: %s", decision.host, decision.reason)
    return decision
