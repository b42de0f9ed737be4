"""Running the sandbox: ``aiccbridge lms serve``, or in a thread for tests."""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from aiccbridge._asgi import log_config
from aiccbridge.sandbox._app import DEFAULT_DB, create_app
from aiccbridge.sandbox._store import SandboxStore

__all__ = ["RunningSandbox", "run_in_thread", "serve"]

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8766
_START_TIMEOUT = 10.0


def serve(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    db: str | Path = DEFAULT_DB,
    profile: str | None = None,
    verbosity: int = 0,
) -> None:
    """Serve the sandbox until interrupted (uvicorn's access log stays off: launch
    URLs carry session ids)."""
    app = create_app(db=db, profile=profile)
    level = logging.DEBUG if verbosity > 1 else logging.INFO
    uvicorn.run(
        app,
        host=host,
        port=port,
        server_header=False,
        access_log=False,
        log_config=log_config(level),
    )


class RunningSandbox:
    """A sandbox served by uvicorn in a background thread.

    ``url`` is its base address (``http://127.0.0.1:PORT``, no final ``/``);
    ``store`` its state. Use it as a context manager, or call :meth:`stop`.
    """

    def __init__(
        self,
        server: uvicorn.Server,
        thread: threading.Thread,
        url: str,
        store: SandboxStore,
    ) -> None:
        self._server = server
        self._thread = thread
        self.url = url
        self.store = store

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout=_START_TIMEOUT)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def run_in_thread(
    store: SandboxStore | None = None,
    *,
    profile: str | None = None,
    host: str = DEFAULT_HOST,
    port: int = 0,
) -> RunningSandbox:
    """Start a sandbox on ``host`` (port 0: any free port) and return it running.

    Without ``store`` the state lives in memory. Raises ``RuntimeError`` when the
    server does not start within ten seconds.
    """
    store = store or SandboxStore(":memory:")
    app = create_app(store, profile=profile)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run,
        kwargs={"sockets": [sock]},
        daemon=True,
        name="aiccbridge-sandbox",
    )
    thread.start()
    _wait_started(server, thread)
    url = f"http://{host}:{sock.getsockname()[1]}"
    logger.debug("sandbox running at %s", url)
    return RunningSandbox(server, thread, url, store)


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the sandbox server did not start")
        time.sleep(0.01)
