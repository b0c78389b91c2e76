"""The rehearse app: one factory (`build_app`) for the CLI, the tests and anything else.

The app owns what outlives a screen: the catalog, your remembered choices (``Prefs``), the
recorder and the history. Screens get what they need in their constructor and post messages
(``rehearse.ui.messages``) for what only the app may do: change screens, save settings, open
the store.

Startup is kept light on purpose: this module imports Textual and the home screen only. The
first frame lists the scripts' titles from a header scan of their files; the engine (Jinja2,
rapidfuzz, YAML) is loaded in a thread worker after that frame, and the other screens are
imported when first needed. The app handles the screens' messages by name
(``on_start_conversation``...), so that not even they are imported before that frame.
"""

from __future__ import annotations

import gc
import os
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from rehearse.history.recorder import GuardedRecorder, History, NullRecorder, Recorder
from rehearse.ui import styles
from rehearse.ui.screens.home import HomeData, HomeScreen
from rehearse.ui.terminal import tolerate_invalid_input
from rehearse.views.text import one_line
from rehearse.workspace import settings
from rehearse.workspace.settings import Launch

if TYPE_CHECKING:
    from textual.command import Provider

    from rehearse.engine.compile.catalog import Catalog
    from rehearse.engine.model import Persona, Script
    from rehearse.engine.runtime.session import Setup, State
    from rehearse.history.records import MomentRow
    from rehearse.ui import messages
    from rehearse.ui.palette import PaletteEntry
    from rehearse.ui.screens.chat import ChatScreen, Drill

#: Set to 1 to exit as soon as the home screen has drawn its first frame (startup benchmark).
EXIT_WHEN_READY_ENV = "REHEARSE_EXIT_WHEN_READY"
SAVING_NOTICE = 24 * 3600.0  # seconds: "not saving" stays until saving works again
DARK, LIGHT = "textual-dark", "textual-light"


@dataclass
class Loaded:
    """What the catalog worker brings back."""

    catalog: Catalog
    missing: list[Path]


def _rehearse_commands() -> type[Provider]:
    from rehearse.ui.palette import RehearseCommands

    return RehearseCommands


def load_catalog(extra_paths: list[Path]) -> Catalog:
    """The heavy part of startup; runs in a thread (tests may wrap it with a cache). Its
    scripts are outlines: a script is read whole when it is played (``RehearseApp.whole``)."""
    from rehearse.workspace.library import listing

    return listing(extra_paths)


def _warm_up() -> None:
    """Import and prime what the first reply needs (the coach, the intent model), so the
    first reply never waits on them. Run when a conversation opens, not at home: the home
    screen does not need them, and they would double its memory."""
    try:
        from rehearse.engine.runtime.warm import warm_up

        warm_up()
    except Exception:
        pass


class RehearseApp(App[None]):
    """Pick a conversation, rehearse it, read the debrief."""

    TITLE = "rehearse"
    CSS_PATH = styles.FIRST  # the rest right after the first frame (rehearse/ui/styles)
    COMMANDS = App.COMMANDS | {_rehearse_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", tooltip="Every key, screen by screen."),
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
    ]

    def __init__(
        self,
        launch: Launch,
        *,
        recorder: Recorder,
        history: History,
        typing_delay: float = 0.6,
        watch_interval: float = 0.5,
    ) -> None:
        super().__init__()
        self.launch = launch
        self.typing_delay = typing_delay
        self.watch_interval = watch_interval
        self.recorder = GuardedRecorder(recorder, self._saving_changed)
        self.history = history
        self.prefs = settings.load_prefs()
        self.catalog: Catalog | None = None
        self._replay_opened = False
        self.missing: list[Path] = []
        self.summary: dict[str, tuple[int, str | None]] = {}
        #: script id -> the last attempts' (rubric total, outcome), oldest first (home trend)
        self.trends: dict[str, list[tuple[int | None, str | None]]] = {}
        self.load_error: str | None = None
        #: how many moments are due for a drill (the home screen shows it)
        self.due = 0
        #: the moments still to drill in this round, and how many the round had
        self.drills: list[MomentRow] = []
        self.drills_total = 0
        self._guessed_name: str | None = None
        self._disabled_checks: frozenset[str] | None = None
        self._start_when_loaded: Callable[[], None] | None = None  # Enter pressed while loading
        self._warmed = False
        if self.prefs.theme and self.prefs.theme in self.available_themes:
            self.theme = self.prefs.theme

    # ------------------------------------------------------------------ startup

    def get_default_screen(self) -> Screen[Any]:
        from rehearse.workspace.titles import titles

        try:
            found = titles(list(self.launch.extra_paths))
        except OSError:  # an unreadable folder: the catalog will say what is wrong with it
            found = []
        return HomeScreen(self.prefs, self.launch, found)

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.call_after_refresh(self._first_frame_drawn)

    def _theme_changed(self, theme: Any) -> None:
        """Remember any theme you pick (our toggle or Textual's theme picker)."""
        if self.prefs.theme != self.theme:
            self.prefs.theme = self.theme
            settings.save_prefs(self.prefs)

    def _first_frame_drawn(self) -> None:
        gc.enable()  # `run_app` (cli/launch.py) turns it off for startup
        if os.environ.get(EXIT_WHEN_READY_ENV):
            self.exit()
            return
        styles.add_later(self.stylesheet)
        self.reload_catalog()
        launch = self.launch
        if launch.drill:
            self.action_drill()
        elif launch.resume is not None:
            if launch.retry_of is not None:
                self.recorder.retry_of(*launch.retry_of)
            self.open_chat(launch.resume.setup, state=launch.resume)
        elif launch.script is not None and launch.persona is not None:
            self.open_chat(self._setup(launch.script, launch.persona, launch.name, launch.variables))

    @property
    def ready(self) -> bool:
        """True once the catalog has arrived (or failed) and the home list is filled."""
        return self.catalog is not None or self.load_error is not None

    def reload_catalog(self) -> None:
        extra = list(self.launch.extra_paths)

        def work() -> Loaded:
            cat = load_catalog(extra)
            missing = [p for p in extra if not p.exists()]
            return Loaded(cat, missing)

        self.run_worker(
            work, name="catalog", group="catalog", thread=True, exclusive=True, exit_on_error=False
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name != "catalog":
            return
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, Loaded):
            self.catalog = worker.result.catalog
            self.missing = worker.result.missing
            self.refresh_home()
            pending, self._start_when_loaded = self._start_when_loaded, None
            if pending is not None:
                pending()
        elif event.state == WorkerState.ERROR:
            self.load_error = f"Could not load the scripts: {worker.error}"
            self._home().show_error(self.load_error)
        else:
            return
        if self.launch.replay is not None and not self._replay_opened:
            # `rehearse replay`: once the library is known, so the replay can tell what changed
            self._replay_opened = True
            from rehearse.ui.messages import OpenReplay

            self.post_message(OpenReplay(self.launch.replay))

    def _home(self) -> HomeScreen:
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                return screen
        raise LookupError("no home screen")

    # ------------------------------------------------------------------ history

    def refresh_history(self) -> None:
        """Read attempts, best outcomes and recent totals (on this thread: SQLite objects
        belong to the thread that made them, and each is an indexed query)."""
        try:
            self.summary = dict(self.history.summary())
            store = self.history.store()
            if store is None:
                self.trends = {}
                self.due = 0
                return
            self.due = store.due_count()
            from rehearse.ui.widgets.progress import TREND_LENGTH

            self.trends = {
                script_id: [(p.score, p.outcome) for p in store.stats(script_id, TREND_LENGTH)]
                for script_id in self.summary
            }
        except Exception as exc:
            self.notify(f"Could not read your past sessions: {exc}", severity="warning", markup=False)

    def refresh_home(self) -> None:
        """Re-read attempts and trends and redraw the home list."""
        if self.catalog is None:
            return
        self.refresh_history()
        self._home().populate(
            HomeData(
                catalog=self.catalog,
                summary=self.summary,
                trends=self.trends,
                missing=self.missing,
                user_name=self.user_name(),
                due=self.due,
            )
        )

    # ------------------------------------------------------------------ choices

    def personas_for(self, script: Script) -> list[Persona]:
        if self.catalog is not None:
            return self.catalog.personas_for(script)
        launch = self.launch
        return list(launch.personas) if launch.script is not None and launch.script.id == script.id else []

    def user_name(self) -> str:
        """The name on the command line, else the one you gave last time, else a guess."""
        if self.launch.name:
            return self.launch.name
        if self.prefs.name:
            return self.prefs.name
        if self._guessed_name is None:
            self._guessed_name = settings.default_name()
        return self._guessed_name

    def disabled_checks(self) -> frozenset[str]:
        """Coach checks the user switched off (config.toml), read once."""
        if self._disabled_checks is None:
            try:
                self._disabled_checks = settings.load_config().disabled_checks
            except settings.ConfigError as exc:
                self.notify(f"Ignoring broken settings: {exc}", severity="warning", markup=False)
                self._disabled_checks = frozenset()
        return self._disabled_checks

    def toggle_check(self, check_id: str, title: str) -> None:
        """Switch a coach check off or back on, for the live coach line and new sessions."""
        switched_off = check_id not in self.disabled_checks()
        self._disabled_checks = self.disabled_checks() ^ {check_id}
        try:
            settings.save_config(settings.Config(self._disabled_checks))
        except OSError as exc:
            self.notify(f"Could not save the setting: {exc}", severity="error", markup=False)
            return
        for screen in self._chats():
            screen.disabled_checks = self._disabled_checks
        state = "off" if switched_off else "back on"
        self.notify(f"Coach check \u201c{title}\u201d is {state}.", markup=False)

    def new_seed(self) -> int:
        return self.launch.seed if self.launch.seed is not None else random.randrange(1_000_000)

    # ------------------------------------------------------------------ conversation flow

    def _chosen_name(self, name: str | None) -> str:
        return (name if name is not None else self.user_name()).strip()

    def _setup(
        self, script: Script, persona: Persona, name: str | None, variables: Mapping[str, str] | None
    ) -> Setup:
        from rehearse.engine.runtime.session import Setup
        from rehearse.engine.templating import UNNAMED

        values = settings.chosen_vars(self.prefs, self.launch, script)
        values.update({k: v for k, v in (variables or {}).items() if k in script.vars})
        return Setup(
            script,
            persona,
            user_name=self._chosen_name(name) or UNNAMED,
            vars=values,
            seed=self.new_seed(),
            disabled_checks=self.disabled_checks(),
        )

    def on_start_conversation(self, message: messages.StartConversation) -> None:
        self.start_conversation(
            message.script_id,
            persona_id=message.persona_id,
            name=message.name,
            variables=message.variables,
            remember=message.remember,
        )

    def start_conversation(
        self,
        script_id: str,
        *,
        persona_id: str | None = None,
        name: str | None = None,
        variables: Mapping[str, str] | None = None,
        remember: bool = True,
    ) -> None:
        """Open the chat for a script of the library; unknown names are reported, never raised."""
        if self.catalog is None:
            self.notify("Still loading the scripts…", markup=False)
            self._start_when_loaded = partial(
                self.start_conversation,
                script_id,
                persona_id=persona_id,
                name=name,
                variables=variables,
                remember=remember,
            )
            return
        script = self.whole(script_id)
        if script is None:
            return
        personas = {p.id: p for p in self.personas_for(script)}
        persona_id = persona_id or settings.chosen_persona(self.prefs, self.launch, script, list(personas))
        if persona_id not in personas:
            self.notify(f"No persona '{persona_id}' can play this script.", severity="error", markup=False)
            return
        setup = self._setup(script, personas[persona_id], name, variables)
        if remember:
            self.prefs.name = self._chosen_name(name)
            self.prefs.remember(script.id, persona=persona_id, vars=dict(setup.vars))
            settings.save_prefs(self.prefs)
        self.open_chat(setup)

    def whole(self, script_id: str) -> Script | None:
        """The library's script, read whole from its file (the catalog keeps outlines), or
        None when it cannot be: that is reported, never raised."""
        from rehearse.workspace.library import NotFound, whole

        outline = self.catalog.scripts.get(script_id) if self.catalog is not None else None
        if outline is None or self.catalog is None:
            self.notify(f"No script '{script_id}'.", severity="error", markup=False)
            return None
        try:
            return whole(outline, self.catalog.personas)
        except NotFound as exc:
            self.notify(f"Could not start: {exc}", severity="error", markup=False)
            return None

    def open_chat(
        self,
        setup: Setup,
        *,
        replace_screen: bool = False,
        state: State | None = None,
        drill: Drill | None = None,
    ) -> None:
        """Open the chat; ``state`` continues from a given point (retry from a turn, or the
        moment a ``drill`` starts at)."""
        from rehearse.ui.screens.chat import ChatScreen

        try:
            screen = ChatScreen(
                setup,
                state=state,
                prefs=self.prefs,
                recorder=self.recorder,
                personas=self.personas_for(setup.script),
                disabled_checks=self.disabled_checks(),
                new_seed=self.new_seed,
                typing_delay=self.typing_delay,
                watch=self._watching(setup.script),
                watch_interval=self.watch_interval,
                pressure=self.launch.pressure,
                drill=drill,
            )
        except Exception as exc:  # a script that fails at its very first line
            self.notify(f"Could not start: {exc}", severity="error", markup=False)
            return
        if not self._warmed:
            self._warmed = True
            self.run_worker(_warm_up, name="warm-up", thread=True, exit_on_error=False)
        if replace_screen:
            self.switch_screen(screen)
            return
        # from anywhere (the command palette, say): back to home first, so conversations
        # never pile up on the screen stack
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        self.push_screen(screen)

    def _watching(self, script: Script) -> Path | None:
        """The watched file, when this script was loaded from it."""
        watch = self.launch.watch
        if watch is None or not script.path:
            return None
        try:
            same = Path(script.path).resolve() == watch.resolve()
        except OSError:
            return None
        return watch if same else None

    def _chats(self) -> Iterator[ChatScreen]:
        from rehearse.ui.screens.chat import ChatScreen

        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                yield screen

    def on_try_again(self, message: messages.TryAgain) -> None:
        """Try again from a debrief, with the same persona or another. Only from the debrief
        shown: a key typed on into it ("...the three...": h, then r) may ask for home and then
        to try again before the debrief is gone, and replacing what is then shown would
        replace the home screen itself."""
        from rehearse.ui.screens.debrief import DebriefScreen

        if not isinstance(self.screen, DebriefScreen):
            return
        setup = message.state.setup
        if message.persona_id is not None and message.persona_id != setup.persona.id:
            persona = next((p for p in self.personas_for(setup.script) if p.id == message.persona_id), None)
            if persona is None:
                self.notify(f"No persona '{message.persona_id}'.", severity="error", markup=False)
                return
            setup = replace(setup, persona=persona)
            self.prefs.remember(setup.script.id, persona=persona.id, vars=dict(setup.vars))
            settings.save_prefs(self.prefs)
        self.open_chat(replace(setup, seed=self.new_seed()), replace_screen=True)

    def on_retry_from(self, message: messages.RetryFrom) -> None:
        self.recorder.retry_of(message.parent, message.parent_turn)
        self.open_chat(message.state.setup, state=message.state)

    # ------------------------------------------------------------------ drills

    def action_drill(self) -> None:
        """Drill the moments due, one after another."""
        from datetime import UTC, datetime

        store = self.history.store()
        if store is None:
            self.notify("No session history here: there is nothing to drill.", markup=False)
            return
        try:
            self.drills = store.moments(datetime.now(UTC))
        except Exception as exc:
            self.notify(f"Could not read the moments to drill: {exc}", severity="error", markup=False)
            return
        self.drills_total = len(self.drills)
        if not self.drills:
            self.notify("No moments are due for a drill.", markup=False)
            return
        self.next_drill()

    def on_drill_next(self, message: messages.DrillNext) -> None:
        self.next_drill()

    def next_drill(self) -> None:
        """Open the next due moment at the state it had (a retry of its session from that
        turn), or go home when the round is done."""
        from rehearse.history.replay import state_before
        from rehearse.ui.screens.chat import ChatScreen, Drill
        from rehearse.views.practice import why_due

        store = self.history.store()
        while self.drills and store is not None:
            row = self.drills.pop(0)
            try:
                start = state_before(store.load(row.session), row.turn)
            except Exception as exc:
                self.notify(f"A moment could not be played again: {exc}", severity="warning", markup=False)
                continue
            number = self.drills_total - len(self.drills)
            drill = Drill(number, self.drills_total, why_due(row), row.session, row.turn)
            self.recorder.retry_of(row.session, row.turn)
            self.open_chat(
                start.setup, state=start, drill=drill, replace_screen=isinstance(self.screen, ChatScreen)
            )
            return
        total, self.drills_total = self.drills_total, 0
        self.action_go_home()
        if total:
            self.notify(
                f"Drilled {total} moment{'s' if total != 1 else ''}. They come back when due.", markup=False
            )

    def on_open_debrief(self, message: messages.OpenDebrief) -> None:
        from rehearse.ui.screens.chat import ChatScreen
        from rehearse.ui.screens.debrief import DebriefScreen

        if not isinstance(self.screen, ChatScreen):  # the conversation was left meanwhile
            return
        self.switch_screen(DebriefScreen(message.state, self.personas_for(message.state.script)))

    def on_go_home(self, message: messages.GoHome) -> None:
        self.action_go_home()

    def action_go_home(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        self.refresh_home()

    def on_prefs_changed(self, message: messages.PrefsChanged) -> None:
        settings.save_prefs(self.prefs)

    def on_sessions_changed(self, message: messages.SessionsChanged) -> None:
        self.refresh_home()

    def _saving_changed(self, problem: str | None) -> None:
        """Saving stopped working: a notification that stays until it works again, and
        the chat's title bar says so; or it works again: say that instead."""
        if problem:
            self.notify(problem, title="Not saving", severity="error", timeout=SAVING_NOTICE, markup=False)
        else:
            self.clear_notifications()
            self.notify(
                "Saving works again: this session is saved, with the replies it missed.", markup=False
            )
        from rehearse.ui.messages import SavingChanged

        self.screen.post_message(SavingChanged(problem))

    # ------------------------------------------------------------------ sessions

    def action_sessions(self) -> None:
        """Open the list of past sessions."""
        from rehearse.ui.screens.sessions import SessionsScreen

        if isinstance(self.screen, SessionsScreen):
            return
        store = self.history.store()
        if store is None:
            self.notify(
                "No session history here: saving is off, or the database could not be opened.",
                markup=False,
            )
            return
        titles = {s.id: s.title for s in self.catalog.scripts.values()} if self.catalog else {}
        self.push_screen(SessionsScreen(store, titles=titles))

    def on_open_replay(self, message: messages.OpenReplay) -> None:
        from rehearse.ui.screens.replay import ReplayScreen, build_replay

        store = self.history.store()
        try:
            if store is None:
                raise LookupError("the session database could not be opened")
            replay = build_replay(store.load(message.session_id), self.catalog)
        except Exception as exc:
            self.notify(f"Could not open session {message.session_id}: {exc}", severity="error", markup=False)
            return
        self.push_screen(ReplayScreen(replay, turn=message.turn))

    def on_open_what_if(self, message: messages.OpenWhatIf) -> None:
        from rehearse.ui.screens.whatif import WhatIfScreen

        self.push_screen(
            WhatIfScreen(message.state, message.heading, said=message.said, chosen=message.chosen)
        )

    def on_open_compare(self, message: messages.OpenCompare) -> None:
        from rehearse.ui.screens.compare import CompareScreen
        from rehearse.views.compare import compare

        store = self.history.store()
        try:
            if store is None:
                raise LookupError("the session database could not be opened")
            found = compare(store.load(message.first), store.load(message.second))
        except Exception as exc:
            self.notify(f"Could not compare: {exc}", severity="error", markup=False)
            return
        self.push_screen(CompareScreen(found))

    # ------------------------------------------------------------------ app-wide actions

    def action_help(self) -> None:
        from rehearse.ui.keys import key_table
        from rehearse.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(key_table(self.BINDINGS)))

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def palette_entries(self) -> Iterable[PaletteEntry]:
        """What the command palette offers everywhere (the screen adds its own)."""
        from rehearse.ui.palette import PaletteEntry  # with the palette, not before

        catalog = self.catalog
        if catalog is not None:
            for script in sorted(catalog.scripts.values(), key=lambda s: s.title.lower()):
                if self.personas_for(script):
                    yield PaletteEntry(
                        f"Start: {one_line(script.title, 70)}",
                        partial(self.start_conversation, script.id),
                        "Rehearse this conversation (your last persona and settings)",
                    )
        yield PaletteEntry(
            "Sessions",
            self.action_sessions,
            "Past sessions: replay them turn by turn, retry from a turn, see your progress",
        )
        yield PaletteEntry(
            "Drill the moments due",
            self.action_drill,
            "The moments you fumbled, each from where it stood, when they are due",
        )
        if catalog is not None:
            from rehearse.engine.runtime.coach import checks

            disabled = self.disabled_checks()
            for check in checks():
                if check.id in disabled:
                    text, help_text = (
                        f"Coach: flag \u201c{check.title}\u201d again",
                        "Switch this check back on",
                    )
                else:
                    text, help_text = f"Coach: stop flagging \u201c{check.title}\u201d", check.rationale
                yield PaletteEntry(text, partial(self.toggle_check, check.id, check.title), help_text)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Toggle light/dark theme",
            "Switch between the light and dark theme",
            self.action_toggle_theme,
        )
        yield SystemCommand("Help: every key", "Show every key, screen by screen", self.action_help)
        if not isinstance(screen, HomeScreen):
            yield SystemCommand("Home", "Back to the list of conversations", self.action_go_home)


def build_app(
    launch: Launch | None = None,
    *,
    recorder: Recorder | None = None,
    history: History | None = None,
    typing_delay: float = 0.6,
    watch_interval: float = 0.5,
) -> RehearseApp:
    """The one way to make the app (the CLI, the tests, anything else).

    ``launch``: what the command line asked for (a script to open, a file to watch...).
    ``recorder``/``history``: where sessions are saved and read back (nothing by default).
    ``watch_interval``: how often a watched file is polled, in seconds (0: only when asked).
    """
    tolerate_invalid_input()
    launch = launch or Launch()
    if launch.watch is not None and launch.watch.parent not in launch.extra_paths:
        launch = replace(launch, extra_paths=(*launch.extra_paths, launch.watch.parent))
    nothing = NullRecorder()
    return RehearseApp(
        launch,
        recorder=recorder or nothing,
        history=history or nothing,
        typing_delay=max(0.0, typing_delay),
        watch_interval=max(0.0, watch_interval),
    )
