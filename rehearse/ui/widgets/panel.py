"""The chat's side panel (goal, rubric, patience) and the live coach line under the input."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from rehearse.ui.safe import assemble, plain
from rehearse.ui.widgets.bars import rubric_line
from rehearse.views.text import one_line

if TYPE_CHECKING:
    from rehearse.engine.runtime.coach import Flag


class SidePanel(VerticalScroll):
    """Goal, rubric dimensions as they move, and how much patience the boss has left."""

    def compose(self) -> ComposeResult:
        yield Label("Patience", classes="panel-heading")
        yield Static(id="panel-patience", classes="panel-text", markup=False)
        yield Label("Rubric", classes="panel-heading")
        yield Static(id="panel-rubric", classes="panel-text", markup=False)
        yield Label("Goal", classes="panel-heading")
        yield Static(id="panel-goal", classes="panel-text", markup=False)

    def show_goal(self, goal: str) -> None:
        self.query_one("#panel-goal", Static).update(plain(" ".join(goal.split())))

    def show_scores(self, rows: Sequence[tuple[str, int | None]], delta: Mapping[str, int]) -> None:
        """Each dimension's 0-100 score as the debrief will show it (None: not shown yet), and
        how the last reply moved it."""
        self._scores = (list(rows), dict(delta))
        self._draw_scores()

    def on_resize(self) -> None:
        if getattr(self, "_scores", None) is not None:
            self._draw_scores()

    def _draw_scores(self) -> None:
        rows, delta = self._scores
        # name, space, bar (2*half+1), space, score (3), delta arrow (2, or 3-4 with the
        # amount when there is room): fit the panel
        room = max(20, self.scrollable_content_region.width or 24)
        longest = max((len(d) for d, _ in rows), default=6)
        # the shortest bar that lets every name show whole (a narrow panel shortens the bar,
        # not the words)
        half = next((h for h in (4, 3, 2) if room - (2 * h + 1) - 2 - 3 - 2 >= longest), 2)
        show_amount = room - (2 * half + 1) - 2 - 3 - 5 >= longest
        tail = 5 if show_amount else 2
        name_width = max(6, min(longest, room - (2 * half + 1) - 2 - 3 - tail))
        lines = [
            rubric_line(
                dim, score, name_width=name_width, half=half, delta=delta.get(dim), show_amount=show_amount
            )
            for dim, score in rows
        ]
        self.query_one("#panel-rubric", Static).update(
            Content("\n").join(lines) if lines else plain("(this script has no rubric)")
        )

    def show_patience(self, name: str, left: int, total: int, their: str = "their") -> None:
        dots = Content.assemble(
            ("●" * left, "$text-success" if left > 1 else "$text-error"),
            ("○" * max(0, total - left), "$text-muted"),
        )
        word = f"at the end of {their} patience" if left <= 1 else "listening"
        self.query_one("#panel-patience", Static).update(
            Content("\n").join(
                [
                    Content.assemble(dots, f"  {left} of {total}"),
                    plain(f"{one_line(name, 40)} is {word}.", "$text-muted"),
                ]
            )
        )


class CoachLine(Static):
    """Phrasing flags for the reply being typed: titles, with the flagged words in bold."""

    def show_flags(self, text: str, flags: Sequence[Flag]) -> None:
        if not flags:
            self.update("")
            self.set_class(False, "-flagged")
            return
        parts: list[Content] = [plain("coach ", "bold $text-warning")]
        for number, flag in enumerate(flags):
            if number:
                parts.append(plain(" · ", "$text-muted"))
            parts.append(plain(f"⚑ {flag.check.title}", "$text-warning"))
            words = [text[s.start : s.end] for s in flag.spans][:2]
            if words:
                quoted = " ".join(f"“{one_line(w, 30)}”" for w in words)
                parts.append(plain(f" {quoted}", "bold"))
        self.update(assemble(*parts))
        self.set_class(True, "-flagged")
