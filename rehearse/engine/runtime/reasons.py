"""How a decision's reason says where a turn came from, in one place: the session writes
these reasons, and the store, the drill, hot reload and the views read them back (a stored
turn keeps its reason, not the engine's values). Imports nothing, so the store can read
rows without loading the matcher."""

from __future__ import annotations

PICKED = "picked option"  # the user typed the number of an offered option
CONFIRMED = "confirmed"  # the user said yes to "You mean ...?"
AFTER_CHECKBACK = "after a check-back"  # how the reason of a yes or a no to one ends
ANSWERED_YES = "an answer in the question's own words, as a yes"
ANSWERED_NO = "an answer in the question's own words, with a “not”"
THROUGH_NOT = "read through its “not”"
AGAINST_A_NOT = "read against a “not”"
CONFIRMED_BY_NOT = "its “not” turned, it reads the other way"
SECOND_POINT = "a second point too"  # a check-back on a take whose text made two points
NEGATED_YES = "a negated yes counts as no"  # a note on the no's score: its example is the yes's
BY_INTENT = "intent"  # a note on a score its intent's confidence made: "intent thank 0.93"
# what the views say of a reply taken by one of those readings, where a score says nothing
_READ_AS = {
    ANSWERED_YES: "a yes to the boss's question, in its own words",
    ANSWERED_NO: "a no to the boss's question, in its own words",
    THROUGH_NOT: "read through its “not”: without it, it says the opposite",
    AGAINST_A_NOT: "read against a “not”: with one, it says the opposite",
    CONFIRMED_BY_NOT: "read both ways: its words, and its words turned by a “not”",
}


def picked_reason(number: int) -> str:
    return f"{PICKED} {number}"


def confirmed_reason(reply: str) -> str:
    return f"{CONFIRMED} '{reply}' {AFTER_CHECKBACK}"


def said_no_reason(reply: str) -> str:
    return f"not '{reply}' {AFTER_CHECKBACK}"


def read_as(reason: str | None) -> str | None:
    """How a reply taken by what it answers or by its "not", not by its score, was read."""
    said = reason or ""
    return next((words for start, words in _READ_AS.items() if said.startswith(start)), None)


def is_picked(reason: str | None) -> bool:
    return (reason or "").startswith(PICKED)


def is_confirmed(reason: str | None) -> bool:
    return (reason or "").startswith(CONFIRMED)


def is_said_no(kind: str | None, reason: str | None) -> bool:
    """A no to "You mean ...?": the boss misread, not the user."""
    said = reason or ""
    return kind == "none" and said.startswith("not ") and said.endswith(AFTER_CHECKBACK)


def intent_note(intent: str, p: float, how: str = "") -> str:
    """The note on a reply's score when the reading of its intent made it (``how``: a
    reading's own words, such as THROUGH_NOT in brackets)."""
    return f"{BY_INTENT} {intent} {p:.2f}{how}"


def noted_intent(notes: tuple[str, ...]) -> str | None:
    """The intent whose reading made a score, from its notes (None when the words made it):
    such a score is a confidence, not how closely the text matches an example."""
    for note in notes:
        head, _, rest = note.partition(" ")
        if head == BY_INTENT and rest:
            return rest.split(" ", 1)[0]
    return None
