"""The sandbox LMS: imports AICC packages, launches them and answers HACP.

It behaves like a small LMS on one machine, so the whole loop (sync, launch,
gateway, HACP) can run without a customer: ``aiccbridge lms serve`` serves it,
:func:`run_in_thread` starts one inside a test. Its LMS profiles
(:data:`PROFILES`: ``spec``, ``moodle``, ``ilias``, ``chamilo``, ``skillport``)
make it answer and parse HACP like those families of real LMSs; one is chosen
per sandbox and may be overridden per course. ``docs/sandbox.md`` describes
the pages, the HTTP API and every profile's habits.

The built-in ``sandbox`` vendor (:mod:`aiccbridge.sandbox.vendor`) delivers
packages to it over its HTTP API, so ``aiccbridge sync --vendor sandbox``
uploads for real over loopback.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiccbridge.sandbox._answers import GetParamView, reply
    from aiccbridge.sandbox._app import DEFAULT_DB, create_app
    from aiccbridge.sandbox._engine import (
        HacpAnswer,
        Launch,
        answer_hacp,
        launch_url,
        start_launch,
    )
    from aiccbridge.sandbox._importing import ImportResult, import_package
    from aiccbridge.sandbox._profiles import PROFILES, LmsProfile, get_profile
    from aiccbridge.sandbox._reading import Report
    from aiccbridge.sandbox._server import RunningSandbox, run_in_thread, serve
    from aiccbridge.sandbox._store import (
        Course,
        Exchange,
        Learner,
        Record,
        SandboxStore,
        Session,
    )

__all__ = [
    "DEFAULT_DB",
    "PROFILES",
    "Course",
    "Exchange",
    "GetParamView",
    "HacpAnswer",
    "ImportResult",
    "Launch",
    "Learner",
    "LmsProfile",
    "Record",
    "Report",
    "RunningSandbox",
    "SandboxStore",
    "Session",
    "answer_hacp",
    "create_app",
    "get_profile",
    "import_package",
    "launch_url",
    "reply",
    "run_in_thread",
    "serve",
    "start_launch",
]

#: Where each public name lives. The package loads them on first use, so that
#: loading the ``sandbox`` vendor plugin does not import the web server.
_HOMES = {
    "GetParamView": "_answers",
    "reply": "_answers",
    "DEFAULT_DB": "_app",
    "create_app": "_app",
    "HacpAnswer": "_engine",
    "Launch": "_engine",
    "answer_hacp": "_engine",
    "launch_url": "_engine",
    "start_launch": "_engine",
    "ImportResult": "_importing",
    "import_package": "_importing",
    "PROFILES": "_profiles",
    "LmsProfile": "_profiles",
    "get_profile": "_profiles",
    "Report": "_reading",
    "RunningSandbox": "_server",
    "run_in_thread": "_server",
    "serve": "_server",
    "Course": "_store",
    "Exchange": "_store",
    "Learner": "_store",
    "Record": "_store",
    "SandboxStore": "_store",
    "Session": "_store",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
