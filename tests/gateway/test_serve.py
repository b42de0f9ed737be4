"""``aiccbridge serve`` as a real process: start, kill, restart, logs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from aiccbridge.core.hacp import parse_aicc_data
from aiccbridge.testing import Project
from tests.gateway.conftest import (
    AUTH,
    FAST_GATEWAY,
    TOKEN,
    TOKEN_ENV,
    launch_url,
    tenants,
    wait_until,
)
from tests.gateway.fake_lms import FakeLms

SID = "SID-serve-5b7c9d1e3f"
STUDENT, NAME = "jdoe-7781", "Doe, Jane"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Serve:
    """One ``aiccbridge serve`` process with its log in a file."""

    def __init__(self, project: Project, port: int, log: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self._log: IO[bytes] = log.open("ab")
        env = {**os.environ, TOKEN_ENV: TOKEN}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiccbridge",
                "--config",
                str(project.config_path),
                "serve",
                "--port",
                str(port),
            ],
            stdout=self._log,
            stderr=self._log,
            env=env,
        )
        self.client = httpx.Client(base_url=self.base, timeout=10)
        wait_until(self._up, seconds=15)

    def _up(self) -> bool:
        if self.process.poll() is not None:
            output = self.log.read_text(encoding="utf-8", errors="replace")
            raise AssertionError(f"serve exited {self.process.returncode}:\n{output}")
        try:
            return self.client.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    def pending(self) -> int:
        return int(self.client.get("/health").json()["pending"])

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.client.close()
        self.process.send_signal(sig)
        code = self.process.wait(timeout=15)
        self._log.close()
        return code


@pytest.fixture
def lms() -> Iterator[FakeLms]:
    with FakeLms() as server:
        yield server


def configure(project: Project, port: int, **gateway: object) -> None:
    settings = {**FAST_GATEWAY, "port": port, **gateway}
    project.write_config(tenants(), gateway=settings)


def acknowledged(lms: FakeLms) -> list[tuple[str, str, str]]:
    out = []
    for e in lms.log:
        if e.command == "PutParam" and e.ok:
            core = parse_aicc_data(e.aicc_data).core
            assert core.lesson_status and core.score and core.time is not None
            out.append(
                (
                    core.lesson_status.status.value,
                    f"{core.score.raw:g}",
                    str(int(core.time.total_seconds())),
                )
            )
    return out


def test_serve_refuses_to_start_without_a_token(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    for value in (None, "", "  "):
        if value is None:
            monkeypatch.delenv(TOKEN_ENV, raising=False)
        else:
            monkeypatch.setenv(TOKEN_ENV, value)
        outcome = aiccbridge_project.run("serve", "--port", "1")
        outcome.assert_exit(2)
        lines = outcome.stderr.strip().splitlines()
        assert len(lines) == 1 and TOKEN_ENV in lines[0]


def test_launch_progress_kill_restart_completion(
    aiccbridge_project: Project, lms: FakeLms, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    configure(aiccbridge_project, port)
    lms.enrol(SID, STUDENT, NAME)
    gateway = Serve(aiccbridge_project, port, log)
    response = gateway.client.get(launch_url(lms, SID))
    assert response.status_code == 302
    token = parse_qs(urlsplit(response.headers["location"]).query)[
        "aiccbridge_session"
    ][0]

    def report(percent: int, seconds: int, done: bool = False) -> None:
        body = {
            "session": token,
            "percent": percent,
            "completed": done,
            "time_seconds": seconds,
        }
        answer = gateway.client.post("/v1/progress", json=body, headers=AUTH)
        assert answer.status_code == 202

    report(0, 10)
    wait_until(lambda: gateway.pending() == 0)
    lms.mode = "fail"
    report(50, 60)
    wait_until(lambda: len(lms.log) >= 4)
    assert gateway.stop(signal.SIGKILL) == -signal.SIGKILL

    configure(aiccbridge_project, port, trusted_proxies=["127.0.0.1"])
    gateway = Serve(aiccbridge_project, port, log)
    report(100, 125, done=True)
    lms.mode = "ok"
    wait_until(lambda: lms.learner(SID).exited, seconds=8)
    wait_until(lambda: gateway.pending() == 0)
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert gateway.client.get("/health", headers=forwarded).status_code == 200
    long = f"{launch_url(lms, SID)}&pad={'a' * 17_000}"
    assert gateway.client.get(long).status_code == 403
    assert gateway.stop() == -signal.SIGTERM

    learner = lms.learner(SID)
    assert (learner.status, learner.score) == ("completed", "100")
    assert learner.total.total_seconds() == 125
    assert acknowledged(lms) == [
        ("incomplete", "0", "10"),
        ("incomplete", "50", "60"),
        ("completed", "100", "125"),
    ]
    assert lms.repeated_acknowledgements() == []
    text = log.read_text(encoding="utf-8")
    assert "HACP POST 127.0.0.1 GetParam -> error=0" in text
    assert "HACP POST 127.0.0.1 PutParam -> HacpHttpError" in text
    assert "HACP POST 127.0.0.1 ExitAU -> error=0" in text
    assert "GET /health -> 200" in text and "from 203.0.113.9" in text
    assert text.count("gateway worker stopped") == 1, "SIGTERM drains, SIGKILL not"
    for secret in (SID, TOKEN, token, STUDENT, NAME):
        assert secret not in text


def test_forwarded_headers_are_ignored_from_untrusted_peers(
    aiccbridge_project: Project, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "serve.log"
    configure(aiccbridge_project, port)
    gateway = Serve(aiccbridge_project, port, log)
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert gateway.client.get("/health", headers=forwarded).status_code == 200
    time.sleep(0.05)
    assert gateway.stop() == -signal.SIGTERM
    text = log.read_text(encoding="utf-8")
    assert "GET /health -> 200" in text
    assert "203.0.113.9" not in text and "from 127.0.0.1" in text
