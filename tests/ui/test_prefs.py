"""Remembered preferences: round trip, and any broken file gives the defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehearse.workspace import settings as prefs

# the UI tests' conftest stubs default_name out; this file tests the real one
real_default_name = prefs.default_name


def test_round_trip_in_the_data_dir(rehearse_home: Path) -> None:
    saved = prefs.Prefs(name="Robin", theme="textual-light", panel=False)
    saved.remember("not-this-role", persona="dana", vars={"role": "lab lead", "colleague": "Jo"})
    assert prefs.save_prefs(saved)
    assert prefs.prefs_path() == rehearse_home / "prefs.json"
    loaded = prefs.load_prefs()
    assert loaded == saved
    assert loaded.for_script("not-this-role").vars["role"] == "lab lead"
    assert loaded.for_script("unknown").persona is None
    assert not list(rehearse_home.glob(".prefs-*"))  # no temporary file left behind


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{not json",
        "[1, 2, 3]",
        '{"name": 7, "scripts": {"x": "nope", "y": {"persona": 3, "vars": {"a": 1}}}}',
        '"\\ud800"',
    ],
)
def test_a_broken_file_gives_defaults(rehearse_home: Path, text: str) -> None:
    (rehearse_home / "prefs.json").write_text(text, encoding="utf-8")
    loaded = prefs.load_prefs()
    assert loaded.name == ""
    assert all(sp.persona is None and not sp.vars for sp in loaded.scripts.values())


def test_values_are_clipped(rehearse_home: Path) -> None:
    data = {
        "name": "x" * 10_000,
        "scripts": {"s": {"persona": "p", "vars": {"role": "y" * 10_000}}},
    }
    (rehearse_home / "prefs.json").write_text(json.dumps(data), encoding="utf-8")
    loaded = prefs.load_prefs()
    assert len(loaded.name) == prefs.MAX_TEXT
    assert len(loaded.for_script("s").vars["role"]) == prefs.MAX_TEXT


def test_an_unwritable_place_is_reported_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert prefs.save_prefs(prefs.Prefs(name="x"), blocker / "prefs.json") is False


@pytest.mark.parametrize(
    ("login", "gecos", "expected"),
    [
        ("jsmith", "Jane Smith,,,", "Jane"),
        ("root", "root", ""),
        ("ci", "", ""),
        ("bob", "[red]x[/red]", ""),
        ("ann", "Anne-Marie Dupont", "Anne-Marie"),
    ],
)
def test_default_name_from_the_account(
    monkeypatch: pytest.MonkeyPatch, login: str, gecos: str, expected: str
) -> None:
    import getpass
    import pwd
    from types import SimpleNamespace

    monkeypatch.setattr(getpass, "getuser", lambda: login)
    monkeypatch.setattr(pwd, "getpwnam", lambda name: SimpleNamespace(pw_gecos=gecos))
    assert real_default_name() == expected
