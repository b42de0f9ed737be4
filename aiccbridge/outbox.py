"""Outbox bundles: a folder of packages and a manifest for an admin to upload by hand.

A bundle is written under a hidden ``.<name>.partial`` folder and renamed to its
final name (its UTC time, ``20261203T101500Z``) only when every file is on disk,
so a bundle appears complete or not at all.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

__all__ = [
    "MANIFEST_COLUMNS",
    "bundle_name",
    "partial_path",
    "remove_partial",
    "write_bundle",
]

MANIFEST_COLUMNS = (
    "action",
    "course_id",
    "title",
    "package",
    "sha256",
    "line",
    "reason",
    "instruction",
)

_ADMIN_NOTES = """\
aiccbridge outbox bundle {bundle} for tenant {tenant} ({vendor})

Upload by hand in the LMS, then record what you did with
    aiccbridge bundles mark {bundle} uploaded

manifest.csv / manifest.json list every package, by action:
  add        a new course: upload the zip as a new AICC course
  replace    a changed course: replace the existing course's package with the zip
  unchanged  (full exports only) already delivered before; upload only where missing
  retire     a course no longer in the tenant's library: retire or hide it in the LMS
  rejected   a catalog row that could not be built; fix the catalog and sync again
"""


def bundle_name(now: datetime, outbox: Path) -> str:
    """A bundle name from the UTC time, unique within the outbox."""
    base = now.strftime("%Y%m%dT%H%M%SZ")
    name, n = base, 1
    while (outbox / name).exists() or partial_path(outbox, name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def partial_path(outbox: Path, name: str) -> Path:
    return outbox / f".{name}.partial"


def remove_partial(outbox: Path, name: str) -> None:
    shutil.rmtree(partial_path(outbox, name), ignore_errors=True)


def write_bundle(
    outbox: Path,
    name: str,
    packages: Iterable[tuple[str, bytes]],
    manifest: Mapping[str, object],
    rows: Sequence[Mapping[str, object]],
) -> Path:
    """Write a bundle atomically and return its final path."""
    final = outbox / name
    work = partial_path(outbox, name)
    remove_partial(outbox, name)
    work.mkdir(parents=True)
    written = [_write(work / file_name, data) for file_name, data in packages]
    notes = _ADMIN_NOTES.format(
        bundle=name, tenant=manifest["tenant"], vendor=manifest["vendor"]
    ) + _instructions(rows)
    written += [
        _write(work / "manifest.json", _json_bytes(manifest)),
        _write(work / "manifest.csv", _csv_bytes(rows)),
        _write(work / "README.txt", notes.encode("utf-8")),
    ]
    for path in (*written, work):  # flushed in one pass: cheaper than file by file
        _fsync(path)
    os.rename(work, final)
    _fsync(outbox)
    return final


def _instructions(rows: Sequence[Mapping[str, object]]) -> str:
    steps = [
        f"  {r['course_id']} ({r.get('package') or r['action']}): {r['instruction']}"
        for r in rows
        if r.get("instruction")
    ]
    if not steps:
        return ""
    return (
        "\nWhat the vendor's API could not do, to do by hand:\n"
        + "\n".join(steps)
        + "\n"
    )


def _write(path: Path, data: bytes) -> Path:
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _json_bytes(manifest: Mapping[str, object]) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _csv_bytes(rows: Sequence[Mapping[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, MANIFEST_COLUMNS, lineterminator="\r\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
