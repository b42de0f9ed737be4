"""aiccbridge: AICC packages out to LMSs, learner progress back.

This module is the public API for vendor plugins: everything a plugin needs is
importable from here, and nothing else of aiccbridge is promised to stay put.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiccbridge.hookspecs import hookimpl
from aiccbridge.vendor import INI_SPECIAL, SHARED_PUBLIC_HOSTS, Vendor

if TYPE_CHECKING:
    from aiccbridge.config import TenantConfig
    from aiccbridge.errors import (
        AiccBridgeError,
        ConfigError,
        ExitCode,
        PluginError,
        VendorError,
    )

__all__ = [
    "INI_SPECIAL",
    "SHARED_PUBLIC_HOSTS",
    "AiccBridgeError",
    "ConfigError",
    "ExitCode",
    "PluginError",
    "TenantConfig",
    "Vendor",
    "VendorError",
    "__version__",
    "hookimpl",
]

__version__ = "0.1.0"

_LAZY = {
    "TenantConfig": "aiccbridge.config",
    "AiccBridgeError": "aiccbridge.errors",
    "ConfigError": "aiccbridge.errors",
    "ExitCode": "aiccbridge.errors",
    "PluginError": "aiccbridge.errors",
    "VendorError": "aiccbridge.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'aiccbridge' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
