"""What every request handler of one worker shares: settings, store, delivery."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os

import httpx

from aiccbridge.catalog import CatalogEntry, read_catalog
from aiccbridge.config import Config
from aiccbridge.errors import ConfigError
from aiccbridge.gateway._delivery import AsyncStore, Dispatcher, HacpSender
from aiccbridge.gateway._store import Clock, GatewayStore
from aiccbridge.launching import LaunchTemplate
from aiccbridge.plugins import Plugins
from aiccbridge.sync import launchable_entries

__all__ = ["Gateway", "launchable_courses", "progress_token"]

logger = logging.getLogger(__name__)

Courses = dict[str, CatalogEntry]

#: GetParam requests of launches in flight at once (learners wait for them).
_LAUNCH_CONNECTIONS = 100


def progress_token(config: Config) -> str:
    """The progress API's bearer token from its environment variable."""
    name = config.gateway.progress_token_env
    token = os.environ.get(name, "").strip()
    if not token:
        raise ConfigError(
            f"{name} is not set: the progress API needs a bearer token in it "
            "([gateway] progress_token_env)"
        )
    return token


def launchable_courses(config: Config) -> dict[str, Courses]:
    """Each tenant's launchable courses by id (see ``launchable_entries``)."""
    catalog = read_catalog(config.catalog_spec())
    return {
        name: launchable_entries(catalog, tenant.library)
        for name, tenant in config.tenants.items()
    }


class Gateway:
    """One worker's gateway: config, catalog, store, HACP client and delivery."""

    def __init__(
        self,
        config: Config,
        plugins: Plugins,
        *,
        clock: Clock,
        transport: httpx.AsyncBaseTransport | None = None,
        concurrency: int = 16,
    ) -> None:
        self.config = config
        self.plugins = plugins
        self.clock = clock
        self.settings = config.gateway
        self._token = progress_token(config).encode("utf-8")
        self.template = LaunchTemplate(config.provider.launch_url)
        self.courses = launchable_courses(config)
        self.store = AsyncStore(GatewayStore(config.state_path(), clock=clock))
        self._transport = transport
        self._concurrency = concurrency
        self._task: asyncio.Task[None] | None = None

    @property
    def provider(self) -> str:
        return self.config.provider.name

    def authorized(self, header: str | None) -> bool:
        """Whether an ``Authorization`` header holds the token (constant time)."""
        scheme, _, value = (header or "").strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(value.strip().encode("utf-8"), self._token)

    async def start(self) -> None:
        """Open the HTTP client and start delivering."""
        # Launches get their own connections: a learner never waits behind
        # the delivery backlog.
        self.http = self._client(_LAUNCH_CONNECTIONS)
        self._delivery_http = self._client(self._concurrency)
        self.sender = HacpSender(self.config, self.plugins, self._delivery_http)
        self.dispatcher = Dispatcher(
            self.store,
            self.sender.send,
            self.settings,
            clock=self.clock,
            concurrency=self._concurrency,
        )
        self._task = asyncio.create_task(self.dispatcher.run())
        logger.info("gateway worker %s delivering", self.dispatcher.worker)

    def _client(self, connections: int) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self._transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=connections),
        )

    async def stop(self) -> None:
        """Drain for up to ``shutdown_drain_seconds``; the rest stays on disk."""
        if self._task is not None:
            await self.dispatcher.drain(
                self._task, self.settings.shutdown_drain_seconds
            )
            self._task = None
        await self.http.aclose()
        await self._delivery_http.aclose()
        self.store.close()
        logger.info("gateway worker stopped")
