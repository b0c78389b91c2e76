"""Showing a stored session: the plain-text replay, and Markdown, HTML and JSON exports.

Everything here reads a ``StoredSession`` only, so a session shows exactly as it happened
even after its script was edited or deleted. Text the user or a script wrote is data in a
template context, never template source; control characters are made visible (``inert``),
HTML is autoescaped, and Markdown escapes the characters that would turn into markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from rehearse.engine.debrief import Debrief, build_debrief, highlight
from rehearse.engine.store import StoreError, rebuild
from rehearse.textsafe import inert

if TYPE_CHECKING:
    from jinja2 import Environment

    from rehearse.engine.store import StoredSession

EXPORT_FORMAT = "rehearse-session"
EXPORT_VERSION = 1
TEMPLATES = {"md": "session.md.j2", "html": "session.html.j2"}
OUTCOME_WORDS = {
    "success": "Success",
    "partial": "Partial",
    "fail": "Not this time",
    None: "Not finished",
}


# -- small text helpers -------------------------------------------------------------------


def clean(text: object) -> str:
    """Printable text: control characters visible, and any lone surrogate (undecodable
    input) written as an escape instead of failing on output."""
    value = inert("" if text is None else str(text))
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def local_time(stamp: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime(fmt)
    except ValueError:
        return stamp


def signed(value: int) -> str:
    return f"{value:+d}"


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# Block markers left at the start of a line once _MD_INLINE has escaped > * _ (heading,
# list item, rule, setext underline, ordered list).
_MD_LINE_START = re.compile(r"^(\s*)([#+=-](?=\s|$|[#+=-])|\d{1,9}[.)](?=\s|$))", re.MULTILINE)


def _escape_start(match: re.Match[str]) -> str:
    marker = match.group(2)
    if marker[0].isdigit():
        return match.group(1) + marker[:-1] + "\\" + marker[-1]
    return match.group(1) + "\\" + marker


def md(text: object) -> str:
    """Markdown that shows the text literally: no emphasis, links, HTML or headings."""
    value = _MD_INLINE.sub(r"\\\1", clean(text).strip())
    value = _MD_LINE_START.sub(_escape_start, value)
    return value.replace("\n", "\\\n")


def md_cell(text: object) -> str:
    """``md`` for a table cell: on one line."""
    return md(" ".join(clean(text).split()))


# -- the view of a session ----------------------------------------------------------------


def _understood(data: Mapping[str, Any]) -> str:
    """How the reply was read, in words."""
    decision = data.get("decision")
    kind = data.get("kind")
    scores = data.get("scores") or []
    if decision == "matched" and data.get("reply"):
        label = data.get("label") or data.get("reply")
        reason = str(data.get("reason") or "")
        if reason.startswith("picked option"):
            return f"understood as “{label}” ({reason})"
        top = scores[0] if scores else {}
        detail = f"score {top.get('score', 0):.0f}" if top else ""
        if top.get("example"):
            detail += f", closest to “{top['example']}”"
        return f"understood as “{label}”" + (f" ({detail})" if detail else "")
    if decision == "ambiguous":
        labels = data.get("candidate_labels") or data.get("candidates") or []
        return "could be " + " or ".join(f"“{x}”" for x in labels) + ": the boss asked which"
    what = {
        "clarify": "the boss asked you to say it another way",
        "hint": "the boss gave you a hint",
        "menu": "the boss offered numbered options",
        "wrapup": "the boss ran out of patience",
    }.get(str(kind), "")
    return "not understood" + (f": {what}" if what else "")


def _review(stored: StoredSession) -> Debrief | None:
    """The debrief, rebuilt by replaying the stored inputs over the stored script."""
    try:
        state, _ = rebuild(stored)
    except StoreError:
        return None
    return build_debrief(state)


def _segments(text: str, flags: Sequence[Any]) -> list[tuple[str, bool]]:
    """The reply cut into (text, flagged) pieces, for highlighting in any format."""
    marked = highlight(text, tuple(flags), ("\x00", "\x01"))
    out: list[tuple[str, bool]] = []
    for part in re.split(r"(\x00[^\x01]*\x01)", marked):
        if part.startswith("\x00"):
            out.append((part[1:-1], True))
        elif part:
            out.append((part, False))
    return out


def view(stored: StoredSession) -> dict[str, Any]:
    """Everything the templates and the replay show, as plain values."""
    review = _review(stored)
    reviews = {r.index: r for r in review.turns} if review else {}
    turns: list[dict[str, Any]] = []
    opening = stored.turns[0].data if stored.turns else {}
    for t in stored.turns[1:]:
        d = t.data
        turns.append(
            {
                "index": t.index,
                "you": t.user or "",
                "understood": _understood(d),
                "decision": d.get("decision"),
                "label": d.get("label"),
                "boss": d.get("boss", ""),
                "kind": d.get("kind"),
                "hint": d.get("hint"),
                "options": [(o.get("number"), o.get("label")) for o in d.get("options") or []],
                "coach_note": d.get("coach_note"),
                "coaching": [
                    {
                        "title": c.get("title") or c.get("check"),
                        "suggestion": c.get("suggestion") or "",
                        "rationale": c.get("rationale") or "",
                        "words": list(c.get("words") or []),
                    }
                    for c in d.get("coaching") or []
                ],
                "score_delta": {k: int(v) for k, v in (d.get("score_delta") or {}).items()},
                "ending": bool(d.get("ending")),
                "model": reviews[t.index].model if t.index in reviews else None,
                "points": reviews[t.index].points if t.index in reviews else None,
                "segments": _segments(t.user or "", reviews[t.index].flags)
                if t.index in reviews
                else [(t.user or "", False)],
            }
        )
    dims = {d.name: d for d in review.dimensions} if review else {}
    rubric = [
        {
            "dim": dim,
            "description": desc,
            "score": int(stored.scores.get(dim, 0)),
            "scaled": dims[dim].score if dim in dims else None,
            "contributions": [
                {"turn": c.turn, "points": c.points, "source": c.source} for c in dims[dim].contributions
            ]
            if dim in dims
            else [],
        }
        for dim, desc in stored.rubric.items()
    ]
    return {
        "id": stored.id,
        "title": stored.script_title,
        "script_id": stored.script_id,
        "persona": stored.persona_name or stored.persona_id,
        "persona_id": stored.persona_id,
        "user_name": stored.user_name,
        "started": local_time(stored.started),
        "ended": local_time(stored.ended),
        "seed": stored.seed,
        "app_version": stored.app_version,
        "vars": dict(stored.vars),
        "situation": stored.situation,
        "goal": stored.goal,
        "opening": opening.get("boss", ""),
        "opening_options": [(o.get("number"), o.get("label")) for o in opening.get("options") or []],
        "turns": turns,
        "outcome": stored.outcome,
        "outcome_word": OUTCOME_WORDS.get(stored.outcome, stored.outcome or ""),
        "end_reason": stored.end_reason,
        "debrief": stored.debrief or "",
        "stopped_at": stored.node if stored.outcome is None else None,
        "rubric": rubric,
        "score_total": stored.score_total,
        "parent": stored.parent,
        "parent_turn": stored.parent_turn,
        "key_turns": [{"index": r.index, "points": r.points, "you": r.user} for r in review.key_turns]
        if review
        else [],
        "next_time": list(review.next_time) if review else [],
    }


# -- plain text (replay) ------------------------------------------------------------------


def text_lines(stored: StoredSession) -> list[str]:
    """The session turn by turn, as plain lines (the replay)."""
    v = view(stored)
    boss = v["persona"]
    out = [
        f"Session {v['id']}: {v['title']}, with {boss}",
        f"{v['started']}  ·  seed {v['seed']}  ·  rehearse {v['app_version']}  ·  you: {v['user_name']}",
    ]
    if v["parent"] is not None:
        out.append(f"Retried from session {v['parent']}, turn {v['parent_turn']}")
    out += [f"Situation: {v['situation']}".rstrip(), f"Goal: {v['goal']}".rstrip(), ""]
    out.append(f"{boss}: {v['opening']}")
    out += [f"  {n}. {label}" for n, label in v["opening_options"]]
    for t in v["turns"]:
        out.append("")
        out.append(f"[{t['index']}] You: {t['you']}")
        out.append(f"    {t['understood']}")
        if t["score_delta"]:
            deltas = ", ".join(f"{k} {signed(n)}" for k, n in t["score_delta"].items())
            out.append(f"    (score) {deltas}")
        if t["coach_note"]:
            out.append(f"    (coach) {t['coach_note']}")
        for c in t["coaching"]:
            words = ", ".join(f"“{w}”" for w in c["words"])
            out.append(
                f"    (phrasing) {c['title']}"
                + (f": {words}" if words else "")
                + (f". {c['suggestion']}" if c["suggestion"] else "")
            )
        out.append(f"{boss}: {t['boss']}")
        if t["hint"]:
            out.append(f"  (hint) {t['hint']}")
        out += [f"  {n}. {label}" for n, label in t["options"]]
    out.append("")
    if v["outcome"] is not None:
        reason = " (the boss ran out of patience)" if v["end_reason"] == "patience" else ""
        out.append(f"Outcome: {v['outcome']}{reason}")
        if v["debrief"]:
            out.append(v["debrief"])
    else:
        out.append(f"Not finished: stopped at '{v['stopped_at']}'.")
    if v["rubric"]:
        out.append("Rubric (0-100):")
        for r in v["rubric"]:
            shown = r["scaled"] if r["scaled"] is not None else signed(r["score"])
            out.append(f"  {r['dim']}: {shown}  ({r['description']})")
            out += [
                f"    turn {c['turn']}: {signed(c['points'])} from {c['source']}" for c in r["contributions"]
            ]
    if v["key_turns"]:
        out.append("The turns that moved your score most:")
        out += [f"  turn {k['index']} ({signed(k['points'])}): {k['you']}" for k in v["key_turns"]]
    if v["next_time"]:
        out.append("Next time, try:")
        out += [f"  - {tip}" for tip in v["next_time"]]
    out.append(f"Score: {signed(v['score_total'])}")
    return [clean(line) for line in out]


# -- exports -------------------------------------------------------------------------------


def _load_template(name: str) -> str:
    return (resources.files("rehearse") / "templates" / name).read_text(encoding="utf-8")


def environment() -> Environment:
    from jinja2 import Environment, FunctionLoader, StrictUndefined

    env = Environment(
        loader=FunctionLoader(_load_template),
        autoescape=lambda name: bool(name) and ".html" in str(name),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clean"] = clean
    env.filters["md"] = md
    env.filters["cell"] = md_cell
    env.filters["signed"] = signed
    return env


def export_json(stored: StoredSession) -> str:
    data = {"format": EXPORT_FORMAT, "format_version": EXPORT_VERSION, **stored.to_json()}
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n"


def export(stored: StoredSession, fmt: str) -> str:
    """The session as md, html or json."""
    if fmt == "json":
        return export_json(stored)
    template = environment().get_template(TEMPLATES[fmt])
    return template.render(s=view(stored))
