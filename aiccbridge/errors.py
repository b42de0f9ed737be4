"""The exception tree and the exit codes every command shares.

::

    AiccBridgeError                 (aiccbridge.core)
    ├── PackageError                a package that cannot be read at all
    │   └── UnsafeArchiveError      a zip that breaks the read limits
    ├── HacpError                   an HACP exchange that failed (aiccbridge.core.hacp)
    ├── ConfigError                 aiccbridge.toml is missing, unreadable or invalid
    ├── CatalogError                the catalog file is missing, not text, or mis-mapped
    ├── PluginError                 a plugin failed to load or registered a bad vendor
    ├── UsageError                  a command asked for something that is not there
    ├── StoreError                  the state store cannot be opened or is corrupt
    │   └── StoreBusyError          another run holds the state store
    └── VendorError                 a vendor's API refused or failed

Vendor plugins raise these classes, never their own roots, so the CLI treats every
vendor alike.
"""

from __future__ import annotations

import enum

from aiccbridge.catalog import CatalogError
from aiccbridge.core import AiccBridgeError, PackageError, UnsafeArchiveError

__all__ = [
    "AiccBridgeError",
    "CatalogError",
    "ConfigError",
    "ExitCode",
    "PackageError",
    "PluginError",
    "StoreBusyError",
    "StoreError",
    "UnsafeArchiveError",
    "UsageError",
    "VendorError",
]


class ExitCode(enum.IntEnum):
    """What a command's exit status means; the same on every command."""

    #: Everything worked and nothing needs attention.
    OK = 0
    #: The command ran, but its findings need attention: rows rejected, deliveries
    #: failed, a package with errors, a launch refused.
    FINDINGS = 1
    #: Usage or config error: a bad option, an invalid aiccbridge.toml, a catalog
    #: file that is missing or not text.
    USAGE = 2
    #: Another run holds the state store; nothing was done.
    BUSY = 3
    #: A plugin failed to load while strict plugin loading was on.
    PLUGIN = 4
    #: The state store cannot be opened or is damaged.
    STATE = 5
    #: A bug in aiccbridge: an unexpected exception (run with --debug for the trace).
    INTERNAL = 70


class ConfigError(AiccBridgeError):
    """aiccbridge.toml is missing, unreadable or invalid."""


class PluginError(AiccBridgeError):
    """A plugin failed to load, or registered something invalid."""


class UsageError(AiccBridgeError):
    """A command asked for something that does not exist or cannot be done."""


class StoreError(AiccBridgeError):
    """The state store cannot be opened, or its contents are damaged."""


class StoreBusyError(StoreError):
    """Another run holds the state store lock."""


class VendorError(AiccBridgeError):
    """A vendor's API refused a request or failed."""


def exit_code_for(error: AiccBridgeError) -> ExitCode:
    """Map an error onto the exit code the CLI reports for it."""
    if isinstance(error, StoreBusyError):
        return ExitCode.BUSY
    if isinstance(error, StoreError):
        return ExitCode.STATE
    if isinstance(error, PluginError):
        return ExitCode.PLUGIN
    if isinstance(error, ConfigError | CatalogError | UsageError):
        return ExitCode.USAGE
    return ExitCode.FINDINGS
