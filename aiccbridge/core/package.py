"""The AICC package: model, strict writer, lenient reader and safe zips.

Build a package from the model and write it the way strict LMSs want it::

    package = Package(
        base_name="course",
        course=CourseInfo(course_id="C1", title="Safety basics", version="3.0"),
        aus=(AssignableUnit(system_id="A1", file_name="https://example.com/c1"),),
        descriptors=(Descriptor(system_id="A1", title="Safety basics"),),
        structure=(StructureRow(block="Root", members=("A1",)),),
    )
    data = build_zip(package, encoding="cp1252")

Read any package, with diagnostics instead of exceptions for what is wrong
inside it::

    reading = read_package("course.zip")
    for diagnostic in reading.diagnostics:
        print(diagnostic)
"""

from __future__ import annotations

from aiccbridge.core._diagnostics import CODES as DIAGNOSTIC_CODES
from aiccbridge.core._diagnostics import Diagnostic, PackageReading
from aiccbridge.core._model import (
    AICC_VERSIONS,
    ENCODINGS,
    AssignableUnit,
    CourseInfo,
    Descriptor,
    Package,
    PackageFile,
    StructureRow,
    VersionRules,
    version_rules,
)
from aiccbridge.core._reader import read_package
from aiccbridge.core._text import FittedText, fit_text
from aiccbridge.core._writer import build_zip, render_package, zip_files
from aiccbridge.core._zipsafe import ZipLimits

__all__ = [
    "AICC_VERSIONS",
    "DIAGNOSTIC_CODES",
    "ENCODINGS",
    "AssignableUnit",
    "CourseInfo",
    "Descriptor",
    "Diagnostic",
    "FittedText",
    "Package",
    "PackageFile",
    "PackageReading",
    "StructureRow",
    "VersionRules",
    "ZipLimits",
    "build_zip",
    "fit_text",
    "read_package",
    "render_package",
    "version_rules",
    "zip_files",
]
