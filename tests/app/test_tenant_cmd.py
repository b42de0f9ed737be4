"""``aiccbridge tenant add|list|show`` on hand-written config files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from aiccbridge.config import load_config
from aiccbridge.testing import Project

# Comments, odd spacing, single quotes, inline tables, a dotted key, an array
# split over lines, and no newline at the end.
HAND_WRITTEN = """\
# Acme's config -- kept by hand
[provider]
name   =   'Acme Learning'     # single quotes, odd spacing
launch_url="https://aicc.example.com/launch/{tenant}/{course_id}"

[catalog]
path = "catalog.csv"
columns = { id = "course_id" , title = "title" }   # an inline table


[tenants.old]
vendor = "paycom"
library.kinds = [ "course",
   "video" ]
credentials = {}
# the end, without a newline"""

ADD = (
    "tenant",
    "add",
    "newco",
    "--vendor",
    "schoox",
    "--host",
    " HTTPS://LMS.NewCo.example:8443/hacp ",
    "--host",
    "*.newco-lms.example",
    "--aicc-version",
    "2.5",
    "--encoding",
    "cp1252",
    "--outbox",
    "deliveries/newco",
    "--credential",
    "api_key=NEWCO_API_KEY",
    "--credential",
    "academy_id=NEWCO_ACADEMY",
)


def write(project: Project, text: str | bytes) -> bytes:
    data = text.encode("utf-8") if isinstance(text, str) else text
    project.config_path.write_bytes(data)
    return data


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def leftovers(project: Project) -> list[str]:
    return sorted(p.name for p in project.root.iterdir() if p.name.endswith(".tmp"))


def test_add_keeps_every_original_byte(aiccbridge_project: Project) -> None:
    original = write(aiccbridge_project, HAND_WRITTEN)
    outcome = aiccbridge_project.run(*ADD).assert_success()
    assert "added tenant newco (schoox)" in outcome.stdout
    data = aiccbridge_project.config_path.read_bytes()
    assert data.startswith(original)
    assert data[len(original) :].startswith(b"\n\n[tenants.newco]\n")
    config = load_config(aiccbridge_project.config_path)
    new = config.tenants["newco"]
    assert new.vendor == "schoox"
    assert new.hostnames == ["lms.newco.example", "*.newco-lms.example"]
    assert (new.aicc_version, new.encoding) == ("2.5", "cp1252")
    assert config.outbox_for(new) == aiccbridge_project.root / "deliveries" / "newco"
    assert new.credentials == {
        "api_key": "NEWCO_API_KEY",
        "academy_id": "NEWCO_ACADEMY",
    }
    assert config.tenants["old"].library.kinds == ["course", "video"]
    assert leftovers(aiccbridge_project) == []


@pytest.mark.parametrize(
    ("ending", "separator"),
    [
        ("", b"\n\n"),
        ("\n", b"\n"),
        ("\n\n", b""),
        ("\n   \n", b""),
        ("\n\n\n", b""),
    ],
)
def test_one_blank_line_before_the_new_table(
    aiccbridge_project: Project, ending: str, separator: bytes
) -> None:
    base = HAND_WRITTEN.rsplit("\n", 1)[0] + "\nallow_http = false  # x"
    original = write(aiccbridge_project, base + ending)
    aiccbridge_project.run("tenant", "add", "b", "--vendor", "paycom").assert_success()
    data = aiccbridge_project.config_path.read_bytes()
    assert data == original + separator + b'[tenants.b]\nvendor = "paycom"\n'


def test_crlf_file_gets_crlf_lines(aiccbridge_project: Project) -> None:
    original = write(aiccbridge_project, HAND_WRITTEN.replace("\n", "\r\n") + "\r\n")
    args = ("tenant", "add", "b", "--vendor", "paycom", "--host", "a.example")
    aiccbridge_project.run(*args).assert_success()
    added = aiccbridge_project.config_path.read_bytes()[len(original) :]
    assert added.startswith(b"\r\n[tenants.b]\r\n")
    assert b"\n" not in added.replace(b"\r\n", b"")
    assert load_config(aiccbridge_project.config_path).tenants["b"].hostnames == [
        "a.example"
    ]


def test_file_mode_is_kept(aiccbridge_project: Project) -> None:
    write(aiccbridge_project, HAND_WRITTEN)
    os.chmod(aiccbridge_project.config_path, 0o640)
    aiccbridge_project.run("tenant", "add", "b", "--vendor", "paycom").assert_success()
    assert aiccbridge_project.config_path.stat().st_mode & 0o777 == 0o640


def test_a_symlinked_config_stays_a_link(aiccbridge_project: Project) -> None:
    real = aiccbridge_project.root / "real.toml"
    real.write_text(HAND_WRITTEN, encoding="utf-8")
    aiccbridge_project.config_path.unlink()
    aiccbridge_project.config_path.symlink_to(real.name)
    aiccbridge_project.run("tenant", "add", "b", "--vendor", "paycom").assert_success()
    assert aiccbridge_project.config_path.is_symlink()
    assert "b" in load_config(real).tenants


def test_adding_an_existing_tenant_changes_nothing(aiccbridge_project: Project) -> None:
    write(aiccbridge_project, HAND_WRITTEN)
    before = snapshot(aiccbridge_project.config_path)
    outcome = aiccbridge_project.run("tenant", "add", "old", "--vendor", "schoox")
    outcome.assert_exit(2)
    assert outcome.stderr.splitlines() == [
        f"aiccbridge: error: {aiccbridge_project.config_path}: tenant 'old' already "
        "exists; edit its [tenants.old] table or choose another name"
    ]
    assert snapshot(aiccbridge_project.config_path) == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("bad name", "--vendor", "schoox"), "tenant name 'bad name'"),
        (("a.b", "--vendor", "schoox"), "tenant name 'a.b'"),
        (("x",), "tenant add needs --vendor"),
        (("x", "--vendor", "moodle"), "--vendor: unknown vendor 'moodle'; known: "),
        (("x", "--vendor", "schoox", "--host", "*.com"), "--host: allow-list entry"),
        (("x", "--vendor", "schoox", "--host", ""), "--host: an allow-list entry"),
        (("x", "--vendor", "schoox", "--aicc-version", "3"), "--aicc-version: '3'"),
        (("x", "--vendor", "schoox", "--encoding", "latin-1"), "--encoding: 'latin-1'"),
        (("x", "--vendor", "schoox", "--outbox", " "), "--outbox: give a folder"),
        (("x", "--vendor", "schoox", "--credential", "api_key"), "KEY=ENV_VAR"),
        (("x", "--vendor", "schoox", "--credential", "k=V"), "no credential 'k'"),
        (
            ("x", "--vendor", "schoox", "--credential", "api_key=my-secret!"),
            "must name an environment variable",
        ),
    ],
)
def test_every_bad_option_is_one_line_and_exit_2(
    aiccbridge_project: Project, args: tuple[str, ...], says: str
) -> None:
    write(aiccbridge_project, HAND_WRITTEN)
    before = snapshot(aiccbridge_project.config_path)
    outcome = aiccbridge_project.run("tenant", "add", *args)
    outcome.assert_exit(2)
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("aiccbridge: error: ")
    assert says in lines[0]
    assert snapshot(aiccbridge_project.config_path) == before
    assert leftovers(aiccbridge_project) == []


def test_a_file_that_would_not_load_is_left_alone(aiccbridge_project: Project) -> None:
    head = HAND_WRITTEN.split("[tenants.old]")[0]
    write(aiccbridge_project, 'tenants = { old = { vendor = "paycom" } }\n' + head)
    load_config(aiccbridge_project.config_path)  # valid as it is
    before = snapshot(aiccbridge_project.config_path)
    outcome = aiccbridge_project.run("tenant", "add", "b", "--vendor", "paycom")
    outcome.assert_exit(2)
    assert f"{aiccbridge_project.config_path}:" in outcome.stderr
    assert ".tmp" not in outcome.stderr and "nothing was written" in outcome.stderr
    assert snapshot(aiccbridge_project.config_path) == before
    assert leftovers(aiccbridge_project) == []


def test_an_invalid_config_is_reported_and_left_alone(
    aiccbridge_project: Project,
) -> None:
    write(aiccbridge_project, HAND_WRITTEN + '\nencoding = "latin-9"\n')
    before = snapshot(aiccbridge_project.config_path)
    outcome = aiccbridge_project.run("tenant", "add", "b", "--vendor", "paycom")
    outcome.assert_exit(2)
    assert "tenants.old.encoding" in outcome.stderr
    assert snapshot(aiccbridge_project.config_path) == before


def test_a_missing_config_is_refused(tmp_path: Path) -> None:
    project = Project(tmp_path)
    outcome = project.run("tenant", "add", "b", "--vendor", "paycom")
    outcome.assert_exit(2)
    assert "no such config file" in outcome.stderr
    assert "[provider] and [catalog]" in outcome.stderr
    assert not project.config_path.exists()


def test_add_reports_what_config_check_would_say(aiccbridge_project: Project) -> None:
    write(aiccbridge_project, HAND_WRITTEN)
    outcome = aiccbridge_project.run("tenant", "add", "b", "--vendor", "scormcloud")
    outcome.assert_success()
    outcome.fnmatch_lines(
        [
            "*warning: tenants.b.credentials: none of SCORM Cloud*outbox*",
            "next: aiccbridge doctor --tenant b",
        ]
    )


SHOW_CONFIG: dict[str, dict[str, Any]] = {
    "acme": {
        "vendor": "schoox",
        "hostnames": ["lms.acme.example", "storage.googleapis.com"],
        "encoding": "utf-8",
        "library": {"kinds": ["course"]},
        "credentials": {"api_key": "ACME_KEY", "academy_id": "ACME_ACADEMY"},
    },
    "side": {"vendor": "paycom", "aicc_version": "2.5"},
    "gone": {"vendor": "retired-lms"},
}


def test_list_shows_each_tenant(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(SHOW_CONFIG)
    data = aiccbridge_project.run("tenant", "list", "--json").assert_success().json()
    rows = {row["name"]: row for row in data["tenants"]}
    assert list(rows) == ["acme", "side", "gone"]
    assert rows["acme"] == {
        "name": "acme",
        "vendor": "schoox",
        "known_vendor": True,
        "aicc_version": "3.5",
        "encoding": "utf-8",
        "hosts": 13,
        "delivery": "outbox",
    }
    assert (rows["side"]["aicc_version"], rows["side"]["hosts"]) == ("2.5", 3)
    assert rows["gone"]["known_vendor"] is False and rows["gone"]["delivery"] is None
    text = aiccbridge_project.run("tenant", "list").assert_success()
    text.fnmatch_lines(["tenant*vendor*", "acme *schoox *3.5 *utf-8 *13 outbox"])
    text.fnmatch_lines(["gone *retired-lms? *", "(? = vendor not registered*"])


def test_show_gives_effective_settings_and_hides_secrets(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_KEY", "the-real-secret-value")
    monkeypatch.delenv("ACME_ACADEMY", raising=False)
    aiccbridge_project.write_config(SHOW_CONFIG)
    outcome = aiccbridge_project.run("tenant", "show", "acme", "--json")
    data = outcome.assert_success().json()
    assert "the-real-secret-value" not in outcome.stdout
    assert data["settings"] == {
        "aicc_version": {"value": "3.5", "source": "vendor"},
        "encoding": {"value": "utf-8", "source": "tenant"},
        "forbidden_chars": {"value": "", "source": "vendor"},
    }
    hosts = {h["host"]: h for h in data["allow_list"]}
    assert hosts["googleapis.com"] == {
        "host": "googleapis.com",
        "source": "vendor",
        "shared": True,
    }
    assert hosts["storage.googleapis.com"]["shared"] is True
    assert hosts["lms.acme.example"] == {
        "host": "lms.acme.example",
        "source": "tenant",
        "shared": False,
    }
    assert data["credentials"] == [
        {"key": "api_key", "env": "ACME_KEY", "set": True, "needed": True},
        {"key": "academy_id", "env": "ACME_ACADEMY", "set": False, "needed": True},
    ]
    assert data["outbox"] == str(aiccbridge_project.root / "outbox" / "acme")
    assert data["library"] == {"kinds": ["course"], "languages": None, "subjects": None}
    assert data["plugin"] and data["delivery"] == "outbox"


def test_show_as_text(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_KEY", "the-real-secret-value")
    aiccbridge_project.write_config(SHOW_CONFIG)
    outcome = aiccbridge_project.run("tenant", "show", "acme").assert_success()
    assert "the-real-secret-value" not in outcome.stdout
    outcome.fnmatch_lines(
        [
            "aicc_version:*3.5 (vendor default)",
            "encoding:*utf-8 (tenant)",
            "library:*kinds course",
            "allow-list:*13 hosts",
            "  googleapis.com *vendor, shared public host",
            "  lms.acme.example *tenant",
            "credentials:",
            "  api_key *ACME_KEY *set",
        ]
    )


def test_show_a_tenant_of_an_unknown_vendor(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(SHOW_CONFIG)
    data = aiccbridge_project.run("tenant", "show", "gone", "--json").json()
    assert data["known_vendor"] is False and data["settings"]["encoding"] is None


def test_show_an_unknown_tenant_is_one_line(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(SHOW_CONFIG)
    outcome = aiccbridge_project.run("tenant", "show", "nobody")
    outcome.assert_exit(2)
    assert outcome.stderr.splitlines() == [
        f"aiccbridge: error: no tenant 'nobody' in {aiccbridge_project.config_path}; "
        "tenants: acme, side, gone"
    ]
