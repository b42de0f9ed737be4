"""The sandbox LMS as an ASGI application (Starlette)."""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette

from aiccbridge._asgi import AccessLog
from aiccbridge.sandbox._api import api_routes
from aiccbridge.sandbox._engine import DEFAULT_PROFILE_KEY
from aiccbridge.sandbox._profiles import get_profile
from aiccbridge.sandbox._store import SandboxStore
from aiccbridge.sandbox._web import web_routes

__all__ = ["DEFAULT_DB", "create_app"]

logger = logging.getLogger(__name__)

DEFAULT_DB = Path(".aiccbridge") / "sandbox.db"
"""Where ``aiccbridge lms serve`` keeps its state unless told otherwise."""


def create_app(
    store: SandboxStore | None = None,
    *,
    db: str | Path = DEFAULT_DB,
    profile: str | None = None,
) -> Starlette:
    """Build the sandbox application on ``store`` (else on the SQLite file ``db``).

    ``profile`` switches the sandbox-wide LMS profile (it is kept in the
    store); without it the store's choice stays, ``spec`` at first. Raises
    :class:`aiccbridge.errors.UsageError` for an unknown profile and
    :class:`aiccbridge.errors.StoreError` for a database that cannot be opened.
    """
    chosen = get_profile(profile).name if profile else None
    store = store or SandboxStore(db)
    if chosen:
        store.set_setting(DEFAULT_PROFILE_KEY, chosen)
    app = Starlette(routes=[*api_routes(), *web_routes()])
    app.state.store = store
    app.add_middleware(AccessLog, logger=logger)
    return app
