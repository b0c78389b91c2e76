"""Names that would confuse a conversation: the user's own name given to someone else in it.

Playing passed-over as Alex, where the colleague who got the job is also Alex, makes the boss
say "The panel went with Alex" to Alex. Caught before play, in the app and in plain mode.
"""

from __future__ import annotations

from collections.abc import Mapping


def _words(text: str) -> set[str]:
    return {w.strip(".,'’").casefold() for w in text.split() if w.strip(".,'’")}


def name_clashes(user_name: str, variables: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """The script variables (name, value) whose value names the user: the same first name."""
    from rehearse.engine.templating import unnamed  # (importing the app loads no engine)

    if unnamed(user_name):
        return ()
    first = user_name.split()[0].casefold()
    return tuple(
        (key, str(value))
        for key, value in variables.items()
        if isinstance(value, str) and len(value.split()) <= 3 and first in _words(value)
    )


def clash_warning(user_name: str, clashes: tuple[tuple[str, str], ...]) -> str:
    """In words, with the way out: change your name or theirs."""
    if not clashes:
        return ""
    key, value = clashes[0]
    who = key.replace("_", " ")
    return (
        f"Your name, {user_name.strip()}, is also the {who} in this conversation ({value}): "
        f"the boss would say it of both of you. Change your name or the {who}'s."
    )
