"""The ``aiccbridge`` command line: a thin face over the application layers."""

from __future__ import annotations

from aiccbridge.cli._app import app, main, run

__all__ = ["app", "main", "run"]
