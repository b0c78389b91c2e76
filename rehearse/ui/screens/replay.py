"""Replay: a stored session, one turn at a time, and "retry from here".

Everything shown comes from the session's ``SessionView`` (its stored turns, exactly as they
happened, even after its script was edited or deleted). When the script in the library is
not the one the session was played with, the stored inputs are played again over the
current version and the turns that would now go differently are marked.

Retry from turn k folds the first k-1 stored inputs into a State (the state before turn k)
and posts ``RetryFrom`` for the app to open the chat on it as a new, linked session.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Static

from rehearse.engine.inert import inert
from rehearse.ui import styles
from rehearse.ui.messages import OpenWhatIf, RetryFrom
from rehearse.ui.safe import assemble, outcome_label, plain
from rehearse.ui.widgets.footer import KeysFooter
from rehearse.views.diff import word_diff
from rehearse.views.practice import score_moves
from rehearse.views.session import SessionView, TurnView, changed_turns, view_of_stored
from rehearse.views.text import local_time, one_line, score_cell

if TYPE_CHECKING:
    from rehearse.engine.compile.catalog import Catalog
    from rehearse.engine.model import Persona, Script
    from rehearse.history.records import StoredSession

# each highlight differs by more than colour, and the legend names it in words
FLAG_STYLE = "underline"
MINE_STYLE = "strike $text-error"
MODEL_STYLE = "bold $text-success"
_WORD = re.compile(r"\S+")


# ---------------------------------------------------------------------------------------
# What a replay shows (plain values; no Textual)
# ---------------------------------------------------------------------------------------


@dataclass
class Replay:
    stored: StoredSession
    view: SessionView
    current_script: Script | None = None  # the library's version, when it has one
    current_persona: Persona | None = None  # ... when it is the one played with
    script_changed: bool = False
    current_failed: bool = False  # the current version could not replay the inputs
    changed: dict[int, str] = field(default_factory=dict)  # turn -> how it would go now
    note: str | None = None  # what the top of the screen says about the script

    @property
    def turns(self) -> tuple[TurnView, ...]:
        return self.view.turns

    @property
    def first_changed(self) -> int | None:
        return min(self.changed) if self.changed else None


def build_replay(stored: StoredSession, catalog: Catalog | None) -> Replay:
    """Everything the replay screen shows about a stored session."""
    from rehearse.engine.compile.loader import digest
    from rehearse.history.replay import rebuild

    replay = Replay(stored, view_of_stored(stored))
    current = catalog.scripts.get(stored.script_id) if catalog is not None else None
    if current is not None and catalog is not None:
        from rehearse.workspace.library import NotFound, whole

        try:
            current = whole(current, catalog.personas)  # the app's catalog keeps outlines
        except NotFound:
            current = None
    if catalog is not None:
        persona = catalog.personas.get(stored.persona_id)
        if persona is not None and (persona.digest or digest(persona.source)) == stored.persona_sha:
            replay.current_persona = persona
    if current is None:
        if catalog is not None:
            replay.note = (
                "This script is no longer in your library: shown from the copy kept with the session."
            )
        return replay
    replay.current_script = current
    if (current.digest or digest(current.source)) == stored.script_sha:
        return replay
    replay.script_changed = True
    try:
        _, changes = rebuild(stored, script=current)
    except Exception as exc:
        replay.current_failed = True
        replay.note = (
            "The script has changed since this session, and your replies could not be played "
            f"over the new version ({exc}). Shown as it happened."
        )
        return replay
    replay.changed = changed_turns(changes, [t.index for t in replay.turns] or [0])
    if replay.changed:
        marked = ", ".join(str(i) for i in sorted(replay.changed))
        replay.note = (
            "The script has changed since this session. Shown as it happened; turns marked ≠ "
            f"would go differently now ({marked})."
        )
    else:
        replay.note = "The script has changed since this session; your replies would still go the same way."
    return replay


# ---------------------------------------------------------------------------------------
# The screen
# ---------------------------------------------------------------------------------------


def _styled(text: str, layers: Iterable[tuple[Iterable[tuple[int, int]], str]]) -> Content:
    """Literal text (already inert) with style layers over character spans."""
    content = Content(text, strip_control_codes=False)
    for spans, style in layers:
        for start, end in spans:
            if end > start:
                content = content.stylize(style, max(0, start), min(len(text), end))
    return content


def _bar(score: float, width: int = 10) -> str:
    filled = max(0, min(width, round(score / 100 * width)))
    return "█" * filled + "░" * (width - filled)


class ReplayScreen(Screen[None]):
    """Step through a stored session."""

    CSS_PATH = styles.LATER  # see rehearse.ui.styles

    AUTO_FOCUS = "#replay-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,j", "step(1)", "Next", key_display="→/j", priority=True, tooltip="Next turn"),
        Binding("left,k", "step(-1)", "Previous", key_display="←/k", priority=True, tooltip="Previous turn"),
        Binding("home", "first", "First", show=False, tooltip="First turn"),
        Binding("end", "last", "Last", show=False, tooltip="Last turn"),
        Binding(
            "r",
            "retry",
            "Retry from here",
            tooltip="Rehearse again from this turn (a new session, linked to this one)",
        ),
        Binding(
            "w",
            "what_if",
            "What if",
            tooltip="Every reply this turn offered, what the boss would have said, where it leads",
        ),
        Binding("escape", "back", "Back", key_display="esc", tooltip="Back to the sessions"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(self, replay: Replay, *, turn: int | None = None) -> None:
        super().__init__(id="replay")
        self.replay = replay
        indices = [t.index for t in replay.turns]
        self.position = indices.index(turn) if turn in indices else 0

    @property
    def current(self) -> TurnView | None:
        turns = self.replay.turns
        return turns[self.position] if turns else None

    def compose(self) -> ComposeResult:
        stored = self.replay.stored
        yield Static(
            assemble(
                ("Replay", "bold $text-accent"),
                " · ",
                (one_line(stored.script_title, 60), "bold"),
                (f"  with {one_line(stored.persona_name or stored.persona_id, 30)}", "$text-muted"),
            ),
            id="replay-title",
            classes="topbar",
            markup=False,
        )
        yield Static(self._meta(), id="replay-meta", markup=False)
        note = Static(
            plain("⚠ " + self.replay.note, "$text-warning") if self.replay.note else Content(""),
            id="replay-note",
            markup=False,
        )
        note.display = bool(self.replay.note)
        yield note
        with Horizontal(id="replay-nav"):
            yield Button("◀ Prev", id="replay-prev", compact=True)
            yield Static(Content(""), id="turn-strip", markup=False)
            yield Button("Next ▶", id="replay-next", compact=True)
            yield Button("↻ Retry from here", id="replay-retry", compact=True, variant="primary")
        with VerticalScroll(id="replay-body", can_focus=True):
            yield Static(Content(""), id="turn-changed", classes="replay-changed", markup=False)
            yield Static(Content(""), id="turn-before", classes="replay-before", markup=False)
            with Horizontal(id="turn-compare"):
                yield Static(Content(""), id="turn-you", classes="replay-box", markup=False)
                yield Static(Content(""), id="turn-model", classes="replay-box", markup=False)
            yield Static(Content(""), id="turn-legend", classes="replay-legend", markup=False)
            yield Static(Content(""), id="turn-understood", classes="replay-line", markup=False)
            yield Static(Content(""), id="turn-alternatives", classes="replay-alts", markup=False)
            yield Static(Content(""), id="turn-coach", classes="replay-line", markup=False)
            yield Static(Content(""), id="turn-boss", classes="replay-boss", markup=False)
        yield KeysFooter()

    def _meta(self) -> Content:
        stored = self.replay.stored
        parts: list[Any] = [
            (f"Session {stored.id} · {local_time(stored.started)} · ", "$text-muted"),
            outcome_label(stored.outcome),
            (f" · score {score_cell(self.replay.view.score)}/100", "$text-muted"),
        ]
        if stored.parent is not None:
            parts.append(
                (f" · retry of session {stored.parent} from turn {stored.parent_turn}", "$text-muted")
            )
        return assemble(*parts)

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False  # keys go to the screen; the buttons are for the mouse
            button.active_effect_duration = 0  # quick clicks each step one turn
        self.show_turn()

    # ------------------------------------------------------------------ showing a turn

    def _strip(self) -> Content:
        turns = self.replay.turns
        if not turns:
            return plain("No replies in this session", "$text-muted")
        shown = turns[self.position]
        pieces: list[Content] = [plain(f"Turn {shown.index} of {len(turns)}  ", "bold")]
        for i, t in enumerate(turns):
            mark = "≠" if t.index in self.replay.changed else ""
            style = "bold reverse" if i == self.position else ("$text-warning" if mark else "$text-muted")
            pieces.append(plain(f" {t.index}{mark} ", style))
        return Content("").join(pieces)

    def show_turn(self) -> None:
        self.query_one("#turn-strip", Static).update(self._strip())
        turn = self.current
        persona = self.replay.stored.persona_name or "The boss"
        widgets = {
            name: self.query_one(f"#turn-{name}", Static)
            for name in (
                "changed",
                "before",
                "you",
                "model",
                "legend",
                "understood",
                "alternatives",
                "coach",
                "boss",
            )
        }
        self.query_one("#replay-prev", Button).disabled = self.position == 0
        self.query_one("#replay-next", Button).disabled = (
            not self.replay.turns or self.position >= len(self.replay.turns) - 1
        )
        if turn is None:
            for widget in widgets.values():
                widget.display = False
            widgets["before"].display = True
            widgets["before"].update(
                Content("\n").join(
                    [
                        assemble((f"{persona}: ", "bold $text-accent"), (self.replay.view.opening, "italic")),
                        plain(
                            "You did not reply. Retry from here to have this conversation again.",
                            "$text-muted",
                        ),
                    ]
                )
            )
            return
        changed = self.replay.changed.get(turn.index)
        self._set(
            widgets["changed"],
            plain(f"≠ With the script as it is now: {changed}", "bold $text-warning") if changed else None,
        )
        self._set(
            widgets["before"],
            assemble((f"{persona}: ", "bold $text-accent"), (turn.before, "italic")) if turn.before else None,
        )
        # what you said, beside the strong reply; the words that differ highlighted
        mine_diff, model_diff = word_diff(inert(turn.you), turn.model) if turn.model else ([], [])
        you = widgets["you"]
        you.display = True
        you.border_title = "You said"
        you.update(_styled(inert(turn.you), [(mine_diff, MINE_STYLE), (self._flagged(turn), FLAG_STYLE)]))
        model = widgets["model"]
        model.border_title = "A strong reply"
        self._set(model, _styled(inert(turn.model), [(model_diff, MODEL_STYLE)]) if turn.model else None)
        legend: list[Any] = []
        if turn.model:
            legend += [
                ("struck through", MINE_STYLE),
                ": only in yours; ",
                ("in bold", MODEL_STYLE),
                ": only in the strong reply",
            ]
        if turn.flagged_spans:
            legend += ["; " if legend else "", ("underlined", FLAG_STYLE), ": flagged by the coach"]
        self._set(widgets["legend"], assemble(*legend) if legend else None)
        self._set(widgets["understood"], self._understood(turn))
        self._set(widgets["alternatives"], self._alternatives(turn))
        self._set(widgets["coach"], self._coach(turn))
        self._set(widgets["boss"], self._boss(turn, persona))
        self.query_one("#replay-body", VerticalScroll).scroll_home(animate=False)

    @staticmethod
    def _set(widget: Static, content: Content | None) -> None:
        widget.display = content is not None
        if content is not None:
            widget.update(content)

    @staticmethod
    def _flagged(turn: TurnView) -> list[tuple[int, int]]:
        """The coach's spans, as offsets into the reply made inert."""
        spans: list[tuple[int, int]] = []
        position = 0
        for text, flagged in turn.segments:
            length = len(inert(text))
            if flagged and length:
                spans.append((position, position + length))
            position += length
        return spans

    def _understood(self, turn: TurnView) -> Content:
        how = turn.understood
        style = {"matched": "$text-success", "picked": "$text-success"}.get(how.kind, "$text-warning")
        return assemble(("Understood: ", "bold"), (f"{how.symbol} ", style), how.text)

    def _alternatives(self, turn: TurnView) -> Content | None:
        if turn.picked or not turn.alternatives:
            return None
        lines = [plain("Closest replies:", "bold")]
        for alt in turn.alternatives:
            lines.append(
                assemble(
                    ("→ " if alt.chosen else "  ", "bold $text-success"),
                    (_bar(alt.score), "$text-success" if alt.chosen else "$text-muted"),
                    (f" {alt.score:3.0f}  ", "bold"),
                    (one_line(alt.label, 60), "bold" if alt.chosen else ""),
                )
            )
            if alt.example:
                lines.append(plain(f"{'':15}{alt.closest} “{one_line(alt.example, 80)}”", "$text-muted"))
        return Content("\n").join(lines)

    def _coach(self, turn: TurnView) -> Content | None:
        lines: list[Content] = []
        if turn.score_delta:
            lines.append(assemble(("Score: ", "bold"), score_moves(turn.score_delta)))
        if turn.coach_note:
            lines.append(assemble(("Note: ", "bold"), " ".join(turn.coach_note.split())))
        for flag in turn.coaching:
            words = ", ".join(f"“{w}”" for w in flag.words[:3])
            suggestion = " ".join(flag.suggestion.split())
            lines.append(
                assemble(
                    ("⚑ ", "$text-warning"),
                    (flag.title, "bold $text-warning"),
                    (f"  {words}" if words else "", "bold"),
                    (f"  Try: {suggestion}" if suggestion else "", "$text-muted"),
                )
            )
        return Content("\n").join(lines) if lines else None

    def _boss(self, turn: TurnView, persona: str) -> Content:
        lines = [assemble((f"{persona}: ", "bold $text-accent"), (turn.boss, "italic"))]
        if turn.hint:
            lines.append(assemble(("Hint: ", "bold $text-success"), turn.hint))
        for option in turn.options:
            lines.append(assemble((f" {option.number} ", "bold reverse"), " ", option.label))
        if turn.outcome:
            lines.append(assemble(("The conversation ended: ", "bold"), outcome_label(turn.outcome)))
        return Content("\n").join(lines)

    # ------------------------------------------------------------------ actions

    def action_step(self, delta: int) -> None:
        if not self.replay.turns:
            return
        position = max(0, min(len(self.replay.turns) - 1, self.position + delta))
        if position != self.position:
            self.position = position
            self.show_turn()

    def action_first(self) -> None:
        self.action_step(-len(self.replay.turns))

    def action_last(self) -> None:
        self.action_step(len(self.replay.turns))

    @on(Button.Pressed, "#replay-prev")
    def _prev(self) -> None:
        self.action_step(-1)

    @on(Button.Pressed, "#replay-next")
    def _next(self) -> None:
        self.action_step(1)

    @on(Button.Pressed, "#replay-retry")
    def action_retry(self) -> None:
        turn = self.current
        self.retry_from(turn.index if turn is not None else 1)

    def retry_from(self, k: int) -> None:
        """A new live session from the state before turn k, recorded as a retry of this one.

        The script as it is now is used when it plays the first k-1 turns the same way; if it
        changed before turn k, the copy you played is used instead (so the conversation up to
        here is the one you had).
        """
        from rehearse.history.replay import state_before

        replay = self.replay
        script = replay.current_script
        if (
            script is not None
            and replay.script_changed
            and (replay.current_failed or (replay.first_changed is not None and replay.first_changed < k))
        ):
            self.notify(
                "The script has changed before this turn: retrying with the version you played.",
                markup=False,
            )
            script = None
        try:
            state = state_before(replay.stored, k, script=script, persona=replay.current_persona)
        except Exception as exc:
            self.notify(f"Could not retry from turn {k}: {exc}", severity="error", markup=False)
            return
        self.post_message(RetryFrom(state, replay.stored.id, k))

    def action_what_if(self) -> None:
        """Explore this turn's moment, from the copy of the script the session was played
        with (so the moment is the one you had)."""
        from rehearse.history.replay import state_before

        turn = self.current
        k = turn.index if turn is not None else 1
        stored = self.replay.stored
        try:
            state = state_before(stored, k)
        except Exception as exc:
            self.notify(f"Could not explore turn {k}: {exc}", severity="error", markup=False)
            return
        if state.ending is not None:
            self.notify("The conversation had ended: there is nothing to explore.", markup=False)
            return
        heading = f"Turn {k} of session {stored.id}"
        said, chosen = (turn.you, turn.reply) if turn is not None else (None, None)
        self.post_message(OpenWhatIf(state, heading, said=said, chosen=chosen))

    def action_back(self) -> None:
        self.app.pop_screen()
