"""Two worker processes' worth of delivery on one state store."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from aiccbridge.config import Config, load_config
from aiccbridge.core.hacp import LessonStatus, build_putparam
from aiccbridge.gateway import GatewayStore
from aiccbridge.gateway._delivery import AsyncStore, Dispatcher, HacpSender, Outcome
from aiccbridge.gateway._store import Claim, NewSession
from aiccbridge.plugins import Plugins
from aiccbridge.testing import Project
from tests.gateway.fake_lms import FakeLms

SESSIONS = 40
PUTPARAMS = 3


def seed(path: Path, lms: FakeLms) -> int:
    """Queue SESSIONS sessions of PUTPARAMS PutParams and an ExitAU each."""
    with GatewayStore(path) as store:
        for number in range(SESSIONS):
            sid = f"SID-worker-{number:04d}-x"
            lms.enrol(sid, f"s{number}", "Doe, Jane")
            session = store.open_session(
                NewSession(f"t{number}", "acme", "C-1", "127.0.0.1", None, lms.url, sid)
            )
            for step in range(PUTPARAMS):
                data = build_putparam(
                    LessonStatus.INCOMPLETE, percent=step * 10, time_seconds=step
                )
                store._insert(session.id, "PutParam", data, store.clock())
            store._insert(session.id, "ExitAU", "", store.clock())
    return SESSIONS * (PUTPARAMS + 1)


def run_worker(
    name: str,
    config: Config,
    plugins: Plugins,
    start: threading.Barrier,
    sent: list[int],
) -> None:
    async def main() -> None:
        store = AsyncStore(GatewayStore(config.state_path()))
        async with httpx.AsyncClient() as http:
            sender = HacpSender(config, plugins, http)

            async def send(claim: Claim) -> Outcome:
                sent.append(claim.message.id)
                return await sender.send(claim)

            dispatcher = Dispatcher(
                store, send, config.gateway, clock=time.time, worker=name, concurrency=4
            )
            start.wait(timeout=10)
            task = asyncio.create_task(dispatcher.run())
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                stats = await store.call(store.store.stats)
                if stats["deliveries"]["done"] == SESSIONS * (PUTPARAMS + 1):
                    break
                await asyncio.sleep(0.02)
            await dispatcher.drain(task, 0.5)
        store.close()

    asyncio.run(main())


def test_two_workers_on_one_store_never_send_a_message_twice(
    project: Project, plugins: Plugins
) -> None:
    config = load_config(project.config_path)
    with FakeLms(latency=0.01) as lms:
        total = seed(config.state_path(), lms)
        start = threading.Barrier(2)
        sent: dict[str, list[int]] = {"a": [], "b": []}
        threads = [
            threading.Thread(
                target=run_worker, args=(name, config, plugins, start, sent[name])
            )
            for name in sent
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    claimed = sent["a"] + sent["b"]
    assert len(claimed) == total and len(set(claimed)) == total
    assert sent["a"] and sent["b"], "both workers should have delivered"
    assert all(e.ok for e in lms.log)
    per_session = Counter(e.session_id for e in lms.log)
    assert set(per_session.values()) == {PUTPARAMS + 1}
    for number in range(SESSIONS):
        sid = f"SID-worker-{number:04d}-x"
        scores = [
            e.aicc_data.split("Score=")[1].split("\r\n")[0]
            for e in lms.log
            if e.session_id == sid and e.command == "PutParam"
        ]
        assert scores == ["0", "10", "20"]
        assert lms.commands(sid)[-1] == "ExitAU"
