"""Nothing a user types or a script says is interpreted: markup, click actions, Jinja
syntax and terminal escape sequences all show as written (escapes made inert)."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input

from rehearse.ui.screens.chat import ChatScreen, ReplyInput
from rehearse.ui.screens.debrief import DebriefScreen
from rehearse.ui.screens.home import HomeScreen
from rehearse.ui.widgets.transcript import Bubble
from tests.ui.helpers import make_app, say, screen_text, type_text, visible_text, wait_ready

SCRIPT = r"""id: markup-test
title: "[red]no[/red] [@click=app.quit]quit[/] title"
situation: "Situation with [b]bold[/b] and \e[31mred\e[0m escape."
goal: "Goal [i]literal[/i]."
personas: [weird]
rubric:
  clarity: "You were [u]clear[/u]."
start: opening
nodes:
  opening:
    boss: "Hello [red]{{ user.name }}[/red], [@click=app.quit]click me[/] \e]0;pwned\a"
    hint: "Hint [b]x[/b]"
    model: "Model [i]answer[/i]"
    replies:
      yes_reply:
        label: "Say [b]yes[/b]"
        say: ["yes I would like that very much"]
        kind: affirm
        next: done
      no_reply:
        label: "Say [i]no[/i]"
        say: ["no I would not like that at all"]
        kind: deny
        coach: "Note [b]coach[/b]"
        next: done
  done:
    end: success
    boss: "Done [blink]now[/blink]."
    debrief: "Debrief [b]text[/b]."
"""

PERSONA = """id: weird
name: "[b]Boss[/b] Name"
title: "[i]Chief[/i]"
description: "A [red]weird[/red] one."
difficulty: easy
patience: 4
"""

TYPED = "[red]no[/red] [@click=app.quit] {{ 7*7 }} $(rm -rf) %s {0}"


def _write(home: Path) -> None:
    (home / "scripts").mkdir()
    (home / "personas").mkdir()
    (home / "scripts" / "markup.yaml").write_text(SCRIPT, encoding="utf-8")
    (home / "personas" / "weird.yaml").write_text(PERSONA, encoding="utf-8")


def _flat(text: str) -> str:
    return " ".join(text.split())


async def test_user_text_shows_exactly_as_typed() -> None:
    app = make_app(script="not-this-role", name="[b]Al[/b] {{ 1+1 }}")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await type_text(pilot, TYPED)
        assert chat.query_one(ReplyInput).value == TYPED
        await pilot.press("enter")
        await pilot.pause()
        bubbles = [visible_text(b) for b in chat.query(Bubble) if b.has_class("user")]
        assert any(TYPED in text for text in bubbles)
        shown = screen_text(app)
        assert TYPED in shown
        assert "49" not in shown
        # clicking the bubble with a click action in it does nothing
        user_bubble = next(b for b in chat.query(Bubble) if b.has_class("user"))
        await pilot.click(user_bubble)
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, ChatScreen)


async def test_pasted_escape_sequences_are_shown_inert() -> None:
    app = make_app(script="not-this-role")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        chat = app.screen
        reply = chat.query_one(ReplyInput)
        reply.post_message(events.Paste("red \x1b[31mALERT\x1b[0m bell\x07 title \x1b]0;pwned\x07 end"))
        await pilot.pause()
        assert reply.text.startswith("red ␛[31mALERT␛[0m bell␇")  # the box draws its text raw
        await pilot.press("enter")
        await pilot.pause()
        bubbles = [visible_text(b) for b in chat.query(Bubble) if b.has_class("user")]
        assert bubbles
        assert "\x1b" not in bubbles[-1]
        assert "␛[31mALERT␛[0m" in bubbles[-1]
        assert "\x1b" not in screen_text(app)


async def test_a_name_or_a_taken_back_reply_never_puts_terminal_controls_in_a_text_box() -> None:
    """Input and TextArea draw their value raw: a name from the settings, or a stored reply
    put back in the box, shows its controls as stand-ins."""
    app = make_app(name="Al \x1b]0;PWNED\x07 \u202eX")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        name = app.screen.query_one("#name", Input)
        assert name.value == "Al ␛]0;PWNED␇ \\u202eX"
        assert "\x1b" not in screen_text(app) and "\u202e" not in screen_text(app)
    app = make_app(script="not-this-role")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        reply = app.screen.query_one(ReplyInput)
        reply.value = "hi \x1b]0;PWN\x07 \u202eRTL"
        assert reply.text == "hi ␛]0;PWN␇ \\u202eRTL"


async def test_script_and_persona_text_shows_exactly_as_written(rehearse_home: Path) -> None:
    _write(rehearse_home)
    app = make_app(name="[b]Al[/b]")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        shown = screen_text(app)
        assert "[red]no[/red] [@click=app.quit]quit[/] title" in shown
        # open it from the list
        scripts = home.query_one("#scripts")
        scripts.highlighted = scripts.get_option_index("script:markup-test")
        await pilot.pause()
        shown = _flat(screen_text(app))
        assert "[b]Boss[/b] Name" in shown
        assert "Situation with [b]bold[/b] and ␛[31mred␛[0m escape." in shown
        # clicking the title line with a click action in it does not quit
        await pilot.click("#scripts")
        await pilot.pause()
        assert app.is_running
        await pilot.press("enter")
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        shown = _flat(screen_text(app))
        assert "Hello [red][b]Al[/b][/red], [@click=app.quit]click me[/] ␛]0;pwned␇" in shown
        assert "Goal [i]literal[/i]." in shown
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert "Hint [b]x[/b]" in _flat(screen_text(app))
        await pilot.press("ctrl+o")
        await pilot.pause()
        shown = _flat(screen_text(app))
        assert "Say [b]yes[/b]" in shown and "Say [i]no[/i]" in shown
        await say(pilot, "2")
        assert chat.state.ending is not None
        assert "Done [blink]now[/blink]." in _flat(screen_text(app))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("end")
        await pilot.pause()
        shown = _flat(screen_text(app))
        for literal in (
            "Debrief [b]text[/b].",
            "You were [u]clear[/u].",
            "Note [b]coach[/b]",
            "Model [i]answer[/i]",
            "Say [i]no[/i]",
        ):
            assert literal in shown or literal in _flat(_all_debrief_text(app)), literal


def _all_debrief_text(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return " ".join(visible_text(w) for w in screen.query("Static"))
