from __future__ import annotations

from pathlib import Path

import pytest

from aiccbridge.config import AiccVersion, Encoding, find_config, load_config
from aiccbridge.core import AICC_VERSIONS, ENCODINGS
from aiccbridge.errors import ConfigError

GOOD = """\
[provider]
name = "Acme"
launch_url = "https://aicc.acme.example/launch/{tenant}/{course_id}"

[catalog]
path = "data/catalog.csv"

[tenants.one]
vendor = "schoox"
hostnames = ["HTTPS://LMS.Example.com./x", "*.brainier.com"]
aicc_version = "2.5"
encoding = "cp1252"

[tenants.one.credentials]
api_key = "ONE_API_KEY"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "aiccbridge.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_lines(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return info.value.message.splitlines()


def test_literals_match_the_core() -> None:
    assert AiccVersion.__args__ == AICC_VERSIONS  # type: ignore[attr-defined]
    assert Encoding.__args__ == ENCODINGS  # type: ignore[attr-defined]


def test_good_config_resolves_paths_against_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    tenant = config.tenants["one"]
    assert tenant.name == "one"
    assert tenant.hostnames == ["lms.example.com", "*.brainier.com"]
    assert config.catalog_spec().path == tmp_path / "data" / "catalog.csv"
    assert config.state_path() == tmp_path / ".aiccbridge" / "state.db"
    assert config.outbox_for(tenant) == tmp_path / "outbox" / "one"


def test_credentials_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = load_config(write(tmp_path, GOOD)).tenants["one"]
    monkeypatch.delenv("ONE_API_KEY", raising=False)
    assert tenant.credential("api_key") is None
    monkeypatch.setenv("ONE_API_KEY", "s3cret")
    assert tenant.credential("api_key") == "s3cret"


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        ('encoding = "cp1252"', 'encoding = "latin9"'),
        ('aicc_version = "2.5"', "aicc_version = 2.5"),
        ('api_key = "ONE_API_KEY"', 'api_key = "sk live 123"'),
        ('vendor = "schoox"', 'vendor = "schoox"\ncolour = "red"'),
    ],
)
def test_each_error_is_one_line_with_file_line_and_key(
    tmp_path: Path, replace: str, expected: str
) -> None:
    lines = error_lines(tmp_path, GOOD.replace(replace, expected))
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith(f"{tmp_path / 'aiccbridge.toml'}:")
    assert "tenants.one." in line
    number = int(line.split(":")[1])
    assert GOOD.replace(replace, expected).splitlines()[number - 1].strip()


def test_version_as_a_number_gets_a_hint(tmp_path: Path) -> None:
    (line,) = error_lines(tmp_path, GOOD.replace('"2.5"', "2.5"))
    assert 'aicc_version = "2.5"' in line


def test_missing_section_and_unknown_key(tmp_path: Path) -> None:
    text = GOOD.replace('[provider]\nname = "Acme"\n', "[provider]\n").replace(
        'encoding = "cp1252"', 'encoding = "cp1252"\nextra = 1'
    )
    lines = error_lines(tmp_path, text)
    assert any("provider.name: required key is missing" in line for line in lines)
    assert any("tenants.one.extra: unknown key" in line for line in lines)


@pytest.mark.parametrize(
    ("launch_url", "message"),
    [
        ("https://x.example/launch/{tenant}", "must contain {course_id}"),
        ("http://x.example/{course_id}", "https://"),
        ("https://x.example/{course}/{course_id}", "unknown placeholder {course}"),
    ],
)
def test_launch_url_template(tmp_path: Path, launch_url: str, message: str) -> None:
    text = GOOD.replace(
        "https://aicc.acme.example/launch/{tenant}/{course_id}", launch_url
    )
    (line,) = error_lines(tmp_path, text)
    assert "provider.launch_url" in line and message in line


def test_bad_hostname_names_the_entry(tmp_path: Path) -> None:
    (line,) = error_lines(tmp_path, GOOD.replace('"*.brainier.com"', '"*.com"'))
    assert "tenants.one.hostnames" in line and "'*.com'" in line


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    (line,) = error_lines(tmp_path, GOOD.replace('encoding = "cp1252"', "encoding = "))
    assert line.startswith(f"{tmp_path / 'aiccbridge.toml'}:12: TOML syntax")


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file") as info:
        load_config(tmp_path / "nope.toml")
    assert info.value.hint and "AICCBRIDGE_CONFIG" in info.value.hint
    bad = tmp_path / "bin.toml"
    bad.write_bytes(b"\xff\xfe\x00x")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)


def test_find_config_precedence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICCBRIDGE_CONFIG", str(tmp_path / "env.toml"))
    assert find_config(Path("opt.toml")) == Path("opt.toml")
    assert find_config(None) == tmp_path / "env.toml"
    monkeypatch.delenv("AICCBRIDGE_CONFIG")
    assert find_config(None) == Path("aiccbridge.toml")


def test_tenant_names_are_checked(tmp_path: Path) -> None:
    (line,) = error_lines(
        tmp_path,
        GOOD.replace("[tenants.one]", '[tenants."a b"]').replace(
            "[tenants.one.credentials]", '[tenants."a b".credentials]'
        ),
    )
    assert "tenant name 'a b'" in line
