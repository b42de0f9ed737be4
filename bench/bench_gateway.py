"""Load the gateway on loopback: launches, bursts of progress, completions.

Usage: python bench/bench_gateway.py [--sessions N] [--burst B] [--concurrency C]
                                     [--latency SECONDS] [--workers W]

Starts the test suite's fake HACP LMS on 127.0.0.1 (answering every request
after ``--latency`` seconds, 50 ms by default) and ``aiccbridge serve`` as a
process on a free loopback port, then drives N learner sessions, C at a time:
each launches (GetParam), sends a burst of B progress reports and a completion.
It prints launches per second, progress reports stored per second, how long
the outbox took to drain, and how many HACP calls coalescing saved. Every
loop is bounded; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import tomli_w

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.gateway.fake_lms import FakeLms  # noqa: E402

T = TypeVar("T")
TOKEN = "bench-progress-token-0000"
CATALOG = "course_id,title,url\nB-1,Bench course,https://content.example.com/b1\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_project(root: Path, port: int, workers: int) -> Path:
    (root / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    config = {
        "provider": {
            "name": "Bench Provider",
            "launch_url": "https://aicc.example.com/launch/{tenant}/{course_id}",
        },
        "catalog": {"path": "catalog.csv", "columns": {"id": "course_id"}},
        "tenants": {
            "bench": {
                "vendor": "lms365",
                "hostnames": ["127.0.0.1"],
                "allow_http": True,
            }
        },
        "gateway": {"port": port, "workers": workers, "retry_initial_seconds": 0.2},
    }
    path = root / "aiccbridge.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return path


def start_gateway(config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AICCBRIDGE_PROGRESS_TOKEN": TOKEN}
    command = [sys.executable, "-m", "aiccbridge", "--config", str(config), "serve"]
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=out, env=env)


async def wait_up(client: httpx.AsyncClient, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the gateway did not start; see its log")


async def launch(client: httpx.AsyncClient, lms: FakeLms, number: int) -> str:
    """One launch (the gateway sends GetParam); the session token."""
    sid = f"BENCH-{number:06d}-SESSION"
    query = f"AICC_SID={sid}&AICC_URL={quote(lms.url, safe='')}"
    response = await client.get(f"/launch/bench/B-1?{query}")
    if response.status_code != 302:
        raise SystemExit(f"launch failed: HTTP {response.status_code}")
    found = parse_qs(urlsplit(response.headers["location"]).query)
    return found["aiccbridge_session"][0]


async def burst(client: httpx.AsyncClient, token: str, size: int) -> None:
    """``size`` progress reports one after the other, then the completion."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for step in range(size + 1):
        done = step == size
        body = {"session": token, "percent": 100 * step / size, "completed": done}
        answer = await client.post("/v1/progress", json=body, headers=headers)
        if answer.status_code != 202:
            raise SystemExit(f"report refused: HTTP {answer.status_code}")


async def drive(args: argparse.Namespace, base: str, lms: FakeLms) -> dict[str, float]:
    # Idle connections are dropped before uvicorn's 5 s keep-alive would close them.
    limits = httpx.Limits(max_connections=args.concurrency, keepalive_expiry=2)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await wait_up(client)
        gate = asyncio.Semaphore(args.concurrency)

        async def bounded(work: Awaitable[T]) -> T:
            async with gate:
                return await work

        started = time.perf_counter()
        tokens = await asyncio.gather(
            *(bounded(launch(client, lms, n)) for n in range(args.sessions))
        )
        launched = time.perf_counter()
        await asyncio.gather(*(bounded(burst(client, t, args.burst)) for t in tokens))
        reported = time.perf_counter()
        deadline = time.monotonic() + 120
        while (await client.get("/health")).json()["pending"]:
            if time.monotonic() > deadline:
                raise SystemExit("the outbox did not drain in 120 s")
            await asyncio.sleep(0.05)
        drained = time.perf_counter()
    return {
        "launch": launched - started,
        "report": reported - launched,
        "drain": drained - reported,
    }


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its worker processes (Linux only, else 0)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids = [pid, *map(int, children)]
        fields = [
            Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split() for p in pids
        ]
    except OSError:
        return 0.0
    ticks = sum(int(value) for stat in fields for value in stat[11:13])
    return ticks / os.sysconf("SC_CLK_TCK")


def report(args: argparse.Namespace, lms: FakeLms, timing: dict[str, float]) -> None:
    reports = args.sessions * (args.burst + 1)
    unsaved = reports + args.sessions  # one PutParam per report, one ExitAU each
    calls = sum(1 for e in lms.log if e.command in ("PutParam", "ExitAU"))
    print(
        f"machine: {os.cpu_count()} cores, LMS latency {args.latency * 1000:.0f} ms,"
        f" {args.workers} worker(s)"
    )
    print(
        f"sessions: {args.sessions}, {args.concurrency} at a time, "
        f"{args.burst} reports + completion each"
    )
    print(f"launches/s:        {args.sessions / timing['launch']:8.1f}")
    print(f"progress events/s: {reports / timing['report']:8.1f}")
    print(f"outbox drained {timing['drain']:.1f} s after the last report")
    if timing["cpu"]:
        print(f"gateway CPU time: {timing['cpu']:.1f} s")
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"driver and fake LMS CPU time: {own.ru_utime + own.ru_stime:.1f} s")
    print(
        f"HACP PutParam+ExitAU calls: {calls} for {reports} reports "
        f"({unsaved - calls} saved by coalescing, "
        f"{100 * (unsaved - calls) / unsaved:.0f}%)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--show-log", action="store_true", help="print the serve log")
    parser.add_argument("--log", type=Path, help="keep the serve log in this file")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeLms(latency=args.latency, auto_enrol=True) as lms,
    ):
        root = Path(folder)
        port = free_port()
        log = args.log or root / "serve.log"
        gateway = start_gateway(write_project(root, port, args.workers), log)
        try:
            timing = asyncio.run(drive(args, f"http://127.0.0.1:{port}", lms))
            timing["cpu"] = cpu_seconds(gateway.pid)
        finally:
            died = gateway.poll() is not None
            gateway.send_signal(signal.SIGTERM)
            gateway.wait(timeout=60)
            if args.show_log or died:
                print(log.read_text(encoding="utf-8")[-5000:])
        report(args, lms, timing)


if __name__ == "__main__":
    main()
