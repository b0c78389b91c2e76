"""What screens ask the app to do. Screens get what they need in their constructor and post
these messages up; the app (and only the app) changes screens, saves settings and opens the
session store ("attributes down, messages up")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from rehearse.engine.runtime.session import State


@dataclass
class StartConversation(Message):
    """Open the chat for a script of the library, with these settings."""

    script_id: str
    persona_id: str | None = None
    name: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    remember: bool = True


@dataclass
class OpenDebrief(Message):
    """The conversation is over: show how it went."""

    state: State


@dataclass
class TryAgain(Message):
    """Rehearse the same script again, with the same persona or another."""

    state: State
    persona_id: str | None = None


@dataclass
class RetryFrom(Message):
    """Continue a stored session from a turn, as a new session linked to it."""

    state: State
    parent: int
    parent_turn: int


@dataclass
class OpenReplay(Message):
    session_id: int
    turn: int | None = None


class GoHome(Message):
    """Back to the list of conversations."""


class PrefsChanged(Message):
    """A screen changed what the app remembers (the panel, the coach line): save it."""


class SessionsChanged(Message):
    """Sessions were deleted: the home screen's attempts need counting again."""


@dataclass
class SavingChanged(Message):
    """Sent down by the app to the current screen: saving stopped working (``problem``
    says why) or works again (None), so a chat can show it in its title bar."""

    problem: str | None


class DrillNext(Message):
    """A drilled moment is done: on to the next one due (or home when none is left)."""


@dataclass
class OpenWhatIf(Message):
    """Explore every reply of a moment: ``state`` is the state before that turn."""

    state: State
    heading: str
    said: str | None = None  # what the user said there, if they did
    chosen: str | None = None  # ... and the reply it was taken for


@dataclass
class OpenCompare(Message):
    """Two stored attempts side by side."""

    first: int
    second: int
