"""Practice in words: the moments due for a drill, a drill's verdict, the what-if explorer
and hesitation. Plain lines and JSON for the command line; the app's screens take the same
words from here, so a moment never reads one way in the app and another in plain mode.

Users read labels and the boss's lines, never node or reply ids; the ids appear only in
JSON fields, for tools.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rehearse.engine.model import Outcome
from rehearse.engine.runtime.debrief import POINTS_PER_SCORE
from rehearse.engine.runtime.session import Timing
from rehearse.history.codec import reasons_to_json
from rehearse.history.records import MomentRow
from rehearse.views.outcomes import look
from rehearse.views.text import one_line, signed

if TYPE_CHECKING:  # only named here: a replay or a debrief needs neither the explorer nor drills
    from rehearse.engine.practice.explore import Branch, Landing, Reach, WhatIf
    from rehearse.engine.practice.moments import Verdict

# -- moments due -------------------------------------------------------------------------------


def when_due(due: datetime, now: datetime) -> str:
    """How a person says when a moment is due: "due now", "due 2 days ago", "due in 3 days",
    counted in days of the user's own calendar (UTC's "yesterday" is not theirs)."""
    days = (due.astimezone().date() - now.astimezone().date()).days
    if due <= now:
        if days == 0:
            return "due now"
        return "due yesterday" if days == -1 else f"due {-days} days ago"
    if days == 0:
        return "due later today"
    return "due tomorrow" if days == 1 else f"due in {days} days"


def due_count_words(count: int) -> str:
    return f"{count} moment{'s' if count != 1 else ''} due for a drill" if count else "no moments due"


def moment_title(row: MomentRow) -> str:
    return f"{row.script_title}, with {row.persona_name or row.persona_id}"


def _in_one_line(texts: Sequence[str]) -> str:
    """Reasons run together: after a full sentence (an author's note) the next starts anew,
    otherwise a semicolon joins them."""
    line = ""
    for text in texts:
        if not line:
            line = text
        elif line.rstrip()[-1:] in '.!?…”"':
            line = f"{line.rstrip()} {text[:1].upper()}{text[1:]}"
        else:
            line = f"{line}; {text}"
    return line


def why_due(row: MomentRow) -> str:
    """Why this moment comes back: the reasons of its latest weak reply, in one line."""
    reasons = _in_one_line([r.text for r in row.reasons]) or "a weak reply"
    times = row.memory.reviews
    # (every answer at the moment counts, in a drill or a whole conversation)
    return reasons + (f" (practised {times - 1} time{'s' if times != 2 else ''} since)" if times > 1 else "")


def moment_lines(rows: Sequence[MomentRow], now: datetime, *, due_only: bool = True) -> list[str]:
    """`rehearse drill --list`."""
    if not rows:
        return ["No moments are due for a drill." if due_only else "No moments to drill yet."]
    head = due_count_words(len(rows)) if due_only else f"{len(rows)} moment{'s' if len(rows) != 1 else ''}"
    lines = [head[:1].upper() + head[1:] + ":"]
    for number, row in enumerate(rows, start=1):
        lines.append(f"{number:>2}. {moment_title(row)}  ({when_due(row.memory.due, now)})")
        lines.append(f"    The boss: “{one_line(row.asked, 100)}”")
        lines.append(f"    Why: {why_due(row)}")
    return lines


def moment_json(row: MomentRow, now: datetime) -> dict[str, Any]:
    memory = row.memory
    return {
        "script": row.script_id,
        "title": row.script_title,
        "node": row.node,
        "persona": row.persona_id,
        "persona_name": row.persona_name,
        "due": memory.due.isoformat(timespec="seconds"),
        "is_due": memory.is_due(now),
        "asked": row.asked,
        "why": why_due(row),
        "reasons": reasons_to_json(row.reasons),
        "grade": row.grade,
        "from_session": row.session,
        "from_turn": row.turn,
        "reviews": memory.reviews,
        "lapses": memory.lapses,
        "stability_days": round(memory.stability, 2),
    }


# -- a drill's verdict -------------------------------------------------------------------------

VERDICT_HEADLINES = {
    "good": "✓ Strong: it landed at once",
    "hard": "◐ Nearly: it landed, with a catch",
    "again": "✗ Not yet: this moment comes back tomorrow",
}


def verdict_headline(verdict: Verdict | None) -> str:
    return VERDICT_HEADLINES[verdict.grade] if verdict is not None else "· No reply to judge"


def verdict_lines(verdict: Verdict | None, *, tries: int = 1) -> list[str]:
    """A drill's short verdict: a headline, then why (when there is a why)."""
    lines = [verdict_headline(verdict)]
    if verdict is not None:
        lines += [f"  {r.text}" for r in verdict.reasons]
    if tries > 1:
        lines.append(f"  It took {tries} replies to move on.")
    if verdict is not None and verdict.grade == "good":
        lines.append("  It comes back later, spaced further each time it goes well.")
    return lines


# -- what if -----------------------------------------------------------------------------------


def path_words(landing: Landing) -> str:
    """A shortest way to an ending, as the replies' labels."""
    if not landing.path:
        return "it ends here"
    steps = " → ".join(one_line(s.label, 40) for s in landing.path)
    count = len(landing.path)
    return f"{count} more repl{'ies' if count != 1 else 'y'}: {steps}"


def reach_pieces(reach: Reach) -> tuple[tuple[str, Outcome | None], ...]:
    """Where a moment can still end, as pieces: words, and outcomes (for a view to show as
    it shows outcomes). Joined, "best ✓ success, worst ✗ fail"."""
    if reach.best is None or reach.worst is None:
        return (("no ending can be reached from here", None),)
    if reach.best.outcome == reach.worst.outcome:
        return (("can only end ", None), ("", reach.best.outcome))
    return (("best ", None), ("", reach.best.outcome), (", worst ", None), ("", reach.worst.outcome))


def reach_words(reach: Reach) -> str:
    """ "best ✓ success, worst ✗ fail" in one line."""
    return "".join(text if outcome is None else look(outcome).label for text, outcome in reach_pieces(reach))


def score_moves(score_delta: Mapping[str, int]) -> str:
    """What a reply does to the rubric, on the debrief's 0-100 scale: "clarity +20"."""
    return ", ".join(f"{k} {signed(v * POINTS_PER_SCORE)}" for k, v in score_delta.items())


def branch_lines(branch: Branch, persona: str, *, chosen: bool) -> list[str]:
    turn = branch.turn
    mark = "  ← what you said" if chosen else ""
    lines = [f"{one_line(branch.label, 70)}{mark}"]
    if branch.example:
        lines.append(f"   e.g. “{one_line(branch.example, 90)}”")
    lines.append(f"   {persona}: “{one_line(turn.boss, 200)}”")
    if turn.score_delta:
        lines.append("   score " + score_moves(turn.score_delta))
    if turn.coach_note:
        lines.append(f"   coach: {one_line(turn.coach_note, 160)}")
    if turn.ending is not None:
        lines.append(f"   the conversation ends here: {look(turn.ending.outcome).label}")
        return lines
    lines.append(f"   {reach_words(branch.reach)}")
    success = branch.reach.success
    if success is not None and success.path:
        lines.append(f"   shortest way to success: {path_words(success)}")
    elif success is None:
        lines.append("   no way to success from here")
    return lines


def what_if_lines(
    found: WhatIf, *, persona: str, said: str | None = None, chosen: str | None = None, heading: str = ""
) -> list[str]:
    """`rehearse explore`: every reply of the moment, what the boss would say, where it leads."""
    lines = [heading] if heading else []
    lines.append(f"{persona}: “{one_line(found.asked, 200)}”")
    if said is not None:
        lines.append(f"You said: “{one_line(said, 200)}”")
    lines += ["", "Every reply this moment offers:"]
    for number, branch in enumerate(found.branches, start=1):
        first, *rest = branch_lines(branch, persona, chosen=branch.reply == chosen)
        lines.append(f"{number:>2}. {first}")
        lines += [f" {line}" for line in rest]
    lines += ["", f"From this moment, whatever you say: {reach_words(found.reach)}."]
    if found.reach.success is not None:
        lines.append(f"Shortest way to success: {path_words(found.reach.success)}.")
    if not found.complete:
        lines.append(f"(explored the first {found.states} states only: the script is very large)")
    return lines


def _landing_json(landing: Landing | None) -> dict[str, Any] | None:
    if landing is None:
        return None
    return {
        "outcome": landing.outcome,
        "node": landing.node,
        "boss": landing.boss,
        "path": [{"node": s.node, "reply": s.reply, "label": s.label} for s in landing.path],
    }


def _reach_json(reach: Reach) -> dict[str, Any]:
    return {
        "best": _landing_json(reach.best),
        "worst": _landing_json(reach.worst),
        "shortest_success": _landing_json(reach.success),
    }


def what_if_json(found: WhatIf, *, said: str | None = None, chosen: str | None = None) -> dict[str, Any]:
    return {
        "node": found.node,
        "asked": found.asked,
        "said": said,
        "chosen": chosen,
        "branches": [
            {
                "reply": b.reply,
                "label": b.label,
                "example": b.example,
                "boss": b.turn.boss,
                "next_node": b.turn.next_node,
                "score": dict(b.turn.score_delta),
                "coach": b.turn.coach_note,
                "ending": b.turn.ending.outcome if b.turn.ending else None,
                **_reach_json(b.reach),
            }
            for b in found.branches
        ],
        **_reach_json(found.reach),
        "states": found.states,
        "complete": found.complete,
    }


# -- hesitation --------------------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value:.0f}s" if value >= 10 else f"{value:.1f}s"


def hesitation_words(timing: Timing | None, nudges: int = 0) -> str | None:
    """ "12s to send (first key after 4.1s); asked “still with me?” once", or None."""
    if timing is None and not nudges:
        return None
    parts = []
    if timing is not None:
        first = f" (first key after {seconds(timing.first_key)})" if timing.first_key is not None else ""
        parts.append(f"{seconds(timing.send)} to send{first}")
    if nudges:
        parts.append("the boss asked if you were still there" + (f" {nudges} times" if nudges > 1 else ""))
    return "; ".join(parts)


def hesitation_summary(timings: Iterable[Timing | None]) -> str | None:
    """Over a session: the mean and the longest time to send, or None when untimed."""
    sends = [t.send for t in timings if t is not None]
    if not sends:
        return None
    mean = sum(sends) / len(sends)
    return f"{seconds(mean)} to send on average, {seconds(max(sends))} at the longest ({len(sends)} timed)"
