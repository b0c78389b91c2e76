"""YAML text -> plain values, with the file:line:col of every key and value.

Why not yaml.safe_load: it forgets positions, silently keeps the last of two duplicate
keys, turns `no`/`off`/`yes` into booleans (YAML 1.1), and expands aliases without limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rehearse.engine.diagnostics import Loc, Report, SourceText
from rehearse.engine.numbers import MAX_DIGITS, small_int

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_VALUES = 500_000
MAX_DEPTH = 64

Path = tuple[str | int, ...]


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core scalars: only `true`/`false` are booleans; no timestamps."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)

_CParser: Any
try:
    from yaml import _yaml as _libyaml

    _CParser = _libyaml.CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None
if _CParser is not None:

    class _Composer(_CParser, _Resolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _Composer(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        _Resolver,
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


@dataclass
class Document:
    """A parsed YAML file: its value and where each part of it was written."""

    file: str
    value: Any
    # (line, column) of each value and key, 1-based: a Loc is made only when one is asked
    # for (a 5,000-node script has some 400,000 of them, and few are ever shown)
    locs: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_locs: dict[Path, tuple[int, int]] = field(default_factory=dict)
    widths: dict[Path, int] = field(default_factory=dict)
    # keys written with no value whose following lines repeat keys above them: an entry
    # indented as far as its own fields (reported once, R008; the loader stays quiet)
    misindented: dict[Path, Loc] = field(default_factory=dict)

    def loc(self, path: Path) -> Loc:
        """The location of the value at path, or of its nearest written ancestor."""
        while path:
            found = self.locs.get(path)
            if found is not None:
                return Loc(self.file, *found)
            path = path[:-1]
        return Loc(self.file, *self.locs.get((), (1, 1)))

    def key_loc(self, path: Path) -> Loc:
        found = self.key_locs.get(path)
        return Loc(self.file, *found) if found is not None else self.loc(path)

    def width(self, path: Path) -> int:
        return self.widths.get(path, 1)


class _TooBig(Exception):
    """Too many values or too deep; ``path`` is where the walk was when it stopped."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


_CORE = "tag:yaml.org,2002:"
KNOWN_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map"))
# PyYAML's messages when a line is indented wrongly
_INDENT_PROBLEMS = (
    "did not find expected key",
    "mapping values are not allowed here",
    "did not find expected '-' indicator",
    "expected <block end>",
    "could not find expected ':'",
)
# a value that opens with a quote: after "key:", after "- ", or alone on its line
_QUOTE_START = re.compile(r"""(?:^\s*(?:-\s+)?(?:[^\s#'"][^#]*?:\s+)?)(["'])""")


def _unclosed_quote(lines: list[str], before: int) -> tuple[int, int] | None:
    """The line and column (1-based) of the nearest quoted value before line ``before``
    that its own line does not close. A quote may run on over lines in YAML, so the
    parser only fails later, wherever the next quote happens to be."""
    for index in range(min(before, len(lines)) - 1, -1, -1):
        line = lines[index]
        match = _QUOTE_START.match(line)
        if match is None:
            continue
        quote, rest = match.group(1), line[match.end() :]
        closed = re.search(r'(?<!\\)"' if quote == '"' else r"'(?!')", rest.replace("''", ""))
        if closed is None:
            return index + 1, match.start(1) + 1
    return None


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str, report: Report) -> None:
    """R002 located where the broken construct starts, with a hint for indentation."""
    problem = exc.problem or exc.context or "invalid YAML"
    lines = text.splitlines()
    context = exc.context or ""
    opened = exc.context_mark
    if "quoted scalar" in context and opened is not None:
        where = Loc(file, opened.line + 1, opened.column + 1)
        report.add("R002", where, "YAML syntax error: this quote is never closed")
        return
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    quote = _unclosed_quote(lines, line - 1) if any(p in problem for p in _INDENT_PROBLEMS) else None
    if quote is not None:
        report.add(
            "R002",
            Loc(file, *quote),
            "YAML syntax error: this quote is not closed on its line",
            hint=f"the parser only stumbled at line {line} ({problem}); close the quote here",
        )
        return
    hint = None
    if any(p in problem for p in _INDENT_PROBLEMS):
        previous = next((lines[i] for i in range(line - 2, -1, -1) if lines[i].strip()), "")
        indent = len(previous) - len(previous.lstrip(" "))
        hint = (
            f"check the indentation of line {line}: keys of one mapping start in the same "
            f"column (the line before starts at column {indent + 1})"
        )
    report.add("R002", Loc(file, line, col), f"YAML syntax error: {problem}", hint=hint)


def read_yaml(text: str, file: str, report: Report) -> Document | None:
    """Parse text; on failure add diagnostics to report and return None."""
    report.add_source(SourceText(file, text))
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        report.add("R001", Loc(file, 1, 1), f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
        return None
    try:
        composer = _Composer(text)
        try:
            root = composer.get_single_node()
        finally:
            composer.dispose()
    except yaml.MarkedYAMLError as exc:
        _syntax_error(exc, text, file, report)
        return None
    except yaml.reader.ReaderError as exc:
        # a character YAML does not allow (a control character, ESC...): where it is, by name
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        escape = f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
        report.add(
            "R002",
            Loc(file, line, col),
            f"YAML does not allow the control character U+{code:04X} here",
            hint=f'delete it, or write it as an escape inside double quotes ("{escape}")',
        )
        return None
    except yaml.YAMLError as exc:
        report.add("R002", Loc(file, 1, 1), f"YAML error: {exc}")
        return None
    except (ValueError, UnicodeError) as exc:
        report.add("R002", Loc(file, 1, 1), f"cannot read the file: {exc}")
        return None
    doc = Document(file, None)
    if root is None:
        doc.value = None
        return doc
    walker = _Walker(doc, report)
    try:
        doc.value = walker.walk(root, (), 0)
    except _TooBig as exc:  # at the entry whose aliases expand too far
        report.add("R003", doc.key_loc(exc.path[:1]) if exc.path else _loc(file, root), str(exc))
        return None
    return doc


def _loc(file: str, node: Node) -> Loc:
    return Loc(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Walker:
    def __init__(self, doc: Document, report: Report) -> None:
        self.doc = doc
        self.report = report
        self.count = 0

    def walk(self, node: Node, path: Path, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooBig(f"more than {MAX_VALUES:,} values (aliases expanding too far?)", path)
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested more than {MAX_DEPTH} levels deep (a recursive alias?)", path)
        doc = self.doc
        mark = node.start_mark
        doc.locs[path] = (mark.line + 1, mark.column + 1)
        if node.tag not in KNOWN_TAGS:
            shown = "!!" + node.tag.removeprefix(_CORE) if node.tag.startswith(_CORE) else node.tag
            self.report.add(
                "R007",
                doc.loc(path),
                f"YAML tag '{shown}' is not supported: scripts hold text, numbers, lists and mappings",
                hint="remove the tag (rehearse never builds objects from YAML)",
                width=len(shown),
            )
        if isinstance(node, ScalarNode):
            if node.start_mark.line == node.end_mark.line:
                doc.widths[path] = max(1, node.end_mark.column - node.start_mark.column)
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            return [self.walk(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                mark = key_node.start_mark
                where = (mark.line + 1, mark.column + 1)
                if not isinstance(key_node, ScalarNode):
                    self.report.add("R004", Loc(doc.file, *where), "a key must be plain text")
                    continue
                key = str(key_node.value)
                if key in result:
                    self.duplicate(result, path, key, Loc(doc.file, *where))
                    continue
                doc.key_locs[(*path, key)] = where
                result[key] = self.walk(value_node, (*path, key), depth + 1)
            return result
        raise _TooBig("unsupported YAML node", path)  # pragma: no cover

    def duplicate(self, result: dict[str, Any], path: Path, key: str, key_loc: Loc) -> None:
        """R005, unless an empty entry between the two explains it (R008, said once)."""
        doc = self.doc
        first = doc.key_loc((*path, key))
        empty = [k for k, v in result.items() if v is None and doc.key_locs[(*path, k)][0] > first.line]
        if not empty:
            self.report.add(
                "R005", key_loc, f"duplicate key '{key}' (first at line {first.line})", width=len(key)
            )
            return
        entry = (*path, empty[-1])
        if entry in doc.misindented:
            return
        doc.misindented[entry] = at = doc.key_loc(entry)
        self.report.add(
            "R008",
            at,
            f"'{empty[-1]}' is indented as far as the lines after it, so they are not inside it "
            f"(line {key_loc.line} repeats '{key}' from line {first.line})",
            hint=f"indent line {at.line} less, to line up with the entries it sits beside",
            width=len(empty[-1]),
        )

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        """The value of a scalar; a number that cannot be read (too long, or an explicit
        !!int on text) is reported and kept as text."""
        value: str = node.value
        tag = node.tag
        if node.style and node.style in "'\"|>":
            return value
        if tag == _CORE + "bool":
            return value.lower() == "true"
        if tag == _CORE + "null":
            return None
        if tag == _CORE + "int":
            number = small_int(value)
            if number is not None:
                return number
            too_long = value.lstrip("+-").isdigit()
        elif tag == _CORE + "float":
            try:
                return float(value)
            except ValueError:
                too_long = False
        else:
            return value
        message = (
            f"a number with more than {MAX_DIGITS} digits"
            if too_long
            else f"'{value[:40]}' is tagged as a number but is not one"
        )
        self.report.add(
            "R006",
            self.doc.loc(path),
            message,
            hint="quote it if it is meant as text",
            width=self.doc.width(path),
        )
        return value
