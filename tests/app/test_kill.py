"""A sync killed with SIGKILL at many points is finished by the next run, once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from aiccbridge.testing import Project

DELAYS = (0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.1, 1.4)


def big_catalog(count: int) -> list[dict[str, str]]:
    return [
        {"course_id": f"K-{n:05d}", "title": f"Course number {n}", "kind": "course"}
        for n in range(count)
    ]


def run_and_kill(project: Project, delay: float) -> None:
    command = [
        sys.executable,
        "-m",
        "aiccbridge",
        "--config",
        str(project.config_path),
        "sync",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(delay)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_kill_minus_nine_at_any_point_loses_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    project = Project(tmp_path)
    project.write_catalog(big_catalog(3000))
    project.write_config()
    for delay in DELAYS:
        run_and_kill(project, delay)
    final = project.run("sync", "--json")
    final.assert_success()
    box = tmp_path / "outbox" / "acme"
    assert not [p for p in box.iterdir() if p.name.startswith(".")]
    delivered: list[str] = []
    for bundle in project.bundles("acme"):
        data = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
        delivered += [e["course_id"] for e in data["add"]]
        assert len(list(bundle.glob("*.zip"))) == len(data["add"])
    assert sorted(delivered) == [f"K-{n:05d}" for n in range(3000)]
    db = sqlite3.connect(tmp_path / ".aiccbridge" / "state.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    (count,) = db.execute("SELECT count(*) FROM delivered").fetchone()
    assert count == 3000
    assert project.run("sync", "--json").json()["tenants"][0]["unchanged"] == 3000
