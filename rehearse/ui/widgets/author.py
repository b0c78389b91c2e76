"""Widgets for script authors: the author overlay (how the reply being typed would be
understood) and the panel that shows a watched script's errors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from rehearse.ui.safe import assemble, plain
from rehearse.views.text import favoured_line, one_line

if TYPE_CHECKING:
    from rehearse.engine.diagnostics import Diagnostic
    from rehearse.engine.runtime.session import State

ID_WIDTH = 18


def overlay_content(state: State, text: str) -> Content:
    """Every reply of the current node, best first, with its score for text, and the
    decision: what the boss would do if text were sent now."""
    from rehearse.engine.runtime.matching import MARGIN, SHORT_EXTRA, THRESHOLD, decide, favoured
    from rehearse.engine.runtime.session import offered_choice

    head = plain("author ", "bold $text-accent")
    if state.ending is not None:
        return assemble(head, ("the conversation is over", "$text-muted"))
    candidates = state.candidates()
    picked = offered_choice(state, text)
    if picked is not None:
        winner: str | None = picked
        close: tuple[str, ...] = ()
        verdict = assemble(("option ", "bold"), (text.strip(), "bold"), " picks ", (picked, "bold"))
        scores: dict[str, float | None] = {c.id: None for c in candidates}
        order = [c.id for c in candidates]
        examples: dict[str, str | None] = {}
        notes: dict[str, tuple[str, ...]] = {}
    else:
        decision = decide(text, candidates)
        winner = decision.reply if decision.kind == "matched" else None
        close = decision.candidates if decision.kind == "ambiguous" else ()
        typed = bool(text.strip())
        if not typed:
            verdict = plain("type a reply to see how it would be understood", "$text-muted")
        elif decision.kind == "matched":
            verdict = assemble(("matched", "bold $text-success"), " → ", (decision.reply or "", "bold"))
        elif decision.kind == "ambiguous":
            verdict = assemble(
                ("ambiguous", "bold $text-warning"), f": {' or '.join(close)} (the boss asks which)"
            )
        elif decision.kind == "aside":
            verdict = assemble(
                ("aside", "bold $text-accent"), f": {decision.intent} (the boss answers and asks again)"
            )
        elif decision.kind == "checkback":
            verdict = assemble(
                ("check-back", "bold $text-warning"), f": {decision.reply}? (a yes or a no settles it)"
            )
        else:
            verdict = assemble(
                ("none", "bold $text-error"), f": {decision.reason}, the boss asks to rephrase"
            )
        if typed:
            scores = {s.reply: s.score for s in decision.scores}
            order = [s.reply for s in decision.scores]
        else:
            scores = {c.id: None for c in candidates}
            order = [c.id for c in candidates]
        examples = {s.reply: s.example for s in decision.scores}
        notes = {s.reply: s.notes for s in decision.scores}
    lines = [assemble(head, verdict)]
    if picked is None and text.strip() and decision.intent:
        words = ", ".join(decision.evidence[:3])
        lines.append(
            plain(
                f"   reads as {decision.intent} {decision.confidence:.2f}"
                + (f" (from: {words})" if words else ""),
                "$text-muted",
            )
        )
    together = favoured_line(favoured(text, candidates)) if picked is None and text.strip() else ""
    if together:
        lines.append(plain(f"   {together}", "$text-muted"))
    width = min(ID_WIDTH, max((len(r) for r in order), default=4))
    rule_due = picked is None and any(v is not None for v in scores.values())
    for reply in order:
        score = scores.get(reply)
        if rule_due and score is not None and score < THRESHOLD:
            lines.append(_threshold_rule(THRESHOLD, SHORT_EXTRA, MARGIN))
            rule_due = False
        if reply == winner:
            mark, style = "▶", "bold $text-success"
        elif reply in close:
            mark, style = "?", "bold $text-warning"
        else:
            mark, style = " ", ""
        number = "   -" if score is None else f"{score:4.0f}"
        score_style = "$text-muted" if score is None or score < THRESHOLD else "$text-success"
        parts: list[str | Content | tuple[str, str]] = [
            (f" {mark} ", style),
            (number, score_style),
            "  ",
            (one_line(reply, width).ljust(width), style),
        ]
        example = examples.get(reply)
        if example and score is not None:
            parts.append((f"  “{one_line(example, 60)}”", "$text-muted"))
        extra = notes.get(reply) or ()
        if extra and score is not None:
            parts.append((f"  [{'; '.join(extra)}]", "$text-muted"))
        lines.append(assemble(*parts))
    if rule_due:
        lines.append(_threshold_rule(THRESHOLD, SHORT_EXTRA, MARGIN))
    return Content("\n").join(lines)


def _threshold_rule(threshold: float, short_extra: float, margin: float) -> Content:
    """The line between the replies that would be understood and those that would not."""
    return plain(
        f"   {threshold:4.0f}  ── threshold ({threshold + short_extra:.0f} for 1-2 words; "
        f"margin {margin:.0f}) ──",
        "$text-muted",
    )


class AuthorOverlay(Static):
    """How the reply being typed would be understood: every reply's score and the winner."""

    def show_for(self, state: State, text: str) -> None:
        try:
            content = overlay_content(state, text)
        except Exception as exc:  # the overlay must never take the conversation down
            content = plain(f"author: could not score this text: {exc}", "$text-error")
        self.update(content)


_CODE_LINE = re.compile(r"^\s*\d+ \| |^\s*\^+\s*$")


class ReloadErrors(VerticalScroll):
    """A watched script's errors, exactly as `rehearse check` prints them (never markup),
    while the last good version keeps running. Messages wrap; a source line and its caret
    never do, so the caret stays under the column it points at."""

    def compose(self) -> ComposeResult:
        yield Static(id="reload-errors-title", markup=False)
        yield Vertical(id="reload-errors-body")

    def show_problems(self, title: str, diagnostics: Sequence[Diagnostic | str]) -> None:
        rendered = [d if isinstance(d, str) else d.render() for d in diagnostics]
        self.query_one("#reload-errors-title", Static).update(plain(title, "bold $text-error"))
        body = self.query_one("#reload-errors-body", Vertical)
        body.remove_children()
        body.mount_all(
            Static(plain(line), classes="-code" if _CODE_LINE.match(line) else "", markup=False)
            for text in rendered
            for line in text.splitlines()
        )
        self.set_class(True, "-shown")
        self.scroll_home(animate=False)

    def hide(self) -> None:
        self.set_class(False, "-shown")

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")

    @property
    def text(self) -> str:
        """What the panel shows, as plain text (title, then every diagnostic, line by line)."""
        lines = [self.query_one("#reload-errors-title", Static), *self.query("#reload-errors-body Static")]
        return "\n".join(str(getattr(w.render(), "plain", "")) for w in lines)
