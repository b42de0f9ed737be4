"""The gateway's tables in the state store: schema, claims, coalescing, purge."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from aiccbridge.errors import StoreError
from aiccbridge.gateway import GatewayStore
from aiccbridge.gateway._store import NewSession, Plan
from aiccbridge.store import StateStore
from tests.gateway.conftest import FakeClock

DAY = 86400.0


def new_session(token: str = "tok-1", learner: str | None = None) -> NewSession:
    return NewSession(
        token=token,
        tenant="acme",
        course_id="C-1",
        lms_host="lms.example.com",
        learner=learner,
        hacp_url="https://lms.example.com/hacp",
        aicc_sid="SID-0001-secret",
    )


def putparam(text: str, **extra: object) -> Plan:
    data = f"[Core]\r\nLesson_Status=incomplete\r\nScore={text}"
    return Plan(data, **extra)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> GatewayStore:
    with GatewayStore(tmp_path / "state.db", clock=clock) as opened:
        yield opened  # type: ignore[misc]


def payloads(store: GatewayStore, session_id: int) -> list[tuple[str, str]]:
    rows = store._db.execute(
        "SELECT command, aicc_data FROM gateway_messages WHERE session_id = ? "
        "ORDER BY id",
        (session_id,),
    )
    return [(row[0], row[1][-2:]) for row in rows]


def test_own_schema_row_and_syncs_user_version_untouched(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with StateStore(path):
        pass
    (before,) = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()
    with GatewayStore(path) as store:
        assert store._meta("schema_version") == "1"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (before,)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert {"gateway_meta", "gateway_sessions", "gateway_messages"} <= tables
    with StateStore(path) as sync_store:
        assert sync_store.delivered("acme") == {}


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    GatewayStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE gateway_meta SET value = '9' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer aiccbridge"):
        GatewayStore(path)


def test_a_damaged_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="damaged"):
        GatewayStore(path)


def test_tokens_and_learners_are_not_stored_in_clear(store: GatewayStore) -> None:
    key = store.learner_key("acme", "LMS.example.com", "jdoe42")
    assert key == store.learner_key("acme", "lms.example.com", "jdoe42")
    assert key != store.learner_key("acme", "lms.example.com", "jdoe43")
    store.open_session(new_session("secret-token-abc", learner=key))
    dump = "\n".join(store._db.iterdump())
    assert "secret-token-abc" not in dump and "jdoe42" not in dump


def test_a_claim_is_exclusive_until_its_lease_runs_out(
    store: GatewayStore, clock: FakeClock
) -> None:
    store.open_session(new_session())
    store.record("tok-1", lambda s: putparam("10"))
    (claim,) = store.claim("worker-a", 10, lease_seconds=30)
    assert claim.message.attempts == 1 and claim.session.aicc_sid == "SID-0001-secret"
    assert store.claim("worker-b", 10, lease_seconds=30) == []
    clock.advance(31)
    (again,) = store.claim("worker-b", 10, lease_seconds=30)
    assert again.message.id == claim.message.id and again.message.attempts == 2
    store.retry(claim.message.id, "worker-a", clock() + 5, "late")
    assert store.messages(claim.session.id)[0][1] == "sending"


def test_messages_of_a_session_go_strictly_in_order(store: GatewayStore) -> None:
    session = store.open_session(new_session())
    store.record("tok-1", lambda s: putparam("10"))
    store.claim("w", 10, 30)
    store.record("tok-1", lambda s: putparam("20", end="completed"))
    assert store.claim("w", 10, 30) == []
    first = store._db.execute("SELECT MIN(id) FROM gateway_messages").fetchone()[0]
    store.delivered(first)
    (second,) = store.claim("w", 10, 30)
    assert second.message.aicc_data.endswith("20")
    store.delivered(second.message.id)
    (third,) = store.claim("w", 10, 30)
    assert third.message.command == "ExitAU"
    assert [m[0] for m in store.messages(session.id)] == ["PutParam"] * 2 + ["ExitAU"]


def test_only_an_unclaimed_putparam_is_coalesced(
    store: GatewayStore, clock: FakeClock
) -> None:
    session = store.open_session(new_session())
    assert store.record("tok-1", lambda s: putparam("10")).coalesced is False
    assert store.record("tok-1", lambda s: putparam("11")).coalesced is True
    (claim,) = store.claim("w", 10, 30)
    assert store.record("tok-1", lambda s: putparam("12")).coalesced is False
    assert store.record("tok-1", lambda s: putparam("13")).coalesced is True
    store.retry(claim.message.id, "w", clock(), "LMS down")
    assert store.record("tok-1", lambda s: putparam("14")).coalesced is True
    assert payloads(store, session.id) == [("PutParam", "11"), ("PutParam", "14")]


def test_a_tried_message_keeps_its_payload(
    store: GatewayStore, clock: FakeClock
) -> None:
    session = store.open_session(new_session())
    store.record("tok-1", lambda s: putparam("10"))
    (claim,) = store.claim("w", 10, 30)
    store.retry(claim.message.id, "w", clock(), "LMS down")
    store._db.execute("DELETE FROM gateway_messages WHERE id != ?", (claim.message.id,))
    store.record("tok-1", lambda s: putparam("99"))
    assert payloads(store, session.id) == [("PutParam", "10"), ("PutParam", "99")]


def test_nothing_is_queued_for_an_unknown_or_ended_session(store: GatewayStore) -> None:
    assert store.record("nope", lambda s: putparam("1")).state == "unknown"
    store.open_session(new_session())
    store.record("tok-1", lambda s: putparam("100", end="completed"))
    ended = store.record("tok-1", lambda s: putparam("5"))
    assert ended.state == "ended" and ended.session is not None
    assert ended.session.end_reason == "completed"


def test_a_completion_is_the_floor_of_the_learners_next_session(
    store: GatewayStore,
) -> None:
    key = store.learner_key("acme", "lms.example.com", "jdoe")
    store.open_session(new_session("one", learner=key))
    store.record(
        "one", lambda s: putparam("80", end="completed", completion=("completed", 80.0))
    )
    second = store.open_session(new_session("two", learner=key))
    assert (second.floor_status, second.floor_score) == ("completed", 80.0)
    other = store.open_session(new_session("three", learner=None))
    assert (other.floor_status, other.floor_score) == (None, None)


def test_finished_sessions_are_purged_after_the_retention(
    store: GatewayStore, clock: FakeClock
) -> None:
    done = store.open_session(new_session("done"))
    store.record("done", lambda s: putparam("100", end="completed"))
    for claim in store.claim("w", 10, 30):
        store.delivered(claim.message.id)
    for claim in store.claim("w", 10, 30):
        store.delivered(claim.message.id)
    waiting = store.open_session(new_session("waiting"))
    store.record("waiting", lambda s: putparam("5", end="exit"))
    idle = store.open_session(new_session("idle"))
    clock.advance(30 * DAY - 1)
    assert store.purge(30 * DAY) == 0
    clock.advance(2)
    assert store.purge(30 * DAY) == 2
    assert store.session("done") is None and store.session("idle") is None
    assert store.session("waiting") is not None
    assert store.messages(done.id) == [] and store.messages(idle.id) == []
    assert len(store.messages(waiting.id)) == 2
