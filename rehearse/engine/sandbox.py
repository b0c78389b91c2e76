"""The Jinja2 sandbox with limits, so a script from a stranger cannot exhaust the machine.

Jinja's sandbox stops file access and private attributes, not work: ``'x' * 10**9`` takes
gigabytes, two nested loops over a long string never end, and 500 nested operators or 70
parentheses exhaust Python's stack in the parser. Here a template is measured before it
is parsed (length, nesting), its tree checked after (depth, unsafe constructs), and
rendering is capped (sizes made by operators, filters and methods; loop iterations; the
output). Every limit raises ``LimitExceeded`` with a sentence for the author.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

import jinja2
import jinja2.nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg

from rehearse.engine.limits import (
    LOOP_GUARD,
    MAX_ARGUMENT,
    MAX_INT_BITS,
    MAX_NESTING,
    MAX_SOURCE,
    MAX_TREE_DEPTH,
    MAX_VALUE,
    LimitExceeded,
    Unsafe,
    counted,
    finalize,
    sized,
)

_OPEN = set("([{")
_CLOSE = set(")]}")
_UNARY = {"-", "+", "not"}
_BLOCKS = {"if", "for", "macro", "call", "filter", "with", "block", "autoescape", "raw"}
_ENDS = {f"end{b}" for b in _BLOCKS}


def check_source(env: jinja2.Environment, source: str) -> None:
    """Refuse a template too long or nested too deep to parse safely (the lexer is not
    recursive, the parser is)."""
    if len(source) > MAX_SOURCE:
        raise LimitExceeded(f"a template may be at most {MAX_SOURCE:,} characters long")
    brackets = blocks = unary = 0
    after_block_begin = False
    for lineno, kind, value in env.lex(source):
        if kind == "whitespace":
            continue
        if kind == "operator" and value in _OPEN:
            brackets += 1
        elif kind == "operator" and value in _CLOSE:
            brackets = max(0, brackets - 1)
        unary = unary + 1 if kind in {"operator", "name"} and value in _UNARY else 0
        if after_block_begin and kind == "name":
            blocks += value in _BLOCKS
            blocks -= value in _ENDS
        after_block_begin = kind == "block_begin"
        if max(brackets, blocks, unary) > MAX_NESTING:
            raise LimitExceeded(f"nested more than {MAX_NESTING} levels deep", lineno)


def check_tree(tree: jinja2.nodes.Template) -> None:
    """Refuse what a script may not do, and a tree too deep to compile (walked without
    recursion, so the check itself cannot overflow)."""
    stack: list[tuple[jinja2.nodes.Node, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise LimitExceeded(f"nested more than {MAX_TREE_DEPTH} levels deep", node.lineno)
        _check_node(node)
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())


def _check_node(node: jinja2.nodes.Node) -> None:
    if isinstance(
        node, (jinja2.nodes.Include, jinja2.nodes.Import, jinja2.nodes.FromImport, jinja2.nodes.Extends)
    ):
        word = {"FromImport": "from"}.get(type(node).__name__, type(node).__name__.lower())
        raise Unsafe(f"unsafe template: '{word}' reads other files, which scripts may not", node.lineno, word)
    attr = None
    if isinstance(node, jinja2.nodes.Getattr):
        attr = node.attr
    elif isinstance(node, jinja2.nodes.Getitem) and isinstance(node.arg, jinja2.nodes.Const):
        attr = node.arg.value if isinstance(node.arg.value, str) else None
    if attr is not None and attr.startswith("_"):
        raise Unsafe(f"unsafe template: '{attr}' reaches into Python internals", node.lineno, attr)
    if isinstance(node, jinja2.nodes.For) and node.recursive:
        raise Unsafe("unsafe template: recursive loops are not allowed", node.lineno, "recursive")


def guard_loops(tree: jinja2.nodes.Template) -> jinja2.nodes.Template:
    """Wrap every loop's iterable so that rendering counts iterations (``MAX_LOOPS``)."""
    for loop in tree.find_all(jinja2.nodes.For):
        loop.iter = jinja2.nodes.Call(jinja2.nodes.Name(LOOP_GUARD, "load"), [loop.iter], [], None, None)
    return tree


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) else 1


_WIDE = re.compile(r"\d{5,}")  # a width or precision of 10,000 or more in a format string


def _check_format(spec: Any) -> None:
    if isinstance(spec, str) and _WIDE.search(spec):
        raise LimitExceeded("a format width or precision of 10,000 or more")


def _check_numbers(values: Iterable[Any]) -> None:
    for value in values:
        items = value if isinstance(value, (tuple, list)) else (value,)
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_ARGUMENT:
                raise LimitExceeded(f"a number over {MAX_ARGUMENT:,} given to a filter or method")


def _estimate(name: str, owner: Any, args: tuple[Any, ...], kwargs: dict[str, Any], *, method: bool) -> int:
    """An upper bound on the size of what ``owner.name(*args)`` (a method) or
    ``owner|name(*args)`` (a filter) makes, for the operations whose result can be a
    product of sizes."""
    if name == "join":
        sep, items = (
            (owner, args[0] if args else ()) if method else (args[0] if args else kwargs.get("d", ""), owner)
        )
        if not isinstance(items, (str, list, tuple)):
            return 0
        return _length(sep) * len(items) + sum(_length(item) for item in items)
    if not isinstance(owner, str):
        return 0
    if name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        return len(owner) + (owner.count(old) if old else len(owner) + 1) * len(new)
    if name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        return len(owner) + owner.count("\t") * (size if isinstance(size, int) else 1)
    if name == "indent" and not method:
        width = args[0] if args else kwargs.get("width", 4)
        return len(owner) + (owner.count("\n") + 1) * (width if isinstance(width, int) else _length(width))
    if name in {"format", "format_map"}:
        _check_format(owner)
    return 0


def _guard(name: str, owner: Any, args: tuple[Any, ...], kwargs: dict[str, Any], *, method: bool) -> None:
    _check_numbers(args)
    _check_numbers(kwargs.values())
    if _estimate(name, owner, args, kwargs, method=method) > MAX_VALUE:
        raise LimitExceeded(f"'{name}' would make a value longer than {MAX_VALUE:,}")


def _binop(op: str, left: Any, right: Any) -> None:
    if op == "*":
        for seq, times in ((left, right), (right, left)):
            if (
                isinstance(times, int)
                and isinstance(seq, (str, bytes, list, tuple))
                and len(seq) * times > MAX_VALUE
            ):
                raise LimitExceeded(f"repeating a value would make it longer than {MAX_VALUE:,}")
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and left.bit_length() + right.bit_length() > MAX_INT_BITS
        ):
            raise LimitExceeded(f"a number larger than {MAX_INT_BITS:,} bits")
    elif op == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        if abs(left) > 1 and right * max(1, left.bit_length() - 1) > MAX_INT_BITS:
            raise LimitExceeded(f"a power larger than {MAX_INT_BITS:,} bits")
    elif op == "%" and isinstance(left, str):
        _check_format(left)
        _check_numbers([right])


def _filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    skip = 2 if _PassArg.from_obj(func) is not None else 1  # the context or env, the value

    @functools.wraps(func)
    def limited(*args: Any, **kwargs: Any) -> Any:
        owner = args[skip - 1] if len(args) >= skip else None
        _guard(name, owner, args[skip:], kwargs, method=False)
        return sized(func(*args, **kwargs))

    return limited


class LimitedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the limits above on operators, calls and filters."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=finalize, **options)
        self.filters = {name: _filter(name, func) for name, func in self.filters.items()}
        self.globals[LOOP_GUARD] = counted

    def call_binop(self, context: jinja2.runtime.Context, operator_: str, left: Any, right: Any) -> Any:
        _binop(operator_, left, right)
        return sized(super().call_binop(context, operator_, left, right))

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        target = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        _guard(getattr(target, "__name__", ""), getattr(target, "__self__", None), args, kwargs, method=True)
        return sized(super().call(__context, __obj, *args, **kwargs))


__all__ = ["LimitedEnvironment", "check_source", "check_tree", "guard_loops"]
