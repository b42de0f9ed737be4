"""A test kit for plugin authors, shipped as a pytest plugin (``-p aiccbridge``).

Installed with aiccbridge, it is active in every pytest run and offers:

``aiccbridge_project``
    a :class:`Project` in a temporary folder: write a catalog and a config, run the
    CLI in-process, read what it wrote.
``register_plugin``
    register a throwaway plugin object for one test; it is gone afterwards.
``sample_package``
    the bytes of a small valid AICC package.

:class:`RunOutcome` wraps one CLI run: exit code, stdout, stderr, with
``assert_success()``, ``assert_exit(code)``, ``fnmatch_lines(...)`` and ``json()``.
"""

from __future__ import annotations

import contextlib
import csv
import fnmatch
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w

__all__ = [
    "DEFAULT_CATALOG",
    "RECORD_MODE_ENV",
    "Project",
    "RunOutcome",
    "cassette_recorder",
    "played_once",
    "request_line",
]

#: Set to ``once`` (after deleting a cassette) to record it against a real tenant.
RECORD_MODE_ENV = "AICCBRIDGE_RECORD_MODE"

DEFAULT_CATALOG: tuple[dict[str, str], ...] = (
    {
        "course_id": "C-1",
        "title": "First Course",
        "kind": "course",
        "url": "https://content.example.com/c1",
        "children": "",
    },
    {
        "course_id": "C-2",
        "title": "Zweiter Kurs für Anfänger",
        "kind": "course",
        "url": "https://content.example.com/c2",
        "children": "",
    },
    {
        "course_id": "V-1",
        "title": "Intro video",
        "kind": "video",
        "url": "https://content.example.com/v1",
        "children": "",
    },
    {
        "course_id": "P-1",
        "title": "A Path",
        "kind": "learning_path",
        "url": "https://content.example.com/p1",
        "children": "C-1|C-2",
    },
)


@dataclass(frozen=True)
class RunOutcome:
    """What one CLI run printed and returned."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def assert_success(self) -> RunOutcome:
        return self.assert_exit(0)

    def assert_exit(self, code: int) -> RunOutcome:
        assert self.code == code, (
            f"aiccbridge {' '.join(self.args)} exited {self.code}, expected {code}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )
        return self

    def fnmatch_lines(self, patterns: Sequence[str], *, stream: str = "stdout") -> None:
        """Each glob pattern matches a line, in order (other lines may come between)."""
        lines = (self.stdout if stream == "stdout" else self.stderr).splitlines()
        position = 0
        for pattern in patterns:
            for index in range(position, len(lines)):
                if fnmatch.fnmatch(lines[index], pattern):
                    position = index + 1
                    break
            else:
                raise AssertionError(
                    f"no line matches {pattern!r} in {stream}:\n" + "\n".join(lines)
                )

    def json(self) -> Any:
        return json.loads(self.stdout)


class Project:
    """A temporary aiccbridge project: catalog, config, and a way to run the CLI."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config_path = root / "aiccbridge.toml"
        self.catalog_path = root / "catalog.csv"

    def write_catalog(
        self, rows: Sequence[Mapping[str, str]] = DEFAULT_CATALOG
    ) -> Path:
        columns = list(dict.fromkeys(k for row in rows for k in row))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        self.catalog_path.write_text(buffer.getvalue(), encoding="utf-8")
        return self.catalog_path

    def write_config(
        self,
        tenants: Mapping[str, Mapping[str, Any]] | None = None,
        **sections: Mapping[str, Any],
    ) -> Path:
        data: dict[str, Any] = {
            "provider": {
                "name": "Test Provider",
                "launch_url": "https://aicc.example.com/launch/{tenant}/{course_id}",
            },
            "catalog": {
                "path": self.catalog_path.name,
                "columns": {"id": "course_id", "title": "title"},
            },
            "tenants": dict(
                tenants or {"acme": {"vendor": "schoox", "encoding": "ascii"}}
            ),
        }
        data.update(sections)
        self.config_path.write_text(tomli_w.dumps(data), encoding="utf-8")
        return self.config_path

    def run(self, *args: str) -> RunOutcome:
        """Run ``aiccbridge --config <project config> ARGS`` in this process."""
        from aiccbridge.cli import run

        argv = ("--config", str(self.config_path), *args)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(argv)
        return RunOutcome(tuple(args), code, out.getvalue(), err.getvalue())

    def bundles(self, tenant: str) -> list[Path]:
        box = self.root / "outbox" / tenant
        return (
            sorted(p for p in box.iterdir() if not p.name.startswith("."))
            if box.is_dir()
            else []
        )


def cassette_recorder(
    directory: Path,
    *,
    match_on: Sequence[str] = ("method", "scheme", "host", "path", "query"),
    before_record_request: Callable[[Any], Any] | None = None,
) -> Any:
    """A vcrpy recorder for a plugin's cassettes, replay-only by default.

    Credentials are filtered from what is recorded: the ``Authorization`` and
    ``apikey`` headers and the ``apikey``, ``acadId``, ``wstoken`` and ``token``
    query parameters. ``AICCBRIDGE_RECORD_MODE=once`` records a missing cassette.
    """
    import os

    import vcr

    return vcr.VCR(
        cassette_library_dir=str(directory),
        record_mode=os.environ.get(RECORD_MODE_ENV, "none"),
        match_on=list(match_on),
        filter_headers=["authorization", "apikey"],
        filter_query_parameters=["apikey", "acadId", "wstoken", "token"],
        before_record_request=before_record_request,
        decode_compressed_response=True,
    )


def played_once(tape: Any) -> list[Any]:
    """The requests of a replayed cassette, after checking each was played once."""
    assert tape.all_played, f"{tape.play_count} of {len(tape)} played"
    assert all(count == 1 for count in tape.play_counts.values())
    return list(tape.requests)


def request_line(request: Any) -> str:
    """A recorded request as ``METHOD /path?query``, for asserting on calls made."""
    query = "&".join(f"{k}={v}" for k, v in request.query)
    return f"{request.method} {request.path}" + (f"?{query}" if query else "")


@pytest.fixture
def aiccbridge_project(tmp_path: Path) -> Project:
    """A fresh project with the default catalog and one ascii Schoox tenant."""
    project = Project(tmp_path)
    project.write_catalog()
    project.write_config()
    return project


@pytest.fixture
def register_plugin() -> Iterator[Callable[[object, str], None]]:
    """Register a plugin object by name for one test (every CLI run sees it)."""
    from aiccbridge.plugins import EXTRA_PLUGINS

    added: list[str] = []

    def register(plugin: object, name: str) -> None:
        EXTRA_PLUGINS[name] = plugin
        added.append(name)

    try:
        yield register
    finally:
        for name in added:
            EXTRA_PLUGINS.pop(name, None)


@pytest.fixture
def sample_package() -> bytes:
    """A small valid AICC package (one AU), as zip bytes."""
    from aiccbridge.core import (
        AssignableUnit,
        CourseInfo,
        Descriptor,
        Package,
        StructureRow,
        build_zip,
    )

    package = Package(
        "course",
        CourseInfo("SAMPLE-1", "Sample Course", "3.5", creator="aiccbridge"),
        (AssignableUnit("A1", "https://aicc.example.com/launch/t/SAMPLE-1"),),
        (Descriptor("A1", "Sample Course", developer_id="SAMPLE-1"),),
        (StructureRow("Root", ("A1",)),),
    )
    return build_zip(package, "ascii")
