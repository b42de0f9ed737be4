"""Sessions over time: status floors, relaunches, measured time, give-up,
purge, shutdown and restart, another LMS framing."""

from __future__ import annotations

import logging

import pytest

from tests.gateway.conftest import (
    FakeClock,
    Running,
    Starter,
    delivered,
    putparams,
    sent_core,
    wait_until,
    write_project,
)
from tests.gateway.fake_lms import FakeLms

SID = "SID-deliver-4e8a1c0f"


def test_status_never_goes_backwards_when_the_lms_says_completed(
    gateway: Running,
) -> None:
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane", status="completed", score="90")
    token = gateway.launch(SID)
    gateway.report(token, 20, time_seconds=10)
    delivered(gateway)
    assert sent_core(putparams(lms, SID)[0]) == ("completed", "90", "10")


def test_status_never_goes_backwards_across_relaunches(gateway: Running) -> None:
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    first = gateway.launch(SID)
    gateway.report(first, 100, completed=True, time_seconds=100)
    delivered(gateway)
    again, stranger = "SID-again-0a0b0c0d", "SID-stranger-01020304"
    lms.enrol(again, "jdoe", "Doe, Jane")
    lms.enrol(stranger, "other", "Roe, Richard")
    for sid in (again, stranger):
        gateway.report(gateway.launch(sid), 10, time_seconds=5)
    delivered(gateway)
    assert sent_core(putparams(lms, again)[0]) == ("completed", "100", "5")
    assert sent_core(putparams(lms, stranger)[0]) == ("incomplete", "10", "5")


def test_a_relaunch_ends_the_learners_open_session(gateway: Running) -> None:
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    old = gateway.launch(SID)
    gateway.report(old, 30, time_seconds=30)
    lms.enrol("SID-second-99887766", "jdoe", "Doe, Jane")
    new = gateway.launch("SID-second-99887766")
    late = gateway.report(old, 40)
    assert late.status_code == 409 and late.json()["ended"] == "superseded"
    assert gateway.report(new, 40).status_code == 202
    delivered(gateway)
    assert lms.commands(SID) == ["GetParam", "PutParam", "ExitAU"]
    assert lms.learner(SID).total.total_seconds() == 30


def test_time_is_measured_from_the_launch(start: Starter) -> None:
    clock = FakeClock()
    gateway = start(clock=clock)
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    token = gateway.launch(SID)
    clock.advance(75)
    gateway.report(token, 40)
    delivered(gateway)
    clock.advance(125)
    assert gateway.exit(token).status_code == 202
    delivered(gateway)
    assert [sent_core(b) for b in putparams(lms, SID)] == [
        ("incomplete", "40", "75"),
        ("incomplete", "40", "200"),
    ]
    assert lms.learner(SID).total.total_seconds() == 200


def test_a_message_is_given_up_after_give_up_hours(
    start: Starter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="aiccbridge")
    clock = FakeClock()
    gateway = start(clock=clock)
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    token = gateway.launch(SID)
    lms.mode = "fail"
    gateway.report(token, 40)
    wait_until(lambda: len(putparams(lms, SID, ok=False)) == 1)
    clock.advance(71 * 3600)
    wait_until(lambda: len(putparams(lms, SID, ok=False)) == 2)
    assert gateway.pending() == 1
    clock.advance(2 * 3600)
    delivered(gateway)
    with gateway.store() as store:
        session = store.session(token)
        assert session is not None
        command, state, outcome, attempts = store.messages(session.id)[0]
    assert (command, state, attempts) == ("PutParam", "failed", 3)
    assert outcome.startswith("gave up")
    assert "PutParam given up after 3 attempts" in caplog.text


def test_finished_sessions_are_purged_after_the_retention(start: Starter) -> None:
    clock = FakeClock()
    gateway = start(clock=clock)
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    token = gateway.launch(SID)
    gateway.report(token, 100, completed=True)
    delivered(gateway)
    clock.advance(29 * 86400)
    assert gateway.report(token, 100, completed=True).status_code == 409
    clock.advance(2 * 86400)
    wait_until(lambda: gateway.client.get("/health").json()["sessions"]["ended"] == 0)
    assert gateway.report(token, 100, completed=True).status_code == 404


def test_a_shutdown_leaves_what_is_undelivered_on_disk(start: Starter) -> None:
    write_project(start.project, shutdown_drain_seconds=0.2)
    gateway = start()
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    token = gateway.launch(SID)
    lms.mode = "fail"
    gateway.report(token, 10, time_seconds=10)
    wait_until(lambda: len(putparams(lms, SID, ok=False)) >= 1)
    gateway.report(token, 100, completed=True, time_seconds=20)
    start.stop_all()
    with gateway.store() as store:
        assert store.stats()["deliveries"]["queued"] == 3
    lms.mode = "ok"
    again = start()
    delivered(again)
    assert [sent_core(b) for b in putparams(lms, SID)] == [
        ("incomplete", "10", "10"),
        ("completed", "100", "20"),
    ]
    assert lms.learner(SID).exited
    assert lms.repeated_acknowledgements() == []


def test_an_ilias_style_lms(start: Starter) -> None:
    with FakeLms(style="ilias") as ilias:
        start.lms = ilias
        gateway = start()
        ilias.enrol(SID, "6", "Jane Doe")
        token = gateway.launch(SID)
        gateway.report(token, 100, completed=True, time_seconds=61)
        delivered(gateway)
        learner = ilias.learner(SID)
        assert (learner.status, learner.score, learner.exited) == (
            "completed",
            "100",
            True,
        )
        start.stop_all()
