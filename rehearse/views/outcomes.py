"""How an outcome is shown, defined once: its word, headline, symbol, letter and tone.

Every view (the app, plain mode, replay, exports, sessions and stats) takes its outcome words
from here, so one session never reads "stopped" in one place and "unfinished" in another.
Colour is never the only cue: each outcome has its own symbol.
"""

from __future__ import annotations

from dataclasses import dataclass

UNFINISHED = "unfinished"


@dataclass(frozen=True)
class OutcomeLook:
    key: str  # success | partial | fail | unfinished
    word: str  # in a list: "partial"
    headline: str  # as a verdict: "Partly there"
    symbol: str
    letter: str  # in a row of attempts
    tone: str  # success | warning | error | muted: the UI maps it to a colour

    @property
    def label(self) -> str:
        """Symbol and word: "◐ partial"."""
        return f"{self.symbol} {self.word}"


LOOKS: dict[str, OutcomeLook] = {
    "success": OutcomeLook("success", "success", "Success", "✓", "S", "success"),
    "partial": OutcomeLook("partial", "partial", "Partly there", "◐", "P", "warning"),
    "fail": OutcomeLook("fail", "fail", "Not this time", "✗", "F", "error"),
    UNFINISHED: OutcomeLook(UNFINISHED, "unfinished", "Unfinished", "○", ".", "muted"),
}
#: Outcome filters in the order they are offered (the sessions screen, `sessions --outcome`).
FILTERS: tuple[str, ...] = ("success", "partial", "fail", UNFINISHED)


def look(outcome: str | None) -> OutcomeLook:
    """The look of an outcome; None (no ending yet) is unfinished."""
    return LOOKS.get(outcome or UNFINISHED, LOOKS[UNFINISHED])


def legend() -> str:
    """What the symbols mean, in one line."""
    return " ".join(f"{o.symbol} {o.word}" for o in LOOKS.values())
