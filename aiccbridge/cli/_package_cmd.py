"""``aiccbridge package build|validate|inspect``."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Annotated

import typer

from aiccbridge.builder import BuiltPackage, member_problem
from aiccbridge.catalog import Catalog, CatalogEntry, read_catalog
from aiccbridge.cli._app import clean, emit_json, plural, state
from aiccbridge.cli._select import select_tenants, vendor_for
from aiccbridge.core import PackageError, PackageReading, read_package
from aiccbridge.errors import ConfigError, ExitCode, UsageError
from aiccbridge.sync import (
    build_settings,
    file_name_clashes,
    select_entries,
    try_build,
)

__all__ = ["register"]

package_app = typer.Typer(
    help="Build, validate and inspect AICC packages.", no_args_is_help=True
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print as JSON.")]


@package_app.command("build")
def build(
    tenant: Annotated[
        str | None, typer.Option("--tenant", "-t", help="Build for this tenant.")
    ] = None,
    course: Annotated[
        list[str] | None, typer.Option("--course", help="Only this course id (repeat).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder for the zips (default: packages/<tenant> next to the config).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Build packages from the catalog for one tenant, without touching the state store.

    Without --course, builds every course the tenant licensed. Exit 1 when a
    requested row could not be built.
    """
    config = state.config()
    plugins = state.plugins()
    chosen = select_tenants(
        config, plugins, vendor=None, names=[tenant] if tenant else []
    )
    if len(chosen) > 1:
        raise ConfigError(
            "--tenant: the config has several tenants; name one",
            hint="tenants: " + ", ".join(t.name for t in chosen),
        )
    target = chosen[0]
    catalog = read_catalog(config.catalog_spec())
    settings = build_settings(config, target, vendor_for(plugins, target))
    by_id = catalog.by_id()
    entries = _wanted(select_entries(catalog, target.library), catalog, course)
    folder = out or config.resolve(Path("packages") / target.name)
    folder.mkdir(parents=True, exist_ok=True)
    built, problems = [], []
    clashes = file_name_clashes(entries)
    for entry in entries:
        package = (
            member_problem(entry, by_id)
            or clashes.get(entry.id)
            or try_build(entry, settings, by_id)
        )
        if isinstance(package, str):
            problems.append({"line": entry.line, "id": entry.id, "reason": package})
            continue
        built.append(_write_zip(folder, package))
    rejected = [
        {"line": r.line, "id": r.id, "reason": r.reason}
        for r in catalog.rejected
        if not course or r.id in course
    ] + problems
    _print_build(target.name, folder, built, rejected, as_json)
    if rejected:
        raise typer.Exit(ExitCode.FINDINGS)


def _wanted(
    entries: list[CatalogEntry], catalog: Catalog, ids: list[str] | None
) -> list[CatalogEntry]:
    if not ids:
        return entries
    by_id = catalog.by_id()
    rejected = {r.id for r in catalog.rejected}
    missing = [i for i in ids if i not in by_id and i not in rejected]
    if missing:
        raise UsageError(f"--course: {missing[0]!r} is not in the catalog")
    return [by_id[i] for i in ids if i in by_id]


def _write_zip(folder: Path, package: BuiltPackage) -> dict[str, object]:
    data = package.zip_bytes()
    target = folder / package.file_name
    partial = folder / f".{package.file_name}.partial"
    partial.write_bytes(data)
    os.replace(partial, target)
    return {
        "course_id": package.entry.id,
        "title": package.title,
        "package": str(target),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _print_build(
    tenant: str, folder: Path, built: list[dict], rejected: list[dict], as_json: bool
) -> None:
    if as_json:
        emit_json(
            {
                "tenant": tenant,
                "out": str(folder),
                "packages": built,
                "rejected": rejected,
            }
        )
        return
    for row in built:
        typer.echo(
            f"{row['package']}  {clean(row['course_id'])}  {clean(row['title'])}"
        )
    for row in rejected:
        typer.echo(
            f"rejected line {row['line']} {clean(row['id']) or '(no id)'}: "
            f"{clean(row['reason'])}"
        )
    typer.echo(f"{plural(len(built), 'package')} for tenant {tenant} in {folder}")


@package_app.command("validate")
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Zips or folders.")],
    as_json: JsonOption = False,
) -> None:
    """Check packages against the AICC rules and what strict LMSs reject.

    An error is what stops a strict LMS importing the package; a warning is what
    some LMSs tolerate and others do not. Exit 1 when any error is found.
    """
    for path in paths:
        _must_exist(path)
    readings = [_read(path) for path in paths]
    failed = any(not r["ok"] for r in readings)
    if as_json:
        emit_json({"packages": readings, "ok": not failed})
    else:
        for reading in readings:
            _print_diagnostics(reading)
    if failed:
        raise typer.Exit(ExitCode.FINDINGS)


def _must_exist(path: Path) -> None:
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")


def _read(path: Path) -> dict:
    try:
        return read_package(path).to_dict()
    except PackageError as exc:
        diag = {
            "code": "AICC100",
            "severity": "error",
            "file": "",
            "line": None,
            "message": exc.message,
        }
        return {"source": str(path), "ok": False, "diagnostics": [diag]}


def _print_diagnostics(reading: dict) -> None:
    diags = reading["diagnostics"]
    for d in diags:
        where = reading["source"]
        if d["file"]:
            where += f"!{d['file']}" + (f":{d['line']}" if d["line"] else "")
        typer.echo(
            f"{clean(where)}: {d['severity']} {d['code']}: {clean(d['message'])}"
        )
    errors = sum(1 for d in diags if d["severity"] == "error")
    warnings = sum(1 for d in diags if d["severity"] == "warning")
    verdict = "ok" if reading["ok"] else "REJECTED by strict LMSs"
    typer.echo(
        f"{clean(reading['source'])}: {verdict} ({plural(errors, 'error')}, "
        f"{plural(warnings, 'warning')})"
    )


@package_app.command("inspect")
def inspect(
    path: Annotated[Path, typer.Argument(help="A zip or a folder.")],
    as_json: JsonOption = False,
) -> None:
    """Show what a package holds: course, AUs, structure, files, diagnostics.

    Exit 1 when the package has errors.
    """
    _must_exist(path)
    try:
        reading: PackageReading | None = read_package(path)
    except PackageError:
        if not as_json:
            raise
        reading = None
    data = reading.to_dict() if reading else _read(path)
    if as_json:
        emit_json(data)
    elif reading:
        _print_package(reading, data)
    if not data["ok"]:
        raise typer.Exit(ExitCode.FINDINGS)


def _print_package(reading: PackageReading, data: dict) -> None:
    package = reading.package
    if package is not None:
        c = package.course
        typer.echo(
            clean(
                f"course {c.course_id}: {c.title} (AICC {c.version}, level {c.level})"
            )
        )
        for au in package.aus:
            typer.echo(clean(f"  AU {au.system_id}: {au.file_name}"))
        for row in package.structure:
            typer.echo(clean(f"  block {row.block}: {', '.join(row.members)}"))
    typer.echo(clean("files: " + ", ".join(reading.files)))
    _print_diagnostics(data)


def register(app: typer.Typer) -> None:
    app.add_typer(package_app, name="package")
