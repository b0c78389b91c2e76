"""Fixtures for the app's Pilot and snapshot tests.

Every test gets its own empty REHEARSE_HOME (tests/conftest.py); here the catalog is shared
between tests while nothing user-specific could change it, and the tester's account name
is never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rehearse.ui import app as app_module
from tests.ui.helpers import cached_load


@pytest.fixture(autouse=True)
def shared_catalog(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(app_module, "load_catalog", cached_load)
    # no guessing the tester's name from their account
    monkeypatch.setattr(app_module.settings, "default_name", lambda: "")
    monkeypatch.delenv(app_module.EXIT_WHEN_READY_ENV, raising=False)
    yield
