"""Progress over attempts: a sparkline of 0-100 scores and the outcomes as symbols.

Imported by the home screen at startup, so nothing here may import the engine or the store:
the numbers arrive as plain values (``StatPoint``-like objects or (score, outcome) pairs).
An attempt without a score (saved before scores were kept) is left out of the lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Sparkline, Static

from rehearse.ui.safe import assemble, plain, tone_style
from rehearse.views.outcomes import legend, look
from rehearse.views.sparks import sparkline as spark_text
from rehearse.views.text import one_line

#: Attempts in the home screen's trend, and in the sessions screen's chart.
TREND_LENGTH = 6
CHART_LENGTH = 40


def outcome_symbols(outcomes: Iterable[str | None]) -> Content:
    """One coloured symbol per attempt (views.outcomes): success, partial, fail, unfinished."""
    parts: list[tuple[str, str]] = [(look(o).symbol, tone_style(look(o).tone)) for o in outcomes]
    return assemble(*parts)


def trend_line(trend: Sequence[tuple[int | None, str | None]]) -> Content:
    """The home screen's glance: the last attempts' scores as a short sparkline."""
    scores = [t for t, _ in trend if t is not None]
    if not scores:
        return Content("")
    return plain(spark_text(scores), "$text-accent")


class ProgressChart(Vertical):
    """One script's attempts over time: scores as a Sparkline, outcomes underneath."""

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="progress-title", markup=False)
        with Horizontal(id="progress-body"):
            with Vertical(id="progress-graph"):
                yield Sparkline([], id="progress-spark")
                yield Static(Content(""), id="progress-outcomes", markup=False)
            yield Static(Content(""), id="progress-legend", markup=False)

    def show(
        self,
        title: str,
        points: Sequence[Any],
        *,
        attempts: int | None = None,
        best: str | None = None,
    ) -> None:
        """Show ``points`` (oldest first; each with ``.score`` and ``.outcome``). An attempt
        that never touched the rubric has no score: its outcome shows, with no bar."""
        totals = [int(p.score) for p in points if p.score is not None]
        outcomes = [p.outcome for p in points]
        count = attempts if attempts is not None else len(points)
        heading = assemble(
            ("Progress · ", "bold $text-accent"),
            (one_line(title, 60), "bold"),
            (
                f"  {count} attempt{'s' if count != 1 else ''}"
                + (f" · best {look(best).label}" if best else ""),
                "$text-muted",
            ),
        )
        self.query_one("#progress-title", Static).update(heading)
        spark = self.query_one("#progress-spark", Sparkline)
        graph = self.query_one("#progress-graph")
        if not outcomes:
            spark.data = []
            graph.display = False
            self.query_one("#progress-legend", Static).update(plain("No attempts yet.", "$text-muted"))
            return
        graph.display = True
        spark.data = totals
        spark.display = bool(totals)
        # one cell per attempt, so each outcome symbol sits under its own bar when all are scored
        graph.styles.width = len(outcomes)
        spark.styles.width = len(totals) or 1
        self.query_one("#progress-outcomes", Static).update(outcome_symbols(outcomes))
        score = (
            assemble(
                ("score ", "$text-muted"),
                (f"{totals[0]} → {totals[-1]}", "bold"),
                (f"  (best {max(totals)} of 100)", "$text-muted"),
            )
            if totals
            else plain("not scored yet: no reply touched the rubric", "$text-muted")
        )
        summary = Content("\n").join(
            [score, plain(f"last {len(outcomes)}, oldest first · {legend()}", "$text-muted")]
        )
        self.query_one("#progress-legend", Static).update(summary)

    def clear(self, message: str) -> None:
        self.query_one("#progress-title", Static).update(plain(message, "$text-muted"))
        self.query_one("#progress-graph").display = False
        self.query_one("#progress-legend", Static).update(Content(""))
