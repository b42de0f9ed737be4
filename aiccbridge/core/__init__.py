"""The vendor-neutral core: the AICC package model and the HACP engine.

Nothing in here imports any other part of aiccbridge.
"""

from __future__ import annotations

from aiccbridge.core._errors import AiccBridgeError, PackageError, UnsafeArchiveError
from aiccbridge.core.package import (
    AICC_VERSIONS,
    DIAGNOSTIC_CODES,
    ENCODINGS,
    AssignableUnit,
    CourseInfo,
    Descriptor,
    Diagnostic,
    FittedText,
    Package,
    PackageFile,
    PackageReading,
    StructureRow,
    VersionRules,
    ZipLimits,
    build_zip,
    fit_text,
    read_package,
    render_package,
    version_rules,
    zip_files,
)

__all__ = [
    "AICC_VERSIONS",
    "AiccBridgeError",
    "AssignableUnit",
    "CourseInfo",
    "DIAGNOSTIC_CODES",
    "Descriptor",
    "Diagnostic",
    "ENCODINGS",
    "FittedText",
    "Package",
    "PackageError",
    "PackageFile",
    "PackageReading",
    "StructureRow",
    "UnsafeArchiveError",
    "VersionRules",
    "ZipLimits",
    "build_zip",
    "fit_text",
    "read_package",
    "render_package",
    "version_rules",
    "zip_files",
]
