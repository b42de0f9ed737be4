from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_cli_reference_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location(
        "gen_cli_reference", REPO / "scripts" / "gen_cli_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    actual = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "run: python scripts/gen_cli_reference.py"


def test_public_api_is_pinned() -> None:
    import aiccbridge

    assert sorted(aiccbridge.__all__) == [
        "AiccBridgeError",
        "ConfigError",
        "ExitCode",
        "INI_SPECIAL",
        "PluginError",
        "SHARED_PUBLIC_HOSTS",
        "TenantConfig",
        "Vendor",
        "VendorError",
        "__version__",
        "hookimpl",
    ]
    for name in aiccbridge.__all__:
        assert getattr(aiccbridge, name) is not None


def test_version_is_the_same_everywhere() -> None:
    import tomllib

    import aiccbridge

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["version"] == aiccbridge.__version__
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {aiccbridge.__version__}" in changelog
