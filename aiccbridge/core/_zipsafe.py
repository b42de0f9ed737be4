"""Opening zips (and folders) from strangers without being hurt by them.

Every member is checked before anything is read: its path (absolute, ``..``,
drive letters, backslashes, NUL and other control characters), its type
(symlinks and special files are refused), the encryption flag, the entry count,
the declared size, the total size and the compression ratio. The data is then
read in bounded chunks and counted, so a header that lies cannot make a reader
hold more than the limits allow.

Only regular files are opened: a zip path or a folder's file that turns out to
be a device, a pipe or a socket is refused or skipped before a byte is read,
and a folder's files are read in bounded chunks like zip members.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from aiccbridge.core._errors import PackageError, UnsafeArchiveError

__all__ = [
    "DEFAULT_LIMITS",
    "ArchiveContents",
    "ZipLimits",
    "read_folder",
    "read_zip",
    "unsafe_name",
]

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024
_DRIVE = re.compile(r"[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WINDOWS_REPARSE_POINT = 0x400
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """What a package may weigh before it is refused as unsafe.

    ``max_ratio`` is checked per member (uncompressed over compressed size) for
    members larger than ``ratio_floor_bytes``: a small text file of spaces
    compresses far better than 100:1 and harms no one.
    """

    max_entries: int = 200
    max_total_bytes: int = 20 * 1024 * 1024
    max_member_bytes: int = 5 * 1024 * 1024
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 64 * 1024


DEFAULT_LIMITS = ZipLimits()
"""The limits :func:`read_zip` and the package reader use unless told otherwise."""


@dataclass(frozen=True, slots=True)
class ArchiveContents:
    """The files of a zip or folder: every name, and the data of the wanted ones.

    ``problems`` are (kind, name, detail) for members that were not read: kind
    ``"damaged"`` (detail says why), ``"duplicate"`` (a second member of that
    name), ``"symlink"`` (in a folder; not followed) or ``"special"`` (in a
    folder: a device, pipe or socket; not read). The caller reports them.
    """

    names: tuple[str, ...]
    data: Mapping[str, bytes] = field(default_factory=dict)
    problems: tuple[tuple[str, str, str], ...] = ()


def unsafe_name(name: str) -> str | None:
    """Say why ``name`` is not a safe path inside a package, or ``None`` if it is."""
    if not name:
        return "has an empty name"
    if "\x00" in name:
        return "has a NUL character in its name"
    if "\\" in name:
        return "has a backslash in its name"
    if _CONTROL.search(name):
        return "has a control character in its name"
    if name.startswith("/"):
        return "has an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    if ".." in name.split("/"):
        return "has a '..' path part"
    return None


def read_zip(
    source: bytes | str,
    *,
    label: str,
    limits: ZipLimits,
    wanted: Callable[[str], bool] = lambda name: True,
) -> ArchiveContents:
    """Check every member of the zip ``source`` (bytes or a path) and read the
    wanted ones.

    ``label`` names the zip in messages. Raises ``PackageError`` when ``source``
    is not a zip (a path must name a regular file) and ``UnsafeArchiveError``
    when a member breaks ``limits``.
    """
    with _stream(source, label) as stream:
        archive = _open(stream, label)
        with archive:
            infos = archive.infolist()
            _check_all(infos, label, limits)
            return _read_members(archive, infos, label, limits, wanted)


@contextmanager
def _stream(source: bytes | str, label: str) -> Iterator[BinaryIO]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
        return
    with _open_regular(Path(source), label) as stream:
        yield stream


def _open_regular(path: Path, label: str, *, follow: bool = True) -> BinaryIO:
    """Open ``path`` for reading, refusing anything but a regular file; opening
    never blocks (a pipe with no writer is refused like any other pipe)."""
    try:
        fd = os.open(path, _OPEN_FLAGS | (0 if follow else _NO_FOLLOW))
    except OSError as exc:
        raise PackageError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    stream = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        stream.close()
        raise PackageError(
            f"{label}: not a regular file or folder",
            hint="give the path of a package zip or of a folder with the course files",
        )
    return stream


def _open(stream: BinaryIO, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise PackageError(
            f"{label}: not a zip file ({exc})",
            hint="give a zip, zip bytes or a folder holding the course files",
        ) from None
    except OSError as exc:
        raise PackageError(f"{label}: cannot be read ({exc.strerror or exc})") from None


def _unsafe(label: str, name: str, problem: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        f"{label}: member {name!r} {problem}",
        hint="rebuild the zip from the course files; this one is refused for safety",
    )


def _check_all(infos: list[zipfile.ZipInfo], label: str, limits: ZipLimits) -> None:
    if len(infos) > limits.max_entries:
        raise UnsafeArchiveError(
            f"{label}: {len(infos)} entries, over the limit of {limits.max_entries}"
        )
    total = 0
    for info in infos:
        _check_member(info, label, limits)
        total += info.file_size
        if total > limits.max_total_bytes:
            raise _unsafe(
                label,
                info.orig_filename,
                f"takes the unpacked total over the limit of {limits.max_total_bytes}"
                " bytes",
            )


def _check_member(info: zipfile.ZipInfo, label: str, limits: ZipLimits) -> None:
    name = info.orig_filename
    problem = unsafe_name(name) or _type_problem(info)
    if problem is None and info.flag_bits & 0x1:
        problem = "is encrypted"
    if problem is None and info.file_size > limits.max_member_bytes:
        problem = (
            f"declares {info.file_size} bytes, more than the limit of "
            f"{limits.max_member_bytes}"
        )
    if problem is None:
        problem = _ratio_problem(info.file_size, info.compress_size, limits)
    if problem is not None:
        raise _unsafe(label, name, problem)


def _type_problem(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):
        return "is a symbolic link"
    if info.create_system == 3 and stat.S_IFMT(mode) not in (
        0,
        stat.S_IFREG,
        stat.S_IFDIR,
    ):
        return "is not a regular file"
    if info.external_attr & _WINDOWS_REPARSE_POINT:
        return "is a link (reparse point)"
    return None


def _ratio_problem(size: int, packed: int, limits: ZipLimits) -> str | None:
    if size <= limits.ratio_floor_bytes:
        return None
    ratio = size / max(packed, 1)
    if ratio <= limits.max_ratio:
        return None
    return f"compresses {ratio:.0f}:1, more than the limit of {limits.max_ratio:g}:1"


def _read_members(
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    label: str,
    limits: ZipLimits,
    wanted: Callable[[str], bool],
) -> ArchiveContents:
    names: dict[str, None] = {}
    data: dict[str, bytes] = {}
    problems: list[tuple[str, str, str]] = []
    budget = [limits.max_total_bytes]
    for info in infos:
        name = info.orig_filename
        if info.is_dir():
            continue
        if name in names:
            problems.append(("duplicate", name, ""))
            continue
        names[name] = None
        if wanted(name):
            _read_one(archive, info, label, limits, budget, data, problems)
    return ArchiveContents(tuple(names), data, tuple(problems))


def _read_one(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    label: str,
    limits: ZipLimits,
    budget: list[int],
    data: dict[str, bytes],
    problems: list[tuple[str, str, str]],
) -> None:
    try:
        data[info.orig_filename] = _bounded_read(archive, info, label, limits, budget)
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as exc:
        problems.append(("damaged", info.orig_filename, str(exc)))
        logger.debug("%s: member %s is damaged: %s", label, info.orig_filename, exc)


def _bounded_read(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    label: str,
    limits: ZipLimits,
    budget: list[int],
) -> bytes:
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limits.max_member_bytes or size > budget[0]:
                raise _unsafe(
                    label, info.orig_filename, "unpacks beyond the size limits"
                )
            chunks.append(chunk)
    budget[0] -= size
    problem = _ratio_problem(size, info.compress_size, limits)
    if problem is not None:
        raise _unsafe(label, info.orig_filename, problem)
    return b"".join(chunks)


def read_folder(
    folder: Path,
    *,
    limits: ZipLimits,
    wanted: Callable[[str], bool] = lambda name: True,
) -> ArchiveContents:
    """List the files under ``folder`` (names relative, with ``/``) and read the
    wanted ones, within the same ``limits`` as a zip. Symbolic links are not
    followed and devices, pipes and sockets not read; both are left out of the
    names and reported in ``problems``.
    """
    names: list[str] = []
    problems: list[tuple[str, str, str]] = []
    for path, relative in _walk(folder):
        kind = _kind(path)
        if kind != "file":
            problems.append((kind, relative, ""))
            continue
        names.append(relative)
        if len(names) > limits.max_entries:
            raise UnsafeArchiveError(
                f"{folder}: more than {limits.max_entries} files, the entry limit"
            )
    data = _read_files(folder, names, limits, wanted)
    return ArchiveContents(tuple(names), data, tuple(problems))


def _kind(path: Path) -> str:
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        problem = exc.strerror or exc
        raise PackageError(
            f"{path.parent}: file {path.name!r}: cannot be read ({problem})"
        ) from None
    if stat.S_ISLNK(mode):
        return "symlink"
    return "file" if stat.S_ISREG(mode) else "special"


def _walk(folder: Path) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        base = Path(top)
        for name in sorted(files) + [d for d in dirs if (base / d).is_symlink()]:
            path = base / name
            found.append((path, path.relative_to(folder).as_posix()))
    return found


def _read_files(
    folder: Path, names: list[str], limits: ZipLimits, wanted: Callable[[str], bool]
) -> dict[str, bytes]:
    data: dict[str, bytes] = {}
    budget = limits.max_total_bytes
    for name in names:
        if wanted(name):
            limit = min(limits.max_member_bytes, budget)
            data[name] = _read_bounded(folder, name, limit)
            budget -= len(data[name])
    return data


def _read_bounded(folder: Path, name: str, limit: int) -> bytes:
    label = f"{folder}: file {name!r}"
    with _open_regular(folder / name, label, follow=False) as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > limit:
            raise UnsafeArchiveError(f"{label}: {size} bytes, beyond the size limits")
        return _read_chunks(stream, label, limit)


def _read_chunks(stream: BinaryIO, label: str, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise UnsafeArchiveError(f"{label}: grows beyond the size limits")
            chunks.append(chunk)
    except OSError as exc:
        raise PackageError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    return b"".join(chunks)
