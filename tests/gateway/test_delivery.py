"""Delivery: order, retries, coalescing, acknowledgements, refusals."""

from __future__ import annotations

import logging

import pytest

from tests.gateway.conftest import (
    Running,
    delivered,
    putparams,
    sent_core,
    wait_until,
)

SID = "SID-deliver-4e8a1c0f"


def test_progress_then_completion_reaches_the_lms_in_order(gateway: Running) -> None:
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    token = gateway.launch(SID)
    for percent, seconds in ((0, 5), (50, 60), (100, 125)):
        done = percent == 100
        response = gateway.report(token, percent, completed=done, time_seconds=seconds)
        assert response.status_code == 202
        delivered(gateway)
    assert lms.commands(SID) == [
        "GetParam",
        "PutParam",
        "PutParam",
        "PutParam",
        "ExitAU",
    ]
    assert [sent_core(body) for body in putparams(lms, SID)] == [
        ("incomplete", "0", "5"),
        ("incomplete", "50", "60"),
        ("completed", "100", "125"),
    ]
    learner = lms.learner(SID)
    assert (learner.status, learner.score, learner.exited) == ("completed", "100", True)
    assert learner.total.total_seconds() == 125
    assert lms.repeated_acknowledgements() == []


def test_reports_while_the_lms_is_down_are_coalesced(gateway: Running) -> None:
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    token = gateway.launch(SID)
    lms.mode = "fail"
    gateway.report(token, 1, time_seconds=1)
    wait_until(lambda: "PutParam" in lms.commands(SID))
    for percent in range(2, 41):
        assert gateway.report(token, percent, time_seconds=percent).status_code == 202
    done = gateway.report(token, 100, completed=True, time_seconds=300)
    assert done.json()["coalesced"] is True
    lms.mode = "ok"
    delivered(gateway)
    bodies = putparams(lms, SID)
    assert [sent_core(body) for body in bodies] == [
        ("incomplete", "1", "1"),
        ("completed", "100", "300"),
    ]
    assert len(set(putparams(lms, SID, ok=False))) == 2
    assert lms.commands(SID)[-1] == "ExitAU"
    assert lms.learner(SID).total.total_seconds() == 300
    assert lms.repeated_acknowledgements() == []


def test_a_message_is_retried_until_the_lms_answers(gateway: Running) -> None:
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    token = gateway.launch(SID)
    lms.mode = "drop"
    gateway.report(token, 10, time_seconds=30)
    wait_until(lambda: len([e for e in lms.log if e.answer == "drop"]) >= 3)
    lms.mode = "ok"
    delivered(gateway)
    assert [sent_core(b) for b in putparams(lms, SID)] == [("incomplete", "10", "30")]


def test_an_unanswered_message_is_sent_again_with_the_same_values(
    gateway: Running,
) -> None:
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    token = gateway.launch(SID)
    lms.stall_seconds = 0.6
    lms.stall_commands = {"PutParam"}
    gateway.report(token, 20)
    wait_until(lambda: len(putparams(lms, SID)) >= 1)
    lms.stall_commands = set()
    delivered(gateway)
    bodies = putparams(lms, SID)
    assert len(bodies) >= 2 and len(set(bodies)) == 1


def test_a_repeated_exitau_answered_already_exited_counts_as_done(
    gateway: Running,
) -> None:
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    token = gateway.launch(SID)
    lms.stall_seconds = 0.6
    lms.stall_commands = {"ExitAU"}
    gateway.report(token, 100, completed=True, time_seconds=42)
    wait_until(lambda: lms.learner(SID).exited)
    lms.stall_commands = set()
    delivered(gateway)
    answers = [e.answer for e in lms.log if e.command == "ExitAU"]
    assert answers[0] == "ok" and answers[-1] == "error=101"
    with gateway.store() as store:
        session = store.session(token)
        assert session is not None
        assert store.messages(session.id)[-1][:3] == (
            "ExitAU",
            "done",
            "already exited",
        )
    assert lms.learner(SID).total.total_seconds() == 42


def test_a_refused_message_is_given_up_and_the_next_one_goes_on(
    gateway: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="aiccbridge")
    lms = gateway.lms
    lms.enrol(SID, "jdoe", "Doe, Jane")
    token = gateway.launch(SID)
    lms.forget(SID)
    gateway.report(token, 100, completed=True)
    delivered(gateway)
    assert lms.commands(SID) == ["GetParam", "PutParam", "ExitAU"]
    with gateway.store() as store:
        session = store.session(token)
        assert session is not None
        states = [m[:2] for m in store.messages(session.id)]
    assert states == [("PutParam", "failed"), ("ExitAU", "failed")]
    assert "PutParam not accepted after 1 attempt" in caplog.text
