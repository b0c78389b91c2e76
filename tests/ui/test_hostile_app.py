"""Hostile files on the search path do not stop the app (issue 12, attacks 1 and 2): the
home screen lists every script that loads, never "Could not load the scripts"."""

from __future__ import annotations

from pathlib import Path

from tests.ui.helpers import make_app, wait_ready
from tests.unit.helpers import ROOT

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"


async def test_the_home_screen_lists_the_scripts_beside_hostile_files() -> None:
    app = make_app(extra_paths=[HOSTILE])
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        assert app.load_error is None
        assert app.catalog is not None
        assert {"not-this-role", "passed-over", "fumbled-promotion"} <= set(app.catalog.scripts)
        broken = {Path(b.path).stem for b in app.catalog.broken}
        assert {"parentheses", "giant-patience"} <= broken
