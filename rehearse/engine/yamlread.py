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
    locs: dict[Path, Loc] = field(default_factory=dict)
    key_locs: dict[Path, Loc] = field(default_factory=dict)
    widths: dict[Path, int] = field(default_factory=dict)

    def loc(self, path: Path) -> Loc:
        """The location of the value at path, or of its nearest written ancestor."""
        while path:
            found = self.locs.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return self.locs.get((), Loc(self.file, 1, 1))

    def key_loc(self, path: Path) -> Loc:
        return self.key_locs.get(path) or self.loc(path)

    def width(self, path: Path) -> int:
        return self.widths.get(path, 1)


class _TooBig(Exception):
    pass


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
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        report.add("R002", Loc(file, line, col), f"YAML syntax error: {problem}")
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
    except _TooBig as exc:
        report.add("R003", _loc(file, root), str(exc))
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
            raise _TooBig(f"more than {MAX_VALUES} values (aliases expanding too far?)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested more than {MAX_DEPTH} levels deep (a recursive alias?)")
        doc = self.doc
        doc.locs[path] = _loc(doc.file, node)
        if isinstance(node, ScalarNode):
            if node.start_mark.line == node.end_mark.line:
                doc.widths[path] = max(1, node.end_mark.column - node.start_mark.column)
            if node.tag == "tag:yaml.org,2002:int" and not node.style and small_int(node.value) is None:
                self.report.add(
                    "R006",
                    doc.locs[path],
                    f"a number with more than {MAX_DIGITS} digits",
                    hint="quote it if it is meant as text",
                    width=doc.widths.get(path, 1),
                )
                return node.value
            return _scalar(node)
        if isinstance(node, SequenceNode):
            return [self.walk(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key_loc = _loc(doc.file, key_node)
                if not isinstance(key_node, ScalarNode):
                    self.report.add("R004", key_loc, "a key must be plain text")
                    continue
                key = str(key_node.value)
                if key in result:
                    first = doc.key_locs.get((*path, key))
                    where = f" (first at line {first.line})" if first else ""
                    self.report.add("R005", key_loc, f"duplicate key '{key}'{where}", width=len(key))
                    continue
                doc.key_locs[(*path, key)] = key_loc
                result[key] = self.walk(value_node, (*path, key), depth + 1)
            return result
        raise _TooBig("unsupported YAML node")  # pragma: no cover


def _scalar(node: ScalarNode) -> Any:
    value: str = node.value
    tag = node.tag
    if node.style and node.style in "'\"|>":
        return value
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        return int(value)
    if tag == "tag:yaml.org,2002:float":
        return float(value)
    if tag == "tag:yaml.org,2002:null":
        return None
    return value
