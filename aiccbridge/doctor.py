"""``aiccbridge doctor``: is a tenant ready to go live, and does its LMS speak HACP?

Every check gives :class:`Check` lines: ``pass``, ``warn`` or ``fail``, the
check's name and what to do. The config side reuses
:func:`~aiccbridge.checks.check_config`'s findings, each reported under the
check it belongs to; the tenant checks are the callables in
:data:`TENANT_CHECKS`, so a new one (a vendor credentials ping) is one more
function of a :class:`TenantScope`.

Given a URL, :func:`check_url` runs the gateway's own launch check on it and,
only when that accepts the HACP URL, probes the endpoint with one real
``GetParam``: the launch's session id, or :data:`DUMMY_SESSION_ID` for a bare
``AICC_URL`` (an LMS answers that with HACP error 3, which still proves it
speaks HACP). The session id is never shown in clear.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlsplit

from aiccbridge.checks import Finding, check_config
from aiccbridge.config import Config, TenantConfig
from aiccbridge.core import AiccBridgeError
from aiccbridge.core.hacp import (
    HacpError,
    HacpHttpError,
    HacpLmsError,
    HacpNetworkError,
    HacpNotHacpError,
    HacpRedirectError,
    SyncHacpClient,
    is_already_exited,
)
from aiccbridge.core.launch import LaunchParams, check_hacp_url
from aiccbridge.delivery import DeliveryJob
from aiccbridge.launching import LaunchTemplate, LaunchVerdict, allow_list, check_launch
from aiccbridge.plugins import Plugins
from aiccbridge.tenants import TenantError, find_tenant
from aiccbridge.vendor import Vendor

__all__ = [
    "DEFAULT_TIMEOUT",
    "DUMMY_SESSION_ID",
    "TENANT_CHECKS",
    "Check",
    "Status",
    "TenantCheck",
    "TenantScope",
    "allow_http_check",
    "allow_list_check",
    "check_url",
    "config_check",
    "credentials_check",
    "run_doctor",
]

log = logging.getLogger(__name__)

Status = Literal["pass", "warn", "fail"]

#: Seconds to wait for the HACP endpoint's answer.
DEFAULT_TIMEOUT = 10.0

#: The session id a bare ``AICC_URL`` is probed with: letters and digits only,
#: since some LMSs strip everything else before looking a session up.
DUMMY_SESSION_ID = "AICCBRIDGEDOCTOR0000PROBE"

_LAUNCH_PARAMETER = re.compile(r"[?&]aicc_(?:url|sid)=", re.IGNORECASE)
_LOGIN_STATUSES = frozenset({401, 403, 407})


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the doctor's report."""

    status: Status
    name: str
    message: str
    tenant: str = ""
    details: Mapping[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """The check as ``doctor --json`` prints it."""
        return {
            "status": self.status,
            "name": self.name,
            "tenant": self.tenant or None,
            "message": self.message,
            "details": dict(self.details),
        }

    def line(self) -> str:
        """The check as one report line: status, name, tenant and message."""
        scope = f"{self.tenant}: " if self.tenant else ""
        return f"{self.status:<5} {self.name:<12} {scope}{self.message}"


@dataclass(frozen=True)
class TenantScope:
    """What a tenant check is given: the tenant, its vendor and its config findings.

    ``vendor`` is None when no plugin registers the tenant's vendor (the
    ``config`` check reports that); ``findings`` are ``config check``'s for the
    tenant.
    """

    config: Config
    plugins: Plugins
    tenant: TenantConfig
    vendor: Vendor | None
    findings: tuple[Finding, ...]

    def routed(self, name: str) -> list[Check]:
        """The findings that belong to check ``name``, as checks."""
        return [_from_finding(f) for f in self.findings if _route(f.key) == name]

    def passed(self, name: str, message: str, **details: object) -> Check:
        """A passing check of this tenant."""
        return Check("pass", name, message, self.tenant.name, details)


TenantCheck = Callable[[TenantScope], Iterable[Check]]


# --- the config side -------------------------------------------------------------


def _route(key: str) -> str:
    """The check a ``config check`` finding is reported under, by its key."""
    if key == "hostnames":
        return "allow-list"
    if key == "allow_http":
        return "allow_http"
    if key.startswith("credentials"):
        return "credentials"
    return "config"


def _from_finding(finding: Finding) -> Check:
    status: Status = "fail" if finding.severity == "error" else "warn"
    text = f"{finding.key}: {finding.message}" if finding.key else finding.message
    return Check(status, _route(finding.key), text, finding.tenant)


def config_check(scope: TenantScope) -> list[Check]:
    """The tenant's settings against its vendor and every plugin's rules."""
    found = scope.routed("config")
    if found or scope.vendor is None:
        return found
    vendor = scope.vendor
    message = f"vendor {vendor.id} ({vendor.name}) is registered; its rules are met"
    return [scope.passed("config", message)]


def allow_list_check(scope: TenantScope) -> list[Check]:
    """Hosts given where the vendor has none; shared public hosts on the list."""
    found = scope.routed("allow-list")
    if found or scope.vendor is None:
        return found
    hosts = allow_list(scope.tenant, scope.vendor)
    message = (
        f"{len(hosts)} host{'' if len(hosts) == 1 else 's'} allowed, none flagged "
        f"(`aiccbridge tenant show {scope.tenant.name}` lists them)"
    )
    return [scope.passed("allow-list", message, hosts=list(hosts))]


def allow_http_check(scope: TenantScope) -> list[Check]:
    """``allow_http = true`` is a warning: it is meant for test LMSs only."""
    found = scope.routed("allow_http")
    if found or scope.vendor is None:
        return found
    return [scope.passed("allow_http", "plain-http AICC_URLs are refused")]


def credentials_check(scope: TenantScope) -> list[Check]:
    """Each credential the vendor needs is named and set in the environment."""
    found = scope.routed("credentials")
    if found or scope.vendor is None:
        return found
    vendor = scope.vendor
    if not vendor.credentials:
        return [scope.passed("credentials", f"{vendor.name} needs none")]
    named = {k: scope.tenant.credentials.get(k) for k in vendor.credentials}
    parts = []
    if any(named.values()):
        parts.append(
            "set in the environment: " + ", ".join(filter(None, named.values()))
        )
    unnamed = [k for k, env in named.items() if not env]
    if unnamed:
        parts.append(f"not named: {', '.join(unnamed)} (only API delivery uses them)")
    return [scope.passed("credentials", "; ".join(parts))]


def vendor_ping_check(scope: TenantScope) -> list[Check]:
    """Ask the vendor's API whether the tenant's credentials work."""
    vendor = scope.vendor
    if vendor is None:
        return []
    api = scope.plugins.vendor_api(vendor)
    if api is None:
        return []
    values = {k: scope.tenant.credential(k) or "" for k in vendor.credentials}
    if not all(values.values()):
        return [
            Check(
                "warn",
                "vendor ping",
                "skipped: credentials not set in the environment",
                scope.tenant.name,
            )
        ]
    job = DeliveryJob(scope.tenant, vendor, (), (), values)
    try:
        answer = api.ping(job)
    except AiccBridgeError as exc:
        return [
            Check(
                "fail",
                "vendor ping",
                f"{exc.message}; check the credentials "
                "and that the API is enabled for them",
                scope.tenant.name,
            )
        ]
    return [scope.passed("vendor ping", answer)]


#: The checks run for every tenant, in order.
TENANT_CHECKS: tuple[TenantCheck, ...] = (
    config_check,
    allow_list_check,
    allow_http_check,
    credentials_check,
    vendor_ping_check,
)


# --- the whole run ---------------------------------------------------------------


def run_doctor(
    config: Config,
    plugins: Plugins,
    *,
    tenant: str | None = None,
    url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    checks: Sequence[TenantCheck] = TENANT_CHECKS,
) -> list[Check]:
    """Every check for the config, the chosen tenants and, given ``url``, the LMS.

    ``tenant`` limits the tenant checks to one tenant (raises
    :class:`~aiccbridge.tenants.TenantError` when there is none by that name); a
    launch URL that names a tenant of the config limits them to that one too.
    """
    _check_timeout(timeout)
    chosen = find_tenant(config, tenant).name if tenant else None
    target = _target(config, url, chosen) if url else None
    if chosen is None and target is not None and target.tenant in config.tenants:
        chosen = target.tenant
    report = _config_checks(config, plugins, chosen, checks)
    if target is not None:
        report += _url_checks(config, plugins, target, timeout)
    return report


def check_url(
    config: Config,
    plugins: Plugins,
    url: str,
    *,
    tenant: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[Check]:
    """Launch-check ``url`` (a launch URL or a bare ``AICC_URL``), then probe it."""
    _check_timeout(timeout)
    chosen = find_tenant(config, tenant).name if tenant else None
    return _url_checks(config, plugins, _target(config, url, chosen), timeout)


def _check_timeout(timeout: float) -> None:
    if not timeout > 0:
        raise TenantError(f"--timeout: {timeout} is not a positive number of seconds")


def _config_checks(
    config: Config,
    plugins: Plugins,
    tenant: str | None,
    checks: Sequence[TenantCheck],
) -> list[Check]:
    findings = check_config(config, plugins)
    names = list(config.tenants) if tenant is None else [tenant]
    report = [_loaded(config), *_plugin_checks(plugins)]
    report += [_from_finding(f) for f in findings if not f.tenant]
    for name in names:
        scope = _scope(config, plugins, name, findings)
        report += [c for check in checks for c in check(scope)]
    return report


def _scope(
    config: Config, plugins: Plugins, name: str, findings: Iterable[Finding]
) -> TenantScope:
    tenant = config.tenants[name]
    mine = tuple(f for f in findings if f.tenant == name)
    vendor = plugins.vendors().get(tenant.vendor)
    return TenantScope(config, plugins, tenant, vendor, mine)


def _loaded(config: Config) -> Check:
    count = len(config.tenants)
    message = f"{config.path} loads: {count} tenant{'' if count == 1 else 's'}"
    return Check("pass", "config", message)


def _plugin_checks(plugins: Plugins) -> list[Check]:
    infos = plugins.infos()
    broken = [i for i in infos if i.status == "broken"]
    if not broken:
        loaded = sum(i.status == "loaded" for i in infos)
        return [Check("pass", "plugins", f"{loaded} loaded")]
    return [
        Check(
            "warn",
            "plugins",
            f"plugin {i.name!r} ({i.distribution} {i.version}) is broken: {i.error}; "
            "its vendors are missing until it is fixed or reinstalled",
        )
        for i in broken
    ]


# --- the URL side ----------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """What to launch-check: a pasted launch, or a bare AICC_URL with a dummy id."""

    tenant: str | None
    course_id: str | None
    query: str | Mapping[str, str]
    dummy: bool


def _target(config: Config, url: str, tenant: str | None) -> _Target:
    if _LAUNCH_PARAMETER.search(url):
        named = _named(config, url)
        return _Target(
            tenant or named.get("tenant"), named.get("course_id"), url, False
        )
    if tenant is None:
        raise TenantError(
            "--url holds no AICC_SID or AICC_URL parameter, so it is read as a bare "
            "AICC_URL: name its tenant with --tenant T"
        )
    return _Target(tenant, None, {"AICC_SID": DUMMY_SESSION_ID, "AICC_URL": url}, True)


def _named(config: Config, url: str) -> dict[str, str]:
    try:
        path = urlsplit(url).path
    except ValueError:
        return {}
    return LaunchTemplate(config.provider.launch_url).match(path) or {}


def _url_checks(
    config: Config, plugins: Plugins, target: _Target, timeout: float
) -> list[Check]:
    verdict = check_launch(
        config,
        plugins,
        tenant=target.tenant,
        course_id=target.course_id,
        query=target.query,
    )
    report = [_launch_line(verdict, target)]
    params = verdict.params
    if params is None:
        return report
    tenant = config.tenants.get(verdict.tenant or "")
    report += _https_line(params.hacp_url, verdict.tenant or "", tenant)
    if not verdict.accepted or tenant is None:
        return report
    vendor = plugins.vendors()[tenant.vendor]
    probe = _Probe(tenant.name, verdict.host, target.dummy)
    return report + probe.run(params, verdict.allow_list, tenant, vendor, timeout)


def _launch_line(verdict: LaunchVerdict, target: _Target) -> Check:
    tenant = verdict.tenant or ""
    details = {
        "reason": verdict.reason,
        "host": verdict.host,
        "session": verdict.session,
    }
    if not verdict.accepted:
        message = (
            f"the gateway would refuse this launch ({verdict.reason}): "
            f"{verdict.detail.rstrip('.')}. The endpoint was not probed."
        )
        return Check("fail", "launch", message, tenant, details)
    session = (
        "A made-up session id is used for the probe."
        if target.dummy
        else f"Session {verdict.session}."
    )
    message = f"the gateway would accept it. {verdict.detail} {session}"
    return Check("pass", "launch", message, tenant, details)


def _https_line(hacp_url: str, name: str, tenant: TenantConfig | None) -> list[Check]:
    """Whether the session id would travel encrypted (nothing for other schemes)."""
    try:
        scheme = urlsplit(hacp_url).scheme.lower()
    except ValueError:
        return []
    if scheme == "https":
        return [Check("pass", "https", "the HACP URL uses https", name)]
    if scheme != "http":
        return []
    if tenant is not None and tenant.allow_http:
        return [
            Check(
                "warn",
                "https",
                "plain http, accepted only because allow_http = true: the session id "
                "travels in clear; keep it to a test LMS",
                name,
            )
        ]
    return [
        Check(
            "fail",
            "https",
            "plain http would send the session id in clear: configure the LMS to "
            "send an https AICC_URL (allow_http is for test LMSs only)",
            name,
        )
    ]


# --- the probe -------------------------------------------------------------------


@dataclass(frozen=True)
class _Probe:
    """Turns the outcome of one probing GetParam into checks."""

    tenant: str
    host: str
    dummy: bool
    elapsed: float = 0.0

    def run(
        self,
        params: LaunchParams,
        hosts: tuple[str, ...],
        tenant: TenantConfig,
        vendor: Vendor,
        timeout: float,
    ) -> list[Check]:
        """Post one GetParam, re-checking the URL against the allow-list first."""

        def allowed(url: str) -> bool:
            return check_hacp_url(url, hosts, allow_http=tenant.allow_http).allowed

        log.debug(
            "probing the HACP endpoint at %s for tenant %s", self.host, self.tenant
        )
        client = SyncHacpClient(
            params.hacp_url,
            params.session_id,
            profile=vendor.write_profile(),
            timeout=timeout,
            retries=0,
            allowed=allowed,
        )
        started = time.perf_counter()
        try:
            with client:
                client.get_param()
        except HacpError as error:
            return self.timed(started).failed(error)
        return self.timed(started).answered(0, "")

    def timed(self, started: float) -> _Probe:
        return replace(self, elapsed=time.perf_counter() - started)

    def check(self, status: Status, name: str, message: str, **extra: object) -> Check:
        return Check(status, name, message, self.tenant, {"host": self.host, **extra})

    def reached(self) -> Check:
        ms = round(self.elapsed * 1000)
        message = f"{self.host} answered in {ms} ms"
        return self.check("pass", "reachable", message, elapsed_ms=ms)

    def failed(self, error: HacpError) -> list[Check]:
        if isinstance(error, HacpLmsError):
            return self.answered(error.code or 0, error.text, error)
        if isinstance(error, HacpNetworkError):
            return [self.unreachable(error)]
        if isinstance(error, HacpRedirectError):
            return [self.reached(), self.redirected(error)]
        if isinstance(error, HacpHttpError):
            return [self.reached(), self.http_status(error)]
        if isinstance(error, HacpNotHacpError):
            return [self.reached(), self.not_hacp(error)]
        return [self.check("fail", "probe", f"{error.message}; nothing was learned")]

    def unreachable(self, error: HacpNetworkError) -> Check:
        if "Timeout" in error.message:
            why = "it did not answer in time: the LMS may be down or slow, or a "
            why += "firewall drops this machine's traffic (try a longer --timeout)"
        else:
            why = "the connection failed (refused, or the host name does not "
            why += "resolve): check the host and port of AICC_URL and that the LMS "
            why += "is up and reachable from this machine"
        return self.check("fail", "reachable", f"{error.message}; {why}")

    def redirected(self, error: HacpRedirectError) -> Check:
        message = (
            f"the endpoint redirected to {error.host}: it wants a browser login or "
            "cookies, which a server cannot give; AICC_URL must be the LMS's HACP "
            "endpoint, which answers without a login (ask the LMS admin to enable "
            "external HACP)"
        )
        return self.check("fail", "no-login", message, redirect_host=error.host)

    def http_status(self, error: HacpHttpError) -> Check:
        status = error.status
        if status in _LOGIN_STATUSES:
            message = (
                f"the endpoint answered HTTP {status}: it wants a login; AICC_URL "
                "must be an HACP endpoint that answers without one"
            )
            return self.check("fail", "no-login", message, http_status=status)
        message = (
            f"the endpoint answered HTTP {status}, not HACP: check the path of "
            "AICC_URL with the LMS admin"
            + ("; the LMS itself failed, try again later" if status >= 500 else "")
        )
        return self.check("fail", "hacp", message, http_status=status)

    def not_hacp(self, error: HacpNotHacpError) -> Check:
        message = (
            f"{error.message}: AICC_URL is probably a web page (a login form or an "
            "error page) rather than the LMS's HACP endpoint"
        )
        if self.dummy:
            message += (
                "; some LMSs answer an unknown session with an HTML error page, "
                "so paste a real launch URL to be sure"
            )
        return self.check("fail", "hacp", message)

    def answered(
        self, code: int, text: str, error: HacpLmsError | None = None
    ) -> list[Check]:
        spoken = self.check(
            "pass", "hacp", f"answered in HACP (error={code})", hacp_error=code
        )
        no_login = self.check("pass", "no-login", "answered without cookies or login")
        return [self.reached(), no_login, spoken, self.explained(code, text, error)]

    def explained(self, code: int, text: str, error: HacpLmsError | None) -> Check:
        said = f"error {code}" + (f" ({text})" if text else "")
        status, advice = _meaning(code, error, self.dummy)
        return self.check(status, "hacp-error", f"{said}: {advice}", hacp_error=code)


def _meaning(code: int, error: HacpLmsError | None, dummy: bool) -> tuple[Status, str]:
    """What an HACP error code means for the probe, and what to do."""
    if code == 0:
        if dummy:
            return "pass", "the LMS accepted even a made-up session id"
        return "pass", "the LMS knows this session (GetParam only reads)"
    if code == 3 and dummy:
        return "pass", (
            "invalid session id, as expected for the made-up id: the endpoint "
            "speaks HACP"
        )
    if code == 3:
        return "warn", (
            "the LMS does not know this session (expired or wrong): launch the "
            "course again from the LMS and paste the new URL"
        )
    if error is not None and is_already_exited(error):
        return "warn", "this session has ended: launch the course again from the LMS"
    if dummy:
        return "warn", (
            "an unusual answer to a made-up session id, where 3 is usual: paste a "
            "real launch URL to be sure"
        )
    return "fail", _FAILURES.get(code, _OTHER_FAILURE)


_FAILURES = {
    1: "the LMS refused GetParam (invalid command): ask the LMS admin whether "
    "external HACP is enabled for this course",
    2: "the LMS expects an AU password: check the course's AU settings in the LMS",
}
_OTHER_FAILURE = "a code of this LMS's own: ask the LMS admin what it means"
