"""Acceptance on a real public catalog of 3,678 courses (shared corpus)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from aiccbridge.core import read_package
from aiccbridge.testing import Project

COLUMNS = {
    "id": "course_id",
    "title": "course_title",
    "url": "url",
    "duration": "content_duration",
    "subject": "subject",
}


def test_udemy_catalog_for_an_ascii_and_a_utf8_tenant(
    corpus: Path, tmp_path: Path
) -> None:
    source = corpus / "catalogs" / "udemy_courses.csv"
    shutil.copy(source, tmp_path / "catalog.csv")
    project = Project(tmp_path)
    project.write_config(
        {
            "plain": {"vendor": "schoox", "encoding": "ascii"},
            "unicode": {"vendor": "schoox", "encoding": "utf-8"},
        },
        catalog={"path": "catalog.csv", "duration_unit": "hours", "columns": COLUMNS},
    )
    outcome = project.run("sync", "--vendor", "schoox", "--json")
    outcome.assert_exit(1)  # the catalog has unusable rows
    tenants = {t["tenant"]: t for t in outcome.json()["tenants"]}

    with open(source, newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    ids = {r["course_id"] for r in records if r["course_title"].strip()}
    empty_titles = [r for r in records if not r["course_title"].strip()]

    for name, result in tenants.items():
        rejected_lines = {r["line"] for r in result["rejected"]}
        assert len(rejected_lines) == len(result["rejected"])
        assert len(empty_titles) <= len(result["rejected"]) < 30
        assert result["added"] + len(result["rejected"]) <= len(ids) + len(empty_titles)
        bundle = Path(result["bundle"])
        packages = sorted(bundle.glob("*.zip"))
        assert len(packages) == result["added"] > 3600
        for package in packages:
            reading = read_package(package)
            assert not reading.errors, (name, package.name, reading.errors)
        manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["rejected"] == result["rejected"]
    assert tenants["plain"]["transliterated"]
    assert not tenants["unicode"]["transliterated"]

    again = project.run("sync", "--vendor", "schoox", "--json").json()["tenants"]
    for result in again:
        assert (result["added"], result["changed"], result["retired"]) == (0, 0, 0)
        assert result["bundle"] is None
