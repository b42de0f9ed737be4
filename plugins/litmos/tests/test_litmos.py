from __future__ import annotations

from aiccbridge.testing import Project


def test_litmos_tenant_must_list_its_host(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(
        {"acme": {"vendor": "litmos", "credentials": {"api_key": "LITMOS_KEY_UNSET"}}}
    )
    outcome = aiccbridge_project.run("config", "check", "--json").assert_exit(2)
    found = {(f["key"], f["severity"]) for f in outcome.json()["findings"]}
    assert ("hostnames", "error") in found
    assert ("credentials.api_key", "warning") in found


def test_litmos_syncs_to_the_outbox(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(
        {"acme": {"vendor": "litmos", "hostnames": ["acme.litmos.com"]}}
    )
    result = aiccbridge_project.run("sync", "--json").assert_success().json()
    assert result["tenants"][0]["added"] == 4
