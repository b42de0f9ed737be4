from __future__ import annotations

import zipfile
from pathlib import Path

from aiccbridge.testing import Project


def test_schoox_family_is_registered_by_one_plugin(aiccbridge_project: Project) -> None:
    data = aiccbridge_project.run("plugins", "--json").assert_success().json()
    schoox = next(p for p in data["plugins"] if p["name"] == "schoox")
    assert set(schoox["vendors"]) == {"schoox", "ultipro", "paycom"}


def test_ultipro_tenant_syncs_ascii_packages(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config({"ukg": {"vendor": "ultipro"}})
    result = aiccbridge_project.run("sync", "--json").assert_success().json()
    bundle = Path(result["tenants"][0]["bundle"])
    with zipfile.ZipFile(bundle / "C-2.zip") as archive:
        archive.read("course.des").decode("ascii")  # "für" fitted to ASCII
