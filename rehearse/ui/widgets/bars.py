"""Rubric bars as Content (no markup anywhere)."""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content

from rehearse.ui.safe import plain

EIGHTHS = " ▏▎▍▌▋▊▉█"
MIN_SCALE = 6


def scale_for(scores: Mapping[str, int]) -> int:
    """The value a full half-bar stands for: at least MIN_SCALE, more if a score is larger."""
    return max([MIN_SCALE, *(abs(v) for v in scores.values())])


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
    value: int,
    scale: int,
    *,
    name_width: int,
    half: int,
    delta: int | None = None,
    show_amount: bool = True,
) -> Content:
    name = dim if len(dim) <= name_width else dim[: name_width - 1] + "…"
    parts: list[Content | tuple[str, str] | str] = [
        plain(name.ljust(name_width), "bold"),
        " ",
        diverging_bar(value, scale, half),
        " ",
        (f"{value:+d}".rjust(3) if value else "  0", "bold"),
    ]
    if delta:
        parts.append(
            (
                f" {'▲' if delta > 0 else '▼'}" + (f"{abs(delta)}" if show_amount else ""),
                "$text-success" if delta > 0 else "$text-error",
            )
        )
    return Content.assemble(*parts)
