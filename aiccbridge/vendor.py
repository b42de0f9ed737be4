"""What a vendor plugin registers: one :class:`Vendor` per LMS product.

A vendor is data, not code: its default HACP hostnames, which of them are shared
public hosts, how packages reach the LMS, the text encoding and characters its
parsers can take, how it launches content and whether its mobile app reports AICC
activity. The application reads these facts; nothing in the core knows any vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from aiccbridge.core.hacp import WriteProfile

__all__ = [
    "DELIVERY_ROUTES",
    "INI_SPECIAL",
    "LAUNCH_MODES",
    "MOBILE_TRACKING",
    "SHARED_PUBLIC_HOSTS",
    "Vendor",
]

DeliveryRoute = Literal["api", "outbox"]
LaunchMode = Literal["new_window", "iframe", "either"]
MobileTracking = Literal["yes", "no", "unknown"]

DELIVERY_ROUTES: tuple[str, ...] = ("api", "outbox")
LAUNCH_MODES: tuple[str, ...] = ("new_window", "iframe", "either")
MOBILE_TRACKING: tuple[str, ...] = ("yes", "no", "unknown")

#: Characters an INI-style ``.crs`` reader (PHP's parse_ini_file) cannot take.
INI_SPECIAL = '?{}|&~!()^";'

#: Hosts where anyone can serve pages: an allow-list entry for one of them lets
#: anybody pose as the LMS. Vendors may list them; ``vendors`` and ``doctor`` mark them.
SHARED_PUBLIC_HOSTS: frozenset[str] = frozenset(
    {
        "googleapis.com",
        "pusher.com",
        "filepicker.io",
        "boxcdn.net",
        "api.box.com",
        "boxcloud.com",
        "excel.officeapps.live.com",
    }
)


@dataclass(frozen=True)
class Vendor:
    """One LMS product as aiccbridge needs to know it.

    :param id: the vendor id used in ``aiccbridge.toml`` (``vendor = "schoox"``) and on
        the command line (``--vendor schoox``): lower-case letters, digits and ``-``.
    :param name: the product's name for people.
    :param hostnames: default HACP hosts to allow-list; a tenant adds its own.
        ``*.example.com`` admits that domain's subdomains.
    :param delivery: ``"api"`` when packages are uploaded through the vendor's API,
        ``"outbox"`` when an admin uploads a bundle by hand.
    :param encoding: the text encoding its course-file parser reads safely
        (``ascii``, ``cp1252`` or ``utf-8``); a tenant may override it.
    :param forbidden_chars: characters its course-file parser cannot take in titles
        and descriptions; they are replaced when packages are built.
    :param launch_mode: how it opens content: ``new_window``, ``iframe`` or ``either``.
    :param iframe_allowed: whether content may be framed (``None`` when unknown).
    :param mobile_tracking: whether its mobile app reports AICC activity.
    :param credentials: names of the credentials its API needs; a tenant maps each to
        the name of an environment variable.
    :param needs_hostnames: a tenant must list its own hosts (the vendor has no
        fixed ones, e.g. a self-hosted site).
    :param aicc_version: the AICC version to write when a tenant sets none.
    :param notes: one-line facts an integration consultant should know.
    :param hacp: how the gateway writes HACP to this LMS (line ends, key case,
        score and time formats, allowed statuses, where progress goes); ``None``
        for the strict default profile.
    """

    id: str
    name: str
    hostnames: tuple[str, ...] = ()
    delivery: DeliveryRoute = "outbox"
    encoding: str = "ascii"
    forbidden_chars: str = ""
    launch_mode: LaunchMode = "new_window"
    iframe_allowed: bool | None = None
    mobile_tracking: MobileTracking = "unknown"
    credentials: tuple[str, ...] = ()
    needs_hostnames: bool = False
    aicc_version: str = "3.5"
    notes: tuple[str, ...] = field(default=())
    hacp: WriteProfile | None = None

    def write_profile(self) -> WriteProfile:
        """The HACP write profile, the strict default when the vendor sets none."""
        from aiccbridge.core.hacp import DEFAULT_PROFILE

        return self.hacp or DEFAULT_PROFILE

    def shared_hosts(self) -> tuple[str, ...]:
        """The default hostnames that are shared public hosts."""
        return tuple(h for h in self.hostnames if _is_shared(h))


def _is_shared(host: str) -> bool:
    bare = host.removeprefix("*.")
    return any(bare == s or bare.endswith("." + s) for s in SHARED_PUBLIC_HOSTS)
