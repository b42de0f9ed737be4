"""The root of every error aiccbridge raises on purpose.

The tree, core part (the application adds its branches in ``aiccbridge.errors``)::

    AiccBridgeError
    ├── PackageError            a package that cannot be read at all
    │   └── UnsafeArchiveError  a zip that breaks the read limits
    └── HacpError               an HACP exchange that failed (see aiccbridge.core.hacp)

Every error carries a one-line ``message`` a user can act on and an optional
``hint`` saying what to do about it.
"""

from __future__ import annotations

__all__ = ["AiccBridgeError", "PackageError", "UnsafeArchiveError"]


class AiccBridgeError(Exception):
    """Base class of every error aiccbridge raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class PackageError(AiccBridgeError):
    """A package (zip or folder) that cannot be read at all."""


class UnsafeArchiveError(PackageError):
    """A zip that breaks the read limits: paths, size, entry count or ratio."""
