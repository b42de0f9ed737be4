from __future__ import annotations

from aiccbridge.testing import Project


def test_scormcloud_names_its_credentials(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config({"cloud": {"vendor": "scormcloud"}})
    outcome = aiccbridge_project.run("config", "check", "--json").assert_success()
    (finding,) = [f for f in outcome.json()["findings"] if f["tenant"] == "cloud"]
    assert finding["key"] == "credentials" and "outbox" in finding["message"]
    aiccbridge_project.write_config(
        {"cloud": {"vendor": "scormcloud", "credentials": {"app_id": "CLOUD_APP"}}}
    )
    outcome = aiccbridge_project.run("config", "check", "--json").assert_exit(2)
    keys = {(f["key"], f["severity"]) for f in outcome.json()["findings"]}
    assert ("credentials.secret_key", "error") in keys


def test_scormcloud_vendor_facts(aiccbridge_project: Project) -> None:
    data = aiccbridge_project.run("vendors", "--json").assert_success().json()
    cloud = next(v for v in data["vendors"] if v["id"] == "scormcloud")
    assert cloud["delivery"] == "api" and cloud["encoding"] == "utf-8"
    assert [h["host"] for h in cloud["hostnames"]] == ["cloud.scorm.com"]
