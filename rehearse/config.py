"""User settings in `config.toml` in the user config dir (REHEARSE_HOME/config when set).

    [coach]
    disabled = ["hedge"]      # coach checks you do not want to see

Only what the user changed is written; a broken file is reported, never silently replaced.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from rehearse.paths import config_dir


class ConfigError(Exception):
    """The config file exists but cannot be read; the message names it."""


@dataclass(frozen=True)
class Config:
    disabled_checks: frozenset[str] = field(default_factory=frozenset)


def config_path() -> Path:
    return config_dir() / "config.toml"


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    coach = data.get("coach", {})
    disabled = coach.get("disabled", []) if isinstance(coach, dict) else []
    if not isinstance(disabled, list) or not all(isinstance(x, str) for x in disabled):
        raise ConfigError(f"{path}: [coach] disabled must be a list of check ids")
    return Config(frozenset(disabled))


def save_config(config: Config, path: Path | None = None) -> Path:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = ", ".join(json.dumps(c) for c in sorted(config.disabled_checks))
    path.write_text(
        "# rehearse settings (see docs/coaching.md)\n[coach]\n"
        f"# coach checks you do not want to see\ndisabled = [{ids}]\n",
        encoding="utf-8",
    )
    return path


def disabled_checks() -> frozenset[str]:
    """The user's disabled checks; a broken config file disables nothing (and says so once)."""
    try:
        return load_config().disabled_checks
    except ConfigError as exc:
        import sys

        print(f"rehearse: ignoring broken settings: {exc}", file=sys.stderr)
        return frozenset()
