"""Attempt against attempt: two sessions of one script side by side, turn by turn, where they
went apart, and the rubric difference per dimension. The values come from views/compare,
the same ones `rehearse compare` prints."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from rehearse.history.records import StoredSession
from rehearse.ui import styles
from rehearse.ui.safe import assemble, outcome_label, plain
from rehearse.ui.widgets.footer import KeysFooter
from rehearse.views.compare import Comparison, Row, Side, difference, dim_words, diverged_words
from rehearse.views.practice import score_moves
from rehearse.views.text import local_time, one_line, score_cell


def side_content(side: Side | None, persona: str) -> Content:
    if side is None:
        return plain("(no such turn)", "$text-muted italic")
    lines = [
        assemble(("You: ", "bold"), side.you),
        plain(side.read_as, "$text-muted"),
    ]
    if side.score:
        lines.append(plain(score_moves(side.score)))
    lines.append(assemble((f"{persona}: ", "bold $text-accent"), (side.boss, "italic")))
    if side.outcome:
        lines.append(assemble(("Ended: ", "bold"), outcome_label(side.outcome)))
    return Content("\n").join(lines)


def _who(tag: str, stored: StoredSession) -> Content:
    return assemble(
        (f"{tag} ", "bold reverse"),
        f" session {stored.id}, {local_time(stored.started)}, ",
        outcome_label(stored.outcome),
        (f", with {one_line(stored.persona_name or stored.persona_id, 24)}", "$text-muted"),
    )


class CompareScreen(Screen[None]):
    """Two attempts at one conversation, side by side."""

    CSS_PATH = styles.LATER  # see rehearse.ui.styles

    AUTO_FOCUS = "#compare-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", key_display="esc", tooltip="Back to the sessions"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(self, found: Comparison) -> None:
        super().__init__(id="compare")
        self.found = found

    def compose(self) -> ComposeResult:
        found = self.found
        yield Static(
            assemble(("Compare", "bold $text-accent"), " · ", (one_line(found.a.script_title, 60), "bold")),
            id="compare-title",
            classes="topbar",
            markup=False,
        )
        yield Static(
            Content("\n").join(
                [_who("A", found.a), _who("B", found.b), plain(diverged_words(found), "bold $text-warning")]
            ),
            id="compare-meta",
            markup=False,
        )
        with VerticalScroll(id="compare-body", can_focus=True):
            for row in found.rows:
                yield from self._row(row)
            yield Static(self._rubric(), id="compare-rubric", markup=False)
        yield KeysFooter()

    def _row(self, row: Row) -> ComposeResult:
        found = self.found
        apart = row.index == found.diverged_at
        title = assemble(
            (f"Turn {row.index}", "bold"), ("  ≠ they went apart here" if apart else "", "bold $text-warning")
        )
        yield Static(title, classes="compare-turn", markup=False)
        if row.same_moment and row.a is not None and row.a.before:
            persona = found.a.persona_name or found.a.persona_id
            yield Static(
                assemble((f"{persona}: ", "bold $text-accent"), (one_line(row.a.before, 300), "italic")),
                classes="compare-before",
                markup=False,
            )
        with Horizontal(classes="compare-pair"):
            for tag, side, stored in (("A", row.a, found.a), ("B", row.b, found.b)):
                box = Static(
                    side_content(side, stored.persona_name or stored.persona_id),
                    classes="compare-box",
                    markup=False,
                )
                box.border_title = tag
                yield box

    def _rubric(self) -> Content:
        found = self.found
        if not found.dims:
            return plain("This script has no rubric.", "$text-muted")
        width = max(len(d.dim) for d in found.dims)
        lines = [plain("Rubric (0-100; B against A)", "bold")]
        for d in found.dims:
            words = dim_words(d, width=width)
            change = difference(d)
            tone = (
                "$text-muted" if d.diff in (None, 0) else ("$text-success" if d.diff > 0 else "$text-error")
            )
            lines.append(assemble(words[: len(words) - len(change)], (change, f"bold {tone}")))
        a, b = found.a.score, found.b.score
        lines.append(assemble(("Score ", "bold"), f"A {score_cell(a)}  B {score_cell(b)}"))
        return Content("\n").join(lines)

    def action_back(self) -> None:
        self.app.pop_screen()
