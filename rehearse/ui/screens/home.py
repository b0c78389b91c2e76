"""Home: every script found, and the settings to start one.

This module is imported at startup, so it must not import the engine at module level: the
list fills in when the app hands it the catalog (``populate``). Enter posts
``StartConversation`` with the settings on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from rehearse.ui.safe import assemble, plain
from rehearse.ui.screens.home_rows import Draft, Entry
from rehearse.ui.widgets.footer import KeysFooter
from rehearse.views.names import clash_warning, name_clashes
from rehearse.views.text import one_line
from rehearse.workspace.settings import Launch, Prefs, chosen_persona, chosen_vars

if TYPE_CHECKING:
    from textual.widgets import RadioSet

    from rehearse.engine.compile.catalog import Broken, Catalog
    from rehearse.engine.model import Persona, Script
    from rehearse.ui.screens.home_form import Start
    from rehearse.workspace.titles import Title

DIFFICULTY_ORDER = {"easy": 0, "medium": 1, "hard": 2}


@dataclass(frozen=True)
class HomeData:
    """What the home screen shows, handed down by the app when the catalog arrives."""

    catalog: Catalog
    summary: dict[str, tuple[int, str | None]]  # script id -> (attempts, best outcome)
    trends: dict[str, list[tuple[int | None, str | None]]]  # script id -> recent (score, outcome)
    missing: list[Path]  # extra folders that do not exist
    user_name: str
    due: int = 0  # moments due for a drill


def difficulty_range(personas: list[Persona]) -> str:
    levels = sorted({p.difficulty for p in personas}, key=lambda d: DIFFICULTY_ORDER.get(d, 1))
    if not levels:
        return "no persona"
    return levels[0] if len(levels) == 1 else f"{levels[0]}–{levels[-1]}"


def first_name(persona: Persona) -> str:
    return persona.name.split()[0] if persona.name.split() else persona.id


class ScriptList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Start", key_display="⏎"),
    ]


class SetupPane(VerticalScroll, can_focus=False):
    """What the highlighted script is about, who can play it, and its settings."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry: Entry | None = None
        self.message_text: str = "Loading your conversations…"

    def compose(self) -> ComposeResult:
        entry = self.entry
        if entry is None or entry.loading:
            yield Static(plain(self.message_text), classes="setup-empty")
            return
        if not entry.playable:
            yield from self._compose_broken(entry)
            return
        screen = self.screen
        assert isinstance(screen, HomeScreen)
        from rehearse.ui.screens.home_form import setup_form  # not needed for the titles

        yield from setup_form(screen, entry)

    def _compose_broken(self, entry: Entry) -> ComposeResult:
        yield Static(plain("⚠ This script cannot be played", "bold $text-error"), classes="setup-title")
        if entry.broken_path:
            yield Static(plain(entry.broken_path), classes="setup-path")
        diagnostic = entry.diagnostic
        if diagnostic is None:
            yield Static(plain(entry.problem or "No details."), classes="setup-problem")
        else:
            where = f"line {diagnostic.loc.line}" if diagnostic.loc.line > 0 else "the file"
            if diagnostic.loc.col > 0:
                where += f", column {diagnostic.loc.col}"
            yield Static(
                assemble(
                    (f"{diagnostic.severity} {diagnostic.code} at {where}: ", "bold"),
                    diagnostic.message,
                ),
                classes="setup-problem",
                markup=False,
            )
            if diagnostic.source_line is not None and diagnostic.loc.col > 0:
                gutter = f"{diagnostic.loc.line:>5} | "
                caret = " " * (len(gutter) + diagnostic.loc.col - 1) + "^" * max(1, min(diagnostic.width, 60))
                yield Static(
                    Content("\n").join(
                        [
                            plain(gutter + diagnostic.source_line.rstrip("\n")),
                            plain(caret, "bold $text-error"),
                        ]
                    ),
                    classes="setup-source",
                    markup=False,
                )
            if diagnostic.hint:
                yield Static(plain(f"= {diagnostic.hint}"), classes="setup-note", markup=False)
        path = entry.broken_path or "the file"
        yield Static(
            plain(
                f"Fix it, then run `rehearse check {path}` to see every problem. "
                "The other scripts still work."
            ),
            classes="setup-note",
        )

    def show(self, entry: Entry | None) -> None:
        self.entry = entry
        self.refresh(recompose=True)
        self.scroll_home(animate=False)
        screen = self.screen
        assert isinstance(screen, HomeScreen)
        screen.show_start(entry is not None and entry.playable)


class HomeScreen(Screen[None]):
    """Pick a conversation."""

    AUTO_FOCUS = "#scripts"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reset", "Reset settings", tooltip="Back to the script's default settings"),
        Binding("s", "app.sessions", "Sessions", tooltip="Past sessions: replay, retry, progress"),
        Binding("d", "app.drill", "Drill", tooltip="Drill the moments you fumbled that are due again"),
        Binding("f1", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit", priority=True),
    ]

    def __init__(self, prefs: Prefs, launch: Launch, titles: list[Title] | None = None) -> None:
        super().__init__(id="home")
        self.prefs = prefs
        self.launch = launch
        self.data: HomeData | None = None
        # until the catalog arrives: the titles of a header scan, so the first frame lists them
        self.entries: dict[str, Entry] = {
            f"script:{t.id}": Entry(key=f"script:{t.id}", title=t.title) for t in titles or ()
        }
        self.drafts: dict[str, Draft] = {}
        self._populating = False
        self._warned: tuple[str, str] | None = None  # the name clash already shown before play

    @property
    def user_name(self) -> str:
        return self.data.user_name if self.data is not None else ""

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="home-title", classes="topbar", markup=False)
        with Horizontal(id="home-body"):
            with Vertical(id="script-pane"):
                yield ScriptList(*self._options(list(self.entries.values()), "Loading…"), id="scripts")
            with Vertical(id="setup-column"):
                yield SetupPane(id="setup")  # and the Start button below it: show_start
        yield KeysFooter()

    def show_start(self, shown: bool) -> None:
        """Show or hide the Start button, below the setup pane so that it stays in sight however
        long the situation is. Hidden until a script has loaded, it is mounted only when first
        shown: the first frame goes without it (its styles are 57 rules to parse)."""
        found = self.query("#start")
        if found:
            found.first().display = shown
        elif shown:
            start = Button("Start rehearsing ⏎", id="start", variant="primary", compact=True)
            self.query_one("#setup-column").mount(start)

    # ------------------------------------------------------------------ filling the list

    def show_error(self, message: str) -> None:
        scripts = self.query_one(ScriptList)
        scripts.clear_options()
        scripts.add_option(Option(plain("Nothing to show"), disabled=True))
        setup = self.query_one(SetupPane)
        setup.message_text = message
        setup.show(None)

    def _title(self, due: int = 0) -> Content:
        """The top bar; with moments due for a drill it says so instead of the tagline."""
        if not due:
            return assemble(
                ("rehearse", "bold $text-accent"), " · practise a hard conversation before you have it"
            )
        moments = f"{due} moment{'s' if due != 1 else ''}"
        return assemble(
            ("rehearse", "bold $text-accent"),
            " · ",
            (f"{moments} due for a drill: press d", "bold $text-warning"),
        )

    def populate(self, data: HomeData) -> None:
        self.data = data
        self.query_one("#home-title", Static).update(self._title(data.due))
        catalog = data.catalog
        entries: list[Entry] = []
        for script in sorted(catalog.scripts.values(), key=lambda s: (s.title.lower(), s.id)):
            personas = catalog.personas_for(script)
            entry = Entry(key=f"script:{script.id}", script=script, personas=personas)
            if not personas:
                problems = [d for d in catalog.report.items if d.is_error and d.loc.file == script.path]
                entry.broken_path = script.path
                entry.diagnostic = problems[0] if problems else None
                entry.problem = "No persona was found to play it."
                entry.problem_line = problems[0].message if problems else "no persona found"
            entries.append(entry)
        for number, broken in enumerate(catalog.broken):
            entries.append(self._broken_entry(number, broken))
        for number, path in enumerate(data.missing):
            entries.append(
                Entry(
                    key=f"missing:{number}",
                    broken_path=str(path),
                    problem=f"{path}: not found (given with --path or REHEARSE_PATH).",
                    problem_line="folder or file not found",
                )
            )
        self.entries = {e.key: e for e in entries}
        scripts = self.query_one(ScriptList)
        previous = scripts.highlighted_option.id if scripts.highlighted_option is not None else None
        self._populating = True
        scripts.clear_options()
        scripts.add_options(self._options(entries, None))
        if not entries:
            setup = self.query_one(SetupPane)
            setup.message_text = (
                "No scripts found. Put your own in the scripts folder of your data directory."
            )
            setup.show(None)
            self._populating = False
            return
        index = 0
        if previous in self.entries:
            index = list(self.entries).index(previous)
        scripts.highlighted = scripts.get_option_index(entries[index].key)
        self._populating = False
        self.query_one(SetupPane).show(entries[index])

    def _options(self, entries: list[Entry], empty: str | None) -> list[Option | None]:
        """The list's options, one per entry with a line between; ``empty`` when none."""
        options: list[Option | None] = []
        for entry in entries:
            if options:
                options.append(None)
            options.append(Option(self._prompt(entry), id=entry.key))
        if not options and empty is not None:
            options.append(Option(plain(empty), disabled=True))
        return options

    def _broken_entry(self, number: int, broken: Broken) -> Entry:
        first = broken.first
        return Entry(
            key=f"broken:{number}",
            broken_path=broken.path,
            diagnostic=first,
            problem="It could not be read.",
            problem_line=first.message if first is not None else "could not be read",
        )

    def _prompt(self, entry: Entry) -> Content:
        if entry.loading:
            return Content("\n").join(
                [plain(one_line(entry.title, 200), "bold"), plain("loading…", "$text-muted")]
            )
        data = self.data
        assert data is not None
        if not entry.playable:
            name = Path(entry.broken_path or "?").name
            return Content("\n").join(
                [
                    assemble(("⚠ broken: ", "bold $text-error"), (name, "bold")),
                    plain(one_line(entry.problem_line, 200), "$text-muted"),
                ]
            )
        script = entry.script
        assert script is not None
        attempts, best = data.summary.get(script.id, (0, None))
        from rehearse.views.outcomes import look  # not for the first frame (titles only)

        tried = (
            f"{attempts} attempt{'s' if attempts != 1 else ''} · best {look(best).label if best else '–'}"
            if attempts
            else "not tried yet · best –"
        )
        names = ", ".join(first_name(p) for p in entry.personas)
        trend = data.trends.get(script.id)
        if trend:
            from rehearse.ui.widgets.progress import trend_line

            tried_line = Content.assemble(plain(tried + "  ", "$text-muted"), trend_line(trend))
        else:
            tried_line = plain(tried, "$text-muted")
        return Content("\n").join(
            [
                plain(one_line(script.title, 200), "bold"),
                plain(f"{difficulty_range(entry.personas)} · {names}", "$text-muted"),
                tried_line,
            ]
        )

    # ------------------------------------------------------------------ the form

    def draft_for(self, script: Script) -> Draft:
        draft = self.drafts.get(script.id)
        if draft is None:
            entry = self.entries.get(f"script:{script.id}")
            persona_ids = [p.id for p in entry.personas] if entry else []
            draft = Draft(
                chosen_persona(self.prefs, self.launch, script, persona_ids),
                chosen_vars(self.prefs, self.launch, script),
            )
            self.drafts[script.id] = draft
        return draft

    def situation_text(self, script: Script, draft: Draft) -> Content:
        try:
            # the light module: the home screen never loads the matcher or the coach
            from rehearse.engine.runtime.setup import Setup, opening_situation
            from rehearse.engine.templating import UNNAMED

            entry = self.entries.get(f"script:{script.id}")
            personas = {p.id: p for p in (entry.personas if entry else [])}
            persona = personas.get(draft.persona or "") or next(iter(personas.values()))
            name = self._current_name() or UNNAMED
            text = opening_situation(Setup(script, persona, user_name=name, vars=draft.vars))
        except Exception:
            text = script.situation.source
        return plain(" ".join(text.split()))

    def clash(self, script: Script, draft: Draft) -> str:
        """The warning when your name is also someone's in the conversation (else empty)."""
        name = self._current_name()
        return clash_warning(name, name_clashes(name, {**script.vars, **draft.vars}))

    def clash_text(self, script: Script, draft: Draft) -> Content:
        warning = self.clash(script, draft)
        return plain(f"⚠ {warning}", "$text-warning") if warning else Content("")

    def persona_about(self, entry: Entry, draft: Draft) -> Content:
        persona = next((p for p in entry.personas if p.id == draft.persona), None)
        if persona is None:
            return Content("")
        about = " ".join(
            part for part in (persona.title and persona.title + ".", persona.description) if part
        )
        return plain(one_line(about, 400), "italic $text-muted")

    def _current_name(self) -> str:
        found = self.query("#name")
        if found:
            widget = found.first()
            if isinstance(widget, Input):
                return widget.value.strip()
        return self.user_name

    def _current_entry(self) -> Entry | None:
        option = self.query_one(ScriptList).highlighted_option
        return self.entries.get(option.id) if option is not None and option.id else None

    def _refresh_situation(self) -> None:
        entry = self._current_entry()
        if entry is None or entry.script is None or not entry.playable:
            return
        found = self.query("#situation")
        if found:
            found.first(Static).update(self.situation_text(entry.script, self.draft_for(entry.script)))
        clash = self.query("#name-clash")
        if clash:
            draft = self.draft_for(entry.script)
            clash.first(Static).update(self.clash_text(entry.script, draft))
            clash.first(Static).display = bool(self.clash(entry.script, draft))

    @on(OptionList.OptionHighlighted, "#scripts")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self._populating:
            return
        self.query_one(SetupPane).show(self.entries.get(event.option.id or ""))

    @on(OptionList.OptionSelected, "#scripts")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.start()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        """A persona chosen (by name, not @on: RadioSet is imported with the form)."""
        if event.radio_set.id != "personas":
            return
        entry = self._current_entry()
        if entry is not None and entry.script is not None:
            draft = self.draft_for(entry.script)
            draft.persona = event.pressed.name
            self._refresh_situation()
            found = self.query("#persona-about")
            if found:
                found.first(Static).update(self.persona_about(entry, draft))

    @on(Input.Changed, ".var-input")
    def _var_changed(self, event: Input.Changed) -> None:
        entry = self._current_entry()
        if entry is not None and entry.script is not None and event.input.name:
            self.draft_for(entry.script).vars[event.input.name] = event.value
            self._refresh_situation()

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        self._refresh_situation()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.start()

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.start()

    def on_start(self, message: Start) -> None:
        """Enter on the persona picker (by name, not @on: Start comes with the form)."""
        self.start()

    def action_reset(self) -> None:
        entry = self._current_entry()
        if entry is None or entry.script is None or not entry.playable:
            return
        script = entry.script
        self.drafts[script.id] = Draft(entry.personas[0].id, {k: str(v) for k, v in script.vars.items()})
        self.query_one(SetupPane).show(entry)
        self.notify("Settings back to the script's defaults.", markup=False)

    def start(self) -> None:
        from rehearse.ui.messages import StartConversation  # the messages: not for the first frame

        entry = self._current_entry()
        if entry is None:
            return
        if entry.loading:
            # the app opens it as soon as the catalog has it, with your last settings
            self.post_message(StartConversation(entry.key.removeprefix("script:")))
            return
        if not entry.playable or entry.script is None:
            self.notify(
                "This script cannot be played: see the problem on the right.",
                severity="warning",
                markup=False,
            )
            return
        draft = self.draft_for(entry.script)
        name_widgets = self.query("#name")
        name = name_widgets.first(Input).value if name_widgets else self.user_name
        warning = self.clash(entry.script, draft)
        if warning and self._warned != (entry.script.id, warning):
            # said once before play; Start again plays as it is
            self._warned = (entry.script.id, warning)
            self.notify(f"{warning} Start again to play as it is.", severity="warning", markup=False)
            if name_widgets:
                name_widgets.first(Input).focus()
            return
        self.post_message(
            StartConversation(
                entry.script.id, persona_id=draft.persona, name=name, variables=dict(draft.vars)
            )
        )
