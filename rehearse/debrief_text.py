"""The debrief as plain text lines: plain mode and `rehearse replay --plain` print it."""

from __future__ import annotations

from rehearse.engine.debrief import Debrief, highlight

BAR_WIDTH = 20


def bar(score: int, width: int = BAR_WIDTH) -> str:
    filled = round(score / 100 * width)
    return "#" * filled + "." * (width - filled)


def debrief_lines(debrief: Debrief, *, boss_name: str) -> list[str]:
    lines: list[str] = []
    ending = debrief.ending
    if ending is not None:
        why = f" ({boss_name} ran out of patience)" if ending.reason == "patience" else ""
        lines.append(f"Outcome: {ending.outcome}{why}")
        if ending.debrief:
            lines.append(ending.debrief.strip())
    if debrief.dimensions:
        lines += ["", "Rubric (0-100; each point traced below):"]
        width = max(len(d.name) for d in debrief.dimensions)
        for dim in debrief.dimensions:
            lines.append(f"  {dim.name:<{width}}  [{bar(dim.score)}] {dim.score:>3}  {dim.description}")
            for c in dim.contributions:
                lines.append(f"  {'':<{width}}    turn {c.turn}: {c.points:+d} from {c.source}")
    if debrief.turns:
        lines += ["", "Turn by turn:"]
    for review in debrief.turns:
        lines.append(f"  {review.index}. You: {highlight(review.user, review.flags)}")
        lines.append(f"     Understood as: {review.understood}")
        for flag in review.flags:
            words = ", ".join(f'"{w}"' for w in flag.words if len(w) < len(review.user) * 0.9)
            on = f" ({words})" if words else ""
            lines.append(
                f"     ! {flag.check.title}{on}: {flag.check.rationale} Try: {flag.check.suggestion}"
            )
        if review.coach_note:
            lines.append(f"     Note: {review.coach_note}")
        if review.model:
            lines.append(f"     A strong reply: {review.model}")
    if debrief.key_turns:
        lines += ["", "The turns that moved your score most:"]
        for review in debrief.key_turns:
            lines.append(f"  turn {review.index} ({review.points:+d}): {review.user}")
    if debrief.next_time:
        lines += ["", "Next time, try:"]
        lines.extend(f"  - {tip}" for tip in debrief.next_time)
    return lines
