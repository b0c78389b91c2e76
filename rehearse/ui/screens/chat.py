"""The conversation: transcript pinned to the bottom, the reply box, and the side panel.

The screen keeps one engine State and shows it. Every reply is a pure `step`; taking a reply
back is `undo` (the previous State) and removes what that turn put on screen. The boss's
line appears after a short typing pause that any key path can skip (Esc, a click, or the
next Enter) and that never blocks typing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Label, Static, TextArea

from rehearse.engine.practice import drill as drills
from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.debrief import dimensions
from rehearse.engine.runtime.reasons import is_picked
from rehearse.engine.runtime.session import Setup, State, Turn
from rehearse.history.recorder import Recorder
from rehearse.ui import styles
from rehearse.ui.messages import DrillNext, GoHome, OpenDebrief, PrefsChanged, SavingChanged
from rehearse.ui.palette import PaletteEntry
from rehearse.ui.preview import POLL_INTERVAL, LivePreview, PreviewHost
from rehearse.ui.safe import assemble, outcome_badge, plain
from rehearse.ui.widgets.author import AuthorOverlay, ReloadErrors
from rehearse.ui.widgets.footer import KeysFooter
from rehearse.ui.widgets.panel import CoachLine, SidePanel
from rehearse.ui.widgets.reply import ReplyInput
from rehearse.ui.widgets.transcript import (
    Bubble,
    EndBanner,
    NoteCard,
    OptionsCard,
    PickOption,
    Row,
    ShowDebrief,
    TypingIndicator,
)
from rehearse.views.practice import verdict_lines
from rehearse.views.text import one_line
from rehearse.workspace.settings import Prefs

if TYPE_CHECKING:
    from rehearse.engine.model import Persona

MAX_REPLY = 2000
COACH_DEBOUNCE = 0.15
PLACEHOLDER = "Type your reply and press Enter"
PLACEHOLDER_MENU = "Type a number, or say it in your own words"
PLACEHOLDER_END = "Press Enter to read your debrief"
PLACEHOLDER_CHECK = "Yes or no (or say it another way)"
PLACEHOLDER_DRILL_DONE = "Press Enter for the next moment (esc: home)"

KIND_TAGS = {
    "clarify": ("asks you to rephrase", "↻ Didn't land: say it another way (^t for a hint)."),
    "ambiguous": ("not sure which you meant", "? Type 1 or 2, or rephrase."),
    "hint": ("still not following", None),
    "menu": ("offers some options", None),
    "wrapup": ("wraps up", "⏹ Out of patience: too many replies did not land."),
    "aside": ("answers, then asks again", None),
    "checkback": ("checks what you meant", "? Say yes or no, or put it another way."),
}
CORRECTED_TAGS = (
    "asks again",
    "↻ Say it in your own words: the boss misread you, so this costs no patience.",
)
"""For a no to a check-back: the boss misread, the reply did not fail to land."""


@dataclass(frozen=True)
class Drill:
    """The chat is drilling one weak moment: which of how many, why it is back, and the
    stored session and turn it was started from (the retry underneath)."""

    number: int
    total: int
    why: str
    parent: int
    parent_turn: int


class ConfirmScreen(ModalScreen[bool]):
    """Ask before a conversation with turns is left behind: Enter (or y) goes ahead, Esc (or
    n) stays."""

    CSS_PATH = styles.LATER  # see rehearse.ui.styles

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "go", "Go ahead", key_display="⏎"),
        Binding("escape,n", "stay", "Stay", key_display="esc"),
    ]

    def __init__(self, title: str, body: str, go: str) -> None:
        super().__init__()
        self.title_text, self.body, self.go = title, body, go

    def compose(self) -> ComposeResult:
        with Vertical(id="leave-dialog", classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Static(plain(self.body), markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.go} ⏎", id="leave", variant="warning")
                yield Button("Stay (esc)", id="stay", variant="primary")

    def on_mount(self) -> None:
        # keys decide here (Enter goes ahead, Esc stays); the buttons are for the mouse
        for button in self.query(Button):
            button.can_focus = False

    @on(Button.Pressed, "#leave")
    def action_go(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#stay")
    def action_stay(self) -> None:
        self.dismiss(False)


class LeaveScreen(ConfirmScreen):
    """Leave an unfinished conversation?"""

    def __init__(self) -> None:
        super().__init__(
            "Leave this conversation?",
            "It ends here, unfinished. You can start it again from the list.",
            "Leave",
        )


class ChatScreen(PreviewHost):
    """Rehearse one conversation."""

    CSS_PATH = styles.LATER  # see rehearse.ui.styles

    AUTO_FOCUS = "#reply"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "hint", "Hint", tooltip="A tip for what to say here"),
        Binding("ctrl+z", "take_back", "Take back", tooltip="Take your last reply back"),
        Binding(
            "ctrl+o",
            "options",
            "Options",
            tooltip="Numbered options on every turn, an easier mode (again to turn it off)",
        ),
        Binding("ctrl+r", "restart", "Restart", tooltip="Start this conversation again"),
        Binding("ctrl+b", "toggle_panel", "Panel", tooltip="Show or hide the side panel"),
        Binding(
            "ctrl+n",
            "toggle_coach",
            "Coach line",
            show=False,
            tooltip="Show or hide the phrasing notes under the reply box",
        ),
        Binding(
            "escape",
            "escape",
            "Skip / leave",
            show=False,
            tooltip="Skip the typing pause; otherwise leave (twice while the reply box holds text)",
        ),
        Binding("f1", "app.help", "Help"),
        Binding(
            "ctrl+y",
            "toggle_author",
            "Author",
            tooltip="Author view: every reply's score for what you are typing, and which wins",
        ),
        Binding(
            "f2",
            "toggle_pressure",
            "Timer",
            tooltip="Pressure mode: time each reply; an impatient boss asks if you're still there",
        ),
    ]

    def __init__(
        self,
        setup: Setup,
        *,
        prefs: Prefs,
        recorder: Recorder,
        personas: Sequence[Persona] = (),
        disabled_checks: frozenset[str] = frozenset(),
        new_seed: Callable[[], int] | None = None,
        typing_delay: float = 0.6,
        state: State | None = None,
        watch: Path | None = None,
        watch_interval: float = POLL_INTERVAL,
        pressure: bool = False,
        drill: Drill | None = None,
    ) -> None:
        super().__init__()
        self.prefs = prefs
        self.recorder = recorder
        self.personas = list(personas)
        #: checks switched off in the settings (the app updates it when you toggle one)
        self.disabled_checks = disabled_checks
        self.new_seed = new_seed or (lambda: setup.seed)
        self.typing_delay = typing_delay
        # a given state continues a conversation (retry from a turn of a stored session)
        self.state: State = state if state is not None else sess.begin(setup)
        self._groups: dict[int, list[Widget]] = {}
        self._pending: Turn | None = None
        self._leave_asked = False  # Esc once with a reply in the box: the next Esc leaves
        self._pending_timer: Timer | None = None
        self._coach_timer: Timer | None = None
        self._last_delta: dict[str, int] = {}
        self._shown: dict[str, int | None] = {}  # the 0-100 scores the panel shows now
        self.menu_mode = False
        self._session_open = False
        # pressure mode: when the boss's line appeared and when the first key came
        self.pressure = pressure
        self.clock: Callable[[], float] = time.monotonic
        self._asked_at: float | None = None
        self._first_key_at: float | None = None
        self._nudge_timer: Timer | None = None
        # a drill: the moment's state; it is over once a reply moves the conversation on
        self.drill = drill
        self.drill_start: State = self.state
        # live preview: reload the script file when it is saved, and the author overlay
        self.preview = LivePreview(self, watch, watch_interval)

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="chat-title", classes="topbar", markup=False)
        with Horizontal(id="chat-body"):
            with VerticalScroll(id="transcript"):
                yield TypingIndicator(id="typing", markup=False)
            yield SidePanel(id="side-panel")
        with Vertical(id="composer"):
            yield ReloadErrors(id="reload-errors")
            yield AuthorOverlay(id="author-overlay", markup=False)
            yield ReplyInput(placeholder=PLACEHOLDER, id="reply", max_length=MAX_REPLY)
            yield CoachLine(id="coach-line", markup=False)
        yield KeysFooter()

    def _title(self, width: int = 120) -> Content:
        """The script and who plays the boss, fitted to ``width`` without cutting a word
        of the boss's name: the persona's job title goes first, then the difficulty, and
        only then is the script's title shortened."""
        persona = self.state.persona
        saving = "  · not saving" if getattr(self.recorder, "problem", None) else ""
        width -= len(saving)
        marks: list[tuple[str, str]] = []
        if self.pressure:  # first, so a narrow terminal still shows it
            marks.append(("⏱ pressure · ", "bold $text-warning"))
        if self.drill is not None:
            marks.append((f"Drill {self.drill.number}/{self.drill.total} · ", "bold $text-accent"))
        width -= sum(len(text) for text, _ in marks)
        title = one_line(self.state.script.title, 70)
        name = one_line(persona.name, 40)
        job = f", {one_line(persona.title, 40)}" if persona.title else ""
        level = f" ({persona.difficulty})"
        for tail in (f"  with {name}{job}{level}", f"  with {name}{level}", f"  with {name}"):
            if len(title) + len(tail) <= width:
                break
        room = max(8, width - len(tail))
        if len(title) > room:
            title = title[: room - 1].rstrip() + "…"
        return assemble(*marks, (title, "bold"), (tail, "$text-muted"), (saving, "bold $text-error"))

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#chat-title", Static).update(self._title(event.size.width - 2))

    @on(SavingChanged)
    def _update_title(self) -> None:
        self.query_one("#chat-title", Static).update(
            self._title(self.size.width - 2 if self.size.width else 120)
        )

    def on_mount(self) -> None:
        prefs = self.prefs
        self.query_one(SidePanel).display = prefs.panel
        self.query_one(CoachLine).display = prefs.coach_line
        self.query_one("#typing").display = False
        self.query_one("#transcript").anchor()
        self._render_all()
        self._begin_session()
        self.preview.start()

    def _begin_session(self) -> None:
        self.recorder.started(self.state)
        self._session_open = True

    def _end_session(self) -> None:
        """The recorder hears `finished` once per session: at an ending, or when you stop."""
        if self._session_open:
            self._session_open = False
            self.recorder.finished(self.state)

    def on_unmount(self) -> None:
        # leaving for home, quitting the app: an unfinished session is closed as it stands
        self._stop_clock()
        self._end_session()

    # ------------------------------------------------------------------ rendering

    def _render_all(self) -> None:
        """Draw the whole state: used at start, restart and persona switch."""
        transcript = self.query_one("#transcript", VerticalScroll)
        for widget in list(transcript.children):
            if widget.id != "typing":
                widget.remove()
        self._groups.clear()
        self._pending = None
        if self._pending_timer is not None:
            self._pending_timer.stop()
            self._pending_timer = None
        self.query_one("#typing").display = False
        self._mount(self._intro(), group=-1)
        for turn in self.state.transcript:
            if turn.user is not None:
                self._mount(self._user_row(turn), group=turn.index)
            self._show_boss(turn)
            self._show_verdict(turn)
        self._update_title()
        self._update_panel()
        self._update_input()
        self._start_clock()

    def _intro(self) -> Widget:
        situation = " ".join(sess.situation(self.state).split())
        goal = " ".join(sess.goal(self.state).split())
        body = Content("\n").join(
            [
                plain(situation),
                Content.assemble(("Your goal: ", "bold $text-accent"), plain(goal)),
            ]
        )
        if self.drill is not None:
            body = Content("\n").join(
                [
                    Content.assemble(("Why it is back: ", "bold $text-warning"), plain(self.drill.why)),
                    plain("Answer the boss's last line below; the drill ends when your reply moves on."),
                    Content.assemble(("Your goal: ", "bold $text-accent"), plain(goal)),
                ]
            )
            title = f"Drill: moment {self.drill.number} of {self.drill.total}"
            return Row(NoteCard(title, body, classes="intro"), classes="note-row", group=-1)
        return Row(NoteCard("The situation", body, classes="intro"), classes="note-row", group=-1)

    def _mount(self, widget: Widget, *, group: int) -> None:
        transcript = self.query_one("#transcript", VerticalScroll)
        transcript.mount(widget, before=self.query_one("#typing"))
        self._groups.setdefault(group, []).append(widget)

    def _user_row(self, turn: Turn) -> Widget:
        speaker = plain("You", "bold $text-primary")
        body = plain(turn.user or "")
        picked = turn.decision is not None and is_picked(turn.decision.reason)
        if picked and turn.reply is not None:
            body = Content.assemble(
                body, ("  → ", "$text-muted"), plain(self._label(turn.node, turn.reply), "italic")
            )
        bubble = Bubble(speaker, body, classes="user")
        return Row(bubble, classes="user-row", group=turn.index)

    def _label(self, node_id: str, reply_id: str) -> str:
        """A reply's label, as the options show it."""
        try:
            candidates = replace(self.state, node=node_id).candidates()
        except Exception:
            return reply_id
        return next((c.label for c in candidates if c.id == reply_id), reply_id)

    def _boss_bubble(self, turn: Turn) -> Widget:
        persona = self.state.persona
        corrected = sess.said_no_to_checkback(turn.decision)
        label, tag = CORRECTED_TAGS if corrected else KIND_TAGS.get(turn.kind, (None, None))
        kind_class = turn.kind if turn.kind in KIND_TAGS else "line"
        colour = (
            "$text-accent"
            if kind_class in ("line", "aside")
            else ("$text-error" if kind_class == "wrapup" else "$text-warning")
        )
        speaker = assemble(
            (persona.name, f"bold {colour}"), (f" · {label}" if label else "", f"italic {colour}")
        )
        body = plain(turn.boss, "italic" if kind_class in ("clarify", "ambiguous") else "")
        bubble = Bubble(
            speaker,
            body,
            tag=plain(tag, "$text-muted") if tag else None,
            classes=f"boss {kind_class}",
        )
        return Row(bubble, classes="boss-row", group=turn.index)

    def _show_boss(self, turn: Turn) -> None:
        group = turn.index
        self._mount(self._boss_bubble(turn), group=group)
        if turn.hint:
            self._mount(
                Row(
                    NoteCard("Hint", plain(turn.hint), classes="hint"),
                    classes="note-row",
                    group=group,
                ),
                group=group,
            )
        if turn.options:
            title = "Which did you mean?" if turn.kind == "ambiguous" else "Your options"
            card = OptionsCard(title, [(o.number, o.label) for o in turn.options])
            self._mount(Row(card, classes="note-row", group=group), group=group)
        if turn.ending is not None:
            ending = turn.ending
            detail = (
                "Your manager ran out of patience."
                if ending.reason == "patience"
                else "See how each reply landed, and how it could land better."
            )
            banner = EndBanner(outcome_badge(ending.outcome), detail)
            self._mount(Row(banner, classes="note-row", group=group), group=group)

    def _update_panel(self) -> None:
        panel = self.query_one(SidePanel)
        state = self.state
        panel.show_goal(sess.goal(state))
        self._shown = {d.name: d.score for d in dimensions(state)}
        panel.show_scores(list(self._shown.items()), self._last_delta)
        panel.show_patience(
            state.persona.name, state.patience_left, state.persona.patience, state.persona.their
        )

    def _update_input(self) -> None:
        reply = self.query_one(ReplyInput)
        if self.drill_over:
            reply.placeholder = PLACEHOLDER_DRILL_DONE
        elif self.state.ending is not None:
            reply.placeholder = PLACEHOLDER_END
        elif self.state.pending is not None:
            reply.placeholder = PLACEHOLDER_CHECK
        elif self.state.offered:
            reply.placeholder = PLACEHOLDER_MENU
        else:
            reply.placeholder = PLACEHOLDER
        self.preview.refresh_overlay()

    # ------------------------------------------------------------------ replying

    @on(ReplyInput.Submitted, "#reply")
    def _submitted(self, event: ReplyInput.Submitted) -> None:
        self.submit(event.value)

    @on(PickOption)
    def _picked(self, event: PickOption) -> None:
        if self.state.ending is None and not self._pending:
            self.submit(str(event.number))

    @on(ShowDebrief)
    def _show_debrief(self) -> None:
        self.reveal_now()
        if self.state.ending is not None:
            self.post_message(OpenDebrief(self.state))

    @on(TypingIndicator.Skip)
    def _skip(self) -> None:
        self.reveal_now()

    def submit(self, text: str) -> None:
        self.reveal_now()
        if self.drill_over:
            self.post_message(DrillNext())
            return
        if self.state.ending is not None:
            self.post_message(OpenDebrief(self.state))
            return
        if not text.strip():
            return
        reply = self.query_one(ReplyInput)
        try:
            new_state, turn = sess.step(self.state, text, self._timing())
        except Exception as exc:  # the engine must never take the app down
            self.notify(f"That reply could not be processed: {exc}", severity="error", markup=False)
            return
        reply.value = ""
        self.query_one(CoachLine).show_flags("", ())
        before = self._shown  # what the panel shows: the scores before this reply
        self.state = new_state
        self._last_delta = {
            d.name: (d.score or 50) - (before.get(d.name) or 50)
            for d in dimensions(new_state)
            if d.score != before.get(d.name)
        }
        self.recorder.turn(new_state, turn)
        self._stop_clock()
        if new_state.ending is not None or self.drill_over:
            self._end_session()
        self._mount(self._user_row(turn), group=turn.index)
        if self.typing_delay > 0:
            self._pending = turn
            indicator = self.query_one("#typing", TypingIndicator)
            indicator.update(
                Content.assemble(
                    plain(f"{self.state.persona.name} is typing…", "italic"),
                    ("  esc to skip", "$text-muted"),
                )
            )
            indicator.display = True
            self._pending_timer = self.set_timer(self.typing_delay, self.reveal_now)
        else:
            self._show_boss(turn)
            self._show_verdict(turn)
            self._after_reveal()
            self._menu_after(turn)
            self._start_clock()
        self._update_input()

    def reveal_now(self) -> None:
        """Show the boss's pending line at once (skip the typing pause)."""
        turn, self._pending = self._pending, None
        if self._pending_timer is not None:
            self._pending_timer.stop()
            self._pending_timer = None
        if turn is None:
            return
        self.query_one("#typing").display = False
        self._show_boss(turn)
        self._show_verdict(turn)
        self._after_reveal()
        self._menu_after(turn)
        self._start_clock()

    # ------------------------------------------------------------------ drills

    @property
    def drill_over(self) -> bool:
        """A drill ends once a reply moves the conversation on (or it ends)."""
        return self.drill is not None and drills.settled(self.drill_start, self.state)

    def _show_verdict(self, turn: Turn) -> None:
        """After the reply that ends a drill: how the moment went, in a few words."""
        if self.drill is None or turn is not self.state.transcript[-1] or not self.drill_over:
            return
        start = self.drill_start
        headline, *why = verdict_lines(
            drills.verdict(start, self.state), tries=drills.tries(start, self.state)
        )
        more = "Enter: the next moment" if self.drill.number < self.drill.total else "Enter: finish"
        body = Content("\n").join([*(plain(line.strip()) for line in why), plain(more, "$text-muted")])
        card = NoteCard(headline, body, classes="verdict")
        self._mount(Row(card, classes="note-row", group=turn.index), group=turn.index)

    # ------------------------------------------------------------------ pressure

    def _timing(self) -> sess.Timing | None:
        """How long this reply took, in pressure mode."""
        if not self.pressure or self._asked_at is None:
            return None
        now = self.clock()
        first = None if self._first_key_at is None else self._first_key_at - self._asked_at
        return sess.Timing(first, max(0.0, now - self._asked_at))

    def _start_clock(self) -> None:
        """The boss has spoken: time the reply, and nudge after the persona's patience."""
        self._stop_clock()
        if not self.pressure or self.state.ending is not None or self.drill_over:
            return
        self._asked_at = self.clock()
        self._first_key_at = None
        wait = self.state.persona.patience_seconds
        if wait:
            self._nudge_timer = self.set_timer(wait, self.nudge)

    def _stop_clock(self) -> None:
        self._asked_at = None
        if self._nudge_timer is not None:
            self._nudge_timer.stop()
            self._nudge_timer = None

    def nudge(self) -> None:
        """No reply for ``patience_seconds``: the boss asks if you are still there."""
        self._nudge_timer = None
        if not self.pressure or self.state.ending is not None or self._pending is not None:
            return
        self.state, said = sess.nudge(self.state)
        persona = self.state.persona
        speaker = assemble(
            (persona.name, "bold $text-warning"), (" · waiting for you", "italic $text-warning")
        )
        group = len(self.state.transcript) - 1
        bubble = Bubble(speaker, plain(said), classes="boss nudge")
        self._mount(Row(bubble, classes="boss-row", group=group), group=group)
        self._after_reveal()
        wait = persona.patience_seconds
        if wait and self.pressure:
            self._nudge_timer = self.set_timer(wait, self.nudge)

    def action_toggle_pressure(self) -> None:
        self.pressure = not self.pressure
        self._update_title()
        if not self.pressure:
            self._stop_clock()
            self.notify("Pressure off.", markup=False)
            return
        self._start_clock()
        wait = self.state.persona.patience_seconds
        after = f" {self.state.persona.name} asks if you're still there after {wait:g}s." if wait else ""
        self.notify(f"Pressure on: each reply is timed.{after}", markup=False)

    def _menu_after(self, turn: Turn) -> None:
        """In the easier mode, every boss line that asks for a reply comes with options."""
        if self.menu_mode and turn.ending is None and not turn.options:
            self._offer_menu()

    def _after_reveal(self) -> None:
        self._update_panel()
        self.query_one("#transcript", VerticalScroll).scroll_end(animate=False)

    # ------------------------------------------------------------------ live coach line

    @on(TextArea.Changed, "#reply")
    def _typing(self, event: TextArea.Changed) -> None:
        self._leave_asked = False
        if self._asked_at is not None and self._first_key_at is None and event.text_area.text:
            self._first_key_at = self.clock()
        if self._coach_timer is not None:
            self._coach_timer.stop()
        if not self.query_one(CoachLine).display:
            return
        self._coach_timer = self.set_timer(COACH_DEBOUNCE, self._run_coach)

    def _run_coach(self) -> None:
        self._coach_timer = None
        text = self.query_one(ReplyInput).value
        line = self.query_one(CoachLine)
        if not text.strip() or self.state.ending is not None:
            line.show_flags("", ())
            return
        try:
            from rehearse.engine.runtime.coach import coach

            setup = self.state.setup
            flags = coach(
                text,
                expects=self.state.current.expects,
                disabled=setup.disabled_checks | self.state.current.coach_off | self.disabled_checks,
            )
        except Exception:
            flags = ()
        line.show_flags(text, flags)

    # ------------------------------------------------------------------ actions

    def action_hint(self) -> None:
        self.reveal_now()
        if self.state.ending is not None:
            self.notify("The conversation is over: press Enter for the debrief.", markup=False)
            return
        text = sess.hint(self.state)
        body = plain(text) if text else plain("No hint here. Say plainly what you want.")
        group = len(self.state.transcript) - 1
        self._mount(
            Row(NoteCard("Hint", body, classes="hint"), classes="note-row", group=group),
            group=group,
        )
        self._after_reveal()

    def action_options(self) -> None:
        """Turn the easier mode on (every turn offers numbered options) or off."""
        self.reveal_now()
        if self.menu_mode:
            self.menu_mode = False
            self.notify("Options off: say it in your own words.", markup=False)
            return
        if self.state.ending is not None:
            return
        self.menu_mode = True
        self._offer_menu()

    def _offer_menu(self) -> None:
        """Offer every reply of this moment as a numbered option, and show them."""
        if self.state.ending is not None:
            return
        if not self.state.offered or len(self.state.offered) < len(sess.options(self.state)):
            self.state = sess.open_menu(self.state)
        options = sess.options(self.state)
        if not options:
            return
        group = len(self.state.transcript) - 1
        card = OptionsCard("Your options", [(o.number, o.label) for o in options])
        self._mount(Row(card, classes="note-row", group=group), group=group)
        self._update_input()
        self._after_reveal()

    def action_take_back(self) -> None:
        self.reveal_now()
        previous = sess.undo(self.state)
        if previous is self.state or len(previous.transcript) >= len(self.state.transcript):
            self.notify("Nothing to take back yet.", markup=False)
            return
        taken = self.state.transcript[-1]
        self.state = previous
        keep = len(previous.transcript)
        for group in [g for g in self._groups if g >= keep]:
            for widget in self._groups.pop(group):
                widget.remove()
        self._last_delta = {}
        self.recorder.took_back(previous)
        self._session_open = True  # taking back an ending reopens the conversation
        reply = self.query_one(ReplyInput)
        reply.value = taken.user or ""
        reply.focus()
        self._update_panel()
        self._update_input()
        self._start_clock()

    def action_restart(self) -> None:
        self.confirm_then(
            "Start again?",
            "This conversation ends here, unfinished, and starts over.",
            "Start again",
            self.restart,
        )

    def confirm_then(self, title: str, body: str, go: str, then: Callable[[], None]) -> None:
        """Run ``then``; first ask, when it would leave a conversation with turns unfinished
        (it is kept in your sessions either way, but your place in it would be lost)."""
        if self.state.ending is not None or self.state.turn == 0:
            then()
            return

        def decided(confirmed: bool | None) -> None:
            if confirmed:
                then()

        self.app.push_screen(ConfirmScreen(title, body, go), decided)

    def restart(self, persona: Persona | None = None) -> None:
        setup = self.state.setup
        if persona is not None:
            setup = replace(setup, persona=persona)
        setup = replace(setup, seed=self.new_seed())
        try:
            state = self.drill_start if self.drill is not None else sess.begin(setup)
        except Exception as exc:
            self.notify(f"Could not restart: {exc}", severity="error", markup=False)
            return
        self.reveal_now()
        self._end_session()
        if self.drill is not None:  # the moment again, as a new retry of the same session
            self.recorder.retry_of(self.drill.parent, self.drill.parent_turn)
        self.state = state
        self._last_delta = {}
        self.query_one(ReplyInput).value = ""
        self._render_all()
        self._begin_session()
        if self.menu_mode:
            self._offer_menu()
        self.query_one(ReplyInput).focus()

    def action_toggle_panel(self) -> None:
        panel = self.query_one(SidePanel)
        panel.display = not panel.display
        self.prefs.panel = bool(panel.display)
        self._save_prefs()

    @on(TextArea.Changed, "#reply")
    def _author_typing(self, event: TextArea.Changed) -> None:
        self.preview.typed()

    def action_toggle_author(self) -> None:
        self.preview.toggle_overlay()

    def load_version(self, state: State, note: tuple[str, str] | None = None) -> None:
        """Show state in place of the current one (the script file was edited and reloaded):
        redraw it all; the recorder hears it as a new session, as the script changed."""
        self.reveal_now()
        self._end_session()
        self.state = state
        self._last_delta = {}
        self._render_all()
        self._begin_session()
        if state.ending is not None:
            self._end_session()
        if note is not None:
            group = len(state.transcript) - 1
            card = NoteCard(note[0], plain(note[1]), classes="reload")
            self._mount(Row(card, classes="note-row", group=group), group=group)
        if self.menu_mode:
            self._offer_menu()
        self._after_reveal()

    def action_toggle_coach(self) -> None:
        line = self.query_one(CoachLine)
        line.display = not line.display
        self.prefs.coach_line = bool(line.display)
        self._save_prefs()
        if line.display:
            self._run_coach()

    def _save_prefs(self) -> None:
        self.post_message(PrefsChanged())

    def action_escape(self) -> None:
        if self._pending is not None:
            self.reveal_now()
            return
        if self.state.ending is not None:
            self.post_message(GoHome())
            return
        # An ESC byte in pasted text arrives as this key, and the Enter after it would
        # confirm leaving: with a reply in the box, the first Esc only says how to leave.
        if self.query_one(ReplyInput).value.strip() and not self._leave_asked:
            self._leave_asked = True
            self.notify("Your reply is still in the box: press Esc again to leave.", markup=False)
            return

        def leave(confirmed: bool | None) -> None:
            if confirmed:
                self.post_message(GoHome())

        self.app.push_screen(LeaveScreen(), leave)

    # ------------------------------------------------------------------ command palette

    def palette_entries(self) -> Iterable[PaletteEntry]:
        """Switch who plays the boss (it starts the conversation again), or the panel."""
        current = self.state.persona.id
        for persona in self.personas:
            if persona.id == current:
                continue
            label = persona.name + (f", {persona.title}" if persona.title else "")
            yield PaletteEntry(
                f"Persona: {one_line(label, 60)} ({persona.difficulty})",
                partial(self.switch_persona, persona.id),
                "Switch who plays your manager",
            )
        yield PaletteEntry(
            "Toggle side panel", self.action_toggle_panel, "Show or hide the goal, rubric and patience panel"
        )
        yield PaletteEntry(
            "Pressure mode off" if self.pressure else "Pressure mode on",
            self.action_toggle_pressure,
            "Time each reply; an impatient boss asks if you're still there (f2)",
        )

    def switch_persona(self, persona_id: str) -> None:
        for persona in self.personas:
            if persona.id == persona_id:

                def switch(persona: Persona = persona) -> None:
                    self.restart(persona)
                    self.notify(f"Now rehearsing with {persona.name}.", markup=False)

                self.confirm_then(
                    f"Switch to {persona.name}?",
                    f"This conversation ends here, unfinished, and starts over with {persona.name}.",
                    "Switch",
                    switch,
                )
                return
