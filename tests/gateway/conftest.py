"""Fixtures for the gateway tests: a fake LMS, a project, a running gateway."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from aiccbridge.config import Config, load_config
from aiccbridge.core.hacp import parse_aicc_data
from aiccbridge.gateway import GatewayStore, create_app
from aiccbridge.plugins import Plugins, load_plugins
from aiccbridge.testing import Project
from tests.gateway.fake_lms import FakeLms

TOKEN = "progress-token-3f9c2a71d5e8"
TOKEN_ENV = "AICCBRIDGE_PROGRESS_TOKEN"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

#: Short delays so that retries and drains happen within a test's time.
FAST_GATEWAY: dict[str, Any] = {
    "hacp_timeout_seconds": 0.5,
    "retry_initial_seconds": 0.05,
    "retry_max_seconds": 0.2,
    "shutdown_drain_seconds": 1.0,
}


def tenants(**extra: Any) -> dict[str, dict[str, Any]]:
    """One tenant, ``acme``, whose LMS is the fake one on 127.0.0.1."""
    acme = {"vendor": "lms365", "hostnames": ["127.0.0.1"], "allow_http": True}
    return {"acme": {**acme, **extra}}


def write_project(project: Project, **gateway: Any) -> Project:
    project.write_config(tenants(), gateway={**FAST_GATEWAY, **gateway})
    return project


def launch_url(
    lms: FakeLms, sid: str, course: str = "C-1", tenant: str = "acme"
) -> str:
    return f"/launch/{tenant}/{course}?AICC_SID={quote(sid)}&AICC_URL={quote(lms.url)}"


def wait_until(check: Callable[[], bool], seconds: float = 5.0) -> None:
    """Poll ``check`` until it holds, for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {seconds} s")
        time.sleep(0.01)


class ServerThread:
    """An ASGI app under uvicorn in a thread, listening on 127.0.0.1 (any port)."""

    def __init__(self, app: Starlette) -> None:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_config=None,
            access_log=False,
            h11_max_incomplete_event_size=65_536,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        """Start serving; the base URL."""
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive())
        if not self.server.started:
            raise AssertionError("the gateway did not start")
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        """Shut down (the app's lifespan drains) and wait for it."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


class Running:
    """A running gateway, with helpers for what a test does with it."""

    def __init__(
        self, client: httpx.Client, lms: FakeLms, config: Config, app: Starlette
    ) -> None:
        self.client = client
        self.lms = lms
        self.config = config
        self.app = app

    def launch(self, sid: str, course: str = "C-1") -> str:
        """Launch with ``sid`` (enrolled beforehand); the session token."""
        response = self.client.get(launch_url(self.lms, sid, course))
        assert response.status_code == 302, response.text
        location = response.headers["location"]
        return parse_qs(urlsplit(location).query)["aiccbridge_session"][0]

    def report(self, token: str, percent: float, **fields: Any) -> httpx.Response:
        body = {"session": token, "percent": percent, "completed": False, **fields}
        return self.client.post("/v1/progress", json=body, headers=AUTH)

    def exit(self, token: str) -> httpx.Response:
        return self.client.post("/v1/exit", json={"session": token}, headers=AUTH)

    def store(self) -> GatewayStore:
        return GatewayStore(self.config.state_path())

    def pending(self) -> int:
        stats = self.client.get("/health").json()
        return int(stats["pending"])


@pytest.fixture(scope="session")
def plugins() -> Plugins:
    return load_plugins()


@pytest.fixture
def lms() -> Iterator[FakeLms]:
    with FakeLms() as server:
        yield server


@pytest.fixture
def project(aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    return write_project(aiccbridge_project)


class Starter:
    """Starts gateways on one project; :meth:`stop_all` stops them."""

    def __init__(self, project: Project, lms: FakeLms, plugins: Plugins) -> None:
        self.project = project
        self.lms = lms
        self.plugins = plugins
        self.running: list[tuple[ServerThread, httpx.Client]] = []

    def __call__(self, **options: Any) -> Running:
        config = load_config(self.project.config_path)
        app = create_app(config, plugins=self.plugins, **options)
        server = ServerThread(app)
        client = httpx.Client(base_url=server.start(), timeout=10)
        self.running.append((server, client))
        return Running(client, self.lms, config, app)

    def stop_all(self) -> None:
        while self.running:
            server, client = self.running.pop()
            client.close()
            server.stop()


@pytest.fixture
def start(project: Project, lms: FakeLms, plugins: Plugins) -> Iterator[Starter]:
    """Start a gateway on the project (``clock=`` to inject one)."""
    starter = Starter(project, lms, plugins)
    yield starter
    starter.stop_all()


@pytest.fixture
def gateway(start: Starter) -> Running:
    return start()


class FakeClock:
    """A clock that moves only when told (seconds since the epoch)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def putparams(lms: FakeLms, sid: str, *, ok: bool = True) -> list[str]:
    """The PutParam bodies the LMS got for ``sid`` (acknowledged ones only)."""
    return [
        e.aicc_data
        for e in lms.log
        if e.command == "PutParam" and e.session_id == sid and (e.ok or not ok)
    ]


def sent_core(aicc_data: str) -> tuple[str, str, str]:
    core = parse_aicc_data(aicc_data).core
    assert core.lesson_status and core.score and core.time is not None
    seconds = int(core.time.total_seconds())
    return core.lesson_status.status.value, f"{core.score.raw:g}", str(seconds)


def delivered(gateway: Running) -> None:
    wait_until(lambda: gateway.pending() == 0)
