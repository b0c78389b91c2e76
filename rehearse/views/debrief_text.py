"""A session in plain text lines: the debrief (plain mode prints it at the end) and the
replay (``rehearse replay --plain``). Both read a ``SessionView`` and share every line they
have in common, so the two never word the same thing differently."""

from __future__ import annotations

from rehearse.engine.inert import inert
from rehearse.engine.templating import unnamed
from rehearse.views.outcomes import look
from rehearse.views.session import DimensionView, SessionView, TurnView
from rehearse.views.text import signed

BAR_WIDTH = 20


def bar(score: int, width: int = BAR_WIDTH) -> str:
    filled = round(score / 100 * width)
    return "#" * filled + "." * (width - filled)


def marked(turn: TurnView) -> str:
    """The reply with the coach's flagged words in «guillemets»."""
    return "".join(f"«{text}»" if flagged else text for text, flagged in turn.segments)


def ending_lines(view: SessionView) -> list[str]:
    """How it ended, or where it stopped."""
    if view.outcome is None:
        return [f"{look(None).headline}: the conversation stopped after “{view.stopped_after}”"]
    why = f" ({view.persona} ran out of patience)" if view.end_reason == "patience" else ""
    lines = [f"Outcome: {look(view.outcome).label}{why}"]
    if view.debrief.strip():
        lines.append(view.debrief.strip())
    return lines


def score_words(score: int | None) -> str:
    return "not scored" if score is None else f"{score}/100"


def dimension_lines(dim: DimensionView) -> list[str]:
    """One rubric dimension: verdict and score, what good looks like, what decided it."""
    if dim.verdict is None:
        return [f"  {dim.dim}: {dim.criterion}"]
    head = f"  {dim.dim}: {dim.verdict_words}"
    if dim.score is not None:
        head += f", {dim.score}/100  [{bar(dim.score)}]"
    lines = [head, f"    {dim.criterion}"]
    if dim.line:
        lines.append(f"    {dim.line}")
    lines += [
        f"    turn {c.turn}: {signed(c.points)} from {c.source}"
        for c in sorted(dim.contributions, key=lambda c: c.turn)
    ]
    return lines


def rubric_lines(view: SessionView) -> list[str]:
    """Each dimension's verdict from the transcript, the key turns, and tips."""
    lines: list[str] = []
    if view.rubric:
        lines += ["", "How it went (0-100; a dimension no reply or flag spoke to is not scored):"]
        for dim in view.rubric:
            lines += dimension_lines(dim)
        lines.append(f"Score: {score_words(view.score)}")
    if view.key_turns:
        lines += ["", "The turns that moved your score most:"]
        lines += [f"  turn {k.index} ({signed(k.points)}): {k.you}" for k in view.key_turns]
    if view.next_time:
        lines += ["", "Next time, try:"]
        lines += [f"  - {tip}" for tip in view.next_time]
    return lines


def turn_notes(turn: TurnView) -> list[str]:
    """What the review says about one reply: how it was read, its score, the coach."""
    lines = [turn.understood.text]
    if turn.moves:
        lines.append("(score) " + ", ".join(f"{c.dimension} {signed(c.points)}" for c in turn.moves))
    if turn.coach_note:
        lines.append(f"(coach) {turn.coach_note}")
    for flag in turn.coaching:
        words = ", ".join(f"“{w}”" for w in flag.words if len(w) < len(turn.you) * 0.9)
        lines.append(
            f"(phrasing) {flag.title}"
            + (f": {words}" if words else "")
            + (f". {flag.rationale}" if flag.rationale else "")
            + (f" Try: {flag.suggestion}" if flag.suggestion else "")
        )
    if turn.model:
        lines.append(f"(a strong reply) {turn.model}")
        yours, theirs = turn.differs
        if yours or theirs:
            lines.append(f"(what differs) {differing(yours, theirs)}")
    if turn.hesitation:
        lines.append(f"(pace) {turn.hesitation}")
    return lines


def differing(yours: list[str], theirs: list[str]) -> str:
    """The word diff in words: "only in yours: “I think”; only in the strong reply: “..."."""
    parts = []
    if yours:
        parts.append("only in yours: " + ", ".join(f"“{p}”" for p in yours))
    if theirs:
        parts.append("only in the strong reply: " + ", ".join(f"“{p}”" for p in theirs))
    return "; ".join(parts)


def debrief_lines(view: SessionView) -> list[str]:
    """The debrief: the ending, the rubric, then each reply with what to try."""
    lines = ending_lines(view) + rubric_lines(view)
    if view.pace:
        lines += ["", f"Pace: {view.pace}"]
    if view.turns:
        lines += ["", "Turn by turn:"]
    for turn in view.turns:
        lines.append(f"  {turn.index}. You: {marked(turn)}")
        lines += [f"     {note}" for note in turn_notes(turn)]
    return [inert(line) for line in lines]


def replay_lines(view: SessionView) -> list[str]:
    """The session turn by turn, as plain lines (the replay), then the debrief."""
    boss = view.persona
    you = "" if unnamed(view.user_name) else f"  ·  you: {view.user_name}"  # never "you: you"
    out = [
        f"Session {view.id}: {view.title}, with {boss}",
        f"{view.started}  ·  seed {view.seed}  ·  rehearse {view.app_version}{you}",
    ]
    if view.parent is not None:
        out.append(f"Retried from session {view.parent}, turn {view.parent_turn}")
    out += [f"Situation: {view.situation}".rstrip(), f"Goal: {view.goal}".rstrip(), ""]
    out.append(f"{boss}: {view.opening}")
    out += [f"  {o.number}. {o.label}" for o in view.opening_options]
    for turn in view.turns:
        out += ["", f"[{turn.index}] You: {marked(turn)}"]
        out += [f"    {note}" for note in turn_notes(turn)]
        out.append(f"{boss}: {turn.boss}")
        if turn.hint:
            out.append(f"  (hint) {turn.hint}")
        out += [f"  {o.number}. {o.label}" for o in turn.options]
    out += ["", *ending_lines(view), *rubric_lines(view)]
    return [inert(line) for line in out]
