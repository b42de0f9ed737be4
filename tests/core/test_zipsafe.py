from __future__ import annotations

import contextlib
import io
import os
import socket
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from aiccbridge.core import (
    PackageError,
    PackageReading,
    UnsafeArchiveError,
    ZipLimits,
    read_package,
)
from aiccbridge.core._zipsafe import read_folder, read_zip, unsafe_name

CST = b'"Block","Member"\r\n"Root","A1"\r\n'


def make_zip(members: Sequence[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def rename(data: bytes, old: str, new: str) -> bytes:
    """Change a member name in place (local and central headers), same length."""
    assert len(old) == len(new)
    return data.replace(old.encode(), new.encode("latin-1"))


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../evil.crs", "'..'"),
        ("course/../../evil.crs", "'..'"),
        ("/etc/evil.crs", "absolute"),
        ("C:/evil.crs", "drive letter"),
        ("c:evil.crs", "drive letter"),
        ("sub\\..\\evil.crs", "backslash"),
    ],
)
def test_traversal_names_are_refused(name: str, problem: str) -> None:
    data = make_zip([("course.cst", CST), (name, b"x")])
    with pytest.raises(UnsafeArchiveError, match=problem) as caught:
        read_package(data)
    assert repr(name) in caught.value.message
    assert "\n" not in caught.value.message


def test_nul_in_a_name_is_refused() -> None:
    data = rename(make_zip([("aXb.cst", CST)]), "aXb.cst", "a\x00b.cst")
    with pytest.raises(UnsafeArchiveError, match="NUL"):
        read_package(data)


@pytest.mark.parametrize(
    "name", ["course.crs", "sub/course.au", "a..b/c.des", "x/y/z.cst", "..hidden"]
)
def test_ordinary_names_are_safe(name: str) -> None:
    assert unsafe_name(name) is None


def test_zip_bomb_of_zeros_is_refused_by_declared_size() -> None:
    data = make_zip([("course.cst", b"\0" * (6 * 1024 * 1024))])
    assert len(data) < 100_000
    with pytest.raises(UnsafeArchiveError, match="'course.cst' declares 6291456 bytes"):
        read_package(data)


def test_compression_ratio_over_the_limit_is_refused() -> None:
    data = make_zip([("course.cst", b"\0" * (1024 * 1024))])
    with pytest.raises(
        UnsafeArchiveError, match=r"compresses \d+:1, more than .* 100:1"
    ):
        read_package(data)


def test_small_members_are_not_ratio_checked() -> None:
    data = make_zip([("course.cst", CST + b" " * 20_000)])
    assert read_package(data).package is None


def test_total_size_limit() -> None:
    members = [(f"f{i}.txt", os.urandom(600)) for i in range(3)]
    limits = ZipLimits(max_total_bytes=1000)
    with pytest.raises(UnsafeArchiveError, match="'f1.txt' takes the unpacked total"):
        read_package(make_zip(members), limits=limits)


def test_member_size_limit() -> None:
    limits = ZipLimits(max_member_bytes=100)
    with pytest.raises(UnsafeArchiveError, match="limit of 100"):
        read_package(make_zip([("course.cst", os.urandom(101))]), limits=limits)


def test_too_many_entries() -> None:
    members = [(f"f{i}.txt", b"") for i in range(201)]
    with pytest.raises(UnsafeArchiveError, match="201 entries, over the limit of 200"):
        read_package(make_zip(members))
    assert read_package(make_zip(members[:200])).package is None


def test_symlink_member_is_refused() -> None:
    link = zipfile.ZipInfo("course.crs")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    data = make_zip([("course.cst", CST), (link, b"/etc/passwd")])
    with pytest.raises(UnsafeArchiveError, match="'course.crs' is a symbolic link"):
        read_package(data)


def test_special_file_member_is_refused() -> None:
    fifo = zipfile.ZipInfo("course.crs")
    fifo.create_system = 3
    fifo.external_attr = 0o010644 << 16
    with pytest.raises(UnsafeArchiveError, match="not a regular file"):
        read_package(make_zip([(fifo, b"")]))


def test_encrypted_member_is_refused() -> None:
    data = bytearray(make_zip([("course.cst", CST)]))
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 6] |= 1
    data[central + 8] |= 1
    with pytest.raises(UnsafeArchiveError, match="'course.cst' is encrypted"):
        read_package(bytes(data))


def test_a_lying_size_header_is_caught_while_reading() -> None:
    info = zipfile.ZipInfo("course.cst")
    info.compress_type = zipfile.ZIP_DEFLATED
    data = bytearray(make_zip([(info, CST * 10)]))
    central = data.find(b"PK\x01\x02")
    declared = int.from_bytes(data[central + 24 : central + 28], "little")
    assert declared == len(CST) * 10
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    reading = read_package(bytes(data))
    assert [(d.code, d.file) for d in reading.errors][:1] == [("AICC107", "course.cst")]


def test_damaged_member_becomes_a_diagnostic() -> None:
    data = bytearray(make_zip([("course.cst", CST * 5)]))
    start = data.find(b"PK\x03\x04") + 30 + len("course.cst")
    data[start : start + 8] = b"\xff" * 8
    reading = read_package(bytes(data))
    assert "AICC107" in reading.codes


def test_duplicate_member_names_are_reported() -> None:
    buffer = io.BytesIO()
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(buffer, "w") as archive,
    ):
        archive.writestr("course.cst", CST)
        archive.writestr("course.cst", b"other")
    reading = read_package(buffer.getvalue())
    assert "AICC108" in reading.codes


@pytest.mark.parametrize("data", [b"", b"hello, not a zip", b"PK\x03\x04broken"])
def test_bytes_that_are_not_a_zip(data: bytes) -> None:
    with pytest.raises(PackageError, match=r"^<bytes>: not a zip file \(") as caught:
        read_package(data)
    assert not isinstance(caught.value, UnsafeArchiveError)


def test_a_file_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "course.crs"
    path.write_text("[Course]\r\n")
    with pytest.raises(PackageError, match=f"^{path}: not a zip file"):
        read_package(path)


def test_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="no such file or folder"):
        read_package(tmp_path / "nothing.zip")


def test_directories_in_a_zip_are_skipped() -> None:
    data = make_zip([("sub/", b""), ("sub/course.cst", CST)])
    contents = read_zip(data, label="x", limits=ZipLimits())
    assert contents.names == ("sub/course.cst",)
    assert contents.data == {"sub/course.cst": CST}


def test_only_wanted_members_are_read() -> None:
    data = make_zip([("course.cst", CST), ("video.mp4", b"\1" * 1000)])
    contents = read_zip(
        data, label="x", limits=ZipLimits(), wanted=lambda n: "cst" in n
    )
    assert contents.names == ("course.cst", "video.mp4")
    assert list(contents.data) == ["course.cst"]


def test_folder_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.crs"
    outside.write_text("[Course]\r\nCourse_ID=SECRET\r\n")
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "course.cst").write_bytes(CST)
    (folder / "course.crs").symlink_to(outside)
    reading = read_package(folder)
    assert "AICC109" in reading.codes
    assert "course.crs" not in reading.files
    assert reading.course_fields == ()


def test_folder_limits(tmp_path: Path) -> None:
    for i in range(4):
        (tmp_path / f"f{i}.txt").write_bytes(b"")
    with pytest.raises(UnsafeArchiveError, match="more than 3 files"):
        read_package(tmp_path, limits=ZipLimits(max_entries=3))
    (tmp_path / "course.cst").write_bytes(CST * 100)
    with pytest.raises(UnsafeArchiveError, match="beyond the size limits"):
        read_package(tmp_path, limits=ZipLimits(max_member_bytes=100))


# -- special files: devices, pipes and sockets are never read ----------------------


def _within(seconds: float, action: Callable[[], object]) -> object:
    """Run ``action`` in a thread; fail (instead of hanging) if it takes too long.
    Returns its result or the exception it raised."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(action())
        except Exception as exc:  # handed back to the test
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still reading after {seconds} s"
    return outcome[0]


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("this platform has no named pipes")
    path = tmp_path / "pkg" / "course.crs"
    path.parent.mkdir()
    os.mkfifo(path)
    yield path
    with contextlib.suppress(OSError):  # unblock a reader left waiting for a writer
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_device_is_refused_without_reading_it() -> None:
    result = _within(10, lambda: read_package("/dev/zero"))
    assert isinstance(result, PackageError), result
    assert result.message == "/dev/zero: not a regular file or folder"


def test_a_named_pipe_is_refused_without_waiting(fifo: Path) -> None:
    result = _within(10, lambda: read_package(fifo))
    assert isinstance(result, PackageError), result
    assert result.message == f"{fifo}: not a regular file or folder"


def test_read_zip_refuses_a_named_pipe_too(fifo: Path) -> None:
    result = _within(10, lambda: read_zip(str(fifo), label="x", limits=ZipLimits()))
    assert isinstance(result, PackageError), result
    assert "not a regular file" in result.message


def test_a_named_pipe_in_a_folder_is_skipped(fifo: Path) -> None:
    (fifo.parent / "course.cst").write_bytes(CST)
    result = _within(10, lambda: read_package(fifo.parent))
    assert isinstance(result, PackageReading), result
    assert result.files == ("course.cst",)
    [note] = [d for d in result.diagnostics if d.code == "AICC110"]
    assert (note.file, note.severity) == ("course.crs", "warning")
    assert "AICC101" in result.codes


def test_a_socket_in_a_folder_is_skipped(tmp_path: Path) -> None:
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("this platform has no unix sockets")
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "course.cst").write_bytes(CST)
    with socket.socket(socket.AF_UNIX) as server:
        try:
            server.bind(str(folder / "course.au"))
        except OSError as exc:
            pytest.skip(f"cannot bind a unix socket here ({exc})")
        contents = read_folder(folder, limits=ZipLimits())
    assert contents.names == ("course.cst",)
    assert contents.problems == (("special", "course.au", ""),)


def test_folder_files_are_read_within_the_total_budget(tmp_path: Path) -> None:
    for name in ("course.au", "course.des", "course.cst"):
        (tmp_path / name).write_bytes(b"x" * 400)
    limits = ZipLimits(max_total_bytes=1000)
    with pytest.raises(UnsafeArchiveError, match="'course.des': 400 bytes, beyond"):
        read_package(tmp_path, limits=limits)
    assert read_folder(tmp_path, limits=limits, wanted=lambda n: "des" not in n).data
