"""Text from users and scripts as Textual Content, never as markup.

Every string a person wrote (a reply, a script line, a persona name, a file name) goes
through here before it reaches a widget: it becomes a `Content` built from plain text, so
"[red]" stays "[red]", and control characters are shown inert (ESC as ␛) by
`rehearse.views.text.inert` rather than stripped or obeyed.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content

from rehearse.engine.inert import inert


def plain(text: str | None, style: str = "") -> Content:
    """Literal text, optionally in one style."""
    value = inert(text or "")
    return (
        Content.styled(value, style, strip_control_codes=False)
        if style
        else Content(value, strip_control_codes=False)
    )


def assemble(*parts: str | Content | tuple[str, str]) -> Content:
    """Join literal pieces: str is literal text, (text, style) is styled literal text."""
    pieces: list[Content] = []
    for part in parts:
        if isinstance(part, Content):
            pieces.append(part)
        elif isinstance(part, tuple):
            pieces.append(plain(part[0], part[1]))
        else:
            pieces.append(plain(part))
    return Content("").join(pieces) if pieces else Content("")


def highlighted(text: str, spans: Iterable[tuple[int, int]], style: str, base: str = "") -> Content:
    """Text with the character ranges in spans (offsets into the original text) styled.

    Each piece is made inert separately, so offsets stay right even when inert() turns one
    control character into several visible ones.
    """
    cuts: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        start, end = max(0, start), min(len(text), end)
        if end <= start:
            continue
        if cuts and start < cuts[-1][1]:
            start = cuts[-1][1]
            if end <= start:
                continue
        cuts.append((start, end))
    pieces: list[Content] = []
    position = 0
    for start, end in cuts:
        if start > position:
            pieces.append(plain(text[position:start], base))
        pieces.append(plain(text[start:end], f"{base} {style}".strip()))
        position = end
    if position < len(text):
        pieces.append(plain(text[position:], base))
    return Content("").join(pieces) if pieces else Content("")


def tone_style(tone: str, *, bold: bool = True) -> str:
    """The style of an outcome's tone (views.outcomes): success, warning, error or muted."""
    if tone == "muted":
        return "$text-muted"
    return f"{'bold ' if bold else ''}$text-{tone}"


def outcome_label(outcome: str | None) -> Content:
    """ "✓ success" in its colour (the symbol carries it without colour too)."""
    from rehearse.views.outcomes import look  # here: the home's first frame shows no outcome

    shown = look(outcome)
    return plain(shown.label, tone_style(shown.tone))


def outcome_badge(outcome: str | None) -> Content:
    """The verdict at the end of a conversation: "◐ Partly there"."""
    from rehearse.views.outcomes import look

    shown = look(outcome)
    return plain(f"{shown.symbol} {shown.headline}", tone_style(shown.tone))
