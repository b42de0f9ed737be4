"""The whole loop on this machine: sandbox LMS, sync, gateway, content, learner.

Every server listens on 127.0.0.1: the sandbox (``aiccbridge lms serve``) and the
gateway (``aiccbridge serve``) run as real processes, the provider's content
platform is a small page server in the test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import tomli_w

TOKEN = "e2e-progress-token-0123456789"
PROFILES = ("spec", "moodle", "ilias", "chamilo", "skillport")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"not true within {seconds} s: {check}")


class Process:
    """An ``aiccbridge`` command running in the background, logging to a file."""

    def __init__(self, args: list[str], log: Path, health: str) -> None:
        self.log = log
        self._out: IO[bytes] = log.open("ab")
        env = {**os.environ, "AICCBRIDGE_PROGRESS_TOKEN": TOKEN}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiccbridge", *args],
            stdout=self._out,
            stderr=self._out,
            env=env,
        )
        self.health = health
        wait_until(self._up)

    def _up(self) -> bool:
        if self.process.poll() is not None:
            text = self.log.read_text(encoding="utf-8", errors="replace")
            raise AssertionError(f"exited {self.process.returncode}:\n{text}")
        try:
            return httpx.get(self.health, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._out.close()


class _Content(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server hook
        body = (
            f"<!doctype html><title>Course content</title><h1>Course content</h1>"
            f"<p id=path>{self.path}</p>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Loop:
    """The running loop, and what a test needs to drive it."""

    root: Path
    config: Path
    sandbox: str
    gateway: str
    content: str

    def sync(self) -> dict[str, Any]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "aiccbridge",
                "--config",
                str(self.config),
                "sync",
                "--vendor",
                "sandbox",
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        import json

        return json.loads(done.stdout)

    def report(self, token: str, **body: Any) -> httpx.Response:
        return httpx.post(
            f"{self.gateway}/v1/progress",
            json={"session": token, **body},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )

    def record(self, student: str, course: str) -> dict[str, Any]:
        answer = httpx.get(
            f"{self.sandbox}/api/records",
            params={"student_id": student, "course_id": course},
            timeout=10,
        ).json()
        records = answer["records"] if isinstance(answer, dict) else answer
        return records[0] if records else {}


def write_config(root: Path, sandbox: str, gateway_port: int, content: str) -> Path:
    catalog = root / "catalog.csv"
    catalog.write_text(
        "course_id,title,url,kind,children\n"
        f"E2E-1,Safety Basics,{content}/c/e2e-1,course,\n"
        f"E2E-2,Données personnelles,{content}/c/e2e-2,course,\n"
        f"E2E-P,A Short Path,{content}/p/e2e-p,learning_path,E2E-1|E2E-2\n",
        encoding="utf-8",
    )
    data = {
        "provider": {
            "name": "E2E Provider",
            "launch_url": "https://aicc.example.com/launch/{tenant}/{course_id}",
        },
        "catalog": {"path": "catalog.csv", "columns": {"id": "course_id"}},
        "gateway": {"retry_initial_seconds": 0.2, "retry_max_seconds": 1.0},
        "tenants": {
            "sandbox": {
                "vendor": "sandbox",
                "sandbox_url": sandbox,
                "allow_http": True,
                "launch_url": f"http://127.0.0.1:{gateway_port}/launch/{{tenant}}/{{course_id}}",
            }
        },
    }
    path = root / "aiccbridge.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def content_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Content)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def start_loop(tmp_path: Path, content_server: str) -> Iterator[Callable[[str], Loop]]:
    running: list[Process] = []

    def start(profile: str) -> Loop:
        sandbox_port, gateway_port = free_port(), free_port()
        sandbox = f"http://127.0.0.1:{sandbox_port}"
        running.append(
            Process(
                [
                    "lms",
                    "serve",
                    "--port",
                    str(sandbox_port),
                    "--profile",
                    profile,
                    "--db",
                    str(tmp_path / "sandbox.db"),
                ],
                tmp_path / "sandbox.log",
                f"{sandbox}/api/health",
            )
        )
        config = write_config(tmp_path, sandbox, gateway_port, content_server)
        loop = Loop(
            tmp_path,
            config,
            sandbox,
            f"http://127.0.0.1:{gateway_port}",
            content_server,
        )
        synced = loop.sync()["tenants"][0]
        assert synced["added"] == 3 and not synced["failed"], synced
        running.append(
            Process(
                ["--config", str(config), "serve", "--port", str(gateway_port)],
                tmp_path / "gateway.log",
                f"{loop.gateway}/health",
            )
        )
        return loop

    try:
        yield start
    finally:
        for process in reversed(running):
            process.stop()
