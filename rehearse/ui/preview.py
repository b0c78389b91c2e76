"""Live preview for script authors, attached to a chat screen.

- Watching (`rehearse play FILE --watch`): an interval timer compares the file's mtime and
  size; on a change, a thread worker loads the file and replays this session's replies over
  it (rehearse.engine.runtime.reload.replay_onto). A good version takes over the conversation where
  it was, or up to the first reply that now goes another way (said in a notification and a
  note in the transcript). A broken one shows its diagnostics in a panel while the last good
  version keeps running; the next good save hides the panel.
- The author overlay: every reply of the current node with its score for the text being
  typed, and what the boss would do (debounced; a toggle key on the chat screen).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.screen import Screen
from textual.timer import Timer

from rehearse.ui.widgets.author import AuthorOverlay, ReloadErrors
from rehearse.ui.widgets.reply import ReplyInput
from rehearse.views.text import one_line

if TYPE_CHECKING:
    from rehearse.engine.diagnostics import Report
    from rehearse.engine.model import Script
    from rehearse.engine.runtime.reload import Divergence
    from rehearse.engine.runtime.session import State

POLL_INTERVAL = 0.5
OVERLAY_DEBOUNCE = 0.15

Signature = tuple[int, int]


def signature(path: Path) -> Signature | None:
    """What tells a saved file from the last one we saw: mtime and size (None if missing)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class Reloaded:
    """What the reload worker brings back."""

    signature: Signature
    script: Script | None
    report: Report
    base: State  # the state the replay started from
    replayed: tuple[State, Divergence | None] | None
    problem: str | None = None  # the new version could not even start


def load_and_replay(path: Path, sig: Signature, base: State) -> Reloaded:
    """Load the file and replay base's replies over it (pure apart from reading the file)."""
    from rehearse.engine.compile.loader import load_script
    from rehearse.engine.runtime.reload import replay_onto

    script, report = load_script(path)
    replayed = None
    problem = None
    if script is not None and script.digest != base.script.digest:
        try:
            replayed = replay_onto(base, script)
        except Exception as exc:
            problem = f"{path}: the new version cannot start: {exc}"
    return Reloaded(sig, script, report, base, replayed, problem)


class PreviewHost(Screen[None]):
    """A screen the preview can serve (the chat): it shows a conversation (``state``) and can
    put a reloaded version of it in its place."""

    state: State

    def load_version(self, state: State, note: tuple[str, str] | None = None) -> None:
        raise NotImplementedError


class LivePreview:
    """The watcher and the author overlay of one chat screen."""

    def __init__(self, chat: PreviewHost, watch: Path | None = None, interval: float = POLL_INTERVAL) -> None:
        self.chat = chat
        self.path = Path(watch) if watch is not None else None
        self.interval = interval
        self.seen: Signature | None = None
        self.broken = False
        self.reloads = 0
        self.last_divergence: Divergence | None = None
        self._overlay_timer: Timer | None = None
        self._poll: Timer | None = None

    # ------------------------------------------------------------------ set-up

    @property
    def overlay(self) -> AuthorOverlay:
        return self.chat.query_one(AuthorOverlay)

    @property
    def errors(self) -> ReloadErrors:
        return self.chat.query_one(ReloadErrors)

    def start(self) -> None:
        """On mount: the overlay starts open when watching; polling starts at once (the
        first check reloads the file if it changed since the conversation began)."""
        self.set_overlay(self.path is not None)
        if self.path is None:
            return
        if self.interval > 0:
            self._poll = self.chat.set_interval(self.interval, self.check, name="watch")
        self.check()

    # ------------------------------------------------------------------ watching

    def check(self) -> bool:
        """Poll once: True if the file changed and a reload has started."""
        if self.path is None:
            return False
        sig = signature(self.path)
        if sig is None or sig == self.seen:
            return False  # missing (mid-save, say) or unchanged
        self.seen = sig
        path, base, app = self.path, self.chat.state, self.chat.app

        def work() -> None:
            from textual.worker import get_current_worker

            result = load_and_replay(path, sig, base)
            if get_current_worker().is_cancelled:
                return
            with contextlib.suppress(Exception):  # the app is closing
                app.call_from_thread(self.arrived, result)

        self.chat.run_worker(
            work, name="reload", group="watch", thread=True, exclusive=True, exit_on_error=False
        )
        return True

    def arrived(self, result: Reloaded) -> None:
        """A loaded version is back (on the app's thread)."""
        if result.signature != self.seen or not self.chat.is_attached:
            return  # a newer save is on its way, or the chat is gone
        assert self.path is not None
        if result.script is None:
            problems = result.report.errors or result.report.items
            self._show_problems(problems)
            return
        was_broken = self.broken
        chat = self.chat
        if result.script.digest == chat.state.script.digest:
            self._hide_problems()
            if was_broken:
                chat.notify(
                    f"{self.path.name} is fixed: the same as the version you are playing.",
                    markup=False,
                )
            return
        if result.problem is not None:
            self._show_problems([result.problem])
            return
        replayed = result.replayed
        if replayed is None or result.base is not chat.state:
            # you replied while it was loading: replay what is on screen now
            from rehearse.engine.runtime.reload import replay_onto

            try:
                replayed = replay_onto(chat.state, result.script)
            except Exception as exc:
                self._show_problems([f"{self.path}: the new version cannot start: {exc}"])
                return
        self._hide_problems()
        state, divergence = replayed
        self.reloads += 1
        self.last_divergence = divergence
        name = self.path.name
        if divergence is None:
            replies = len(state.inputs)
            chat.load_version(state)
            chat.notify(
                f"Reloaded {name}: {replies} {'reply' if replies == 1 else 'replies'} replayed.",
                markup=False,
            )
        else:
            kept = len(state.inputs)
            message = (
                f"Turn {divergence.turn} now goes another way: “{one_line(divergence.text, 60)}” "
                f"was {divergence.before}, now {divergence.after}. "
                + (f"Continuing after turn {kept}." if kept else "Starting again from the opening.")
            )
            chat.load_version(state, note=("Script reloaded", message))
            chat.notify(message, title=f"Reloaded {name}", severity="warning", timeout=10, markup=False)
            reply = chat.query_one("#reply", ReplyInput)
            if not reply.value:
                reply.value = divergence.text
        self.refresh_overlay()

    def _show_problems(self, problems: list[Any]) -> None:
        assert self.path is not None
        count = len(problems)
        title = (
            f"⚠ {self.path.name}: {count} {'error' if count == 1 else 'errors'}. "
            "Still playing the last good version; save a fix to reload."
        )
        self.errors.show_problems(title, problems)
        if not self.broken:
            self.chat.notify(
                f"{self.path.name} has errors: see the panel above the reply box.",
                severity="error",
                markup=False,
            )
        self.broken = True

    def _hide_problems(self) -> None:
        self.broken = False
        self.errors.hide()

    # ------------------------------------------------------------------ overlay

    @property
    def overlay_shown(self) -> bool:
        return self.overlay.has_class("-shown")

    def set_overlay(self, shown: bool) -> None:
        self.overlay.set_class(shown, "-shown")
        if shown:
            self.refresh_overlay()

    def toggle_overlay(self) -> None:
        self.set_overlay(not self.overlay_shown)

    def typed(self) -> None:
        """The reply box changed: score it once typing pauses."""
        if self._overlay_timer is not None:
            self._overlay_timer.stop()
            self._overlay_timer = None
        if self.overlay_shown:
            self._overlay_timer = self.chat.set_timer(OVERLAY_DEBOUNCE, self.refresh_overlay)

    def refresh_overlay(self) -> None:
        self._overlay_timer = None
        if not self.overlay_shown:
            return
        text = self.chat.query_one("#reply", ReplyInput).value
        self.overlay.show_for(self.chat.state, text)
