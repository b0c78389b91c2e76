"""Helpers shared by the UI tests (the fixtures are in conftest.py).

Loading the bundled catalog takes a few hundred milliseconds, so while the home folder
holds no scripts and no extra path is given, the loaded catalog is shared between tests
(it is immutable): conftest.py puts `cached_load` in place of the app's loader.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from textual.widget import Widget

from rehearse.engine.compile.catalog import Catalog
from rehearse.ui import app as app_module
from rehearse.ui.app import RehearseApp, build_app
from rehearse.workspace import paths
from rehearse.workspace.library import script_and_persona
from rehearse.workspace.settings import Launch

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
BUNDLED_IDS = sorted(p.stem for p in SCRIPTS.glob("*.yaml") if not p.name.endswith(".test.yaml"))
SEED = 7

_real_load = app_module.load_catalog
_shared: dict[str, Catalog] = {}


def cached_load(extra_paths: list[Path]) -> Catalog:
    home = paths.data_dir()
    user_files = list(home.rglob("*.yaml")) if home.exists() else []
    if extra_paths or user_files:
        return _real_load(extra_paths)
    key = str(paths.bundled_dir())
    if key not in _shared:
        _shared[key] = _real_load([])
    return _shared[key]


def make_app(
    *,
    script: str | None = None,
    persona: str | None = None,
    seed: int | None = SEED,
    name: str | None = "Alex",
    variables: dict[str, str] | None = None,
    extra_paths: list[Path] | None = None,
    watch: Path | None = None,
    replay: int | None = None,
    typing_delay: float = 0,
    launch: Launch | None = None,
    **kwargs: Any,
) -> RehearseApp:
    """The app as tests use it: fixed seed, no typing pause, a fixed name. A script (an id
    or, with ``watch``, the file) is resolved as the command line resolves it; ``launch``
    adds what the command line asked for besides (a drill, a retry), as `rehearse` would."""
    extra = list(extra_paths or [])
    opened, persona_obj, personas = None, None, ()
    if script is not None or watch is not None:
        found = script_and_persona(str(watch) if watch is not None else str(script), persona, extra)
        opened, persona_obj = found.script, found.persona
        personas = tuple(found.catalog.personas_for(found.script))
    built = Launch(
        extra_paths=tuple(extra),
        script=opened,
        persona=persona_obj,
        personas=personas,
        seed=seed,
        name=name,
        variables=dict(variables or {}),
        watch=watch,
        replay=replay,
    )
    if launch is not None:
        built = replace(launch, extra_paths=launch.extra_paths or tuple(extra), seed=seed, name=name)
    return build_app(built, typing_delay=typing_delay, **kwargs)


async def wait_ready(pilot: Any, timeout: float = 20.0) -> None:
    """Wait until the catalog has arrived and the home list is filled."""
    app = pilot.app
    waited = 0.0
    while not app.ready:
        await pilot.pause(0.02)
        waited += 0.02
        if waited > timeout:
            raise AssertionError("the catalog never arrived")
    await pilot.pause()


def plan_cases(script_id: str, folder: Path = SCRIPTS) -> list[dict[str, Any]]:
    data = yaml.safe_load((folder / f"{script_id}.test.yaml").read_text(encoding="utf-8"))
    return list(data.get("cases") or [])


def case_for(script_id: str, outcome: str, folder: Path = SCRIPTS) -> dict[str, Any]:
    """The first test-plan case expecting this outcome that the engine itself plays to it.

    The UI tests check that the app reproduces the engine; whether each case in a plan is
    right is the plan's own test (rehearse test).
    """
    from rehearse.engine.runtime.session import Setup, play
    from rehearse.workspace.library import whole

    catalog = cached_load([])
    script = whole(catalog.scripts[script_id], catalog.personas)
    for case in plan_cases(script_id, folder):
        if (case.get("expect") or {}).get("outcome") != outcome:
            continue
        persona = catalog.personas[case.get("persona") or script.personas[0]]
        setup = Setup(
            script, persona, user_name="Alex", vars=case.get("vars") or {}, seed=case.get("seed", 0)
        )
        state = play(setup, case["replies"])
        if state.ending is not None and state.ending.outcome == outcome:
            return case
    raise AssertionError(f"{script_id}: no test case reaches '{outcome}'")


def screen_text(app: Any) -> str:
    """What the terminal shows, as plain text (from the SVG screenshot, tags removed)."""
    svg = app.export_screenshot()
    body = svg.split("</style>")[-1]
    text = re.sub(r"<[^>]+>", "", body)
    return html.unescape(text).replace("\u00a0", " ")


def visible_text(widget: Widget) -> str:
    """The plain text a Static-like widget shows."""
    visual = getattr(widget, "visual", None)
    plain = getattr(visual, "plain", None)
    if plain is not None:
        return str(plain)
    return str(widget.render())


def _send_keys(pilot: Any, text: str, *, enter: bool = False) -> None:
    from textual import events
    from textual.keys import _character_to_key

    app = pilot.app
    keys = [(char if char.isalnum() else _character_to_key(char), char) for char in text]
    if enter:
        keys.append(("enter", "\r"))
    for key, char in keys:
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def type_text(pilot: Any, text: str) -> None:
    """Type text key by key through the app's real key path, then wait once.

    Pilot.press waits for the app to go idle after every key (about 50 ms each), which
    makes whole conversations slow; this sends the same Key events, in order, without
    the wait between them.
    """
    _send_keys(pilot, text)
    await pilot.pause()


async def say(pilot: Any, text: str) -> None:
    """Type a reply and press Enter."""
    _send_keys(pilot, text, enter=True)
    await pilot.pause()
    await pilot.pause()
