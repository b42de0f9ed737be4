"""The built-in ``sandbox`` vendor: ``aiccbridge sync --vendor sandbox`` uploads
for real over loopback to a sandbox running in a thread."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from aiccbridge.config import TenantConfig
from aiccbridge.delivery import DeliveryJob
from aiccbridge.errors import VendorError
from aiccbridge.sandbox import RunningSandbox, run_in_thread
from aiccbridge.sandbox.vendor import SANDBOX, SandboxApi, sandbox_url
from aiccbridge.testing import DEFAULT_CATALOG, Project


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with run_in_thread() as running:
        yield running


def tenant(url: str, **extra: Any) -> dict[str, dict[str, Any]]:
    return {
        "lab": {"vendor": "sandbox", "sandbox_url": url, "allow_http": True, **extra}
    }


def courses(sandbox: RunningSandbox) -> dict[str, int]:
    return {c.course_id: c.revision for c in sandbox.store.courses()}


def test_sync_uploads_and_replaces_in_place(
    aiccbridge_project: Project, sandbox: RunningSandbox
) -> None:
    project = aiccbridge_project
    project.write_config(tenant(sandbox.url))
    report = project.run("sync", "--vendor", "sandbox", "--json").assert_success()
    (result,) = report.json()["tenants"]
    assert result["added"] == 4 and not result["failed"] and result["bundle"] is None
    assert courses(sandbox) == {"C-1": 1, "C-2": 1, "P-1": 1, "V-1": 1}
    project.run("sync", "--vendor", "sandbox").assert_success().fnmatch_lines(
        ["lab (sandbox): 0 added, 0 changed, 4 unchanged, *"]
    )
    rows = [dict(row) for row in DEFAULT_CATALOG]
    rows[2]["title"] = "Intro video, recut"
    project.write_catalog(rows)
    project.run("sync", "--vendor", "sandbox").assert_success().fnmatch_lines(
        ["lab (sandbox): 0 added, 1 changed, 3 unchanged, *"]
    )
    assert courses(sandbox)["V-1"] == 2
    assert sandbox.store.course("V-1").title == "Intro video, recut"  # type: ignore[union-attr]


def test_a_path_arrives_as_its_course_structure(
    aiccbridge_project: Project, sandbox: RunningSandbox
) -> None:
    aiccbridge_project.write_config(tenant(sandbox.url))
    aiccbridge_project.run("sync", "--vendor", "sandbox").assert_success()
    path = sandbox.store.course("P-1")
    assert path is not None and len(path.aus) == 2
    assert (
        path.structure[0]["block"] == "Root" and len(path.structure[0]["members"]) == 2
    )


def test_retired_courses_are_retired_in_the_sandbox(
    aiccbridge_project: Project, sandbox: RunningSandbox
) -> None:
    project = aiccbridge_project
    project.write_config(tenant(sandbox.url))
    project.run("sync", "--vendor", "sandbox").assert_success()
    project.write_catalog([row for row in DEFAULT_CATALOG if row["course_id"] != "V-1"])
    project.run("sync", "--vendor", "sandbox").assert_success().fnmatch_lines(
        ["*1 retired*"]
    )
    assert "V-1" not in courses(sandbox)
    assert sandbox.store.course("V-1").retired  # type: ignore[union-attr]


def test_a_sandbox_that_is_down_fails_the_courses_for_the_next_run(
    aiccbridge_project: Project,
) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    project = aiccbridge_project
    project.write_config(tenant(f"http://127.0.0.1:{port}"))
    outcome = project.run("sync", "--vendor", "sandbox", "--json")
    outcome.assert_exit(1)
    (result,) = outcome.json()["tenants"]
    assert len(result["failed"]) == 4
    assert all("ConnectError" in f["reason"] for f in result["failed"])
    with run_in_thread(port=port) as sandbox:
        project.run("sync", "--vendor", "sandbox").assert_success()
        assert len(courses(sandbox)) == 4


def test_only_loopback_addresses_are_used() -> None:
    for url in ("http://lms.example.com:8766", "ftp://127.0.0.1", "http://10.0.0.1"):
        with pytest.raises(VendorError, match="sandbox_url"):
            sandbox_url(TenantConfig(name="lab", vendor="sandbox", sandbox_url=url))
    for url in ("http://127.0.0.1:9", "http://localhost:9/", "http://[::1]:9"):
        assert sandbox_url(TenantConfig(name="lab", vendor="sandbox", sandbox_url=url))
    default = TenantConfig(name="lab", vendor="sandbox")
    assert sandbox_url(default) == "http://127.0.0.1:8766"


def test_a_non_loopback_url_fails_every_course(
    aiccbridge_project: Project,
) -> None:
    aiccbridge_project.write_config(tenant("http://lms.example.com"))
    outcome = aiccbridge_project.run("sync", "--vendor", "sandbox", "--json")
    outcome.assert_exit(1)
    reasons = {f["reason"] for f in outcome.json()["tenants"][0]["failed"]}
    assert len(reasons) == 1 and "not a loopback host" in reasons.pop()


def test_config_check_wants_allow_http_and_a_loopback_url(
    aiccbridge_project: Project,
) -> None:
    aiccbridge_project.write_config(tenant("http://lms.example.com", allow_http=False))
    outcome = aiccbridge_project.run("config", "check")
    outcome.assert_exit(2)
    text = outcome.stdout + outcome.stderr
    assert "allow_http" in text and "sandbox_url" in text


def test_ping(sandbox: RunningSandbox) -> None:
    job = DeliveryJob(
        TenantConfig(name="lab", vendor="sandbox", sandbox_url=sandbox.url),
        SANDBOX,
        (),
        (),
        {},
    )
    assert "profile spec, 0 courses" in SandboxApi().ping(job)


def test_the_vendor_is_listed(aiccbridge_project: Project) -> None:
    listing = aiccbridge_project.run("vendors", "--json").assert_success().json()
    ids = {vendor["id"] for vendor in listing["vendors"]}
    assert "sandbox" in ids
    plugins = aiccbridge_project.run("plugins", "--json").assert_success().json()
    names = {p["name"]: p for p in plugins["plugins"]}
    assert names["sandbox"]["status"] == "loaded"
