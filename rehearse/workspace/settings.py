"""Settings, in one place: what the user set, what the app remembers, and what the command
line asked for this time.

- ``Config``: user settings in ``config.toml`` in the config folder (REHEARSE_HOME/config
  when set). Only what the user changed is written; a broken file is reported, never
  silently replaced::

      [coach]
      disabled = ["hedge"]      # coach checks you do not want to see

- ``Prefs``: what the app remembers between runs (your name, the theme, and per script the
  persona and variables you chose last time), in ``prefs.json`` in the data folder. Reading
  never fails: a missing, unreadable or hand-mangled file gives the defaults. Writing is
  atomic (a temporary file, then a rename), so two app instances at once can only lose
  each other's last choice, never corrupt it.

- ``Launch``: what the command line asked for this run, resolved to loaded objects.

No Textual here: the command line and plain mode use it too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehearse.workspace import paths

if TYPE_CHECKING:
    from rehearse.engine.model import Persona, Script
    from rehearse.engine.runtime.session import State

# -- config.toml ------------------------------------------------------------------------


class ConfigError(Exception):
    """The config file exists but cannot be read; the message names it."""


@dataclass(frozen=True)
class Config:
    disabled_checks: frozenset[str] = field(default_factory=frozenset)


def config_path() -> Path:
    return paths.config_dir() / "config.toml"


def load_config(path: Path | None = None) -> Config:
    import tomllib  # here: the app's first frame never reads config.toml

    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, ValueError) as exc:  # TOMLDecodeError, bad UTF-8, a 4,301-digit number
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

        from rehearse.engine.inert import inert

        print(f"rehearse: ignoring broken settings: {inert(exc)}", file=sys.stderr)
        return frozenset()


# -- prefs.json -------------------------------------------------------------------------

PREFS_FILE = "prefs.json"
MAX_TEXT = 200  # a name or a variable value longer than this is cut when stored


def prefs_path() -> Path:
    return paths.data_dir() / PREFS_FILE


@dataclass
class ScriptPrefs:
    persona: str | None = None
    vars: dict[str, str] = field(default_factory=dict)


@dataclass
class Prefs:
    name: str = ""
    theme: str | None = None
    panel: bool = True
    coach_line: bool = True
    scripts: dict[str, ScriptPrefs] = field(default_factory=dict)

    def for_script(self, script_id: str) -> ScriptPrefs:
        return self.scripts.get(script_id) or ScriptPrefs()

    def remember(self, script_id: str, *, persona: str | None, vars: Mapping[str, str]) -> None:
        self.scripts[script_id] = ScriptPrefs(
            persona=persona, vars={str(k): _clip(v) for k, v in vars.items()}
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "theme": self.theme,
            "panel": self.panel,
            "coach_line": self.coach_line,
            "scripts": {
                sid: {"persona": sp.persona, "vars": dict(sp.vars)}
                for sid, sp in sorted(self.scripts.items())
            },
        }

    @classmethod
    def from_json(cls, data: object) -> Prefs:
        """Whatever the file holds, keep what makes sense and drop the rest."""
        prefs = cls()
        if not isinstance(data, dict):
            return prefs
        if isinstance(data.get("name"), str):
            prefs.name = _clip(data["name"])
        if isinstance(data.get("theme"), str):
            prefs.theme = data["theme"]
        if isinstance(data.get("panel"), bool):
            prefs.panel = data["panel"]
        if isinstance(data.get("coach_line"), bool):
            prefs.coach_line = data["coach_line"]
        scripts = data.get("scripts")
        if isinstance(scripts, dict):
            for sid, entry in scripts.items():
                if not isinstance(sid, str) or not isinstance(entry, dict):
                    continue
                persona = entry.get("persona")
                raw_vars = entry.get("vars")
                variables = (
                    {k: _clip(v) for k, v in raw_vars.items() if isinstance(k, str) and isinstance(v, str)}
                    if isinstance(raw_vars, dict)
                    else {}
                )
                prefs.scripts[sid] = ScriptPrefs(
                    persona=persona if isinstance(persona, str) else None, vars=variables
                )
        return prefs


def default_name() -> str:
    """A first name to offer before you have typed one: the first word of your account's
    full name, when the system has one that differs from the login (else empty)."""
    try:
        import getpass
        import pwd

        login = getpass.getuser()
        full = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
    except (ImportError, KeyError, OSError):
        return ""
    first = full.split()[0] if full.split() else ""
    if not first or first.lower() == login.lower() or not first.replace("-", "").isalpha():
        return ""
    return _clip(first)


def _clip(value: object) -> str:
    return str(value)[:MAX_TEXT]


def load_prefs(path: Path | None = None) -> Prefs:
    path = path or prefs_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Prefs()
    try:
        return Prefs.from_json(json.loads(text))
    except ValueError:
        return Prefs()


def save_prefs(prefs: Prefs, path: Path | None = None) -> bool:
    """Write prefs; returns False (and keeps quiet) when the folder is not writable."""
    import tempfile

    path = path or prefs_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".prefs-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(prefs.to_json(), handle, indent=2, ensure_ascii=False)
                handle.write("\n")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True


# -- this run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Launch:
    """What the command line asked the app for this time, already loaded: a script to open
    at once (with its persona), the seed, your name and variables, extra folders, a script
    file to reload whenever it is saved (``play --watch``), a stored session to replay, a
    stored session to continue from a turn (``retry``: the state and (session, turn)), the
    due moments to drill (``drill``), and pressure mode."""

    extra_paths: tuple[Path, ...] = ()
    script: Script | None = None
    persona: Persona | None = None
    personas: tuple[Persona, ...] = ()  # every persona that can play the script
    seed: int | None = None
    name: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    watch: Path | None = None
    replay: int | None = None  # a stored session to open in the replay screen (`rehearse replay`)
    resume: State | None = None
    retry_of: tuple[int, int] | None = None
    drill: bool = False
    pressure: bool = False


def _launched(launch: Launch, script: Script) -> bool:
    return launch.script is not None and launch.script.id == script.id


def chosen_vars(prefs: Prefs, launch: Launch, script: Script) -> dict[str, str]:
    """A script's variables: its defaults, then what you set last time, then the command line."""
    values = {k: str(v) for k, v in script.vars.items()}
    for key, value in prefs.for_script(script.id).vars.items():
        if key in values:
            values[key] = value
    if _launched(launch, script):
        values.update({k: v for k, v in launch.variables.items() if k in values})
    return values


def chosen_persona(prefs: Prefs, launch: Launch, script: Script, persona_ids: list[str]) -> str | None:
    """Who plays the boss: the command line's choice, else last time's, else the first."""
    if not persona_ids:
        return None
    if _launched(launch, script) and launch.persona is not None and launch.persona.id in persona_ids:
        return launch.persona.id
    remembered = prefs.for_script(script.id).persona
    return remembered if remembered in persona_ids else persona_ids[0]
