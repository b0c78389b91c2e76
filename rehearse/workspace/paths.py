"""Where rehearse keeps and finds things.

REHEARSE_HOME overrides every user location (tests always set it). Bundled scripts and
personas are found inside an installed wheel (rehearse/_bundled) or in a source checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "rehearse"
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the rehearse package


def home() -> Path | None:
    value = os.environ.get("REHEARSE_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    root = home()
    if root is not None:
        return root
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    root = home()
    if root is not None:
        return root / "config"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def database_path() -> Path:
    return data_dir() / "sessions.sqlite3"


def bundled_dir() -> Path:
    """The folder holding the bundled scripts/ and personas/."""
    installed = PACKAGE_DIR / "_bundled"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent


def user_dirs() -> list[Path]:
    return [data_dir()]


def search_path(extra: list[Path] | None = None) -> list[Path]:
    """Folders and files to search, first wins: command line, REHEARSE_PATH, user data, bundled."""
    found: list[Path] = list(extra or [])
    for entry in os.environ.get("REHEARSE_PATH", "").split(os.pathsep):
        if entry.strip():
            found.append(Path(entry).expanduser())
    found.extend(user_dirs())
    found.append(bundled_dir())
    return found
