"""One test per hook, plus the tests that keep the hook docs complete."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from pytest import MonkeyPatch

from aiccbridge import TenantConfig, Vendor, hookimpl, hookspecs
from aiccbridge.delivery import DeliveryJob, DeliveryOutcome
from aiccbridge.testing import Project

REPO = Path(__file__).resolve().parents[2]
HOOKS = sorted(n for n in dir(hookspecs) if n.startswith("aiccbridge_"))

Register = Callable[[object, str], None]


class AcmeLms:
    """A throwaway third-party plugin: one vendor and one tenant rule."""

    @hookimpl
    def aiccbridge_register_vendors(self, register: Callable[[Vendor], None]) -> None:
        register(
            Vendor(
                id="acmelms",
                name="Acme LMS",
                hostnames=("lms.acme.example",),
                encoding="cp1252",
                forbidden_chars="!",
            )
        )

    @hookimpl
    def aiccbridge_check_tenant(
        self, tenant: TenantConfig, vendor: Vendor
    ) -> list[str] | None:
        if vendor.id != "acmelms":
            return None
        return [] if tenant.aicc_version else ["aicc_version: Acme LMS needs one set"]


def test_hook_aiccbridge_register_vendors(
    aiccbridge_project: Project, register_plugin: Register
) -> None:
    register_plugin(AcmeLms(), "acmelms")
    aiccbridge_project.write_config({"t": {"vendor": "acmelms", "aicc_version": "3.0"}})
    data = aiccbridge_project.run("vendors", "--json").assert_success().json()
    acme = next(v for v in data["vendors"] if v["id"] == "acmelms")
    assert acme["plugin"] == "acmelms" and acme["encoding"] == "cp1252"
    result = aiccbridge_project.run("sync", "--json").assert_success().json()
    assert result["tenants"][0]["vendor"] == "acmelms"


def test_hook_aiccbridge_check_tenant(
    aiccbridge_project: Project, register_plugin: Register
) -> None:
    register_plugin(AcmeLms(), "acmelms")
    aiccbridge_project.write_config({"t": {"vendor": "acmelms"}})
    outcome = aiccbridge_project.run("config", "check", "--json").assert_exit(2)
    messages = [f["message"] for f in outcome.json()["findings"]]
    assert "aicc_version: Acme LMS needs one set" in messages


class FakeCloud:
    """A throwaway API vendor: uploads all but FAIL-* ids, hands MAN-* to a person."""

    def __init__(self) -> None:
        self.jobs: list[DeliveryJob] = []

    @hookimpl
    def aiccbridge_register_vendors(self, register: Callable[[Vendor], None]) -> None:
        register(
            Vendor(
                id="fakecloud",
                name="Fake Cloud",
                delivery="api",
                credentials=("token",),
                hostnames=("cloud.fake.example",),
            )
        )

    @hookimpl
    def aiccbridge_vendor_api(self, vendor: Vendor) -> object:
        return self if vendor.id == "fakecloud" else None

    def ping(self, job: DeliveryJob) -> str:
        return "ok"

    def deliver(self, job: DeliveryJob) -> DeliveryOutcome:
        self.jobs.append(job)
        outcome = DeliveryOutcome(notes=["fake cloud run"])
        for upload in job.uploads:
            if upload.course_id.startswith("FAIL"):
                outcome.failed[upload.course_id] = "import job ended in ERROR"
            elif upload.course_id.startswith("MAN"):
                outcome.manual[upload.course_id] = "upload by hand"
            else:
                outcome.delivered[upload.course_id] = "version 0"
        outcome.retired = [r.course_id for r in job.retirements]
        return outcome


def test_hook_aiccbridge_vendor_api(
    aiccbridge_project: Project, register_plugin: Register, monkeypatch: MonkeyPatch
) -> None:
    cloud = FakeCloud()
    register_plugin(cloud, "fakecloud")
    rows = [
        {"course_id": i, "title": f"Course {i}", "kind": "course"}
        for i in ("OK-1", "FAIL-1", "MAN-1")
    ]
    aiccbridge_project.write_catalog(rows)
    aiccbridge_project.write_config(
        {"c": {"vendor": "fakecloud", "credentials": {"token": "FAKE_TOKEN_VAR"}}}
    )
    monkeypatch.delenv("FAKE_TOKEN_VAR", raising=False)
    missing = aiccbridge_project.run("sync", "--json").assert_exit(1).json()
    (result,) = missing["tenants"]
    assert {f["reason"] for f in result["failed"]} == {
        "credentials not set: token ($FAKE_TOKEN_VAR)"
    }
    assert cloud.jobs == []

    monkeypatch.setenv("FAKE_TOKEN_VAR", "t0ken")
    (result,) = (
        aiccbridge_project.run("sync", "--json").assert_exit(1).json()["tenants"]
    )
    assert cloud.jobs[0].credentials == {"token": "t0ken"}
    assert [f["course_id"] for f in result["failed"]] == ["FAIL-1"]
    assert result["notes"] == ["fake cloud run"]
    bundle = Path(result["bundle"])
    assert sorted(p.name for p in bundle.glob("*.zip")) == ["MAN-1.zip"]
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["add"][0]["instruction"] == "upload by hand"
    assert "MAN-1 (MAN-1.zip): upload by hand" in (bundle / "README.txt").read_text()

    (again,) = aiccbridge_project.run("sync", "--json").assert_exit(1).json()["tenants"]
    assert [u.course_id for u in cloud.jobs[-1].uploads] == ["FAIL-1"]
    assert again["added"] == 1 and again["unchanged"] == 2

    aiccbridge_project.write_catalog(rows[1:])
    aiccbridge_project.run("sync", "--json")
    assert [r.course_id for r in cloud.jobs[-1].retirements] == ["OK-1"]


def test_every_hook_has_a_test() -> None:
    names = set(globals())
    missing = [h for h in HOOKS if f"test_hook_{h}" not in names]
    assert not missing


def test_every_hook_is_documented_with_its_arguments() -> None:
    docs = (REPO / "docs" / "hooks.md").read_text(encoding="utf-8")
    for hook in HOOKS:
        section = re.search(rf"^## `{hook}\((.*?)\)`", docs, re.M)
        assert section, f"docs/hooks.md has no section for {hook}"
        spec = getattr(hookspecs, hook)
        arguments = spec.__code__.co_varnames[: spec.__code__.co_argcount]
        assert section.group(1) == ", ".join(arguments)


def test_throwaway_plugin_is_gone_after_the_test(aiccbridge_project: Project) -> None:
    data = aiccbridge_project.run("vendors", "--json").assert_success().json()
    assert "acmelms" not in {v["id"] for v in data["vendors"]}
