from __future__ import annotations

import types
from collections.abc import Callable
from importlib import metadata

import pytest

from aiccbridge import Vendor, hookimpl
from aiccbridge import plugins as plugins_module
from aiccbridge.errors import PluginError
from aiccbridge.plugins import Plugins, load_plugins

ALL_VENDORS = {
    "schoox",
    "ultipro",
    "paycom",
    "scormcloud",
    "totara",
    "litmos",
    "halogen",
    "brainier",
    "compliancewire",
    "lms365",
}


def vendor_plugin(*vendors: Vendor) -> object:
    class Plugin:
        @hookimpl
        def aiccbridge_register_vendors(
            self, register: Callable[[Vendor], None]
        ) -> None:
            for vendor in vendors:
                register(vendor)

    return Plugin()


def fake_entry_points(
    monkeypatch: pytest.MonkeyPatch, *eps: metadata.EntryPoint
) -> None:
    real = plugins_module._entry_points()
    monkeypatch.setattr(plugins_module, "_entry_points", lambda: (*real, *eps))


def test_every_vendor_of_the_brief_is_registered() -> None:
    plugins = load_plugins(strict=True)
    assert set(plugins.vendors()) >= ALL_VENDORS
    assert plugins.vendor_plugin("ultipro") == "schoox"
    assert plugins.vendor_plugin("paycom") == "schoox"
    assert plugins.vendor_plugin("halogen") == "builtin-vendors"
    assert not plugins.warnings


def test_brief_hostnames() -> None:
    vendors = load_plugins().vendors()
    assert vendors["paycom"].hostnames == (
        "ms.paycomonline.net",
        "lms.paycomdfw.net",
        "scormengine.schoox.com",
    )
    assert vendors["ultipro"].hostnames == vendors["schoox"].hostnames
    assert "integration.schoox.com" in vendors["schoox"].hostnames
    assert vendors["scormcloud"].hostnames == ("cloud.scorm.com",)
    assert vendors["brainier"].hostnames == ("*.brainier.com", "scorm.brainier.com")
    assert set(vendors["schoox"].shared_hosts()) == {
        "filepicker.io",
        "pusher.com",
        "googleapis.com",
        "boxcdn.net",
        "api.box.com",
        "boxcloud.com",
        "excel.officeapps.live.com",
    }
    for vid in ("totara", "litmos", "lms365"):
        assert vendors[vid].needs_hostnames and not vendors[vid].hostnames


def test_plugin_that_fails_to_import_is_listed_broken_and_others_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_entry_points(
        monkeypatch,
        metadata.EntryPoint("ghost", "aiccbridge_no_such_module_xyz", "aiccbridge"),
    )
    plugins = load_plugins(strict=False)
    (line,) = plugins.warnings
    assert "plugin 'ghost'" in line and "ModuleNotFoundError" in line
    info = {i.name: i for i in plugins.infos()}
    assert info["ghost"].status == "broken"
    assert info["schoox"].status == "loaded"
    assert set(plugins.vendors()) >= ALL_VENDORS


def test_strict_mode_turns_a_broken_plugin_into_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_entry_points(
        monkeypatch,
        metadata.EntryPoint("ghost", "aiccbridge_no_such_module_xyz", "aiccbridge"),
    )
    monkeypatch.setenv("AICCBRIDGE_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match="plugin 'ghost'"):
        load_plugins()


def test_disabled_plugins_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICCBRIDGE_DISABLE_PLUGINS", "litmos, totara")
    plugins = load_plugins()
    assert "litmos" not in plugins.vendors() and "totara" not in plugins.vendors()
    statuses = {i.name: i.status for i in plugins.infos()}
    assert statuses["litmos"] == "disabled"


def test_a_hook_that_raises_marks_only_its_plugin() -> None:
    class Exploding:
        @hookimpl
        def aiccbridge_register_vendors(
            self, register: Callable[[Vendor], None]
        ) -> None:
            raise RuntimeError("boom")

    plugins = load_plugins()
    plugins.register(Exploding(), "exploding")
    assert "schoox" in plugins.vendors()
    assert {i.name: i.status for i in plugins.infos()}["exploding"] == "broken"
    assert any("RuntimeError: boom" in w for w in plugins.warnings)


@pytest.mark.parametrize(
    ("vendor", "message"),
    [
        (Vendor(id="schoox", name="Copycat"), "already registered by plugin 'schoox'"),
        (Vendor(id="Bad Id", name="x"), "lower-case"),
        (Vendor(id="enc", name="x", encoding="latin9"), "encoding 'latin9'"),
        (Vendor(id="ver", name="x", aicc_version="5.0"), "aicc_version '5.0'"),
        (Vendor(id="host", name="x", hostnames=("*",)), "hostname '*'"),
    ],
)
def test_invalid_vendors_name_the_plugin_at_fault(vendor: Vendor, message: str) -> None:
    plugins = load_plugins()
    plugins.register(
        vendor_plugin(vendor, Vendor(id="fine", name="Fine")), "thirdparty"
    )
    vendors = plugins.vendors()
    assert "fine" not in vendors
    warning = next(w for w in plugins.warnings if "'thirdparty'" in w)
    assert message in warning


def test_registering_something_that_is_not_a_vendor() -> None:
    plugins = Plugins()
    plugins.register(vendor_plugin(types.SimpleNamespace(id="x")), "odd")  # type: ignore[arg-type]
    assert plugins.vendors() == {}
    assert "not an aiccbridge Vendor" in plugins.warnings[0]


def test_unknown_hook_name_is_a_broken_plugin() -> None:
    class Typo:
        @hookimpl
        def aiccbridge_register_vendor(self) -> None:  # misspelt
            pass

    plugins = Plugins()
    plugins.register(Typo(), "typo")
    assert plugins.infos()[0].status == "broken"
    assert "aiccbridge_register_vendor" in plugins.warnings[0]
