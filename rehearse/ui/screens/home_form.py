"""The home screen's setup form, for a script that has loaded: what it is about, who plays
your manager, your name and the script's details.

Imported when the first loaded script shows, not for the first frame (the titles): it
brings Textual's radio buttons and labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from rehearse.engine.inert import inert
from rehearse.ui.safe import assemble, plain
from rehearse.views.text import one_line

if TYPE_CHECKING:
    from rehearse.engine.model import Script
    from rehearse.ui.screens.home_rows import Draft, Entry


def humanize(key: str) -> str:
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else key


class Start(Message):
    """Start the highlighted script with the settings on screen."""


class FormInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Start", key_display="⏎"),
    ]

    def validate_value(self, value: str) -> str:
        """A name or a detail from the settings (or pasted) never holds a character the
        terminal would obey: an Input draws its value raw."""
        return inert(value)


class PersonaPicker(RadioSet):
    """Arrows choose the persona at once; Enter starts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right", "choose(1)", "Next", show=False),
        Binding("up,left", "choose(-1)", "Previous", show=False),
        Binding("space", "toggle_button", "Choose", show=False),
        Binding("enter", "start", "Start", key_display="⏎"),
    ]

    def on_mount(self) -> None:
        # RadioSet highlights the first button on mount; highlight the chosen one instead
        pressed = self.pressed_index
        if pressed >= 0:
            self._selected = pressed

    def action_choose(self, direction: int) -> None:
        if direction > 0:
            self.action_next_button()
        else:
            self.action_previous_button()
        self.action_toggle_button()

    def action_start(self) -> None:
        self.post_message(Start())


class SetupHost(Protocol):
    """What the form asks of the screen it sits on (the home screen)."""

    @property
    def user_name(self) -> str: ...

    def draft_for(self, script: Script) -> Draft: ...

    def situation_text(self, script: Script, draft: Draft) -> Content: ...

    def persona_about(self, entry: Entry, draft: Draft) -> Content: ...

    def clash(self, script: Script, draft: Draft) -> str: ...

    def clash_text(self, script: Script, draft: Draft) -> Content: ...


def setup_form(screen: SetupHost, entry: Entry) -> ComposeResult:
    """The setup pane's widgets for a playable script."""
    script = entry.script
    assert script is not None
    draft = screen.draft_for(script)
    yield Static(plain(one_line(script.title, 200)), classes="setup-title")
    yield Static(
        Content.assemble(
            ("⏎", "bold $text-accent"),
            " starts it · ",
            ("tab", "bold $text-accent"),
            " to choose who plays your manager, your name and the details below",
        ),
        classes="setup-keys",
        markup=False,
    )
    yield Static(screen.situation_text(script, draft), id="situation", classes="setup-situation")
    yield Label("Who plays your manager", classes="setup-label")
    picker = PersonaPicker(id="personas", compact=True)
    with picker:
        for persona in entry.personas:
            text = assemble((persona.name, "bold"), (f" · {persona.difficulty}", "italic"))
            yield RadioButton(text, value=persona.id == draft.persona, name=persona.id)
    yield Static(screen.persona_about(entry, draft), id="persona-about", classes="setup-about")
    with Horizontal(classes="field"):
        yield Label("Your name", classes="field-label")
        yield FormInput(
            screen.user_name,
            placeholder="how your manager says it",
            id="name",
            max_length=60,
            compact=True,
        )
    for key, value in draft.vars.items():
        with Horizontal(classes="field"):
            yield Label(plain(humanize(key)), classes="field-label", markup=False)
            yield FormInput(
                value,
                id=f"var-{key}",
                name=key,
                classes="var-input",
                max_length=200,
                compact=True,
            )
    clash = Static(screen.clash_text(script, draft), id="name-clash", classes="setup-warning", markup=False)
    clash.display = bool(screen.clash(script, draft))
    yield clash
