"""The hook contract between aiccbridge and its vendor plugins.

A plugin is a module named by an entry point in the ``aiccbridge`` group::

    [project.entry-points.aiccbridge]
    myvendor = "aiccbridge_myvendor"

and implements any of the hooks below with :data:`aiccbridge.hookimpl`. Every hook
is called once per plugin, in registration order; a hook that raises marks its
plugin as broken and the others go on. Core code never calls these through pluggy
directly: :class:`aiccbridge.plugins.Plugins` is the typed door.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from aiccbridge.config import TenantConfig
    from aiccbridge.delivery import VendorApi
    from aiccbridge.vendor import Vendor

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("aiccbridge")
hookimpl = pluggy.HookimplMarker("aiccbridge")


@hookspec
def aiccbridge_register_vendors(register: Callable[[Vendor], None]) -> None:
    """Register the LMS vendors this plugin knows.

    Called once per plugin when the vendor list is first needed (any command that
    reads the config, ``vendors``, ``plugins``). Call ``register`` once per
    :class:`~aiccbridge.vendor.Vendor`. The vendor is checked there: an invalid one,
    or an id another plugin already registered, marks this plugin as broken with
    the reason, and its other vendors are dropped.

    :param register: call it with each vendor.
    :return: nothing; results are collected through ``register``.

    .. versionadded:: 0.1.0
    """


@hookspec
def aiccbridge_check_tenant(tenant: TenantConfig, vendor: Vendor) -> list[str] | None:
    """Say what is wrong with a tenant's settings for a vendor.

    Called by ``aiccbridge config check`` (and before a sync) for every tenant, on
    every plugin; each plugin should only answer for its own vendors and return
    ``None`` for the rest. The core already checks what every vendor shares
    (credentials named, hostnames present when the vendor needs them, a known
    encoding and version), so a plugin checks only its own rules.

    :param tenant: the tenant's validated settings.
    :param vendor: the tenant's vendor, as registered.
    :return: one line per problem, each naming the key at fault; all results are
        collected.

    .. versionadded:: 0.1.0
    """


@hookspec(firstresult=True)
def aiccbridge_vendor_api(vendor: Vendor) -> VendorApi | None:
    """Give the API client that delivers packages for a vendor.

    Called by ``sync`` (and ``doctor``, to ping credentials) for a tenant whose
    vendor has ``delivery = "api"``. Return ``None`` for vendors that are not
    yours. The first non-``None`` result wins. Without one, the vendor's packages
    go to the outbox.

    :param vendor: the tenant's vendor, as registered.
    :return: an object with ``ping(job)`` and ``deliver(job)``
        (:class:`aiccbridge.delivery.VendorApi`), or ``None``.

    .. versionadded:: 0.1.0
    """
