"""The rehearse app: one factory (`build_app`) for the CLI, the tests and anything else.

Startup is kept light on purpose: this module imports Textual and the home screen only.
The engine (Jinja2, rapidfuzz, YAML) is loaded in a thread worker after the first frame,
and the chat and debrief screens are imported when first needed.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from rehearse import prefs as prefs_module
from rehearse.ui.recording import History, NullRecorder, Recorder
from rehearse.ui.screens.home import HomeScreen

if TYPE_CHECKING:
    from textual.command import Provider

    from rehearse.engine.catalog import Catalog
    from rehearse.engine.model import Persona, Script
    from rehearse.engine.session import State

#: Set to 1 to exit as soon as the home screen has drawn its first frame (startup benchmark).
EXIT_WHEN_READY_ENV = "REHEARSE_EXIT_WHEN_READY"
DARK, LIGHT = "textual-dark", "textual-light"


@dataclass
class Options:
    extra_paths: list[Path] = field(default_factory=list)
    script: str | None = None
    persona: str | None = None
    seed: int | None = None
    name: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    typing_delay: float = 0.6
    #: a script file to open at once and reload whenever it is saved (play --watch)
    watch: Path | None = None
    watch_interval: float = 0.5


@dataclass
class Loaded:
    """What the catalog worker brings back."""

    catalog: Catalog
    missing: list[Path]
    watched: tuple[Script | None, Any] | None = None  # (script, report) of Options.watch


def _rehearse_commands() -> type[Provider]:
    from rehearse.ui.commands import RehearseCommands

    return RehearseCommands


def load_catalog(extra_paths: list[Path]) -> Catalog:
    """The heavy part of startup; runs in a thread (tests may wrap it with a cache)."""
    from rehearse.resolve import catalog

    return catalog(extra_paths)


def _warm_up() -> None:
    """Import and prime what the first reply needs, so typing never waits on it."""
    import rehearse.engine.session  # noqa: F401

    try:
        from rehearse.engine.coach import coach

        coach("warming up")
    except Exception:
        pass


class RehearseApp(App[None]):
    """Pick a conversation, rehearse it, read the debrief."""

    TITLE = "rehearse"
    CSS_PATH = "rehearse.tcss"
    COMMANDS = App.COMMANDS | {_rehearse_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", tooltip="Every key, screen by screen."),
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
    ]

    def __init__(
        self, options: Options, *, recorder: Recorder | None = None, history: History | None = None
    ) -> None:
        super().__init__()
        self.options = options
        self.recorder: Recorder = recorder or NullRecorder()
        self.history = history
        self.prefs = prefs_module.load()
        self.catalog: Catalog | None = None
        self.missing: list[Path] = []
        self.summary: dict[str, tuple[int, str | None]] = {}
        #: script id -> the last attempts' (rubric total, outcome), oldest first (home trend)
        self.trends: dict[str, list[tuple[int, str | None]]] = {}
        self.load_error: str | None = None
        self._recorder_failed = False
        self._opened_script = False
        self._guessed_name: str | None = None
        self._disabled_checks: frozenset[str] | None = None
        if self.prefs.theme and self.prefs.theme in self.available_themes:
            self.theme = self.prefs.theme

    # ------------------------------------------------------------------ startup

    def get_default_screen(self) -> Screen[Any]:
        return HomeScreen()

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.call_after_refresh(self._first_frame_drawn)

    def _theme_changed(self, theme: Any) -> None:
        """Remember any theme you pick (our toggle or Textual's theme picker)."""
        if self.prefs.theme != self.theme:
            self.prefs.theme = self.theme
            prefs_module.save(self.prefs)

    def _first_frame_drawn(self) -> None:
        if os.environ.get(EXIT_WHEN_READY_ENV):
            self.exit()
            return
        self.reload_catalog()

    @property
    def ready(self) -> bool:
        """True once the catalog has arrived (or failed) and the home list is filled."""
        return self.catalog is not None or self.load_error is not None

    def reload_catalog(self) -> None:
        extra = list(self.options.extra_paths)
        watch = self.options.watch

        def work() -> Loaded:
            cat = load_catalog(extra)
            missing = [p for p in extra if not p.exists()]
            watched = None
            if watch is not None:
                from rehearse.engine.loader import load_script

                watched = load_script(watch)
            _warm_up()
            return Loaded(cat, missing, watched)

        self.run_worker(
            work, name="catalog", group="catalog", thread=True, exclusive=True, exit_on_error=False
        )

    def refresh_history(self) -> None:
        """Ask the history for attempts and best outcomes (on this thread: SQLite objects
        belong to the thread that made them, and the store's summary is an indexed query)."""
        if self.history is None:
            return
        try:
            self.summary = dict(self.history.summary())
            self.trends = self._trends()
        except Exception as exc:
            self.notify(f"Could not read your past sessions: {exc}", severity="warning", markup=False)

    def _trends(self) -> dict[str, list[tuple[int, str | None]]]:
        """The last few attempts of each script tried (one indexed query per script)."""
        store = self.session_store()
        if store is None:
            return {}
        from rehearse.ui.widgets.progress import TREND_LENGTH

        return {
            script_id: [(p.total, p.outcome) for p in store.stats(script_id, TREND_LENGTH)]
            for script_id in self.summary
        }

    def session_store(self) -> Any:
        """The session Store behind the history (None when sessions are not saved)."""
        for source in (self.history, self.recorder):
            getter = getattr(source, "store", None)
            if callable(getter):
                try:
                    store = getter()
                except Exception:
                    store = None
                if store is not None:
                    return store
        return None

    def refresh_home(self) -> None:
        """Re-read attempts and trends and redraw the home list (after deleting a session)."""
        self.refresh_history()
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.populate()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "catalog":
            if event.state == WorkerState.SUCCESS and isinstance(worker.result, Loaded):
                self._catalog_arrived(worker.result)
            elif event.state == WorkerState.ERROR:
                self.load_error = f"Could not load the scripts: {worker.error}"
                self._home().show_error(self.load_error)

    def _home(self) -> HomeScreen:
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                return screen
        raise LookupError("no home screen")

    def _catalog_arrived(self, loaded: Loaded) -> None:
        self.catalog = loaded.catalog
        self.missing = loaded.missing
        self.refresh_history()
        self._home().populate()
        if self.options.watch is not None and not self._opened_script:
            self._opened_script = True
            self._open_watched(loaded)
            return
        if self.options.script and not self._opened_script:
            self._opened_script = True
            script = self.catalog.scripts.get(self.options.script)
            if script is None:
                self.notify(f"No script '{self.options.script}' found.", severity="error", markup=False)
                return
            self.start_conversation(
                script.id,
                persona_id=self.options.persona,
                name=self.options.name,
                variables=self.options.variables,
                remember=False,
            )

    def _open_watched(self, loaded: Loaded) -> None:
        """play --watch: the chat on the file itself (not a same-id script elsewhere)."""
        script, report = loaded.watched or (None, None)
        if script is None:
            problems = [d.render() for d in (report.errors if report is not None else [])]
            self.notify(
                f"{self.options.watch} has errors:\n" + "\n".join(problems[:3]),
                severity="error",
                markup=False,
                timeout=30,
            )
            return
        self.start_conversation(
            script.id,
            persona_id=self.options.persona,
            name=self.options.name,
            variables=self.options.variables,
            remember=False,
            loaded=script,
        )

    # ------------------------------------------------------------------ conversation flow

    def personas_for(self, script: Script) -> list[Persona]:
        return self.catalog.personas_for(script) if self.catalog is not None else []

    def user_name(self) -> str:
        """The name on the command line, else the one you gave last time, else a guess."""
        if self.options.name:
            return self.options.name
        if self.prefs.name:
            return self.prefs.name
        if self._guessed_name is None:
            self._guessed_name = prefs_module.default_name()
        return self._guessed_name

    def script_vars(self, script: Script) -> dict[str, str]:
        """Defaults, then what you set last time, then what the command line says."""
        values = {k: str(v) for k, v in script.vars.items()}
        for key, value in self.prefs.for_script(script.id).vars.items():
            if key in values:
                values[key] = value
        if self.options.script == script.id:
            for key, value in self.options.variables.items():
                if key in values:
                    values[key] = value
        return values

    def default_persona(self, script: Script) -> str | None:
        personas = [p.id for p in self.personas_for(script)]
        if not personas:
            return None
        if self.options.script == script.id and self.options.persona in personas:
            return self.options.persona
        remembered = self.prefs.for_script(script.id).persona
        return remembered if remembered in personas else personas[0]

    def disabled_checks(self) -> frozenset[str]:
        """Coach checks the user switched off (config.toml), read once."""
        if self._disabled_checks is None:
            from rehearse.config import ConfigError, load_config

            try:
                self._disabled_checks = load_config().disabled_checks
            except ConfigError as exc:
                self.notify(f"Ignoring broken settings: {exc}", severity="warning", markup=False)
                self._disabled_checks = frozenset()
        return self._disabled_checks

    def toggle_check(self, check_id: str, title: str) -> None:
        """Switch a coach check off or back on, for the live coach line and new sessions."""
        from rehearse.config import Config, save_config

        switched_off = check_id not in self.disabled_checks()
        self._disabled_checks = self.disabled_checks() ^ {check_id}
        try:
            save_config(Config(self._disabled_checks))
        except OSError as exc:
            self.notify(f"Could not save the setting: {exc}", severity="error", markup=False)
            return
        state = "off" if switched_off else "back on"
        self.notify(f"Coach check \u201c{title}\u201d is {state}.", markup=False)

    def new_seed(self) -> int:
        return self.options.seed if self.options.seed is not None else random.randrange(1_000_000)

    def start_conversation(
        self,
        script_id: str,
        *,
        persona_id: str | None = None,
        name: str | None = None,
        variables: Mapping[str, str] | None = None,
        remember: bool = True,
        loaded: Script | None = None,
    ) -> None:
        """Open the chat for a script (``loaded``: this one, not the catalog's, for
        --watch); unknown names are reported, never raised."""
        if self.catalog is None:
            self.notify("Still loading the scripts…", markup=False)
            return
        script = loaded if loaded is not None else self.catalog.scripts.get(script_id)
        if script is None:
            self.notify(f"No script '{script_id}'.", severity="error", markup=False)
            return
        personas = {p.id: p for p in self.personas_for(script)}
        persona_id = persona_id or self.default_persona(script)
        if persona_id not in personas:
            self.notify(f"No persona '{persona_id}' can play this script.", severity="error", markup=False)
            return
        user_name = (name if name is not None else self.user_name()).strip()
        values = dict(self.script_vars(script))
        values.update({k: v for k, v in (variables or {}).items() if k in script.vars})
        if remember:
            self.prefs.name = user_name
            self.prefs.remember(script.id, persona=persona_id, vars=values)
            prefs_module.save(self.prefs)
        from rehearse.engine.session import Setup

        setup = Setup(
            script,
            personas[persona_id],
            user_name=user_name or "you",
            vars=values,
            seed=self.new_seed(),
            disabled_checks=self.disabled_checks(),
        )
        self.open_chat(setup)

    def open_chat(self, setup: Any, *, replace_screen: bool = False, state: State | None = None) -> None:
        """Open the chat; ``state`` continues from a given point (retry from a turn)."""
        from rehearse.ui.screens.chat import ChatScreen

        try:
            screen = ChatScreen(
                setup,
                typing_delay=self.options.typing_delay,
                state=state,
                watch=self._watching(setup.script),
                watch_interval=self.options.watch_interval,
            )
        except Exception as exc:  # a script that fails at its very first line
            self.notify(f"Could not start: {exc}", severity="error", markup=False)
            return
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
        watch = self.options.watch
        if watch is None or not script.path:
            return None
        try:
            same = Path(script.path).resolve() == watch.resolve()
        except OSError:
            return None
        return watch if same else None

    def retry(self, state: State, persona_id: str | None = None) -> None:
        """Try again from a debrief, with the same persona or another."""
        from dataclasses import replace

        setup = state.setup
        if persona_id is not None and persona_id != setup.persona.id:
            persona = self.catalog.personas.get(persona_id) if self.catalog else None
            if persona is None:
                self.notify(f"No persona '{persona_id}'.", severity="error", markup=False)
                return
            setup = replace(setup, persona=persona)
            self.prefs.remember(setup.script.id, persona=persona.id, vars=dict(setup.vars))
            prefs_module.save(self.prefs)
        self.open_chat(replace(setup, seed=self.new_seed()), replace_screen=True)

    def open_debrief(self, state: State) -> None:
        from rehearse.ui.screens.debrief import DebriefScreen

        self.switch_screen(DebriefScreen(state))

    def go_home(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        self.refresh_history()
        self._home().populate()

    # ------------------------------------------------------------------ recorder

    def record(self, method: str, *args: Any) -> None:
        """Call the recorder; a failure is shown once and never stops the conversation."""
        try:
            getattr(self.recorder, method)(*args)
        except Exception as exc:
            if not self._recorder_failed:
                self._recorder_failed = True
                self.notify(f"This session could not be saved: {exc}", severity="warning", markup=False)

    # ------------------------------------------------------------------ app-wide actions

    def action_help(self) -> None:
        from rehearse.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_go_home(self) -> None:
        self.go_home()

    def action_sessions(self) -> None:
        """Open the list of past sessions."""
        from rehearse.ui.screens.sessions import SessionsScreen

        if isinstance(self.screen, SessionsScreen):
            return
        store = self.session_store()
        if store is None:
            self.notify(
                "No session history here: saving is off, or the database could not be opened.",
                markup=False,
            )
            return
        self.push_screen(SessionsScreen(store))

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
    *,
    extra_paths: Iterable[Path | str] | None = None,
    script: str | None = None,
    persona: str | None = None,
    seed: int | None = None,
    name: str | None = None,
    variables: Mapping[str, str] | None = None,
    recorder: Recorder | None = None,
    history: History | None = None,
    typing_delay: float = 0.6,
    watch: Path | str | None = None,
    watch_interval: float = 0.5,
) -> RehearseApp:
    """The one way to make the app (CLI, tests, anything else).

    ``watch``: a script file to open straight in the chat and reload whenever it is saved,
    polled every ``watch_interval`` seconds (0: only when asked, for tests)."""
    watched = Path(watch) if watch is not None else None
    paths = [Path(p) for p in (extra_paths or [])]
    if watched is not None and watched.parent not in paths:
        paths.append(watched.parent)  # personas beside the script
    options = Options(
        extra_paths=paths,
        script=script,
        persona=persona,
        seed=seed,
        name=name,
        variables=dict(variables or {}),
        typing_delay=max(0.0, typing_delay),
        watch=watched,
        watch_interval=max(0.0, watch_interval),
    )
    return RehearseApp(options, recorder=recorder, history=history)


def run_app(**kwargs: Any) -> None:
    """Build the app and run it in the terminal (used by `rehearse` and `rehearse play`)."""
    build_app(**kwargs).run()
