"""Running the gateway under uvicorn: ``aiccbridge serve``."""

from __future__ import annotations

import logging
import os
import sys

import uvicorn

from aiccbridge._asgi import log_config
from aiccbridge.config import CONFIG_ENV, Config
from aiccbridge.gateway._gateway import launchable_courses, progress_token
from aiccbridge.gateway._store import GatewayStore
from aiccbridge.launching import LaunchTemplate

__all__ = ["log_config", "serve"]

#: Launch queries can be long (the launch check reads up to 16,384 characters).
_MAX_REQUEST_HEAD = 65_536


def serve(
    config: Config,
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    verbosity: int = 0,
) -> None:
    """Check the setup, then serve until interrupted.

    Refuses to start (:class:`aiccbridge.errors.ConfigError`) without a
    progress token; reads the catalog and opens the state store first, so
    their errors come before any worker starts.
    """
    settings = config.gateway
    progress_token(config)
    launchable_courses(config)
    GatewayStore(config.state_path()).close()
    os.environ[CONFIG_ENV] = str(config.path)
    trusted = list(settings.trusted_proxies)
    where = f"http://{host or settings.host}:{settings.port if port is None else port}"
    path = LaunchTemplate(config.provider.launch_url).path
    sys.stderr.write(
        f"aiccbridge: gateway on {where} (launches at {path}, progress API "
        "/v1/progress)\n"
    )
    uvicorn.run(
        "aiccbridge.gateway:create_app",
        factory=True,
        host=host or settings.host,
        port=settings.port if port is None else port,
        workers=workers or settings.workers,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        server_header=False,
        access_log=False,
        log_config=log_config(logging.DEBUG if verbosity > 1 else logging.INFO),
        h11_max_incomplete_event_size=_MAX_REQUEST_HEAD,
        timeout_graceful_shutdown=max(1, int(settings.shutdown_drain_seconds)),
    )
