"""The debrief: outcome, rubric bars, and each turn with how it landed and how it could land
better (the model answer, the script's note, and the coach's flags on your words). It shows
the session's ``SessionView``, the same one plain mode and the exports read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from rehearse.engine.runtime.session import State
from rehearse.ui import styles
from rehearse.ui.messages import GoHome, TryAgain
from rehearse.ui.safe import assemble, highlighted, outcome_badge, plain
from rehearse.ui.widgets.footer import KeysFooter
from rehearse.views.session import DimensionView, TurnView, Understood, view_of_state
from rehearse.views.text import one_line

if TYPE_CHECKING:
    from rehearse.engine.model import Persona

BAR = 20
FLAG_STYLE = "bold underline $text-warning"
UNDERSTOOD_STYLE = {
    "matched": "$text-accent",
    "picked": "$text-accent",
    "ambiguous": "$text-warning",
    "wrapup": "$text-error",
}


class PersonaChoice(ModalScreen[str | None]):
    """Pick who plays the manager next time."""

    CSS_PATH = styles.LATER  # see rehearse.ui.styles

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, choices: list[tuple[str, Content]], current: str) -> None:
        super().__init__()
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="persona-dialog", classes="dialog"):
            yield Label("Try again with…", classes="dialog-title")
            yield OptionList(*[Option(label, id=pid) for pid, label in self.choices], id="persona-list")
            yield Static("⏎ start   esc cancel", classes="dialog-foot", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [pid for pid, _ in self.choices]
        others = [i for i, pid in enumerate(ids) if pid != self.current]
        options.highlighted = others[0] if others else 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def understood_line(how: Understood) -> Content:
    """How a reply was read, styled: the symbol carries the meaning without colour too."""
    style = UNDERSTOOD_STYLE.get(how.kind, "$text-warning")
    detail = f" ({how.detail})" if how.detail and how.kind in ("matched", "picked") else ""
    if how.detail and not detail:
        detail = f": {how.detail}"
    return assemble((f"{how.symbol} ", style), (how.headline, "bold"), (detail, "$text-muted"))


class DebriefScreen(Screen[None]):
    """How it went."""

    CSS_PATH = styles.LATER  # see rehearse.ui.styles

    AUTO_FOCUS = "#debrief"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Try again"),
        Binding("p", "other_persona", "Other persona"),
        Binding("h,escape", "home", "Home", key_display="h"),
        Binding("question_mark,f1", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, state: State, personas: Sequence[Persona] = ()) -> None:
        super().__init__()
        self.state = state
        self.personas = list(personas)
        self.view = view_of_state(state)

    def compose(self) -> ComposeResult:
        view = self.view
        yield Static(
            assemble(
                ("Debrief", "bold $text-accent"),
                " · ",
                (one_line(view.title, 60), "bold"),
                (f"  with {one_line(view.persona, 40)}", "$text-muted"),
            ),
            id="debrief-title",
            classes="topbar",
            markup=False,
        )
        with VerticalScroll(id="debrief", can_focus=True):
            yield from self._outcome()
            yield from self._rubric()
            yield from self._turns()
            yield Static(
                Content.assemble(
                    ("r", "bold reverse"),
                    " try again   ",
                    ("p", "bold reverse"),
                    " with another persona   ",
                    ("h", "bold reverse"),
                    " home",
                ),
                classes="debrief-foot",
                markup=False,
            )
        yield KeysFooter()

    def _outcome(self) -> ComposeResult:
        view = self.view
        with Vertical(classes="debrief-section outcome"):
            if view.outcome is None:
                yield Label(outcome_badge(None), classes="outcome-badge", markup=False)
                yield Static(plain("The conversation stopped before an ending."), markup=False)
                return
            yield Label(outcome_badge(view.outcome), classes=f"outcome-badge -{view.outcome}", markup=False)
            if view.end_reason == "patience":
                yield Static(plain("The boss ran out of patience.", "italic"), markup=False)
            if view.debrief:
                yield Static(plain(" ".join(view.debrief.split())), classes="outcome-text", markup=False)
            if view.pace:
                yield Static(assemble(("Pace: ", "bold"), view.pace), classes="outcome-text", markup=False)

    def _rubric(self) -> ComposeResult:
        """Each dimension's verdict from the transcript, its 0-100 score, every contribution."""
        view = self.view
        if not view.rubric:
            return
        width = min(16, max(len(d.dim) for d in view.rubric))
        with Vertical(classes="debrief-section"):
            score = "not scored" if view.score is None else f"{view.score}/100"
            yield Label(f"How it went · score {score}", classes="section-title", markup=False)
            for dim in view.rubric:
                yield Static(self._dimension_row(dim, width), classes="rubric-row", markup=False)
                lines = [plain(" ".join(dim.criterion.split()), "$text-muted")]
                if dim.line:
                    lines.append(plain(dim.line))
                why = "; ".join(f"turn {c.turn} {c.points:+d} ({c.source})" for c in dim.contributions)
                if why:
                    lines.append(plain(why, "$text-muted italic"))
                about = Static(Content("\n").join(lines), classes="rubric-about", markup=False)
                about.styles.padding = (0, 0, 0, width + 1)
                yield about
            if view.key_turns:
                yield Label("The turns that moved your score most", classes="section-title")
                for key in view.key_turns:
                    yield Static(
                        assemble((f"Turn {key.index} ({key.points:+d}): ", "bold"), one_line(key.you, 200)),
                        classes="rubric-about",
                        markup=False,
                    )
            if view.next_time:
                yield Label("Next time, try", classes="section-title")
                for tip in view.next_time:
                    yield Static(plain("• " + " ".join(tip.split())), classes="rubric-about", markup=False)

    @staticmethod
    def _dimension_row(dim: DimensionView, width: int) -> Content:
        """The name, a bar (only for a dimension shown), the score and the verdict in words."""
        name = (f"{one_line(dim.dim, width):<{width}} ", "bold")
        if dim.score is None:
            return assemble(
                name, ("·" * BAR, "$text-muted"), ("   –", "bold"), (f"  {dim.verdict_words}", "italic")
            )
        filled = round(dim.score / 100 * BAR)
        return assemble(
            name,
            ("█" * filled, "$text-success" if dim.score >= 50 else "$text-warning"),
            ("·" * (BAR - filled), "$text-muted"),
            (f" {dim.score:>3}", "bold"),
            (f"  {dim.verdict_words}", ""),
        )

    def _turns(self) -> ComposeResult:
        view = self.view
        with Vertical(classes="debrief-section"):
            yield Label("Turn by turn", classes="section-title")
            if not view.turns:
                yield Static(plain("You did not reply."), markup=False)
            for turn in view.turns:
                with Vertical(classes="turn-card"):
                    yield from self._turn(turn)

    def _turn(self, turn: TurnView) -> ComposeResult:
        persona = self.view.persona
        yield Label(plain(f"Turn {turn.index}", "bold"), classes="turn-title", markup=False)
        if turn.before:
            yield Static(
                assemble((f"{persona}: ", "bold"), (turn.before, "italic")), classes="turn-boss", markup=False
            )
        yield Static(
            Content.assemble(("You said: ", "bold"), highlighted(turn.you, turn.flagged_spans, FLAG_STYLE)),
            classes="turn-user",
            markup=False,
        )
        yield Static(
            Content.assemble(("The boss heard: ", "bold"), understood_line(turn.understood)),
            classes="turn-understood",
            markup=False,
        )
        for flag in turn.coaching:
            words = ", ".join(f"“{w}”" for w in flag.words[:3])
            yield Static(
                assemble(
                    ("⚑ ", "$text-warning"),
                    (flag.title, "bold $text-warning"),
                    (f"  {words}" if words else "", "bold"),
                ),
                classes="turn-flag",
                markup=False,
            )
            lines = []
            if flag.rationale:
                lines.append(plain(" ".join(flag.rationale.split()), "$text-muted"))
            if flag.suggestion:
                lines.append(plain("Try: " + " ".join(flag.suggestion.split())))
            if lines:
                yield Static(Content("\n").join(lines), classes="turn-flag-detail", markup=False)
        if turn.coach_note:
            yield Static(
                assemble(("Note: ", "bold"), " ".join(turn.coach_note.split())),
                classes="turn-note",
                markup=False,
            )
        if turn.model:
            yield Static(
                assemble(("A strong reply: ", "bold $text-success"), f"“{turn.model}”"),
                classes="turn-model",
                markup=False,
            )
        if turn.hesitation:
            yield Static(assemble(("Pace: ", "bold"), turn.hesitation), classes="turn-note", markup=False)

    # ------------------------------------------------------------------ actions

    def action_retry(self) -> None:
        self.post_message(TryAgain(self.state))

    def action_other_persona(self) -> None:
        if len(self.personas) < 2:
            self.notify("Only one persona can play this script.", markup=False)
            return
        current = self.state.persona.id
        choices = [
            (
                p.id,
                assemble(
                    (p.name, "bold"),
                    (f", {p.title}" if p.title else "", ""),
                    (f" · {p.difficulty}", "italic"),
                    (" (this time)" if p.id == current else "", "$text-muted"),
                ),
            )
            for p in self.personas
        ]

        def chosen(persona_id: str | None) -> None:
            if persona_id:
                self.post_message(TryAgain(self.state, persona_id))

        self.app.push_screen(PersonaChoice(choices, current), chosen)

    def action_home(self) -> None:
        self.post_message(GoHome())
