"""The rows the home screen lists and the settings drafted for one, apart from the screen
so that its setup form (imported only when first shown) reads them without importing it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rehearse.engine.diagnostics import Diagnostic
    from rehearse.engine.model import Persona, Script


@dataclass
class Entry:
    """One row of the list: a playable script, a file that could not be used, or (until the
    catalog arrives) a script known only by its title."""

    key: str
    title: str | None = None  # known by its title only: still loading
    script: Script | None = None
    personas: list[Persona] = field(default_factory=list)
    broken_path: str | None = None
    problem: str | None = None  # what is wrong, in words
    problem_line: str | None = None  # ... in one line, for the list
    diagnostic: Diagnostic | None = None  # the first diagnostic, when there is one

    @property
    def playable(self) -> bool:
        return self.script is not None and bool(self.personas)

    @property
    def loading(self) -> bool:
        return self.script is None and self.title is not None


@dataclass
class Draft:
    persona: str | None
    vars: dict[str, str]
