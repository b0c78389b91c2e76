"""Sessions through the command line: saving plain play, sessions, replay, export, stats, purge."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from rehearse.cli.group import cli
from rehearse.engine.runtime import session as sess
from rehearse.history.store import SCHEMA_VERSION, Store
from rehearse.workspace.library import script_and_persona
from rehearse.workspace.paths import database_path

REHEARSE = Path(sys.executable).parent / "rehearse"

SCRIPT = textwrap.dedent(
    """\
    id: cli-raise
    title: Ask for a raise
    situation: You ask {{ persona.name }} for a raise of {{ amount }}.
    goal: Ask plainly, then back it with results.
    personas: [pat]
    vars: {amount: "5%"}
    rubric:
      clarity: Ask plainly for what you want.
      evidence:
        criterion: Back the ask with results.
        met: You backed it with results.
    start: opening
    nodes:
      opening:
        boss: "Hi {{ user.name }}. What's up?"
        hint: Ask for the raise in one sentence.
        model: I'd like to ask for a raise of {{ amount }}.
        replies:
          ask:
            label: Ask for a raise
            say: ["I would like a raise", "can I have a pay rise", "I want more money"]
            score: {clarity: 2}
            next: why
          chat:
            label: Make small talk
            say: ["how was your weekend", "nice weather today"]
            score: {clarity: -1}
            coach: Small talk first is fine; do not let it replace the ask.
            next: opening
      why:
        boss: "Why should I?"
        replies:
          results:
            label: Point at results
            say: ["I delivered the project early", "my results were strong this year"]
            score: {evidence: 2}
            next: agreed
          plead:
            label: Plead
            say: ["please I really need it", "I have bills to pay"]
            score: {evidence: -1}
            coach: Need is not a reason to pay more. Tie the ask to what you delivered.
            next: refused
      agreed:
        end: success
        boss: "Fair enough. Let's do it."
        debrief: You asked plainly and backed it with results.
      refused:
        end: fail
        boss: "Not this year."
        debrief: Tie the ask to results, not to need.
    """
)
PERSONA = textwrap.dedent(
    """\
    id: pat
    name: Pat Boss
    title: Manager
    difficulty: easy
    patience: 5
    """
)
ODD = "how was your <b>weekend</b>? [red]nice[/red] weather *today* {{ 7*7 }} \x1b[31m"
WIN = [ODD, "I would like a raise", "I delivered the project early"]
LOSE = ["I would like a raise", "please I really need it"]


@pytest.fixture
def script_file(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "pat.yaml").write_text(PERSONA)
    path = folder / "cli-raise.yaml"
    path.write_text(SCRIPT)
    return path


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, obj={}, catch_exceptions=False)


def play(script_file: Path, inputs: list[str], *extra: str) -> Result:
    result = invoke(
        "play",
        str(script_file),
        "--plain",
        "--seed",
        "5",
        "--name",
        "Ana",
        *extra,
        input="".join(f"{line}\n" for line in inputs),
    )
    assert result.exit_code == 0, result.output
    return result


def stored(session: str = "latest"):  # type: ignore[no-untyped-def]
    with Store.open(database_path()) as store:
        return store.load(session)


# -- recording plain play ----------------------------------------------------------------------


def test_plain_play_saves_every_turn_and_sessions_lists_it(script_file: Path) -> None:
    play(script_file, WIN)
    kept = stored()
    assert kept.inputs == tuple(WIN)
    assert kept.outcome == "success" and kept.ended is not None
    assert kept.user_name == "Ana" and kept.seed == 5 and kept.script_path == str(script_file)

    listing = invoke("sessions")
    assert listing.exit_code == 0
    header, row = listing.output.splitlines()[:2]
    assert header.split() == ["ID", "DATE", "SCRIPT", "PERSONA", "OUTCOME", "SCORE", "TURNS"]
    assert row.split()[0] == str(kept.id)
    # the script's title and the boss's first name, as the app shows them; ids only in --json
    assert row.split()[3:] == ["Ask", "for", "a", "raise", "Pat", "success", "65", "3"]

    data = json.loads(invoke("sessions", "--json").output)
    assert data["total"] == 1
    (entry,) = data["sessions"]
    assert (
        entry["id"],
        entry["script"],
        entry["persona"],
        entry["outcome"],
        entry["score"],
        entry["turns"],
    ) == (kept.id, "cli-raise", "pat", "success", 65, 3)


def test_sessions_filters_and_pages(script_file: Path) -> None:
    for inputs in (WIN, LOSE, LOSE):
        play(script_file, inputs)
    data = json.loads(invoke("sessions", "--outcome", "fail", "--json").output)
    assert data["total"] == 2 and [s["outcome"] for s in data["sessions"]] == ["fail", "fail"]
    page = invoke("sessions", "--limit", "1", "--offset", "1")
    assert "Showing 2-2 of 3. More: --offset 2" in page.output
    none = invoke("sessions", "--script", "nothing-here")
    assert "No stored sessions match." in none.output


def test_no_save_keeps_nothing(script_file: Path) -> None:
    play(script_file, LOSE, "--no-save")
    with Store.open(database_path()) as store:
        assert store.count() == 0


def test_undo_in_plain_mode_takes_the_turn_back_in_the_store(script_file: Path) -> None:
    play(script_file, ["how was your weekend", ":undo", "I would like a raise"])
    kept = stored()
    assert kept.inputs == ("I would like a raise",)
    assert kept.turn_count == 1 and kept.outcome is None and kept.node == "why"


def _reader(stream, lines: queue.Queue[str | None]) -> None:  # type: ignore[no-untyped-def]
    for line in stream:
        lines.put(line)
    lines.put(None)


def test_a_killed_plain_session_keeps_the_replies_already_given() -> None:
    found = script_and_persona("not-this-role", "joe")
    state = sess.begin(sess.Setup(found.script, found.persona, seed=1))
    replies: list[str] = []
    for _ in range(3):
        text = sess.model_answer(state)
        assert text is not None
        replies.append(text)
        state, _turn = sess.step(state, text)
    assert state.ending is None, "three replies must leave the conversation open"
    boss = f"{found.persona.name}: "

    proc = subprocess.Popen(
        [str(REHEARSE), "play", "not-this-role", "--plain", "--persona", "joe", "--seed", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []

    def wait_for_boss_lines(count: int) -> None:
        while sum(line.startswith(boss) for line in seen) < count:
            line = lines.get(timeout=60)
            assert line is not None, "rehearse exited early:\n" + "".join(seen)
            seen.append(line)

    try:
        wait_for_boss_lines(1)  # the opening
        for i, reply in enumerate(replies, start=2):
            proc.stdin.write(reply + "\n")
            proc.stdin.flush()
            wait_for_boss_lines(i)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    kept = stored()
    assert kept.inputs == tuple(replies)
    assert kept.turn_count == 3 and kept.outcome is None and kept.ended is None
    replay = invoke("replay", "latest", "--plain")
    assert replay.exit_code == 0
    for i, reply in enumerate(replies, start=1):
        assert f"[{i}] You: {reply}" in replay.output
    printed_boss = [line.rstrip("\n") for line in seen if line.startswith(boss)]
    for line in printed_boss:
        assert line in replay.output
    assert "every turn went the same way" in replay.output


# -- replay ------------------------------------------------------------------------------------


def test_replay_prints_the_transcript_exactly_with_how_each_reply_was_read(
    script_file: Path,
) -> None:
    result = play(script_file, LOSE)
    replay = invoke("replay", "latest", "--plain")
    assert replay.exit_code == 0
    out = replay.output
    # Every boss line the player saw is in the replay, in the same order.
    said = [line for line in result.output.splitlines() if line.startswith("Pat Boss: ")]
    replayed = [line for line in out.splitlines() if line.startswith("Pat Boss: ")]
    assert (
        said
        == replayed
        == ["Pat Boss: Hi Ana. What's up?", "Pat Boss: Why should I?", "Pat Boss: Not this year."]
    )
    assert "  ·  you: Ana" in out.splitlines()[1]
    assert "[1] You: I would like a raise" in out
    assert "understood as “Ask for a raise”" in out
    assert "[2] You: please I really need it" in out
    assert "(coach) Need is not a reason to pay more." in out
    assert "Outcome: ✗ fail" in out and "Tie the ask to results, not to need." in out
    assert "evidence: missed, 40/100" in out and "turn 2: -10 from your reply, taken as “Plead”" in out
    assert "Score: 55/100" in out  # the mean of clarity 70 and evidence 40
    # the met line is a claim: not printed when evidence was missed, and never a tip
    assert "You backed it with results." not in out and "  - Back the ask with results." in out
    assert "every turn went the same way" in out
    assert "changed since" not in out
    assert invoke("replay", "latest").output == out  # not in a terminal: the text form


def test_replay_of_a_session_without_a_name_does_not_call_you_you(script_file: Path) -> None:
    result = invoke("play", str(script_file), "--plain", "--seed", "5", input="I would like a raise\n")
    assert result.exit_code == 0, result.output
    header = invoke("replay", "latest", "--plain").output.splitlines()[1]
    assert "seed 5" in header and "you:" not in header


def test_replay_and_export_play_the_stored_replies_again_once(
    script_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rehearse.engine.runtime import coach

    play(script_file, LOSE)
    begun: list[object] = []
    real_begin = sess.begin
    monkeypatch.setattr(sess, "begin", lambda setup: begun.append(setup) or real_begin(setup))
    assert invoke("replay", "latest", "--plain").exit_code == 0
    assert len(begun) == 1
    begun.clear()
    assert invoke("export", "latest", "--format", "md").exit_code == 0
    assert len(begun) == 1
    assert coach._rules.cache_info().misses <= 1  # the coach is built once per process


def test_replay_in_a_terminal_opens_the_app_s_replay_screen(
    script_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rehearse.cli import launch, review

    play(script_file, LOSE)
    opened: list[Any] = []
    monkeypatch.setattr(review, "_interactive", lambda: True)
    monkeypatch.setattr(launch, "run_app", lambda how, **_: opened.append(how))
    result = invoke("replay", "latest")
    assert result.output == "" and [how.replay for how in opened] == [stored().id]
    assert "Pat Boss: " in invoke("replay", "latest", "--plain").output and len(opened) == 1


def test_replay_after_the_script_is_edited_shows_what_happened_and_what_changed(
    script_file: Path,
) -> None:
    play(script_file, WIN)
    script_file.write_text(
        SCRIPT.replace('boss: "Why should I?"', 'boss: "Convince me."').replace(
            "next: agreed", "next: refused"
        )
    )
    out = invoke("replay", "latest").output
    assert "Pat Boss: Why should I?" in out and "Convince me." not in out
    assert "Pat Boss: Fair enough. Let's do it." in out and "Outcome: ✓ success" in out
    assert "every turn went the same way" in out  # from the copy kept with the session
    assert "The script changed since this session. With the current version 2 turns go" in out
    assert "  turn 2: the boss's line is different now" in out
    assert "  turn 3: it ended “Success”; now it would end “Not this time”" in out


def test_replay_finds_a_moved_script_by_its_id_on_the_search_path(
    script_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    play(script_file, WIN)
    monkeypatch.setenv("REHEARSE_PATH", str(script_file.parent))
    script_file.unlink()  # now under another name, edited, beside a script of another id
    (script_file.parent / "raise-v2.yaml").write_text(SCRIPT.replace("next: agreed", "next: refused"))
    (script_file.parent / "other.yaml").write_text(SCRIPT.replace("id: cli-raise", "id: other"))
    out = invoke("replay", "latest").output
    assert "The script changed since this session. With the current version 1 turn goes" in out
    assert "  turn 3: it ended “Success”; now it would end “Not this time”" in out


def test_replay_says_when_the_script_file_now_has_errors(
    script_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    play(script_file, LOSE)
    monkeypatch.setenv("REHEARSE_PATH", str(script_file.parent))
    script_file.write_text(SCRIPT.replace("start: opening", "start: nowhere"))
    out = invoke("replay", "latest").output
    assert "Pat Boss: Not this year." in out
    assert "The current script: the script file now has errors;" in out


def test_replay_after_the_script_is_deleted_still_works(script_file: Path) -> None:
    play(script_file, LOSE)
    script_file.unlink()
    out = invoke("replay", "latest").output
    assert "Pat Boss: Not this year." in out
    assert "uses the copy kept with the session" in out


def test_replay_of_an_unknown_session_fails_clearly() -> None:
    result = invoke("replay", "latest")
    assert result.exit_code == 2
    assert "no sessions stored yet" in result.output
    assert "no session 42" in invoke("replay", "42").output


# -- export ------------------------------------------------------------------------------------


def test_export_markdown(script_file: Path) -> None:
    play(script_file, WIN)
    out = invoke("export", "latest", "--format", "md").output
    assert out.startswith("# Ask for a raise\n")
    assert "| With | Pat Boss |" in out and "| Outcome | **Success** |" in out
    assert "## Situation\n\nYou ask Pat Boss for a raise of 5%." in out
    assert "**Goal:** Ask plainly, then back it with results." in out
    assert "**Pat Boss:** Hi Ana. What's up?" in out
    # The user's text shows literally: markup escaped, the escape character made visible.
    assert (
        "> how was your \\<b\\>weekend\\</b\\>? \\[red\\]nice\\[/red\\] weather \\*today\\* "
        "{{ 7\\*7 }} ␛\\[31m\n"
    ) in out
    assert "\x1b" not in out
    assert "*understood as “Make small talk” (" in out and "% match, closest to" in out
    assert "- **Coach:** Small talk first is fine; do not let it replace the ask." in out
    assert "**Pat Boss:** Fair enough. Let's do it." in out
    assert "## Ending: Success\n\nYou asked plainly and backed it with results." in out
    # Scores on the 0-100 scale, each traced to the turn and reply that gave it.
    assert "Score: **65** out of 100" in out
    assert (
        "| clarity | partly met | 60 | turn 1 -10 (your reply, taken as “Make small talk”); turn 2 +20 "
        "(your reply, taken as “Ask for a raise”) | Ask plainly for what you want. |"
    ) in out
    assert (
        "| evidence | met | 70 | You backed it with results. turn 3 +20 (your reply, taken as "
        "“Point at results”) | Back the ask with results. |"
    ) in out
    assert "- **A strong reply here:** " in out


def test_an_export_of_a_conversation_left_at_once_claims_no_score(script_file: Path) -> None:
    play(script_file, [":quit"])
    md = invoke("export", "latest", "--format", "md").output
    assert "Not scored: no reply and no flag spoke to any dimension." in md and "out of 100" not in md
    html = invoke("export", "latest", "--format", "html").output
    assert "Not scored" in html and "/100" not in html and "out of 100" not in html


def test_export_html_is_one_safe_self_contained_page(script_file: Path, tmp_path: Path) -> None:
    play(script_file, LOSE)
    play(script_file, WIN)
    target = tmp_path / "out" / "session.html"
    result = invoke("export", "latest", "-o", str(target))
    assert result.exit_code == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<style>" in page and "@media print" in page
    for external in ("<script", "<link", "src=", "http://", "https://"):
        assert external not in page
    assert "<b>weekend</b>" not in page and "&lt;b&gt;weekend&lt;/b&gt;?" in page
    assert "[red]nice[/red] weather *today* {{ 7*7 }} ␛[31m" in page and "\x1b" not in page
    assert "Hi Ana. What&#39;s up?" in page
    assert "understood as “Ask for a raise”" in page
    assert "Small talk first is fine; do not let it replace the ask." in page
    assert 'Ending: <span class="success">Success</span>' in page
    assert "You asked plainly and backed it with results." in page
    assert '<td>evidence</td><td>met</td><td class="num">70</td>' in page
    assert '<td>clarity</td><td>partly met</td><td class="num">60</td>' in page
    for internal in ("cli-raise", "'ask'", "'chat'", "'results'"):
        assert internal not in page
    assert "A strong reply here:" in page


def test_export_json_has_everything_stored(script_file: Path) -> None:
    play(script_file, LOSE)
    first = stored().id
    play(script_file, WIN)
    data = json.loads(invoke("export", str(first), "--format", "json").output)
    assert data["format"] == "rehearse-session" and data["id"] == first
    assert data["script"]["id"] == "cli-raise" and data["script"]["text"] == SCRIPT
    assert data["persona"]["text"] == PERSONA
    assert [t["user"] for t in data["turns"]] == [None, *LOSE]
    assert data["turns"][2]["coach_note"].startswith("Need is not a reason")
    assert data["ending"]["outcome"] == "fail" and data["scores"] == {"clarity": 2, "evidence": -1}


# -- stats and purge ---------------------------------------------------------------------------


def test_stats_show_attempts_outcomes_and_scores_over_time(script_file: Path) -> None:
    for inputs in (LOSE, WIN, ["I would like a raise"], WIN):
        play(script_file, inputs)
    out = invoke("stats").output
    assert "cli-raise  Ask for a raise" in out
    assert "attempts  4: 2 success, 1 fail, 1 unfinished; best: success" in out
    assert "outcomes  FS.S" in out
    assert "score     ▁▆█▆  55 -> 65  (best 70; 0-100)" in out
    # the unfinished attempt never touched evidence: it leaves a gap, not a 50
    assert "evidence  ▁██  40 -> 70  (best 70; 0-100)" in out
    data = json.loads(invoke("stats", "--script", "cli-raise", "--json").output)
    (entry,) = data["scripts"]
    assert entry["attempts"] == 4 and entry["best"] == "success"
    assert [p["score"] for p in entry["points"]] == [55, 65, 70, 65]
    assert entry["points"][2]["scores"] == {"clarity": 70, "evidence": None}
    assert "No stored sessions of 'other'." in invoke("stats", "--script", "other").output


def test_purge_asks_first_and_deletes_everything(script_file: Path) -> None:
    play(script_file, LOSE)
    play(script_file, WIN)
    declined = invoke("purge", input="n\n")
    assert declined.exit_code == 1 and "Delete all 2 stored sessions" in declined.output
    assert json.loads(invoke("sessions", "--json").output)["total"] == 2
    accepted = invoke("purge", input="y\n")
    assert accepted.exit_code == 0 and "Deleted 2 sessions." in accepted.output
    assert json.loads(invoke("sessions", "--json").output)["total"] == 0
    play(script_file, LOSE)
    assert "Deleted 1 session." in invoke("purge", "--yes").output
    assert "nothing to delete" in invoke("purge", "--yes").output


def test_delete_one_session(script_file: Path) -> None:
    play(script_file, LOSE)
    first = stored().id
    play(script_file, WIN)
    result = invoke("sessions", "--delete", str(first))
    assert result.exit_code == 0 and f"Deleted session {first}." in result.output
    remaining = json.loads(invoke("sessions", "--json").output)["sessions"]
    assert [s["outcome"] for s in remaining] == ["success"]
    again = invoke("sessions", "--delete", str(first))
    assert again.exit_code == 1 and f"No session {first}." in again.output


# -- databases rehearse cannot use --------------------------------------------------------------


def test_a_corrupt_database_is_reported_kept_and_can_be_moved_aside(script_file: Path) -> None:
    path = database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    junk = b"this is not an SQLite database" * 300
    path.write_bytes(junk)

    listing = invoke("sessions")
    assert listing.exit_code == 2
    assert str(path) in listing.output and "cannot be read" in listing.output
    assert "rehearse sessions --reset-broken" in listing.output
    assert "Traceback" not in listing.output

    played = play(script_file, LOSE)  # rehearsing still works; it says it is not saving
    assert "this session is not being saved" in played.output
    assert path.read_bytes() == junk  # never silently reset

    reset = invoke("sessions", "--reset-broken")
    assert reset.exit_code == 0 and "Moved the session database" in reset.output
    (moved,) = path.parent.glob("sessions.sqlite3.broken-*")
    assert moved.read_bytes() == junk
    assert "No stored sessions yet." in invoke("sessions").output
    assert "opens fine: nothing to do" in invoke("sessions", "--reset-broken").output


def test_a_database_from_a_newer_rehearse_is_refused_with_the_way_out(script_file: Path) -> None:
    play(script_file, LOSE)
    path = database_path()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    result = invoke("replay", "latest")
    assert result.exit_code == 2
    assert "newer version of rehearse" in result.output
    assert "rehearse sessions --reset-broken" in result.output
    assert invoke("sessions", "--reset-broken").exit_code == 0
    (moved,) = path.parent.glob("sessions.sqlite3.broken-*")
    conn = sqlite3.connect(moved)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    conn.close()


def test_replaying_turns_the_cyclic_collector_off_only_while_it_plays(
    script_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    play(script_file, LOSE)
    during: list[bool] = []
    real_step = sess.step
    monkeypatch.setattr(sess, "step", lambda *a, **k: during.append(gc.isenabled()) or real_step(*a, **k))
    assert gc.isenabled()
    assert invoke("replay", "latest", "--plain").exit_code == 0
    assert during and not any(during)
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that had it off keeps it off
        assert invoke("replay", "latest", "--plain").exit_code == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
