"""YAML files -> Script and Persona values, collecting every problem as a Diagnostic.

Loading never raises on bad input: each problem is reported with file:line:col and, for
near-miss names, a did-you-mean; what can still be built is built, so one pass finds all.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path as FsPath
from typing import Any, TypeVar

from rehearse.engine.compile.validate import TEMPLATE_CODES, validate_script
from rehearse.engine.diagnostics import Loc, Report, did_you_mean
from rehearse.engine.model import (
    MOMENTS,
    OUTCOMES,
    PERSONA_LINES,
    PRONOUNS,
    FlagValue,
    Lines,
    NextRule,
    Node,
    NodeOverride,
    Persona,
    Reply,
    Script,
    Variant,
    frozen_map,
)
from rehearse.engine.templating import Condition, TemplateProblem, Text
from rehearse.engine.yamlread import Document, Path, read_yaml

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

MODEL_KEYS = ("say", "reply")
VERDICTS = ("met", "partly", "missed", "not_shown")
RUBRIC_KEYS = ("criterion", "description", "checks", *VERDICTS)
SCRIPT_KEYS = ("id", "title", "situation", "goal", "personas", "vars", "rubric", "start", "nodes")
NODE_KEYS = (
    "boss",
    "hint",
    "ask",
    "model",
    "expects",
    "coach_off",
    "replies",
    "fallback",
    "end",
    "debrief",
)
REPLY_KEYS = (
    "say",
    "intent",
    "means",
    "label",
    "kind",
    "keywords",
    "require",
    "forbid",
    "score",
    "set",
    "coach",
    "next",
)
PERSONA_KEYS = (
    "id",
    "name",
    "title",
    "description",
    "difficulty",
    "pronouns",
    "patience",
    "asides_cost_patience",
    "patience_seconds",
    "nudge_costs_patience",
    "traits",
    "lines",
    "overrides",
)
DIFFICULTIES = ("easy", "medium", "hard")

T = TypeVar("T")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def read_text(path: FsPath, report: Report) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.add("R000", Loc(str(path)), f"cannot read the file: {exc.strerror or exc}")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.add("R000", Loc(str(path)), f"the file is not UTF-8 text (byte {exc.start})")
        return None


class _Builder:
    """Typed reads from a Document; each wrong-typed value becomes one diagnostic."""

    def __init__(self, doc: Document, report: Report) -> None:
        self.doc = doc
        self.report = report

    def error(
        self, code: str, path: Path, message: str, hint: str | None = None, *, key: bool = False
    ) -> None:
        loc = self.doc.key_loc(path) if key else self.doc.loc(path)
        width = len(str(path[-1])) if key and path else self.doc.width(path)
        self.report.add(code, loc, message, hint=hint, width=width)

    def warn(self, code: str, path: Path, message: str, hint: str | None = None) -> None:
        self.report.add(
            code,
            self.doc.loc(path),
            message,
            hint=hint,
            severity="warning",
            width=self.doc.width(path),
        )

    def mapping(self, value: Any, path: Path, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        if value is None and not path:
            self.error("R010", path, f"the file is empty: {what} is a mapping (key: value)")
            return None
        self.error("R010", path, f"{what} must be a mapping (key: value), got {_kind(value)}")
        return None

    def keys(self, data: Mapping[str, Any], path: Path, allowed: tuple[str, ...], what: str) -> None:
        for key in data:
            if key not in allowed and (*path, key) not in self.doc.misindented:
                self.error(
                    "R011",
                    (*path, key),
                    f"unknown field '{key}' in {what}",
                    did_you_mean(key, allowed) or f"known fields: {', '.join(allowed)}",
                    key=True,
                )

    def required(self, data: Mapping[str, Any], path: Path, key: str, what: str) -> bool:
        if key in data and data[key] is not None:
            return True
        self.error("R012", path, f"{what} is missing required field '{key}'")
        return False

    def text(
        self,
        data: Mapping[str, Any],
        path: Path,
        key: str,
        *,
        required: bool = False,
        what: str = "",
    ) -> str | None:
        if key not in data or data[key] is None:
            if required:
                self.required(data, path, key, what)
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error("R013", (*path, key), f"'{key}' must be text, got {_kind(value)}")
            return None
        return str(value)

    def template(
        self,
        data: Mapping[str, Any],
        path: Path,
        key: str,
        *,
        required: bool = False,
        what: str = "",
    ) -> Text | None:
        source = self.text(data, path, key, required=required, what=what)
        if source is None:
            return None
        return self.compile_text(source, (*path, key))

    def compile_text(self, source: str, path: Path) -> Text | None:
        loc = self.doc.loc(path)
        try:
            text = Text.compile(source, loc)
            if text.templated and not text.names():
                text.render({})  # it reads nothing, so it renders now as it will in play
            return text
        except TemplateProblem as exc:
            where = self._inside(source, exc, loc)
            self.report.add(
                TEMPLATE_CODES[exc.kind], where, f"template error: {exc}", width=len(exc.needle or "{{")
            )
            return None

    def _inside(self, source: str, problem: TemplateProblem, loc: Loc) -> Loc:
        """Where in the file a template's problem is. The same text (a tag, an attribute)
        is found as often before it in the file as in the template, which holds for quoted,
        plain, literal and folded values alike (folding joins lines, escapes add none)."""
        found = _problem_offset(source, problem)
        if found is None:
            return loc
        offset, marker = found
        before = source.count(marker, 0, offset)
        file_lines = self.report.source_lines(loc.file)
        for number in range(loc.line, len(file_lines) + 1):
            line = file_lines[number - 1]
            col = line.find(marker, loc.col - 1 if number == loc.line else 0)
            while col >= 0:
                if before == 0:
                    return Loc(loc.file, number, col + 1)
                before -= 1
                col = line.find(marker, col + len(marker))
        return loc

    def condition(self, source: Any, path: Path) -> Condition | None:
        if isinstance(source, bool):
            source = "true" if source else "false"
        if not isinstance(source, str) or not source.strip():
            self.error("R013", path, f"a condition must be an expression, got {_kind(source)}")
            return None
        try:
            return Condition.compile(source, self.doc.loc(path))
        except TemplateProblem as exc:
            self.error(TEMPLATE_CODES[exc.kind], path, f"condition error: {exc}")
            return None

    def str_list(self, data: Mapping[str, Any], path: Path, key: str) -> list[str]:
        value = data.get(key)
        if value is None:
            return []
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return [str(value)]
        if not isinstance(value, list):
            self.error("R013", (*path, key), f"'{key}' must be a list of text, got {_kind(value)}")
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.error("R013", (*path, key, i), f"'{key}' entries must be text, got {_kind(item)}")
                continue
            out.append(str(item))
        return out

    def lines(self, value: Any, path: Path) -> Lines:
        """A string, a list of strings, or a list of {when, text}."""
        if value is None:
            return Lines()
        items = value if isinstance(value, list) else [value]
        variants: list[Variant] = []
        for i, item in enumerate(items):
            item_path = (*path, i) if isinstance(value, list) else path
            if isinstance(item, dict):
                self.keys(item, item_path, ("when", "text"), "a line")
                if not self.required(item, item_path, "text", "a conditional line"):
                    continue
                text = self.template(item, item_path, "text")
                when = self.condition(item["when"], (*item_path, "when")) if "when" in item else None
                if text is not None:
                    variants.append(Variant(text, when))
            elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
                text = self.compile_text(str(item), item_path)
                if text is not None:
                    variants.append(Variant(text))
            else:
                self.error("R013", item_path, f"a line must be text or {{when, text}}, got {_kind(item)}")
        return Lines(tuple(variants))

    def flag_map(self, value: Any, path: Path, what: str) -> dict[str, FlagValue]:
        data = self.mapping(value, path, what) if value is not None else {}
        out: dict[str, FlagValue] = {}
        for key, item in (data or {}).items():
            if not NAME_RE.match(key):
                self.error(
                    "R014",
                    (*path, key),
                    f"'{key}' is not a valid name (letters, digits, _)",
                    key=True,
                )
            if isinstance(item, (list, dict)):
                self.error("R013", (*path, key), f"'{key}' must be a single value, got {_kind(item)}")
                continue
            out[key] = item
        return out


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def load_document(path: FsPath, report: Report) -> tuple[Document, str] | None:
    text = read_text(path, report)
    if text is None:
        return None
    doc = read_yaml(text, str(path), report)
    if doc is None:
        return None
    return doc, text


_TAG = re.compile(r"\{[{%#]")
_BLOCK_TAG = re.compile(r"\{%-?\s*(\w+)")
_UNCLOSED = re.compile(r"needs to be closed is '(\w+)'")


def _problem_offset(source: str, problem: TemplateProblem) -> tuple[int, str] | None:
    """Where in a template's source its problem is, and the text there: what the problem
    names (an unsafe attribute), the opening of a block left unclosed, the first tag of the
    line for a limit, or the last tag opened on the line, where Jinja stopped."""
    unclosed = _UNCLOSED.search(str(problem))
    if unclosed:
        opened: list[int] = []
        for match in _BLOCK_TAG.finditer(source):
            if match.group(1) == unclosed.group(1):
                opened.append(match.start())
            elif match.group(1) == "end" + unclosed.group(1) and opened:
                opened.pop()
        if opened:
            return opened[-1], source[opened[-1] : opened[-1] + 2]
    lines = source.splitlines(keepends=True) or [""]
    index = min(max((problem.lineno or 1) - 1, 0), len(lines) - 1)
    start = sum(len(line) for line in lines[:index])
    text = lines[index]
    if problem.needle and problem.needle in text:
        return start + text.index(problem.needle), problem.needle
    tags = [m.start() for m in _TAG.finditer(text)]
    if not tags:
        return None
    at = tags[0] if problem.kind == "limit" else tags[-1]
    return start + at, text[at : at + 2]


def guarded(file: str, report: Report, work: Callable[[], T]) -> T | None:
    """``work()``; an unforeseen failure becomes a diagnostic for this one file (R009), so
    one bad file never stops the catalog, a list or a replay."""
    try:
        return work()
    except Exception as exc:  # a stranger's file may find a failure nobody foresaw
        report.add(
            "R009",
            Loc(file, 1, 1),
            f"this file could not be loaded ({type(exc).__name__}: {exc})",
            hint="please report this as a bug in rehearse, with the file",
        )
        return None


def _build(
    doc: Document | None, text: str, report: Report, build: Callable[[Document, str, Report], T | None]
) -> T | None:
    return guarded(doc.file, report, lambda: build(doc, text, report)) if doc is not None else None


def _load(
    path: FsPath | str, report: Report | None, build: Callable[[Document, str, Report], T | None]
) -> tuple[T | None, Report]:
    report = report if report is not None else Report()
    loaded = load_document(FsPath(path), report)
    if loaded is None:
        return None, report
    doc, text = loaded
    return _build(doc, text, report, build), report


def load_script(path: FsPath | str, report: Report | None = None) -> tuple[Script | None, Report]:
    """Load and validate one script file (references inside the file included)."""
    return _load(path, report, build_script)


def load_persona(path: FsPath | str, report: Report | None = None) -> tuple[Persona | None, Report]:
    return _load(path, report, build_persona)


def script_from_text(text: str, name: str = "<script>") -> tuple[Script | None, Report]:
    report = Report()
    return _build(read_yaml(text, name, report), text, report, build_script), report


def persona_from_text(text: str, name: str = "<persona>") -> tuple[Persona | None, Report]:
    report = Report()
    return _build(read_yaml(text, name, report), text, report, build_persona), report


def build_script(doc: Document, text: str, report: Report) -> Script | None:
    """The script in ``doc``, or None when the file has errors (all of them in ``report``)."""
    script = draft_script(doc, text, report)
    return script if report.ok else None


def draft_script(doc: Document, text: str, report: Report) -> Script | None:
    """The script as far as it can be built, with every finding in ``report`` whatever
    else is wrong (None only when the file is not a mapping): check lints drafts too."""
    b = _Builder(doc, report)
    top = _root(b, "script", SCRIPT_KEYS)
    if top is None:
        return None
    root, sid = top
    title = b.text(root, (), "title", required=True, what="the script")
    situation = b.template(root, (), "situation", required=True, what="the script")
    goal = b.template(root, (), "goal", required=True, what="the script")
    if "personas" not in root:
        b.required(root, (), "personas", "the script")
    personas = b.str_list(root, (), "personas")
    if "personas" in root and not personas:
        b.error("R012", ("personas",), "a script needs at least one persona")
    vars_map = b.flag_map(root.get("vars"), ("vars",), "'vars'")
    rubric_raw = b.mapping(root.get("rubric"), ("rubric",), "'rubric'") if "rubric" in root else {}
    rubric: dict[str, str] = {}
    rubric_checks: dict[str, tuple[str, ...]] = {}
    rubric_verdicts: dict[str, Mapping[str, Text]] = {}
    criterion_locs: dict[str, Loc] = {}
    for dim, desc in (rubric_raw or {}).items():
        if not NAME_RE.match(dim):
            b.error(
                "R014",
                ("rubric", dim),
                f"'{dim}' is not a valid name (letters, digits, _)",
                key=True,
            )
        if isinstance(desc, dict):
            where = ("rubric", dim)
            b.keys(desc, where, RUBRIC_KEYS, f"rubric dimension '{dim}'")
            if "criterion" in desc and "description" in desc:
                b.warn(
                    "W124", (*where, "description"), "'description' is the old name of 'criterion': keep one"
                )
            key = "criterion" if "criterion" in desc else "description"
            rubric[dim] = b.text(desc, where, key) or ""
            if key in desc:
                criterion_locs[dim] = doc.loc((*where, key))
            rubric_checks[dim] = _check_ids(b, desc, where)
            lines = {v: b.template(desc, where, v) for v in VERDICTS if v in desc}
            rubric_verdicts[dim] = frozen_map({v: t for v, t in lines.items() if t is not None})
        else:
            rubric[dim] = "" if desc is None else str(desc)
            criterion_locs[dim] = doc.loc(("rubric", dim))
    start = b.text(root, (), "start", required=True, what="the script")
    nodes_raw = (
        b.mapping(root.get("nodes"), ("nodes",), "'nodes'")
        if b.required(root, (), "nodes", "the script")
        else None
    )
    nodes: dict[str, Node] = {}
    for node_id, raw in (nodes_raw or {}).items():
        node = _build_node(b, node_id, raw, ("nodes", node_id))
        if node is not None:
            nodes[node_id] = node
    script = Script(
        id=sid or "?",
        title=title or "",
        situation=situation or Text(""),
        goal=goal or Text(""),
        personas=tuple(personas),
        vars=frozen_map({k: "" if v is None else str(v) for k, v in vars_map.items()}),
        rubric=frozen_map(rubric),
        start=start or "",
        nodes=frozen_map(nodes),
        path=doc.file,
        digest=digest(text),
        source=text,
        persona_locs=tuple(doc.loc(("personas", i)) for i in range(len(personas))),
        var_locs=frozen_map({k: doc.key_loc(("vars", k)) for k in vars_map}),
        rubric_locs=frozen_map({k: doc.key_loc(("rubric", k)) for k in rubric}),
        rubric_checks=frozen_map(rubric_checks),
        rubric_verdicts=frozen_map(rubric_verdicts),
        criterion_locs=frozen_map(criterion_locs),
    )
    # every node written was built, so the graph lints see the real graph
    validate_script(script, doc, report, complete=len(nodes) == len(nodes_raw or {}))
    return script


def _check_ids(b: _Builder, data: Mapping[str, Any], path: Path) -> tuple[str, ...]:
    """Coach check ids named in a script; unknown ones get a did-you-mean."""
    from rehearse.engine.runtime.coachdata import check_ids

    known = list(check_ids())
    ids = b.str_list(data, path, "checks" if "checks" in data else "coach_off")
    key = "checks" if "checks" in data else "coach_off"
    for i, check_id in enumerate(ids):
        if check_id not in known:
            b.error(
                "R017",
                (*path, key, i),
                f"unknown coach check '{check_id}'",
                did_you_mean(check_id, known) or f"known checks: {', '.join(known)}",
            )
    return tuple(ids)


def _build_node(b: _Builder, node_id: str, raw: Any, path: Path) -> Node | None:
    if not NAME_RE.match(node_id) and not ID_RE.match(node_id):
        b.error("R014", path, f"node id '{node_id}' must use letters, digits, '-' or '_'", key=True)
    data = b.mapping(raw, path, f"node '{node_id}'")
    if data is None:
        return None
    b.keys(data, path, NODE_KEYS, f"node '{node_id}'")
    end = b.text(data, path, "end")
    if end is not None and end not in OUTCOMES:
        b.error(
            "R015",
            (*path, "end"),
            f"'end' must be one of {', '.join(OUTCOMES)}, got '{end}'",
            did_you_mean(end, OUTCOMES),
        )
        end = None
    if "boss" not in data:
        b.required(data, path, "boss", f"node '{node_id}'")
    boss = b.lines(data.get("boss"), (*path, "boss"))
    expects = b.str_list(data, path, "expects")
    for i, moment in enumerate(expects):
        if moment not in MOMENTS:
            b.error(
                "R015",
                (*path, "expects", i),
                f"unknown moment '{moment}'",
                did_you_mean(moment, MOMENTS) or f"known moments: {', '.join(MOMENTS)}",
            )
    replies: list[Reply] = []
    is_ending = "end" in data
    if not is_ending:
        replies_raw = (
            b.mapping(data.get("replies"), (*path, "replies"), "'replies'")
            if b.required(data, path, "replies", f"node '{node_id}' (or 'end:' for an ending)")
            else None
        )
        for reply_id, reply_raw in (replies_raw or {}).items():
            reply = _build_reply(b, reply_id, reply_raw, (*path, "replies", reply_id))
            if reply is not None:
                replies.append(reply)
    else:
        for key in ("replies", "fallback", "hint", "ask", "model"):
            if key in data:
                b.warn("W101", (*path, key), f"'{key}' on an ending is never used")
    model, model_reply = _model(b, data, path)
    return Node(
        id=node_id,
        boss=boss,
        hint=b.template(data, path, "hint"),
        ask=b.template(data, path, "ask"),
        model=model,
        model_reply=model_reply,
        expects=frozenset(expects),
        coach_off=frozenset(_check_ids(b, data, path)) if "coach_off" in data else frozenset(),
        replies=tuple(replies),
        fallback=b.lines(data.get("fallback"), (*path, "fallback")),
        end=end,
        debrief=b.template(data, path, "debrief"),
        loc=b.doc.key_loc(path),
    )


def _model(b: _Builder, data: Mapping[str, Any], path: Path) -> tuple[Text | None, str | None]:
    """``model: TEXT``, or ``model: {say: TEXT, reply: ID}`` naming the reply it stands for."""
    raw = data.get("model")
    if not isinstance(raw, Mapping):
        return b.template(data, path, "model"), None
    where = (*path, "model")
    b.keys(raw, where, MODEL_KEYS, "'model'")
    return b.template(raw, where, "say", required=True, what="'model'"), b.text(raw, where, "reply")


def _build_reply(b: _Builder, reply_id: str, raw: Any, path: Path) -> Reply | None:
    if not NAME_RE.match(reply_id) and not ID_RE.match(reply_id):
        b.error("R014", path, f"reply id '{reply_id}' must use letters, digits, '-' or '_'", key=True)
    data = b.mapping(raw, path, f"reply '{reply_id}'")
    if data is None:
        return None
    b.keys(data, path, REPLY_KEYS, f"reply '{reply_id}'")
    say: list[Text] = []
    for i, source in enumerate(b.str_list(data, path, "say")):
        text = b.compile_text(
            source, (*path, "say", i) if isinstance(data.get("say"), list) else (*path, "say")
        )
        if text is not None:
            say.append(text)
    kind = b.text(data, path, "kind")
    if kind is not None and kind not in ("affirm", "deny"):
        b.error(
            "R015",
            (*path, "kind"),
            f"'kind' must be affirm or deny, got '{kind}'",
            did_you_mean(kind, ("affirm", "deny")),
        )
        kind = None
    intents = _intents(b, data, path)
    if not say and kind is None and not intents:
        b.error("R016", path, f"reply '{reply_id}' has no examples in 'say' and no 'intent'", key=True)
    score: dict[str, int] = {}
    score_raw = b.mapping(data["score"], (*path, "score"), "'score'") if "score" in data else {}
    for dim, amount in (score_raw or {}).items():
        if isinstance(amount, bool) or not isinstance(amount, int):
            b.error(
                "R013",
                (*path, "score", dim),
                f"score for '{dim}' must be a whole number, got {_kind(amount)}",
            )
            continue
        score[dim] = amount
    nexts = (
        _build_next(b, data.get("next"), (*path, "next"))
        if b.required(data, path, "next", f"reply '{reply_id}'")
        else ()
    )
    return Reply(
        id=reply_id,
        say=tuple(say),
        label=b.template(data, path, "label"),
        kind=kind,  # type: ignore[arg-type]
        intents=intents,
        means=b.template(data, path, "means"),
        keywords=tuple(b.str_list(data, path, "keywords")),
        require=tuple(b.str_list(data, path, "require")),
        forbid=tuple(b.str_list(data, path, "forbid")),
        score=frozen_map(score),
        set=frozen_map(b.flag_map(data.get("set"), (*path, "set"), "'set'")),
        coach=b.text(data, path, "coach"),
        next=nexts,
        loc=b.doc.key_loc(path),
    )


def _intents(b: _Builder, data: Mapping[str, Any], path: Path) -> tuple[str, ...]:
    """The intents a reply stands for (one name or a list), each one the library knows."""
    from rehearse.engine.runtime.intents import names

    if "intent" not in data:
        return ()
    given = b.str_list(data, path, "intent")
    known = names()
    for i, name in enumerate(given):
        if name not in known:
            where = (*path, "intent", i) if isinstance(data.get("intent"), list) else (*path, "intent")
            b.error(
                "R018",
                where,
                f"unknown intent '{name}'",
                did_you_mean(name, known) or f"known intents: {', '.join(known)}",
            )
    return tuple(n for n in given if n in known)


def _flag(b: _Builder, data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        b.error("R013", (key,), f"'{key}' must be true or false, got {_kind(value)}")
        return False
    return value


def _build_next(b: _Builder, value: Any, path: Path) -> tuple[NextRule, ...]:
    if isinstance(value, str):
        return (NextRule(value, None, b.doc.loc(path)),)
    if not isinstance(value, list) or not value:
        b.error("R013", path, f"'next' must be a node id or a list of {{when, to}}, got {_kind(value)}")
        return ()
    rules: list[NextRule] = []
    for i, item in enumerate(value):
        item_path = (*path, i)
        if isinstance(item, str):
            rules.append(NextRule(item, None, b.doc.loc(item_path)))
            continue
        data = b.mapping(item, item_path, "a 'next' rule")
        if data is None:
            continue
        b.keys(data, item_path, ("when", "to"), "a 'next' rule")
        to = b.text(data, item_path, "to", required=True, what="a 'next' rule")
        when = b.condition(data["when"], (*item_path, "when")) if "when" in data else None
        if to is not None:
            rules.append(NextRule(to, when, b.doc.loc((*item_path, "to"))))
    if rules and rules[-1].when is not None:
        b.warn(
            "W102",
            path,
            "no rule without 'when' at the end: if none holds, the boss stays at this node",
        )
    return tuple(rules)


def _root(b: _Builder, kind: str, keys: tuple[str, ...]) -> tuple[dict[str, Any], str | None] | None:
    """The top mapping of a script or persona file, its fields checked, and its id."""
    root = b.mapping(b.doc.value, (), f"a {kind}")
    if root is None:
        return None
    b.keys(root, (), keys, f"the {kind}")
    found = b.text(root, (), "id", required=True, what=f"the {kind}")
    if found is not None and not ID_RE.match(found):
        b.error("R014", ("id",), f"{kind} id '{found}' must use lower-case letters, digits, '-' or '_'")
    return root, found


def build_persona(doc: Document, text: str, report: Report) -> Persona | None:
    b = _Builder(doc, report)
    top = _root(b, "persona", PERSONA_KEYS)
    if top is None:
        return None
    root, pid = top
    name = b.text(root, (), "name", required=True, what="the persona")
    difficulty = b.text(root, (), "difficulty") or "medium"
    if difficulty not in DIFFICULTIES:
        b.error(
            "R015",
            ("difficulty",),
            f"'difficulty' must be one of {', '.join(DIFFICULTIES)}",
            did_you_mean(difficulty, DIFFICULTIES),
        )
    pronouns = b.text(root, (), "pronouns") or "they/them"
    if pronouns not in PRONOUNS:
        b.error(
            "R015",
            ("pronouns",),
            f"'pronouns' must be one of {', '.join(PRONOUNS)}",
            did_you_mean(pronouns, list(PRONOUNS)),
        )
    patience = root.get("patience", 4)
    if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
        b.error("R013", ("patience",), "'patience' must be a whole number of at least 1")
        patience = 4
    seconds = root.get("patience_seconds")
    number = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    if seconds is not None and (not number or seconds <= 0):
        b.error("R013", ("patience_seconds",), "'patience_seconds' must be a number of seconds above 0")
        seconds = None
    traits = b.flag_map(root.get("traits"), ("traits",), "'traits'")
    lines: dict[str, Lines] = {}
    lines_raw = b.mapping(root.get("lines"), ("lines",), "'lines'") if "lines" in root else {}
    for key, value in (lines_raw or {}).items():
        if key not in PERSONA_LINES:
            b.error(
                "R011",
                ("lines", key),
                f"unknown line '{key}'",
                did_you_mean(key, PERSONA_LINES) or f"known lines: {', '.join(PERSONA_LINES)}",
                key=True,
            )
            continue
        lines[key] = b.lines(value, ("lines", key))
    overrides: dict[str, dict[str, NodeOverride]] = {}
    over_raw = b.mapping(root.get("overrides"), ("overrides",), "'overrides'") if "overrides" in root else {}
    for script_id, per_node in (over_raw or {}).items():
        nodes = b.mapping(per_node, ("overrides", script_id), "a script's overrides") or {}
        for node_id, node_raw in nodes.items():
            npath: Path = ("overrides", script_id, node_id)
            data = b.mapping(node_raw, npath, "a node override")
            if data is None:
                continue
            b.keys(data, npath, ("boss", "fallback"), "a node override")
            overrides.setdefault(script_id, {})[node_id] = NodeOverride(
                boss=b.lines(data.get("boss"), (*npath, "boss")),
                fallback=b.lines(data.get("fallback"), (*npath, "fallback")),
            )
    if not report.ok or pid is None or name is None:
        return None
    return Persona(
        id=pid,
        name=name,
        title=b.text(root, (), "title") or "",
        description=b.text(root, (), "description") or "",
        difficulty=difficulty,  # type: ignore[arg-type]
        pronouns=pronouns,
        patience=patience,
        asides_cost_patience=_flag(b, root, "asides_cost_patience"),
        patience_seconds=None if seconds is None else float(seconds),
        nudge_costs_patience=_flag(b, root, "nudge_costs_patience"),
        traits=frozen_map(traits),
        lines=frozen_map(lines),
        overrides=frozen_map({k: frozen_map(v) for k, v in overrides.items()}),
        path=doc.file,
        digest=digest(text),
        source=text,
    )
