"""The gateway: launches, learner sessions and durable HACP delivery.

``aiccbridge serve`` runs :func:`create_app` under uvicorn. The application:

- answers launches at the path of ``[provider] launch_url``: checks them with
  :func:`aiccbridge.launching.check_launch`, reads the learner with GetParam,
  opens a session and redirects the browser to the course's content with an
  ``aiccbridge_session`` token;
- takes progress reports (``POST /v1/progress``, ``POST /v1/exit``) and
  stores them durably in an outbox in the state store (:class:`GatewayStore`);
- delivers the outbox as PutParam and ExitAU, in order per session, retried
  with backoff, safely from several worker processes at once.

docs/gateway.md is the operator guide and the progress API contract.
"""

from __future__ import annotations

from aiccbridge.gateway._app import create_app
from aiccbridge.gateway._gateway import launchable_courses
from aiccbridge.gateway._progress import ExitRequest, ProgressReport
from aiccbridge.gateway._server import serve
from aiccbridge.gateway._store import GatewayStore

__all__ = [
    "ExitRequest",
    "GatewayStore",
    "ProgressReport",
    "create_app",
    "launchable_courses",
    "serve",
]
