"""Rubric bars as Content (no markup anywhere)."""

from __future__ import annotations

from textual.content import Content

from rehearse.ui.safe import plain

EIGHTHS = " ▏▎▍▌▋▊▉█"


def _fill(cells: float, width: int) -> str:
    whole = int(cells)
    part = round((cells - whole) * 8)
    if part == 8:
        whole, part = whole + 1, 0
    whole = min(whole, width)
    text = "█" * whole + (EIGHTHS[part] if part and whole < width else "")
    return text


def diverging_bar(value: int, scale: int, half: int) -> Content:
    """A bar centred on zero: negative grows left (error colour), positive right (success).

    The number is always printed next to it by the caller, so colour is never the only cue.
    """
    cells = min(abs(value), scale) / scale * half if scale else 0
    fill = _fill(cells, half)
    track = "·"
    if value < 0:
        # right-aligned fill on the left half: pad with track, then the fill (no partials,
        # as eighth blocks only grow from the left)
        whole = max(1, round(cells)) if value else 0
        left = Content.assemble((track * (half - whole), "$text-muted"), ("█" * whole, "$text-error"))
        right = Content.styled(track * half, "$text-muted")
    else:
        left = Content.styled(track * half, "$text-muted")
        right = Content.assemble((fill, "$text-success"), (track * (half - len(fill)), "$text-muted"))
    return Content.assemble(left, ("│", "$text-muted"), right)


def rubric_line(
    dim: str,
    score: int | None,
    *,
    name_width: int,
    half: int,
    delta: int | None = None,
    show_amount: bool = True,
) -> Content:
    """One dimension on the 0-100 scale: a bar centred on 50, the score, and the last move.
    A dimension not shown yet has an empty track and a dash, never a 50."""
    name = dim if len(dim) <= name_width else dim[: name_width - 1] + "…"
    bar = (
        diverging_bar(score - 50, 50, half)
        if score is not None
        else plain("·" * (2 * half + 1), "$text-muted")
    )
    parts: list[Content | tuple[str, str] | str] = [
        plain(name.ljust(name_width), "bold"),
        " ",
        bar,
        " ",
        (str(score).rjust(3), "bold") if score is not None else ("  –", "$text-muted"),
    ]
    if delta:
        parts.append(
            (
                f" {'▲' if delta > 0 else '▼'}" + (f"{abs(delta)}" if show_amount else ""),
                "$text-success" if delta > 0 else "$text-error",
            )
        )
    return Content.assemble(*parts)
