"""What the gateway logs: one line per HACP exchange, never a secret."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest

from tests.gateway.conftest import AUTH, TOKEN, Running, wait_until

SID = "SID-logs-31415926535"
STUDENT, NAME = "student-8472", "Lovelace, Ada"


def test_logs_hold_no_session_id_token_student_id_or_name(
    gateway: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="aiccbridge")
    lms = gateway.lms
    lms.enrol(SID, STUDENT, NAME)
    token = gateway.launch(SID)
    lms.mode = "fail"
    gateway.report(token, 30, time_seconds=30)
    wait_until(lambda: "PutParam" in lms.commands(SID))
    lms.mode = "ok"
    gateway.report(token, 100, completed=True, time_seconds=60)
    wait_until(lambda: gateway.pending() == 0)
    refused = f"/launch/acme/C-1?AICC_SID={SID}&AICC_URL={quote('https://x.example/')}"
    assert gateway.client.get(refused).status_code == 403
    lms.mode = "html"
    assert (
        gateway.client.get(
            f"/launch/acme/C-1?AICC_SID={SID}&AICC_URL={quote(lms.url)}"
        ).status_code
        == 502
    )
    lms.mode = "ok"
    wrong = {"Authorization": "Bearer not-the-token"}
    body = {"session": token, "percent": 1, "completed": False}
    assert (
        gateway.client.post("/v1/progress", json=body, headers=wrong).status_code == 401
    )
    assert (
        gateway.client.post("/v1/progress", json=body, headers=AUTH).status_code == 409
    )

    messages = [record.getMessage() for record in caplog.records]
    text = "\n".join(messages) + caplog.text
    for secret in (SID, quote(SID), TOKEN, token, STUDENT, NAME, "Lovelace"):
        assert secret not in text, secret
    hacp = [m for m in messages if m.startswith("HACP POST 127.0.0.1")]
    assert any("GetParam -> error=0" in m for m in hacp)
    assert any("PutParam -> HacpHttpError" in m for m in hacp)
    assert any("ExitAU -> error=0" in m for m in hacp)
    assert any(
        m.startswith("launch accepted: tenant acme, course C-1") for m in messages
    )
    assert any(m.startswith("launch refused (not_listed)") for m in messages)
    assert any("GetParam to 127.0.0.1 failed" in m for m in messages)
    assert any(m.startswith("POST /v1/progress -> 401") for m in messages)
