"""The gateway's public names, and the documentation of its API contract."""

from __future__ import annotations

from pathlib import Path

import aiccbridge.config
import aiccbridge.gateway
from aiccbridge.gateway import ExitRequest, ProgressReport

DOC = Path(__file__).resolve().parents[2] / "docs" / "gateway.md"


def test_public_api_is_pinned() -> None:
    assert sorted(aiccbridge.gateway.__all__) == [
        "ExitRequest",
        "GatewayStore",
        "ProgressReport",
        "create_app",
        "launchable_courses",
        "serve",
    ]
    for name in aiccbridge.gateway.__all__:
        assert getattr(aiccbridge.gateway, name) is not None


def test_the_contract_documents_every_field_and_status() -> None:
    text = DOC.read_text(encoding="utf-8")
    for model in (ProgressReport, ExitRequest):
        for field in model.model_fields:
            assert f"`{field}`" in text, field
    for code in (202, 401, 404, 409, 413, 422, 302, 403, 502):
        assert f"`{code}`" in text, code
    for error in ("unauthorized", "unknown_session", "session_ended", "invalid_body"):
        assert f'"{error}"' in text, error
    for setting in aiccbridge.config.GatewayConfig.model_fields:
        assert f"`{setting}`" in text, setting
