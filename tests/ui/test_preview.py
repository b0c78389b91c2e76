"""Live preview for authors: play FILE --watch reloads the script, and the author overlay."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rehearse.engine.runtime import matching
from rehearse.engine.runtime.matching import decide
from rehearse.ui.screens.chat import ChatScreen, ReplyInput
from rehearse.ui.widgets.author import AuthorOverlay, ReloadErrors
from rehearse.ui.widgets.transcript import Bubble, NoteCard
from rehearse.workspace import paths
from tests.ui.helpers import make_app, say, type_text, visible_text, wait_ready

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"
DATA = Path(__file__).resolve().parent / "snapshot_data"

BOB = "Bob is useless and lazy"
WANT = "I want the lead job"
BACK_LINE = "Thanks for coming back to it. Shall we set up a chat with HR?"


@pytest.fixture
def script_file(tmp_path: Path) -> Path:
    folder = tmp_path / "drafts"
    folder.mkdir()
    for name in ("mini.yaml", "pat.yaml", "kim.yaml"):
        shutil.copy(MINI / name, folder / name)
    return folder / "mini.yaml"


def rewrite(path: Path, old: str, new: str) -> None:
    """Edit the file as an editor would, with a later mtime than any seen so far."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    save(path, text.replace(old, new))


def save(path: Path, text: str) -> None:
    stamp = path.stat().st_mtime_ns + 1_000_000_000
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))


def watch_app(path: Path, **kwargs: Any) -> Any:
    # interval 0: no polling timer; the tests call the check themselves
    return make_app(watch=path, watch_interval=kwargs.pop("watch_interval", 0), persona="pat", **kwargs)


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def open_chat(pilot: Any) -> ChatScreen:
    await wait_ready(pilot)
    await settle(pilot)  # the first check, at mount
    chat = pilot.app.screen
    assert isinstance(chat, ChatScreen)
    return chat


async def reload_now(pilot: Any, chat: ChatScreen) -> None:
    assert chat.preview.check(), "the edit was not noticed"
    await settle(pilot)


def boss_lines(chat: ChatScreen) -> list[str]:
    return [visible_text(b) for b in chat.query(Bubble) if b.has_class("boss")]


def user_lines(chat: ChatScreen) -> list[str]:
    return [visible_text(b) for b in chat.query(Bubble) if b.has_class("user")]


def notices(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def test_watch_opens_the_file_and_an_edited_line_appears_after_reload(
    script_file: Path,
) -> None:
    app = watch_app(script_file)
    async with app.run_test(size=(100, 34)) as pilot:
        chat = await open_chat(pilot)
        assert chat.state.script.path == str(script_file)
        assert chat.preview.path == script_file
        await say(pilot, BOB)
        await say(pilot, WANT)
        assert chat.state.node == "agreed_q"
        assert any(BACK_LINE in line for line in boss_lines(chat))
        before = chat.state

        rewrite(script_file, BACK_LINE, "Fair enough, Alex. Shall I book HR for Tuesday?")
        await reload_now(pilot, chat)

        assert chat.state is not before
        assert chat.state.inputs == (BOB, WANT)
        assert chat.state.node == "agreed_q"
        assert chat.preview.reloads == 1 and chat.preview.last_divergence is None
        lines = boss_lines(chat)
        assert any("Shall I book HR for Tuesday?" in line for line in lines)
        assert not any(BACK_LINE in line for line in lines)
        # the transcript is kept: both replies still on screen, once each
        users = user_lines(chat)
        assert sum(BOB in u for u in users) == 1 and sum(WANT in u for u in users) == 1
        assert any("Reloaded mini.yaml: 2 replies replayed." in n for n in notices(app))
        # and the conversation goes on, on the new version
        await say(pilot, "yes please")
        assert chat.state.ending is not None and chat.state.ending.outcome == "success"


async def test_a_reply_that_now_goes_elsewhere_stops_the_replay_there(script_file: Path) -> None:
    app = watch_app(script_file)
    async with app.run_test(size=(100, 34)) as pilot:
        chat = await open_chat(pilot)
        await say(pilot, BOB)
        await say(pilot, WANT)
        assert chat.state.node == "agreed_q"
        # recover's "want" now leads to the fail ending
        rewrite(
            script_file,
            "        set: {asked: true}\n        next: agreed_q\n",
            "        set: {asked: true}\n        next: blew_it\n",
        )
        await reload_now(pilot, chat)

        divergence = chat.preview.last_divergence
        assert divergence is not None
        assert (divergence.turn, divergence.text) == (2, WANT)
        assert divergence.before == "want -> agreed_q"
        assert divergence.after == "want -> blew_it (ends: fail)"
        # the state after the last reply that still goes the same way
        assert chat.state.inputs == (BOB,)
        assert chat.state.node == "recover" and chat.state.ending is None
        assert any(
            "Turn 2 now goes another way" in n and WANT in n and "want -> blew_it" in n for n in notices(app)
        )
        notes = [c for c in chat.query(NoteCard) if c.has_class("reload")]
        assert len(notes) == 1
        assert WANT not in "".join(user_lines(chat))
        # the reply that diverged waits in the box, to send again on the new version
        assert chat.query_one(ReplyInput).value == WANT
        await pilot.press("enter")
        await pilot.pause()
        assert chat.state.ending is not None and chat.state.ending.outcome == "fail"


async def test_a_broken_file_shows_its_errors_and_the_old_version_keeps_running(
    script_file: Path,
) -> None:
    app = watch_app(script_file)
    async with app.run_test(size=(100, 34)) as pilot:
        chat = await open_chat(pilot)
        panel = chat.query_one(ReloadErrors)
        assert not panel.shown and not panel.display
        await say(pilot, BOB)
        good = chat.state
        good_text = script_file.read_text(encoding="utf-8")
        rewrite(script_file, "start: opening", "start: openingg")
        await reload_now(pilot, chat)

        assert panel.shown and panel.display
        text = panel.text
        line = good_text.splitlines().index("start: opening") + 1
        assert f"{script_file}:{line}:8: error R101" in text
        assert "did you mean 'opening'?" in text
        assert "start: openingg" in text and "^" in text  # the source line and its caret
        assert chat.state is good
        assert chat.preview.reloads == 0
        # the last good version keeps running
        await say(pilot, WANT)
        assert chat.state.node == "agreed_q"
        assert chat.state.script is good.script
        # markup in a diagnostic is shown as typed
        rewrite(script_file, "start: openingg", "start: '[red]nope'")
        await reload_now(pilot, chat)
        assert "[red]nope" in panel.text
        # fixed: the panel goes and the fixed version takes over
        save(script_file, good_text.replace(BACK_LINE, "Good. HR next week?"))
        await reload_now(pilot, chat)
        assert not panel.shown and not panel.display
        assert chat.preview.reloads == 1
        assert chat.state.inputs == (BOB, WANT)
        assert any("Good. HR next week?" in line for line in boss_lines(chat))


def test_a_file_broken_from_the_start_is_reported_before_the_app_opens(script_file: Path) -> None:
    rewrite(script_file, "start: opening", "start: openingg")
    result = CliRunner().invoke(cli_group(), ["play", str(script_file), "--watch", "-p", "pat"])
    assert result.exit_code == 2
    assert "error R101" in result.output and f"{script_file}:" in result.output


async def test_the_polling_timer_notices_a_save(script_file: Path) -> None:
    app = watch_app(script_file, watch_interval=0.05)
    async with app.run_test(size=(100, 34)) as pilot:
        chat = await open_chat(pilot)
        await say(pilot, BOB)
        rewrite(script_file, "That's not really fair on Bob.", "Hold on, that's unkind.")
        for _ in range(200):
            if chat.preview.reloads:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert chat.preview.reloads == 1
        assert any("Hold on, that's unkind." in line for line in boss_lines(chat))


async def test_the_author_overlay_scores_the_text_being_typed() -> None:
    app = make_app(script="not-this-role")  # without --watch
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_ready(pilot)
        chat = pilot.app.screen
        assert isinstance(chat, ChatScreen)
        overlay = chat.query_one(AuthorOverlay)
        assert not overlay.display
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert overlay.display
        ids = [c.id for c in chat.state.candidates()]
        shown = visible_text(overlay)
        assert "type a reply" in shown and all(i in shown for i in ids)

        text = "I'd rather stay where I am, thanks"
        await type_text(pilot, text)
        await pilot.pause(0.3)  # the overlay's debounce
        expected = decide(text, chat.state.candidates())
        shown = visible_text(overlay)
        rule = (
            f"{matching.THRESHOLD:4.0f}  ── threshold ({matching.THRESHOLD + matching.SHORT_EXTRA:.0f} "
            f"for 1-2 words; margin {matching.MARGIN:.0f}) ──"
        )
        assert rule in shown
        top = expected.scores[0]
        assert f"{top.score:4.0f}  {top.reply}" in shown
        for score in expected.scores:
            assert score.reply in shown
        together = matching.favoured(text, chat.state.candidates())
        assert together and f"examples together favour {together[0][0]} {together[0][1]:.2f}" in shown
        if expected.kind == "matched":
            assert f"matched → {expected.reply}" in shown
            assert f" ▶ {top.score:4.0f}  {top.reply}" in shown
        elif expected.kind == "checkback":
            assert f"check-back: {expected.reply}?" in shown
        else:
            assert expected.kind in shown
        # off again, and the input kept every key
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert not overlay.display
        assert chat.query_one(ReplyInput).value == text


async def test_the_overlay_is_open_when_watching_and_follows_the_node(script_file: Path) -> None:
    app = watch_app(script_file)
    async with app.run_test(size=(100, 34)) as pilot:
        chat = await open_chat(pilot)
        overlay = chat.query_one(AuthorOverlay)
        assert overlay.display
        assert "knock_peer" in visible_text(overlay)
        await type_text(pilot, "Bob is lazy")
        await pilot.pause(0.3)
        assert "matched → knock_peer" in visible_text(overlay)
        await pilot.press("enter")
        await pilot.pause()
        assert chat.state.node == "recover"
        shown = visible_text(overlay)
        assert "again" in shown and "knock_peer" not in shown


def test_play_watch_needs_a_file(script_file: Path) -> None:
    from rehearse.cli.group import cli

    result = CliRunner().invoke(cli, ["--path", str(script_file.parent), "play", "mini", "--watch"])
    assert result.exit_code == 2
    assert "--watch needs a script file" in result.output
    result = CliRunner().invoke(cli, ["play", str(script_file), "--watch", "--plain"])
    assert result.exit_code == 2
    assert "--watch goes with the app" in result.output


def cli_group() -> Any:
    from rehearse.cli.group import cli

    return cli


def test_play_watch_opens_the_app_on_the_file(script_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rehearse.cli import play

    seen: dict[str, Any] = {}
    monkeypatch.setattr(play, "run_app", lambda launch, save: seen.update(launch=launch, save=save))
    result = CliRunner().invoke(cli_group(), ["play", str(script_file), "--watch", "-p", "kim"])
    assert result.exit_code == 0, result.output
    launch = seen["launch"]
    assert launch.watch == script_file
    assert launch.script.id == "mini" and launch.persona.id == "kim"
    assert seen["save"] is False  # a watched session is not saved


@pytest.fixture
def frozen_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "bundled_dir", lambda: DATA)


def test_chat_with_overlay_snapshot(snap_compare: Any, frozen_scripts: None) -> None:
    from textual.widgets import Input, TextArea

    async def run_before(pilot: Any) -> None:
        await wait_ready(pilot)
        await pilot.press("ctrl+y")
        await type_text(pilot, "I don't think I'm ready for the role")
        await pilot.pause(0.3)  # the overlay's debounce
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        for area in pilot.app.screen.query(TextArea):
            area.cursor_blink = False  # the reply box
        await pilot.pause()

    app = make_app(script="not-this-role", persona="joe", seed=3)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
