"""Problems found in scripts and personas, reported with their location.

Loaders and checkers never raise on bad input: they collect Diagnostics, so an author sees
every problem in a file at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from rehearse.engine.inert import inert

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Loc:
    """A position in a source file; line and col are 1-based."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    loc: Loc
    message: str
    hint: str | None = None
    source_line: str | None = field(default=None, compare=False)
    width: int = 1

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self) -> str:
        """Render like a compiler: location, message, the source line, a caret, a hint."""
        text = f"{self.loc}: {self.severity} {self.code}: {self.message}"
        if self.source_line is not None and self.loc.col > 0:
            # shown inert (a script may hold escape sequences); the caret follows the
            # stand-ins, which can be wider than the character they replace
            raw = self.source_line.rstrip("\n")
            line = inert(raw)
            start = len(inert(raw[: self.loc.col - 1]))
            width = len(inert(raw[self.loc.col - 1 : self.loc.col - 1 + max(1, self.width)]))
            # a very long line (a 4,000-digit number) shows a window around the caret
            if len(line) > SOURCE_WINDOW:
                left = max(0, min(start - SOURCE_WINDOW // 3, len(line) - SOURCE_WINDOW))
                cut = line[left : left + SOURCE_WINDOW]
                head, tail = ("…" if left else ""), ("…" if left + SOURCE_WINDOW < len(line) else "")
                line, start = head + cut + tail, start - left + len(head)
                width = min(width, SOURCE_WINDOW - (start - len(head)))
            gutter = f"{self.loc.line:>5} | "
            caret = " " * (len(gutter) + start) + "^" * max(1, min(width, 80))
            text += f"\n{gutter}{line}\n{caret}"
        if self.hint:
            text += f"\n      = {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.loc.file,
            "line": self.loc.line,
            "col": self.loc.col,
            "message": self.message,
            "hint": self.hint,
        }


#: Characters of a source line shown under a diagnostic, at most.
SOURCE_WINDOW = 160


class SourceText:
    """Gives diagnostics their source line; one per loaded file."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text

    @cached_property
    def lines(self) -> list[str]:
        """Split only when a diagnostic needs a line: most loads report nothing, and every
        loaded script's lines kept split cost the home screen about 0.7 MB."""
        return self.text.splitlines()

    def line(self, number: int) -> str | None:
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1]
        return None


class Report:
    """Collects diagnostics for one or more files."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []
        self._sources: dict[str, SourceText] = {}

    def add_source(self, source: SourceText) -> None:
        self._sources[source.name] = source

    def source_lines(self, name: str) -> list[str]:
        source = self._sources.get(name)
        return source.lines if source else []

    def find(self, loc: Loc, text: str, lines: int = 40) -> Loc | None:
        """Where ``text`` is first written at or after ``loc`` (within the next ``lines``
        lines), so a caret can point at the very words a finding is about."""
        source = self._sources.get(loc.file)
        if source is None or not text:
            return None
        for number in range(max(loc.line, 1), min(len(source.lines), loc.line + lines) + 1):
            at = source.lines[number - 1].find(text, max(0, loc.col - 1) if number == loc.line else 0)
            if at >= 0:
                return Loc(loc.file, number, at + 1)
        return None

    def forget_sources(self) -> None:
        """Let the files' text go: a diagnostic keeps its own source line, so a report that
        gets no more of them (the app's catalog, once loaded) needs the text no longer."""
        self._sources.clear()

    def add_sources_from(self, other: Report) -> None:
        self._sources.update(other._sources)

    def add(
        self,
        code: str,
        loc: Loc,
        message: str,
        *,
        hint: str | None = None,
        severity: Severity = "error",
        width: int = 1,
    ) -> None:
        src = self._sources.get(loc.file)
        line = src.line(loc.line) if src else None
        self.items.append(Diagnostic(code, severity, loc, message, hint, line, width))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """A hint naming the closest known name, when one is close enough to be a typo."""
    matches = difflib.get_close_matches(name, sorted(set(known)), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None
