"""Turning a progress report into the PutParam it queues.

The payload is fixed here, when the report arrives: status, Score and Time are
written once with the vendor's write profile, so a PutParam sent again carries
exactly the same values.

Status rules: ``completed: true`` sends ``completed`` and ends the session (an
ExitAU follows). A session whose learner had already finished the course (the
LMS said ``completed`` or ``passed`` at launch, or this gateway saw the learner
complete it before) never sends a lower status, nor a lower Score than the one
known. Without ``time_seconds`` the session time is measured from the launch.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from aiccbridge.core.hacp import LessonStatus, Score, WriteProfile, build_putparam
from aiccbridge.gateway._store import Plan, SessionRow

__all__ = ["ExitRequest", "ProgressReport", "plan_exit", "plan_progress"]

_Percent = Annotated[float, Field(strict=True, ge=0, le=100, allow_inf_nan=False)]
_Seconds = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
_Token = Annotated[StrictStr, Field(min_length=1, max_length=256)]
_DONE = (LessonStatus.PASSED.value, LessonStatus.COMPLETED.value)


class ProgressReport(BaseModel):
    """The body of ``POST /v1/progress``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    session: _Token
    percent: _Percent
    completed: StrictBool
    score: _Percent | None = None
    time_seconds: _Seconds | None = None


class ExitRequest(BaseModel):
    """The body of ``POST /v1/exit``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    session: _Token


def plan_progress(
    session: SessionRow, report: ProgressReport, *, now: float, profile: WriteProfile
) -> Plan:
    """The PutParam (and, at completion, the ExitAU) one report queues."""
    remembered = report.model_dump(exclude={"session"})
    return _plan(session, remembered, now=now, profile=profile)


def plan_exit(session: SessionRow, *, now: float, profile: WriteProfile) -> Plan:
    """A last PutParam (the last report's values, time up to now) and ExitAU."""
    last = dict(session.last_report or {})
    last["completed"] = False
    return _plan(session, last, now=now, profile=profile, end="exit")


def _plan(
    session: SessionRow,
    report: dict[str, Any],
    *,
    now: float,
    profile: WriteProfile,
    end: str | None = None,
) -> Plan:
    done = bool(report.get("completed"))
    status = _status(session, done)
    percent, score = _floored(session, report.get("percent"), report.get("score"))
    seconds = report.get("time_seconds")
    if seconds is None:
        seconds = max(0.0, now - session.launched_at)
    aicc_data = build_putparam(
        status,
        percent=percent,
        score=None if score is None else Score(score, 100.0, 0.0),
        time_seconds=seconds,
        profile=profile,
    )
    sent = score if score is not None else percent
    return Plan(
        aicc_data,
        end="completed" if done else end,
        report=report,
        completion=(status.value, sent) if done else None,
    )


def _status(session: SessionRow, done: bool) -> LessonStatus:
    if session.floor_status == LessonStatus.PASSED.value:
        return LessonStatus.PASSED
    if done or session.floor_status == LessonStatus.COMPLETED.value:
        return LessonStatus.COMPLETED
    return LessonStatus.INCOMPLETE


def _floored(
    session: SessionRow, percent: float | None, score: float | None
) -> tuple[float | None, float | None]:
    floor = session.floor_score
    if floor is None or session.floor_status not in _DONE:
        return percent, score
    if score is not None:
        return percent, max(score, floor)
    return (None if percent is None else max(percent, floor)), score
