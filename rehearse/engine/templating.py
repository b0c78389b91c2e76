"""Sandboxed Jinja2 for script text and conditions.

Templates are compiled once, when a script is loaded. The user's words only ever enter a
template as data in the context, never as template source. Parsing, compiling and
rendering run under the limits of ``engine/sandbox.py``, and any failure at all (a limit,
RecursionError, MemoryError, a SyntaxError from Python's compiler) becomes a
``TemplateProblem``: a located diagnostic when a script loads, a fallback line in play.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from rehearse.engine.diagnostics import Loc, did_you_mean
from rehearse.engine.limits import MAX_SOURCE, Refused, finalize, render_capped

if TYPE_CHECKING:  # Jinja is imported only when a template needs more than names
    import jinja2
    import jinja2.nodes

    from rehearse.engine.sandbox import LimitedEnvironment

KNOWN_NAMES = frozenset({"user", "persona", "vars", "visits", "flags", "scores", "turn", "last", "options"})
# What `user.X` and `persona.X` may read (the session builds them from these), so that a
# typo such as `persona.nme` is an error at check time instead of "None" in play.
USER_FIELDS = ("name",)
PERSONA_FIELDS = ("id", "name", "title", "description", "difficulty", "they", "them", "their", "traits")

UNNAMED = "you"
"""The user's name when they gave none: the views say "you", and the boss leaves the name
out of a line that addresses them by it (see ``without_name``)."""

_NAME = r"\{\{-?\s*user\.name\s*-?\}\}"
_VOCATIVE = re.compile(
    rf",\s*{_NAME}(?=\s*[.,!?;:]|\s*$)"  # "Come in, {{ user.name }}." -> "Come in."
    rf"|(?P<lead>^\s*){_NAME}\s*[.,!]\s*(?P<first>\w?)"  # "{{ user.name }}, hi." -> "Hi."
    rf"|(?<=\w)\s+{_NAME}(?=,)"  # "Hi {{ user.name }}, come in" -> "Hi, come in"
    # "Hi {{ user.name }}." -> "Hi."
    rf"|(?P<greet>\b(?:[Hh]i|[Hh]ello|[Hh]ey|[Mm]orning|[Aa]fternoon|[Ee]vening))\s+{_NAME}"
)


def _unaddressed(match: re.Match[str]) -> str:
    if match.group("greet"):
        return match.group("greet")
    if match.group("first") is not None:
        return match.group("lead") + match.group("first").upper()
    return ""


def unnamed(name: str) -> bool:
    """Whether the user gave no name (blank, or the stand-in "you")."""
    return not name.strip() or name.strip().casefold() == UNNAMED


@lru_cache(maxsize=256)
def without_name(source: str) -> str:
    """A template with the user's name taken out where it only addresses them: "Come in,
    {{ user.name }}." is "Come in." for someone who gave no name, not "Come in, you."
    Any other use of the name is left to read "you"."""
    return _VOCATIVE.sub(_unaddressed, source)


ProblemKind = Literal["syntax", "unsafe", "limit", "render"]


class TemplateProblem(Exception):
    """A template that cannot compile or render; carries the message for a diagnostic,
    what kind of problem it is, and when known the line inside the template (1-based)."""

    def __init__(
        self, message: str, lineno: int | None = None, kind: ProblemKind = "syntax", needle: str | None = None
    ) -> None:
        super().__init__(message)
        self.lineno = lineno
        self.kind = kind
        self.needle = needle  # text on that line to point at, such as an unsafe attribute


def _problem(exc: BaseException, kind: ProblemKind) -> TemplateProblem:
    """Any failure as a TemplateProblem, worded for an author."""
    if isinstance(exc, TemplateProblem):
        return exc
    if isinstance(exc, Refused):
        return TemplateProblem(
            str(exc), exc.lineno, "unsafe" if exc.kind == "unsafe" else "limit", exc.needle
        )
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateProblem(exc.message or "template syntax error", exc.lineno, kind)
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return TemplateProblem(f"unsafe template: {exc}", None, "unsafe")
    if isinstance(exc, RecursionError):
        return TemplateProblem("nested too deeply to handle", None, "limit")
    if isinstance(exc, ValueError) and "digits" in str(exc):  # int() refuses over 4,300
        return TemplateProblem("a number with too many digits", getattr(exc, "lineno", None), "limit")
    if isinstance(exc, MemoryError):
        return TemplateProblem("needs more memory than there is", None, "limit")
    if isinstance(exc, jinja2.TemplateError):
        return TemplateProblem(str(exc), None, kind)
    return TemplateProblem(f"{type(exc).__name__}: {exc}", getattr(exc, "lineno", None), kind)


class Namespace(Mapping[str, Any]):
    """A read-only mapping whose missing names give a default, for `visits.x`, `flags.x`."""

    __slots__ = ("_data", "_default")

    def __init__(self, data: Mapping[str, Any], default: Any = None) -> None:
        self._data = dict(data)
        self._default = default

    def __getitem__(self, key: str) -> Any:
        return self._data.get(key, self._default)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return self._data.get(key, self._default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __repr__(self) -> str:
        return f"Namespace({self._data!r})"


@lru_cache(maxsize=1)
def environment() -> LimitedEnvironment:
    import jinja2

    from rehearse.engine.sandbox import LimitedEnvironment

    return LimitedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        loader=None,
    )


def _is_template(source: str) -> bool:
    return "{{" in source or "{%" in source or "{#" in source


def _parse_fresh(source: str) -> jinja2.nodes.Template:
    """Parse under the limits: measured first, checked after; every failure a
    TemplateProblem."""
    from rehearse.engine.sandbox import check_source, check_tree

    env = environment()
    try:
        check_source(env, source)
        tree = env.parse(source)
        check_tree(tree)
    except Exception as exc:  # anything at all: the source is a stranger's
        raise _problem(exc, "syntax") from exc
    _check_filters(tree, env)
    return tree


def _check_filters(tree: jinja2.nodes.Template, env: LimitedEnvironment) -> None:
    """Jinja finds an unknown filter or test only when it compiles the template, on first
    render: the line would fail in the middle of a conversation instead of in `check`."""
    import jinja2

    for kind, nodes, known in (
        ("filter", tree.find_all(jinja2.nodes.Filter), env.filters),
        ("test", tree.find_all(jinja2.nodes.Test), env.tests),
    ):
        for node in nodes:
            if node.name not in known:
                hint = did_you_mean(node.name, known)
                message = f"no {kind} named '{node.name}'" + (f" ({hint})" if hint else "")
                raise TemplateProblem(message, node.lineno, "syntax", node.name)


@lru_cache(maxsize=65536)
def _parse(source: str) -> jinja2.nodes.Template:
    return _parse_fresh(source)


@lru_cache(maxsize=65536)
def _template(source: str) -> jinja2.Template:
    from rehearse.engine.sandbox import guard_loops

    _parse(source)
    try:  # a fresh tree: the cached one serves the name checks and must stay unguarded
        return environment().from_string(guard_loops(_parse_fresh(source)))
    except Exception as exc:
        raise _problem(exc, "syntax") from exc


@lru_cache(maxsize=65536)
def _expression(source: str) -> Any:
    _parse("{{ " + source + " }}")
    try:
        return environment().compile_expression(source, undefined_to_none=False)
    except Exception as exc:
        raise _problem(exc, "syntax") from exc


# Most script text only prints names ("Hi {{ user.name }}") and most conditions are
# comparisons of names ("visits.opening > 1 and not flags.asked"). Those shapes are
# recognised without Jinja's parser, which dominates `rehearse check` on big scripts.
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_VALUE = rf"(?:{_DOTTED}|-?[0-9]{{1,18}}(?:\.[0-9]{{1,18}})?|'[^'\\{{}}]*'|\"[^\"\\{{}}]*\")"
_ATOM = rf"(?:not\s+)*{_VALUE}(?:\s*(?:==|!=|>=|<=|>|<|\s+in\s+|\s+not\s+in\s+)\s*{_VALUE})?"
_SIMPLE_CONDITION = re.compile(rf"^\s*{_ATOM}(?:\s+(?:and|or)\s+{_ATOM})*\s*$")
_PRINT = re.compile(rf"\{{\{{-?\s*({_DOTTED})\s*-?\}}\}}")
_NAME_TOKEN = re.compile(rf"(?<![\w.'\"]){_DOTTED}")
_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "none", "True", "False", "None"})
_RESERVED = frozenset(keyword.kwlist) | {
    *("is", "if", "elif", "else", "endif", "for", "endfor", "set", "block", "macro", "call"),
    *("filter", "with", "import", "include", "extends", "raw", "loop", "self", "super"),
}
#: what opens or closes a tag: outside the tags the quick readings take, Jinja must see it
_MARKS = ("{{", "{%", "{#", "}}")


def _marked(text: str) -> bool:
    return any(mark in text for mark in _MARKS)


def _unlit(part: str) -> bool:
    """A name part the quick readings leave to Jinja: a keyword, a word Jinja reserves, or
    private ("_x")."""
    return part in _RESERVED or part in _KEYWORDS or part.startswith("_")


def _simple_template(source: str) -> list[str] | None:
    """The dotted names printed by a template made only of {{ name.attr }}, else None."""
    if len(source) > MAX_SOURCE:
        return None
    names = _PRINT.findall(source)
    rest = _PRINT.sub("", source)
    return None if _marked(rest) else names


def _simple_condition(source: str) -> list[str] | None:
    if len(source) > MAX_SOURCE or not _SIMPLE_CONDITION.match(source):
        return None
    return [n for n in _NAME_TOKEN.findall(source) if n not in _KEYWORDS]


def _dotted_uses(dotted: list[str]) -> tuple[set[str], list[tuple[str, str]]]:
    names = {d.split(".")[0] for d in dotted}
    uses = [(d.split(".")[0], d.split(".")[1]) for d in dotted if "." in d]
    return names, uses


Piece = tuple[str, tuple[str, ...] | None]
"""Literal text, or the dotted name a template prints there."""


@lru_cache(maxsize=65536)
def _pieces(source: str) -> tuple[Piece, ...] | None:
    """A template of text and ``{{ dotted.names }}`` alone, as literal text and name paths;
    None for anything Jinja must see (whitespace control, a carriage return, a name that
    is a keyword or starts with "_")."""
    if "\r" in source or _simple_template(source) is None:
        return None
    # as Jinja, with keep_trailing_newline off: one newline at the very end is dropped
    source = source[:-1] if source.endswith("\n") else source
    pieces: list[Piece] = []
    at = 0
    for m in _PRINT.finditer(source):
        path = tuple(m.group(1).split("."))
        if (
            "-" in m.group()
            or source[at : m.start()].endswith("{")  # "{{{ x }}": Jinja's tag opens a brace earlier
            or any(_unlit(p) for p in path)
        ):
            return None
        pieces += [(source[at : m.start()], None), ("", path)]
        at = m.end()
    pieces.append((source[at:], None))
    return tuple(pieces)


def _quick(pieces: tuple[Piece, ...], context: Mapping[str, Any]) -> str | None:
    """What Jinja would render for these pieces, without Jinja: each name looked up as its
    sandbox looks it up and printed as ``str(finalize(value))``; None whenever Jinja might
    do anything else (a name not in the context, an attribute of anything but a
    Namespace's data, a limit), so that Jinja renders it and says what went wrong.

    Compiling a template costs a millisecond or two, paid at the first visit to a node for
    each example, boss line and hint; and importing Jinja costs the home screen 2.8 MB,
    where every text only prints names."""
    out: list[str] = []
    try:
        for text, path in pieces:
            if path is None:
                out.append(text)
                continue
            if path[0] not in context:
                return None
            value = context[path[0]]
            for attr in path[1:]:
                # the sandbox's getattr reads a Namespace's data unless its class has the
                # attribute (keys, items...): then Jinja decides
                if type(value) is not Namespace or hasattr(Namespace, attr):
                    return None
                value = value[attr]
            out.append(str(finalize(value)))
        return render_capped(out)
    except Exception:  # Jinja renders it again and reports it as it should
        return None


# Besides names, script text mostly chooses a sentence by a simple condition ("{% if
# flags.asked %}...{% endif %}") or prints a choice ("{{ options[0] }}"). Those shapes are
# checked and their names read without Jinja too, so that loading a script never imports
# it; anything else, or anything odd about them, goes to Jinja's parser.
_LIGHT_TAG = re.compile(
    rf"\{{\{{ ?({_DOTTED})(?:\[([0-9]{{1,3}})\])? ?\}}\}}"
    r"|\{% (if|elif) ([^%{}#\n]{1,200}?) ?%\}|\{% (else|endif) ?%\}"
)
_MAX_LIGHT_DEPTH = 4
_MAX_LIGHT_ATOMS = 8


def _light_condition(source: str) -> list[str] | None:
    """The dotted names of a simple condition that Jinja surely parses, else None."""
    names = _simple_condition(source)
    words = source.split()
    if (
        names is None
        or words.count("not") > 3
        or len(re.findall(r"\b(?:and|or)\b", source)) >= _MAX_LIGHT_ATOMS
        or any(_unlit(part) for name in names for part in name.split("."))
    ):
        return None
    return names


@lru_cache(maxsize=65536)
def _light_template(source: str) -> tuple[str, ...] | None:
    """The dotted names read by a template of text, ``{{ dotted.name }}``, ``{{ name[0] }}``
    and ``{% if %}`` blocks over simple conditions, each written plainly; None for
    anything else (Jinja's parser then checks it and reads its names)."""
    if len(source) > MAX_SOURCE:
        return None
    names: list[str] = []
    depth: list[bool] = []  # each open block: whether it has had its else
    at = 0
    for m in _LIGHT_TAG.finditer(source):
        text = source[at : m.start()]
        if text.endswith("{") or _marked(text):
            return None
        at = m.end()
        printed, _index, opener, condition, closer = m.groups()
        if printed is not None:
            if any(_unlit(part) for part in printed.split(".")):
                return None
            names.append(printed)
        elif opener is not None:
            found = _light_condition(condition)
            if found is None or (opener == "elif" and (not depth or depth[-1])):
                return None
            if opener == "if":
                depth.append(False)
                if len(depth) > _MAX_LIGHT_DEPTH:
                    return None
            names += found
        elif closer == "else":
            if not depth or depth[-1]:
                return None
            depth[-1] = True
        else:
            if not depth:
                return None
            depth.pop()
    rest = source[at:]
    if depth or _marked(rest):
        return None
    return tuple(names)


def _check_syntax(source: str) -> None:
    if _light_template(source) is None:
        _parse(source)


@dataclass(frozen=True, slots=True)
class Text:
    """Script text that may be a template; plain text skips Jinja entirely.

    Loading only parses a template (cheap, and enough to find syntax errors and names);
    it is compiled on first render and the compiled form is shared by source.
    """

    source: str
    loc: Loc = field(default=Loc("?"), compare=False)
    templated: bool = field(default=False, compare=False)

    @staticmethod
    def compile(source: str, loc: Loc) -> Text:
        if not _is_template(source):
            return Text(source, loc)
        _check_syntax(source)
        return Text(source, loc, True)

    def render(self, context: Mapping[str, Any]) -> str:
        if not self.templated:
            return self.source
        source = self.source
        user = context.get("user")
        if "user.name" in source and isinstance(user, Namespace) and unnamed(str(user.name or "")):
            source = without_name(source)
        pieces = _pieces(source)
        quick = None if pieces is None else _quick(pieces, context)
        if quick is not None:
            return quick
        template = _template(source)
        try:
            return render_capped(template.generate(context))
        except Exception as exc:  # a limit, RecursionError, MemoryError, a bad value...
            raise _problem(exc, "render") from exc

    def names(self) -> set[str]:
        """Top-level names the template reads (for the undefined-name check)."""
        if not self.templated:
            return set()
        light = _light_template(self.source)
        if light is not None:
            return _dotted_uses(list(light))[0]
        return template_names(self.source)

    def attribute_uses(self) -> list[tuple[str, str]]:
        if not self.templated:
            return []
        light = _light_template(self.source)
        if light is not None:
            return _dotted_uses(list(light))[1]
        return attribute_uses(self.source)


@dataclass(frozen=True)
class Condition:
    """A Jinja2 expression over the state, such as `visits.opening > 1`."""

    source: str
    loc: Loc = field(default=Loc("?"), compare=False)

    @staticmethod
    def compile(source: str, loc: Loc) -> Condition:
        if _simple_condition(source) is not None:
            return Condition(source, loc)
        wrapped = "{{ " + source + " }}"
        _check_syntax(wrapped)
        import jinja2.nodes

        body = _parse(wrapped).body
        if len(body) != 1 or not isinstance(body[0], jinja2.nodes.Output) or len(body[0].nodes) != 1:
            raise TemplateProblem("a condition must be a single expression")
        return Condition(source, loc)

    def holds(self, context: Mapping[str, Any]) -> bool:
        expression = _expression(self.source)
        try:
            return bool(expression(**context))
        except Exception as exc:
            raise _problem(exc, "render") from exc

    def names(self) -> set[str]:
        simple = _simple_condition(self.source)
        if simple is not None:
            return _dotted_uses(simple)[0]
        return template_names("{{ " + self.source + " }}")

    def attribute_uses(self) -> list[tuple[str, str]]:
        simple = _simple_condition(self.source)
        if simple is not None:
            return _dotted_uses(simple)[1]
        return attribute_uses("{{ " + self.source + " }}")


def template_names(source: str) -> set[str]:
    """Names read but never assigned in the template (a cheap find_undeclared_variables)."""
    import jinja2.nodes

    tree = _parse(source)
    loaded: set[str] = set()
    stored: set[str] = set()
    for node in tree.find_all(jinja2.nodes.Name):
        (loaded if node.ctx == "load" else stored).add(node.name)
    for macro in tree.find_all((jinja2.nodes.Macro, jinja2.nodes.CallBlock)):
        stored.update(arg.name for arg in getattr(macro, "args", ()))
    stored.add("loop")
    return loaded - stored


def attribute_uses(source: str) -> list[tuple[str, str]]:
    """Pairs (namespace, attribute) such as ('visits', 'opening') read by a template."""
    import jinja2.nodes

    uses: list[tuple[str, str]] = []
    for node in _parse(source).find_all(jinja2.nodes.Getattr):
        if isinstance(node.node, jinja2.nodes.Name):
            uses.append((node.node.name, node.attr))
    return uses
