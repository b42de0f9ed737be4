"""The root command, its global options, and the one error boundary."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from aiccbridge import __version__
from aiccbridge.config import Config, find_config, load_config
from aiccbridge.core import AiccBridgeError
from aiccbridge.errors import ExitCode, exit_code_for
from aiccbridge.plugins import Plugins, load_plugins

__all__ = [
    "AppState",
    "app",
    "clean",
    "emit_json",
    "main",
    "plural",
    "run",
    "state",
    "warn",
]

DEBUG_ENV = "AICCBRIDGE_DEBUG"

app = typer.Typer(
    name="aiccbridge",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class AppState:
    """What the global options chose, and what was loaded lazily from them."""

    config_option: Path | None = None
    debug: bool = False
    verbosity: int = 0
    _config: Config | None = None
    _plugins: Plugins | None = None
    warned: set[str] = field(default_factory=set)

    def reset(self) -> None:
        """Forget everything: each run of the CLI starts afresh."""
        fresh = AppState()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))

    @property
    def config_path(self) -> Path:
        return find_config(self.config_option)

    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def plugins(self) -> Plugins:
        if self._plugins is None:
            self._plugins = load_plugins()
        for line in self._plugins.warnings:
            warn(line)
        self._plugins.warnings.clear()
        return self._plugins


state = AppState()


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """Text for the terminal: control and bidi characters shown as escapes.

    Catalog rows and package files are not ours; printed raw, an escape sequence
    in them could rewrite the user's screen.
    """
    return _UNPRINTABLE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}"
            if ord(m.group()) < 0x100
            else f"\\u{ord(m.group()):04x}"
        ),
        str(text),
    )


def plural(n: int, word: str) -> str:
    """``1 package``, ``2 packages``."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def warn(line: str) -> None:
    """One yellow warning line on stderr."""
    typer.secho(f"aiccbridge: warning: {clean(line)}", fg="yellow", err=True)


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aiccbridge {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Config file (default: $AICCBRIDGE_CONFIG, else ./aiccbridge.toml).",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More log lines (-vv).")
    ] = 0,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for every error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Get courses into customers' LMSs over AICC and bring learner progress back.

    Exit codes: 0 clean; 1 findings need attention (rows rejected, deliveries
    failed, a package with errors, a launch refused); 2 usage or config error;
    3 another run holds the state store; 4 a plugin failed under strict loading;
    5 the state store is damaged; 70 internal error.
    """
    state.config_option = config
    state.verbosity = verbose
    state.debug = debug or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    _configure_logging(verbose)


def _configure_logging(verbosity: int) -> None:
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logger = logging.getLogger("aiccbridge")
    logger.setLevel(level)
    if not any(getattr(h, "_aiccbridge", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("aiccbridge: %(levelname)s: %(message)s")
        )
        handler._aiccbridge = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit code; errors never escape."""
    state.reset()
    _register_commands()
    try:
        result = app(
            list(argv) if argv is not None else None,
            prog_name="aiccbridge",
            standalone_mode=False,
        )
    except AiccBridgeError as exc:
        return _report(exc)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:
        _usage(exc)
        return ExitCode.USAGE
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aiccbridge: interrupted", err=True)
        return 130
    except Exception:
        if state.debug:
            traceback.print_exc()
        else:
            typer.secho(
                "aiccbridge: internal error (a bug); run again with --debug "
                "for the traceback",
                fg="red",
                err=True,
            )
        return ExitCode.INTERNAL
    return int(result or 0)


_GLOBAL_OPTIONS = ("--config", "-c", "--debug", "--verbose", "-v", "--version")


def _usage(exc: typer.TyperException) -> None:
    show = getattr(exc, "show", None)
    if callable(show):
        show()
    else:
        typer.secho(f"aiccbridge: error: {exc.format_message()}", fg="red", err=True)
    message = exc.format_message()
    if "No such option" in message and any(o in message for o in _GLOBAL_OPTIONS):
        typer.echo(
            "aiccbridge: hint: global options go before the command: "
            "aiccbridge --config FILE sync",
            err=True,
        )


def _report(exc: AiccBridgeError) -> int:
    if state.debug:
        traceback.print_exc()
    for line in exc.message.splitlines() or [type(exc).__name__]:
        typer.secho(f"aiccbridge: error: {clean(line)}", fg="red", err=True)
    if exc.hint:
        typer.secho(f"aiccbridge: hint: {exc.hint}", err=True)
    return int(exit_code_for(exc))


def main() -> None:
    """The console-script entry point."""
    sys.exit(run())


_registered = False

#: One module per command group, each with a ``register(app)``; in --help order.
COMMAND_MODULES = (
    "_sync_cmd",
    "_package_cmd",
    "_bundles_cmd",
    "_config_cmd",
    "_launch_cmd",
    "_serve_cmd",
    "_lms_cmd",
    "_plugins_cmd",
    "_tenant_cmd",
    "_doctor_cmd",
)


def _register_commands() -> None:
    global _registered
    if _registered:
        return
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"aiccbridge.cli.{name}").register(app)
    _registered = True
