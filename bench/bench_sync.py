"""Time the main job on a real catalog: a full first sync and a no-change re-sync.

Usage: python bench/bench_sync.py [CATALOG.csv] [--runs N]

Without an argument it uses the public catalog of 3,678 courses in the shared
corpus next to the checkout, or, where that is absent, a generated catalog of the
same size. Each figure is the best of N runs of the whole `aiccbridge sync`
process (start-up included), pinned to one core where `taskset` exists.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UDEMY = REPO.parent / "shared" / "corpus" / "catalogs" / "udemy_courses.csv"

CONFIG = """\
[provider]
name = "Bench Provider"
launch_url = "https://aicc.example.com/launch/{{tenant}}/{{course_id}}"

[catalog]
path = "catalog.csv"
duration_unit = "hours"

[catalog.columns]
id = "course_id"
title = "course_title"
url = "url"
duration = "content_duration"
subject = "subject"

[tenants.bench]
vendor = "schoox"
encoding = "{encoding}"
"""


def generated_catalog(path: Path, rows: int = 3678) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["course_id", "course_title", "url", "content_duration", "subject"]
        )
        for n in range(rows):
            writer.writerow(
                [
                    str(100000 + n),
                    f"Generated course {n} — Übung",
                    f"https://content.example.com/{n}",
                    "1.5",
                    "Bench",
                ]
            )


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"benchmark run failed ({done.returncode}): {done.stderr}")
    return elapsed


def bench(catalog: Path, encoding: str, runs: int) -> tuple[float, float]:
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    full, resync = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            shutil.copy(catalog, root / "catalog.csv")
            (root / "aiccbridge.toml").write_text(
                CONFIG.format(encoding=encoding), encoding="utf-8"
            )
            command = [
                *pin,
                sys.executable,
                "-m",
                "aiccbridge",
                "--config",
                str(root / "aiccbridge.toml"),
                "sync",
            ]
            full.append(timed(command))
            resync.append(timed(command))
    return min(full), min(resync)


def in_process(catalog: Path, encoding: str, runs: int) -> tuple[float, float]:
    """Best time to read the catalog and build every package (render, fingerprint,
    zip) in memory, and to plan a no-change re-run: the CPU part, no disk."""
    from aiccbridge.builder import BuildSettings, input_key
    from aiccbridge.catalog import CatalogSpec, read_catalog
    from aiccbridge.config import TenantConfig
    from aiccbridge.store import DeliveredCourse
    from aiccbridge.sync import plan_tenant

    spec = CatalogSpec(
        catalog,
        {
            "id": "course_id",
            "title": "course_title",
            "url": "url",
            "duration": "content_duration",
        },
        "hours",
    )
    tenant = TenantConfig(name="bench", vendor="schoox", encoding=encoding)
    settings = BuildSettings(
        "bench",
        "https://aicc.example.com/launch/{tenant}/{course_id}",
        "Bench Provider",
        "3.5",
        encoding,
    )
    build, replan = [], []
    for _ in range(runs):
        start = time.perf_counter()
        loaded = read_catalog(spec)
        plan = plan_tenant(loaded, settings, tenant, {})
        zips = [item.built.zip_bytes() for item in plan.items if item.built]
        build.append(time.perf_counter() - start)
        by_id = loaded.by_id()
        delivered = {
            i.course_id: DeliveredCourse(
                i.course_id,
                i.title,
                i.built.fingerprint,
                input_key(by_id[i.course_id], settings, by_id),
                "",
                "",
                "",
            )
            for i in plan.items
            if i.built
        }
        start = time.perf_counter()
        plan_tenant(read_catalog(spec), settings, tenant, delivered)
        replan.append(time.perf_counter() - start)
        assert len(zips) > 3000 or len(zips) == len(plan.items)
    return min(build), min(replan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalog", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        catalog = args.catalog or (UDEMY if UDEMY.is_file() else None)
        if catalog is None:
            catalog = Path(tmp) / "generated.csv"
            generated_catalog(catalog)
        with open(catalog, encoding="utf-8", errors="replace") as handle:
            rows = sum(1 for _ in handle) - 1
        print(f"catalog: {catalog} (~{rows} lines), best of {args.runs} runs")
        for encoding in ("ascii", "utf-8"):
            build, replan = in_process(catalog, encoding, args.runs)
            print(
                f"  {encoding:<6} in memory: read + build + zip all {build:6.3f} s"
                f"   no-change plan {replan:6.3f} s"
            )
            full, resync = bench(catalog, encoding, args.runs)
            print(
                f"  {encoding:<6} whole process: full sync {full:6.3f} s   "
                f"no-change re-sync {resync:6.3f} s"
            )


if __name__ == "__main__":
    main()
