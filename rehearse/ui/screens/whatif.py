"""What if: every reply a moment offered, what the boss would have said to it, and where it
could still lead. The engine explores by folding its own step (engine/practice/explore), in
a thread so the screen never freezes on a large script; the words come from views/practice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from rehearse.ui import styles
from rehearse.ui.safe import assemble, outcome_label, plain
from rehearse.ui.widgets.footer import KeysFooter
from rehearse.views.practice import path_words, reach_pieces, score_moves
from rehearse.views.text import one_line

if TYPE_CHECKING:
    from rehearse.engine.practice.explore import Branch, Reach, WhatIf
    from rehearse.engine.runtime.session import State


def _reach(reach: Reach) -> Content:
    return assemble(*(plain(t) if o is None else outcome_label(o) for t, o in reach_pieces(reach)))


def branch_title(number: int, branch: Branch, *, chosen: bool) -> Content:
    return assemble(
        (f" {number} ", "bold reverse"),
        " ",
        (one_line(branch.label, 70), "bold"),
        ("  ← what you said" if chosen else "", "bold $text-accent"),
    )


def branch_content(branch: Branch, persona: str) -> Content:
    """What one reply of the moment would have brought, and where it leads."""
    turn = branch.turn
    lines = []
    if branch.example:
        lines.append(plain(f"e.g. “{one_line(branch.example, 90)}”", "$text-muted"))
    lines.append(assemble((f"{persona}: ", "bold $text-accent"), (turn.boss, "italic")))
    if turn.score_delta:
        lines.append(plain("Score " + score_moves(turn.score_delta)))
    if turn.coach_note:
        lines.append(assemble(("Note: ", "bold"), " ".join(turn.coach_note.split())))
    if turn.ending is not None:
        lines.append(assemble(("Ends here: ", "bold"), outcome_label(turn.ending.outcome)))
        return Content("\n").join(lines)
    lines.append(assemble(("Can still lead to: ", "bold"), _reach(branch.reach)))
    success = branch.reach.success
    if success is None:
        lines.append(plain("No way to success from here.", "$text-error"))
    elif success.path:
        lines.append(assemble(("Shortest way to success: ", "bold"), path_words(success)))
    return Content("\n").join(lines)


def summary_content(found: WhatIf, persona: str, *, said: str | None) -> Content:
    parts = [assemble((f"{persona}: ", "bold $text-accent"), (found.asked, "italic"))]
    if said is not None:
        parts.append(assemble(("You said: ", "bold"), said))
    parts.append(assemble(("From here, whatever you say: ", "bold"), _reach(found.reach)))
    if found.reach.success is not None:
        parts.append(assemble(("Shortest way to success: ", "bold"), path_words(found.reach.success)))
    if not found.complete:
        parts.append(plain(f"(explored the first {found.states} states only: a very large script)", "italic"))
    return Content("\n").join(parts)


class WhatIfScreen(Screen[None]):
    """Every other answer to one moment, and where it leads."""

    CSS_PATH = styles.LATER  # see rehearse.ui.styles

    AUTO_FOCUS = "#whatif-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", key_display="esc", tooltip="Back to the replay"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(
        self, state: State, heading: str, *, said: str | None = None, chosen: str | None = None
    ) -> None:
        super().__init__(id="whatif")
        self.state = state
        self.heading = heading
        self.said = said
        self.chosen = chosen
        self.found: WhatIf | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            assemble(
                ("What if", "bold $text-accent"),
                " · ",
                (one_line(self.state.script.title, 60), "bold"),
                (f"  with {one_line(self.state.persona.name, 30)}", "$text-muted"),
            ),
            id="whatif-title",
            classes="topbar",
            markup=False,
        )
        yield Static(
            plain(f"{self.heading}: every reply this moment offers, and where each can lead", "$text-muted"),
            id="whatif-meta",
            markup=False,
        )
        with VerticalScroll(id="whatif-body", can_focus=True):
            yield Static(plain("Exploring every reply…", "italic"), id="whatif-content", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        state = self.state

        def explore() -> WhatIf:
            from rehearse.engine.practice.explore import what_if

            return what_if(state)

        self.run_worker(explore, name="what-if", thread=True, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "what-if":
            return
        content = self.query_one("#whatif-content", Static)
        if event.state == WorkerState.SUCCESS:
            self.found = event.worker.result
            assert self.found is not None
            persona = self.state.persona.name
            content.update(summary_content(self.found, persona, said=self.said))
            body = self.query_one("#whatif-body", VerticalScroll)
            for number, branch in enumerate(self.found.branches, start=1):
                chosen = branch.reply == self.chosen
                body.mount(Static(branch_title(number, branch, chosen=chosen), classes="whatif-branch"))
                body.mount(Static(branch_content(branch, persona), classes="whatif-detail"))
        elif event.state == WorkerState.ERROR:
            content.update(plain(f"Could not explore this moment: {event.worker.error}", "$text-error"))

    def action_back(self) -> None:
        self.app.pop_screen()
