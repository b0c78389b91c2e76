"""Past sessions: a table, newest first, filterable by script and outcome, with progress.

The table is filled a page at a time with keyset paging (``Store.sessions(before=...)``, an
indexed walk that stops at the page), so ten thousand stored sessions open as fast as ten;
the next page loads when the cursor reaches the last row, or with ``m``. Counts come from
the store's tallies. The chart at the bottom follows the script of the filter, or of the
highlighted row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.coordinate import Coordinate
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Label, Select, Static

from rehearse.ui import styles
from rehearse.ui.messages import OpenCompare, OpenReplay, SessionsChanged
from rehearse.ui.safe import assemble, outcome_label, plain
from rehearse.ui.widgets.footer import KeysFooter
from rehearse.ui.widgets.progress import CHART_LENGTH, ProgressChart
from rehearse.views.outcomes import FILTERS, look
from rehearse.views.text import local_time, one_line, score_cell

if TYPE_CHECKING:
    from rehearse.history.records import SessionRow
    from rehearse.history.store import Store

PAGE = 50
ALL = "*"
OUTCOME_FILTERS: list[tuple[str, str]] = [("All outcomes", ALL)] + [(look(o).label, o) for o in FILTERS]
#: (label, key, width); the script column takes what the others leave (None)
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("Date", "date", 16),
    ("Script", "script", None),
    ("Persona", "persona", 10),
    ("Outcome", "outcome", 12),
    ("Score", "score", 5),
    ("Turns", "turns", 5),
)
CELL_PADDING = 2  # DataTable's cell padding, both sides together
MIN_SCRIPT, MAX_SCRIPT = 14, 48


class SessionTable(DataTable[Any]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select_cursor",
            "Replay",
            key_display="⏎",
            tooltip="Replay the highlighted session, turn by turn",
        ),
    ]


class ConfirmDelete(ModalScreen[bool]):
    """Delete a session for good?"""

    CSS_PATH = styles.LATER  # see rehearse.ui.styles

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "delete", "Delete"),
        Binding("escape,n", "keep", "Keep", key_display="esc"),
    ]

    def __init__(self, row: SessionRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical(id="delete-dialog", classes="dialog"):
            yield Label(f"Delete session {row.id}?", classes="dialog-title", markup=False)
            yield Static(
                assemble(
                    (one_line(row.script_title, 50), "bold"),
                    f", {local_time(row.started)}, {row.turns} turns. ",
                    "Everything said in it is removed from this machine; this cannot be undone.",
                ),
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Delete (y)", id="delete", variant="error")
                yield Button("Keep (esc)", id="keep", variant="primary")

    def on_mount(self) -> None:
        # keys decide here (y deletes, Esc keeps); the buttons are for the mouse
        for button in self.query(Button):
            button.can_focus = False

    @on(Button.Pressed, "#delete")
    def action_delete(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)


class SessionsScreen(Screen[None]):
    """Every saved session: replay one, delete one, see progress per script."""

    CSS_PATH = styles.LATER  # see rehearse.ui.styles

    AUTO_FOCUS = "#session-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "d,delete",
            "delete",
            "Delete",
            key_display="d",
            tooltip="Delete the highlighted session (asks first)",
        ),
        Binding("f", "filter_script", "Script", tooltip="Show one script's sessions (choose from the list)"),
        Binding(
            "c",
            "compare",
            "Compare",
            tooltip="Mark the highlighted attempt, then c on another of the same script: side by side",
        ),
        Binding(
            "o",
            "cycle_outcome",
            "Outcome",
            tooltip="Show one outcome: success, partial, fail, unfinished, all",
        ),
        Binding(
            "m",
            "more",
            "More",
            show=False,
            tooltip="Load the next page (it also loads when you reach the last row)",
        ),
        Binding("escape", "back", "Back", key_display="esc", tooltip="Back where you were"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(
        self, store: Store, *, titles: Mapping[str, str] | None = None, script: str | None = None
    ) -> None:
        super().__init__(id="sessions")
        self.store = store
        self.titles = dict(titles or {})  # script id -> title, from the library
        self.script_filter: str | None = script
        self.outcome_filter: str | None = None
        self.rows: dict[int, SessionRow] = {}
        self.exhausted = False
        self.total = 0
        self.changed = False
        self._last_id: int | None = None
        self._chart_script: str | None = None
        self.compare_with: SessionRow | None = None  # the attempt marked for comparing

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(("Sessions", "bold $text-accent"), " · everything you rehearsed"),
            id="sessions-title",
            classes="topbar",
            markup=False,
        )
        with Horizontal(id="session-filters"):
            yield Select(
                self._script_options(),
                value=self.script_filter or ALL,
                allow_blank=False,
                compact=True,
                id="filter-script",
            )
            yield Select(
                [(plain(label), value) for label, value in OUTCOME_FILTERS],
                value=ALL,
                allow_blank=False,
                compact=True,
                id="filter-outcome",
            )
            yield Static(Content(""), id="session-count", markup=False)
        table: SessionTable = SessionTable(id="session-table", cursor_type="row", zebra_stripes=True)
        self.script_width = self._script_width()
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width or self.script_width)
        yield table
        yield ProgressChart(id="progress")
        yield KeysFooter()

    def _script_width(self) -> int:
        others = sum((w or 0) + CELL_PADDING for _, _, w in COLUMNS) + CELL_PADDING
        room = self.app.size.width - others - 2  # the scrollbar and a margin
        return max(MIN_SCRIPT, min(MAX_SCRIPT, room))

    def _script_options(self) -> list[tuple[Content, str]]:
        options: list[tuple[Content, str]] = [(plain("All scripts"), ALL)]
        try:
            ids = list(self.store.summary())
        except Exception:
            ids = []
        if self.script_filter and self.script_filter not in ids:
            ids.append(self.script_filter)
        titles = {sid: self._title(sid) for sid in ids}
        for sid in sorted(ids, key=lambda s: titles[s].lower()):
            options.append((plain(one_line(titles[sid], 40)), sid))
        return options

    def _title(self, script_id: str) -> str:
        if script_id in self.titles:
            return self.titles[script_id]
        for row in self.rows.values():
            if row.script_id == script_id:
                return row.script_title
        return script_id

    def on_mount(self) -> None:
        self.reload()
        # scrolling to the bottom with the mouse wheel loads more too
        self.watch(self.query_one(SessionTable), "scroll_y", self._scrolled, init=False)

    def _scrolled(self, value: float) -> None:
        table = self.query_one(SessionTable)
        if not self.exhausted and table.max_scroll_y > 0 and value >= table.max_scroll_y:
            self.load_page()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Start again from the newest session, with the current filters."""
        table = self.query_one(SessionTable)
        table.clear()
        self.rows.clear()
        self._last_id = None
        self.exhausted = False
        try:
            self.total = self.store.count(self.script_filter, self.outcome_filter)
        except Exception as exc:
            self._failed(exc)
            return
        self.load_page()
        self._update_chart()

    def load_page(self) -> int:
        """Add the next page of rows; returns how many came."""
        if self.exhausted:
            return 0
        try:
            rows = self.store.sessions(
                self.script_filter, self.outcome_filter, limit=PAGE, before=self._last_id
            )
        except Exception as exc:
            self._failed(exc)
            return 0
        table = self.query_one(SessionTable)
        for row in rows:
            self.rows[row.id] = row
            table.add_row(*self._cells(row), key=str(row.id))
        if rows:
            self._last_id = rows[-1].id
        if len(rows) < PAGE:
            self.exhausted = True
        self._update_count()
        return len(rows)

    def _cells(self, row: SessionRow) -> list[Content]:
        persona = row.persona_name.split()[0] if row.persona_name.split() else row.persona_id
        retry = "↻ " if row.parent is not None else ""
        return [
            plain(local_time(row.started)),
            plain(one_line(retry + row.script_title, self.script_width)),
            plain(one_line(persona, 12)),
            # muted text is unreadable on the table's zebra stripes: unfinished is italic
            outcome_label(row.outcome) if row.outcome else plain(look(None).label, "italic"),
            plain(score_cell(row.score)),
            plain(str(row.turns)),
        ]

    def _update_count(self) -> None:
        shown = len(self.rows)
        if self.total == 0:
            text = "no sessions" if not self._filtered else "none match"
        elif self.exhausted or shown >= self.total:
            text = f"{self.total} session{'s' if self.total != 1 else ''}"
        else:
            text = f"{shown} of {self.total} · more below (m)"
        if self.compare_with is not None:
            text += f" · comparing with session {self.compare_with.id} (c)"
        self.query_one("#session-count", Static).update(plain(text, "$text-muted"))

    @property
    def _filtered(self) -> bool:
        return self.script_filter is not None or self.outcome_filter is not None

    def _failed(self, exc: Exception) -> None:
        self.notify(f"Could not read your sessions: {exc}", severity="error", markup=False)

    # ------------------------------------------------------------------ the chart

    def _update_chart(self, script_id: str | None = None) -> None:
        chart = self.query_one(ProgressChart)
        script_id = self.script_filter or script_id
        if script_id is None:
            table = self.query_one(SessionTable)
            row = self._row_at(table.cursor_row) if table.row_count else None
            script_id = row.script_id if row is not None else None
        if script_id is None:
            self._chart_script = None
            chart.clear("Progress: pick a script, or highlight one of its sessions")
            return
        if script_id == self._chart_script:
            return
        self._chart_script = script_id
        try:
            points = self.store.stats(script=script_id, limit=CHART_LENGTH)
            attempts, best = self.store.summary().get(script_id, (0, None))
        except Exception as exc:
            self._failed(exc)
            return
        chart.show(self._title(script_id), points, attempts=attempts, best=best)

    # ------------------------------------------------------------------ events

    def _row_at(self, index: int) -> SessionRow | None:
        table = self.query_one(SessionTable)
        if not 0 <= index < table.row_count:
            return None
        key = table.coordinate_to_cell_key(Coordinate(index, 0)).row_key.value
        return self.rows.get(int(key)) if key is not None else None

    @property
    def highlighted(self) -> SessionRow | None:
        table = self.query_one(SessionTable)
        return self._row_at(table.cursor_row) if table.row_count else None

    @on(DataTable.RowHighlighted, "#session-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one(SessionTable)
        if event.cursor_row >= table.row_count - 1 and not self.exhausted:
            self.load_page()
        row = self._row_at(event.cursor_row)
        if row is not None:
            self._update_chart(row.script_id)

    @on(DataTable.RowSelected, "#session-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is not None:
            self.open_replay(int(key))

    @on(Select.Changed, "#filter-script")
    def _script_changed(self, event: Select.Changed) -> None:
        value = None if event.value in (ALL, Select.NULL) else str(event.value)
        if value != self.script_filter:
            self.script_filter = value
            self._chart_script = None
            self.reload()

    @on(Select.Changed, "#filter-outcome")
    def _outcome_changed(self, event: Select.Changed) -> None:
        value = None if event.value in (ALL, Select.NULL) else str(event.value)
        if value != self.outcome_filter:
            self.outcome_filter = value
            self.reload()

    # ------------------------------------------------------------------ actions

    def open_replay(self, session_id: int) -> None:
        self.post_message(OpenReplay(session_id))

    def action_compare(self) -> None:
        """Mark the highlighted session as A; on another attempt of its script, compare."""
        row = self.highlighted
        if row is None:
            self.notify("No session to compare.", markup=False)
            return
        first = self.compare_with
        if first is None or first.id == row.id:
            self.compare_with = None if first is not None else row
            self._update_count()
            if self.compare_with is not None:
                self.notify(
                    f"Session {row.id} is A. Highlight another attempt at this script and press c.",
                    markup=False,
                )
            return
        if first.script_id != row.script_id:
            self.notify("Pick an attempt at the same script to compare.", severity="warning", markup=False)
            return
        self.compare_with = None
        self._update_count()
        self.post_message(OpenCompare(first.id, row.id))

    def action_more(self) -> None:
        if self.exhausted:
            self.notify("That is every session.", markup=False)
            return
        self.load_page()

    def action_filter_script(self) -> None:
        select = self.query_one("#filter-script", Select)
        select.focus()
        select.expanded = True

    def action_cycle_outcome(self) -> None:
        values = [value for _, value in OUTCOME_FILTERS]
        current = self.outcome_filter or ALL
        following = values[(values.index(current) + 1) % len(values)]
        self.query_one("#filter-outcome", Select).value = following

    def set_filters(self, *, script: str | None = None, outcome: str | None = None) -> None:
        """Filter (for the command palette and tests); None shows all."""
        self.query_one("#filter-script", Select).set_options(self._script_options())
        self.query_one("#filter-script", Select).value = script or ALL
        self.query_one("#filter-outcome", Select).value = outcome or ALL

    def action_delete(self) -> None:
        row = self.highlighted
        if row is None:
            self.notify("No session to delete.", markup=False)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete(row.id)

        self.app.push_screen(ConfirmDelete(row), confirmed)

    def delete(self, session_id: int) -> None:
        try:
            gone = self.store.delete(session_id)
        except Exception as exc:
            self.notify(f"Could not delete it: {exc}", severity="error", markup=False)
            return
        table = self.query_one(SessionTable)
        if str(session_id) in table.rows:
            table.remove_row(str(session_id))
        self.rows.pop(session_id, None)
        if gone:
            self.total = max(0, self.total - 1)
            self.changed = True
            self.notify(f"Session {session_id} deleted.", markup=False)
        self._update_count()
        self._chart_script = None
        self._update_chart()

    def action_back(self) -> None:
        if self.changed:
            self.post_message(SessionsChanged())
        self.app.pop_screen()
