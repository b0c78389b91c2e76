"""The Markdown export keeps a reply exactly as typed: every space and line, markup shown
literally, the coach's flagged words in bold without gluing them to their neighbours.
Checked by parsing the output with markdown-it (CommonMark) and reading the text back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from rehearse.engine.inert import inert
from rehearse.views.export import md_quote

PARSER = MarkdownIt("commonmark")


def read_back(markdown: str) -> tuple[str, list[str]]:
    """The text of the first block quote, and the runs in bold."""
    tokens = PARSER.parse(markdown + "\n\n*understood as something*\n")
    inside = False
    text, bold, runs, depth = "", False, [], 0
    for token in tokens:
        if token.type == "blockquote_open":
            inside, depth = True, depth + 1
        elif token.type == "blockquote_close":
            break
        elif inside and token.type == "inline":
            for child in token.children or []:
                text, bold = _read(child, text, bold, runs)
    assert depth == 1, markdown
    return text, runs


def _read(child: Token, text: str, bold: bool, runs: list[str]) -> tuple[str, bool]:
    if child.type in ("hardbreak", "softbreak"):
        return text + "\n", bold
    if child.type == "strong_open":
        runs.append("")
        return text, True
    if child.type == "strong_close":
        return text, False
    assert child.type == "text", child.type  # nothing became a link, code, HTML or emphasis
    if bold:
        runs[-1] += child.content
    return text + child.content, bold


def test_flagged_words_keep_their_spaces_and_stay_apart() -> None:
    segments = [("Thanks, but ", False), ("I think maybe", True), (" ", False)]
    segments += [("I'm not going to apply", True), (" for it", False)]
    markdown = md_quote(segments)
    assert "but **I think maybe** **I'm not going to apply** for" in markdown
    text, runs = read_back(markdown)
    assert text == "Thanks, but I think maybe I'm not going to apply for it"
    assert runs == ["I think maybe", "I'm not going to apply"]


def test_quotes_asterisks_underscores_and_lines_survive() -> None:
    typed = '  "Fine" _said_ I, *twice*  \n\n# not a heading\n- not a list\n'
    typed += "1. nor this   <b>x</b> `code` [a](b)"
    text, runs = read_back(md_quote([(typed, False)]))
    assert text == typed and runs == []


def test_a_flagged_run_at_the_start_of_an_indented_line() -> None:
    typed = [("   ", False), ("sorry", True), (", I mean _it_", False)]
    text, runs = read_back(md_quote(typed))
    assert text == "   sorry, I mean _it_" and runs == ["sorry"]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(
                alphabet=st.sampled_from(list(" \t\n*_`#-+=.!>[]()<&|~\\\"'1aB“’é")),
                min_size=1,
                max_size=12,
            ),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_reply_reads_back_exactly(segments: list[tuple[str, bool]]) -> None:
    text, _ = read_back(md_quote(segments))
    typed = inert("".join(t for t, _ in segments))
    lines = typed.split("\n")
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    while len(lines) > 1 and not lines[0]:
        lines.pop(0)
    assert text == "\n".join(lines)
