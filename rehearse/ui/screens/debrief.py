"""The debrief: outcome, rubric bars, and each turn with how it landed and how it could land
better (the model answer, the script's note, and the coach's flags on your words)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from rehearse.engine import session as sess
from rehearse.engine.debrief import build_debrief
from rehearse.engine.session import State, Turn
from rehearse.ui.safe import assemble, one_line, plain
from rehearse.ui.widgets.bars import outcome_badge
from rehearse.ui.widgets.panel import flagged_reply

if TYPE_CHECKING:
    from rehearse.ui.app import RehearseApp


CLOSE_ENOUGH = 40  # a clarify's best guess is worth showing from this score up


BAR = 20


class PersonaChoice(ModalScreen[str | None]):
    """Pick who plays the manager next time."""

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


def understood(turn: Turn, labels: dict[str, str]) -> Content:
    """How the reply was read, in words."""
    decision = turn.decision
    if turn.reply is not None:
        label = labels.get(turn.reply, turn.reply)
        how = ""
        if decision is not None and decision.reason.startswith("picked option"):
            how = f" ({decision.reason})"
        elif decision is not None:
            score = next((s.score for s in decision.scores if s.reply == turn.reply), None)
            how = f" (match {score:.0f}/100)" if score is not None else ""
        return assemble(("→ ", "$text-accent"), (label, "bold"), (how, "$text-muted"))
    if turn.kind == "ambiguous" and decision is not None and decision.candidates:
        options = " or ".join(f"“{labels.get(c, c)}”" for c in decision.candidates)
        return assemble(("? ", "$text-warning"), ("Too close to call: ", "bold"), options)
    if turn.kind == "wrapup":
        return assemble(("✘ ", "$text-error"), ("Not understood, and the boss ran out of patience", "bold"))
    best = ""
    if decision is not None and decision.scores and decision.scores[0].score >= CLOSE_ENOUGH:
        top = decision.scores[0]
        best = f" (closest: “{labels.get(top.reply, top.reply)}”, {top.score:.0f}/100)"
    return assemble(
        ("↻ ", "$text-warning"),
        ("Not understood: the boss asked you to rephrase", "bold"),
        (best, "$text-muted"),
    )


class DebriefScreen(Screen[None]):
    """How it went."""

    AUTO_FOCUS = "#debrief"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Try again"),
        Binding("p", "other_persona", "Other persona"),
        Binding("h,escape", "home", "Home", key_display="h"),
        Binding("question_mark,f1", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, state: State) -> None:
        super().__init__()
        self.state = state

    @property
    def rehearse(self) -> RehearseApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        state = self.state
        persona = state.persona
        yield Static(
            assemble(
                ("Debrief", "bold $text-accent"),
                " · ",
                (one_line(state.script.title, 60), "bold"),
                (f"  with {one_line(persona.name, 40)}", "$text-muted"),
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
        yield Footer()

    def _outcome(self) -> ComposeResult:
        ending = self.state.ending
        with Vertical(classes="debrief-section outcome"):
            if ending is None:
                yield Label(outcome_badge(None), classes="outcome-badge", markup=False)
                yield Static(plain("The conversation stopped before an ending."), markup=False)
                return
            yield Label(
                outcome_badge(ending.outcome),
                classes=f"outcome-badge -{ending.outcome}",
                markup=False,
            )
            if ending.reason == "patience":
                yield Static(plain("The boss ran out of patience.", "italic"), markup=False)
            if ending.debrief:
                yield Static(plain(" ".join(ending.debrief.split())), classes="outcome-text", markup=False)

    def _rubric(self) -> ComposeResult:
        """Each dimension on 0-100, with every contribution traced to its turn."""
        state = self.state
        if not state.script.rubric:
            return
        review = build_debrief(state)
        width = min(16, max(len(d.name) for d in review.dimensions))
        with Vertical(classes="debrief-section"):
            yield Label("Rubric (0-100)", classes="section-title")
            for dim in review.dimensions:
                filled = round(dim.score / 100 * BAR)
                yield Static(
                    assemble(
                        (f"{one_line(dim.name, width):<{width}} ", "bold"),
                        ("█" * filled, "$text-success" if dim.score >= 50 else "$text-warning"),
                        ("·" * (BAR - filled), "$text-muted"),
                        (f" {dim.score:>3}", "bold"),
                    ),
                    classes="rubric-row",
                    markup=False,
                )
                why = "; ".join(f"turn {c.turn} {c.points:+d} ({c.source})" for c in dim.contributions)
                about = Static(
                    Content("\n").join(
                        [
                            plain(" ".join(dim.description.split()), "$text-muted"),
                            plain(why or "no reply or flag moved it", "$text-muted italic"),
                        ]
                    ),
                    classes="rubric-about",
                    markup=False,
                )
                about.styles.padding = (0, 0, 0, width + 1)
                yield about
            if review.key_turns:
                yield Label("The turns that moved your score most", classes="section-title")
                for key in review.key_turns:
                    yield Static(
                        assemble((f"Turn {key.index} ({key.points:+d}): ", "bold"), one_line(key.user, 200)),
                        classes="rubric-about",
                        markup=False,
                    )
            if review.next_time:
                yield Label("Next time, try", classes="section-title")
                for tip in review.next_time:
                    yield Static(plain("• " + " ".join(tip.split())), classes="rubric-about", markup=False)

    def _labels(self, node_id: str) -> dict[str, str]:
        try:
            at_node = replace(self.state, node=node_id)
            return {c.id: c.label for c in at_node.candidates()}
        except Exception:
            return {}

    def _turns(self) -> ComposeResult:
        state = self.state
        transcript = state.transcript
        turns = [t for t in transcript if t.user is not None]
        with Vertical(classes="debrief-section"):
            yield Label("Turn by turn", classes="section-title")
            if not turns:
                yield Static(plain("You did not reply."), markup=False)
            persona = state.persona
            for turn in turns:
                before = transcript[turn.index - 1].boss if turn.index > 0 else ""
                labels = self._labels(turn.node)
                with Vertical(classes="turn-card"):
                    yield Label(plain(f"Turn {turn.index}", "bold"), classes="turn-title", markup=False)
                    if before:
                        yield Static(
                            assemble((f"{persona.name}: ", "bold"), (before, "italic")),
                            classes="turn-boss",
                            markup=False,
                        )
                    yield Static(
                        Content.assemble(
                            ("You said: ", "bold"), flagged_reply(turn.user or "", turn.coaching)
                        ),
                        classes="turn-user",
                        markup=False,
                    )
                    yield Static(
                        Content.assemble(("Understood as: ", "bold"), understood(turn, labels)),
                        classes="turn-understood",
                        markup=False,
                    )
                    for flag in turn.coaching:
                        words = ", ".join(f"“{w}”" for w in flag.words[:3])
                        yield Static(
                            assemble(
                                ("⚑ ", "$text-warning"),
                                (flag.check.title, "bold $text-warning"),
                                (f"  {words}" if words else "", "bold"),
                            ),
                            classes="turn-flag",
                            markup=False,
                        )
                        lines = []
                        if flag.check.rationale:
                            lines.append(plain(" ".join(flag.check.rationale.split()), "$text-muted"))
                        if flag.check.suggestion:
                            lines.append(plain("Try: " + " ".join(flag.check.suggestion.split())))
                        if lines:
                            yield Static(Content("\n").join(lines), classes="turn-flag-detail", markup=False)
                    if turn.coach_note:
                        yield Static(
                            assemble(("Note: ", "bold"), " ".join(turn.coach_note.split())),
                            classes="turn-note",
                            markup=False,
                        )
                    model = self._model(turn.node)
                    if model:
                        yield Static(
                            assemble(("A strong reply: ", "bold $text-success"), f"“{model}”"),
                            classes="turn-model",
                            markup=False,
                        )

    def _model(self, node_id: str) -> str | None:
        try:
            text = sess.model_answer(self.state, node_id)
        except Exception:
            return None
        return " ".join(text.split()) if text else None

    # ------------------------------------------------------------------ actions

    def action_retry(self) -> None:
        self.rehearse.retry(self.state)

    def action_other_persona(self) -> None:
        personas = self.rehearse.personas_for(self.state.script)
        if len(personas) < 2:
            self.notify("Only one persona can play this script.", markup=False)
            return
        choices = [
            (
                p.id,
                assemble(
                    (p.name, "bold"),
                    (f", {p.title}" if p.title else "", ""),
                    (f" · {p.difficulty}", "italic"),
                    (" (this time)" if p.id == self.state.persona.id else "", "$text-muted"),
                ),
            )
            for p in personas
        ]

        def chosen(persona_id: str | None) -> None:
            if persona_id:
                self.rehearse.retry(self.state, persona_id)

        self.app.push_screen(PersonaChoice(choices, self.state.persona.id), chosen)

    def action_home(self) -> None:
        self.rehearse.go_home()
