"""What the app remembers between runs: your name, the theme, and per script the persona
and variables you chose last time.

Kept in ``paths.data_dir() / "prefs.json"``. Reading never fails: a missing, unreadable or
hand-mangled file gives the defaults. Writing is atomic (a temporary file, then a rename),
so two app instances at once can only lose each other's last choice, never corrupt it.
No Textual here: the CLI and plain mode may use it too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rehearse import paths

FILE_NAME = "prefs.json"
MAX_TEXT = 200  # a name or a variable value longer than this is cut when stored


def prefs_path() -> Path:
    return paths.data_dir() / FILE_NAME


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


def load(path: Path | None = None) -> Prefs:
    path = path or prefs_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Prefs()
    try:
        return Prefs.from_json(json.loads(text))
    except ValueError:
        return Prefs()


def save(prefs: Prefs, path: Path | None = None) -> bool:
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
