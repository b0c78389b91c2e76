"""The home screen: the list, starting with Enter, remembered settings, broken scripts, the
command palette, the help screen and the theme."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Button, OptionList, RadioSet

from rehearse.ui.screens.chat import ChatScreen
from rehearse.ui.screens.help import HelpScreen
from rehearse.ui.screens.home import HomeScreen, SetupPane
from rehearse.workspace import settings as prefs
from tests.cli.helpers import run
from tests.ui.helpers import BUNDLED_IDS, make_app, say, screen_text, type_text, wait_ready


class FakeHistory:
    def summary(self) -> dict[str, tuple[int, str | None]]:
        return {"not-this-role": (3, "partial"), "passed-over": (1, "success")}

    def store(self) -> None:
        return None


def _highlight(home: HomeScreen, script_id: str) -> None:
    scripts = home.query_one(OptionList)
    scripts.highlighted = scripts.get_option_index(f"script:{script_id}")


async def test_lists_every_bundled_script_with_its_details() -> None:
    app = make_app(history=FakeHistory())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        scripts = home.query_one(OptionList)
        ids = [scripts.get_option_at_index(i).id for i in range(scripts.option_count)]
        assert ids == [
            f"script:{s.id}" for s in sorted(app.catalog.scripts.values(), key=lambda s: s.title.lower())
        ]
        assert sorted(i.split(":", 1)[1] for i in ids) == BUNDLED_IDS
        text = screen_text(app)
        assert "3 attempts · best ◐ partial" in text
        assert "1 attempt · best ✓ success" in text
        assert "not tried yet" in text
        for script in app.catalog.scripts.values():
            assert script.title in text
        assert "easy–hard" in text
        # the setup side shows the personas of the highlighted script
        radio = home.query_one(RadioSet)
        first = app.catalog.scripts[ids[0].split(":", 1)[1]]
        assert [b.name for b in radio.query("RadioButton")] == list(first.personas)


async def test_without_history_attempts_start_from_nothing() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        assert screen_text(app).count("not tried yet · best –") == len(BUNDLED_IDS)


async def test_start_with_enter_and_settings_are_remembered() -> None:
    app = make_app(name=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        _highlight(home, "not-this-role")
        await pilot.pause()
        await pilot.press("tab")  # the persona picker
        await pilot.press("down")  # choose the second persona
        await pilot.press("tab")  # your name
        await pilot.press("ctrl+u")
        await type_text(pilot, "Robin")
        await pilot.press("tab")  # the first variable
        await pilot.press("ctrl+u")
        await type_text(pilot, "lab lead post")
        await pilot.press("enter")
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        script = chat.state.script
        assert chat.state.persona.id == script.personas[1]
        assert chat.state.setup.user_name == "Robin"
        first_var = next(iter(script.vars))
        assert chat.state.setup.vars[first_var] == "lab lead post"
    saved = prefs.load_prefs()
    assert saved.name == "Robin"
    assert saved.for_script("not-this-role").persona == script.personas[1]
    assert (
        json.loads(prefs.prefs_path().read_text())["scripts"]["not-this-role"]["vars"][first_var]
        == "lab lead post"
    )
    # next run: prefilled
    app = make_app(name=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        home = app.screen
        _highlight(home, "not-this-role")
        await pilot.pause()
        assert home.query_one("#name").value == "Robin"
        assert home.query_one(f"#var-{first_var}").value == "lab lead post"
        pressed = home.query_one(RadioSet).pressed_button
        assert pressed is not None and pressed.name == script.personas[1]
        # ctrl+r resets to the script's defaults
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert home.query_one(f"#var-{first_var}").value == script.vars[first_var]


async def test_enter_on_the_list_starts_and_the_mouse_works_too() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        await pilot.press("down")
        await pilot.pause()
        highlighted = home.query_one(OptionList).highlighted_option
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert f"script:{app.screen.state.script.id}" == highlighted.id
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # confirm leaving
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # click the start button
        button = app.screen.query_one(Button)
        assert await pilot.click(button)
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)


async def test_broken_and_missing_user_scripts_show_as_broken(rehearse_home: Path, tmp_path: Path) -> None:
    folder = rehearse_home / "scripts"
    folder.mkdir()
    (folder / "bad.yaml").write_text("id: bad\ntitle: Bad one\nnods: {}\nstart: x\n", encoding="utf-8")
    (folder / "worse.yaml").write_text("id: worse\n  - : [\n", encoding="utf-8")
    missing = tmp_path / "no-such-folder"
    app = make_app(extra_paths=[missing])
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        text = screen_text(app)
        assert "broken: bad.yaml" in text
        assert "broken: worse.yaml" in text
        assert "broken: no-such-folder" in text
        assert "unknown field 'nods'" in text
        # select the broken one: the first diagnostic shows, with its line
        scripts = home.query_one(OptionList)
        broken = [
            i for i in range(scripts.option_count) if scripts.get_option_at_index(i).id.startswith("broken:")
        ]
        scripts.highlighted = broken[0]
        await pilot.pause()
        text = screen_text(app)
        assert "This script cannot be played" in text
        assert "did you mean 'nodes'?" in text or "YAML syntax error" in text
        await pilot.press("enter")  # refused politely
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # the rest works
        _highlight(home, BUNDLED_IDS[0])
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)


async def test_play_opens_straight_into_the_conversation_with_cli_values() -> None:
    app = make_app(script="passed-over", persona="morgan", variables={"winner": "Jo"})
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_ready(pilot)
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.state.persona.id == "morgan"
        assert chat.state.setup.vars["winner"] == "Jo"
        assert chat.state.setup.seed == 7
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


def test_unknown_script_from_the_command_line_says_what_there_is() -> None:
    result = run("play", "no-such-script")
    assert result.returncode == 2
    assert "no script 'no-such-script'" in result.stderr and "not-this-role" in result.stderr


async def test_command_palette_starts_a_script_and_toggles_panel_and_theme() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        title = app.catalog.scripts["passed-over"].title
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, f"Start: {title[:12]}")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.state.script.id == "passed-over"
        # switch persona from the palette
        other = app.catalog.personas[chat.state.script.personas[1]]
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, f"Persona: {other.name}")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert chat.state.persona.id == other.id
        # toggle the panel from the palette
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Toggle side panel")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert not chat.query_one("#side-panel").display
        # starting another script from inside a conversation replaces it
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Start: " + app.catalog.scripts["not-this-role"].title[:12])
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.state.script.id == "not-this-role"
        assert len(app.screen_stack) == 2
        # and the theme
        before = app.theme
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Toggle light/dark theme")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme != before
        assert prefs.load_prefs().theme == app.theme


async def test_help_lists_every_key_of_every_screen() -> None:
    from rehearse.ui.screens.chat import ChatScreen as Chat
    from rehearse.ui.screens.debrief import DebriefScreen

    app = make_app(script="not-this-role")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-body")
        texts = " ".join(" ".join(str(getattr(w, "visual", "")).split()) for w in body.query("Static"))
        for screen in (HomeScreen, Chat, DebriefScreen):
            for binding in screen.BINDINGS:
                description = binding.tooltip or binding.description
                assert " ".join(description.split()) in texts, description
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)


async def test_setup_pane_shows_the_situation_with_the_chosen_persona() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        home = app.screen
        _highlight(home, "not-this-role")
        await pilot.pause()
        pane = home.query_one(SetupPane)
        first = app.catalog.personas[app.catalog.scripts["not-this-role"].personas[0]]
        assert first.name in str(pane.query_one("#situation").visual)
        await pilot.click("#personas")
        await pilot.press("down")
        await pilot.pause()
        second = app.catalog.personas[app.catalog.scripts["not-this-role"].personas[1]]
        assert second.name in str(pane.query_one("#situation").visual)


async def test_a_conversation_from_home_and_back_updates_nothing_it_should_not() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_ready(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await say(pilot, "hello")
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one(OptionList).option_count == len(BUNDLED_IDS)


async def test_a_name_shared_with_someone_in_the_script_is_warned_of_before_play() -> None:
    app = make_app(name=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        _highlight(home, "passed-over")
        await pilot.pause()
        clash = home.query_one("#name-clash")
        name = home.query_one("#name")
        name.value = "Alex"  # the default winner's name too
        await pilot.pause()
        assert clash.display
        assert "Your name, Alex, is also the winner" in screen_text(app)
        # the first Start says so and stays; the name field has the focus to change it
        home.start()
        await pilot.pause()
        assert app.screen is home and app.focused is name
        # changing the winner's name instead clears the warning
        home.query_one("#var-winner").value = "Priya"
        await pilot.pause()
        assert not clash.display
        home.start()
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert (chat.state.setup.user_name, chat.state.setup.vars["winner"]) == ("Alex", "Priya")


async def test_starting_again_after_the_warning_plays_as_it_is() -> None:
    app = make_app(name=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        _highlight(home, "passed-over")
        await pilot.pause()
        home.query_one("#name").value = "Alex"
        await pilot.pause()
        home.start()
        await pilot.pause()
        assert app.screen is home
        home.start()
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
