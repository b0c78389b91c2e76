"""Fuzzing (issue 12): mutated bundled scripts through the loader and the checker, random
templates through the sandbox, and random text through ``step()`` on every bundled
script and persona, with zero uncaught exceptions. Under CI the examples are derandomized
(tests/conftest.py), so a red build always reproduces."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rehearse.engine.authoring.check import check_paths
from rehearse.engine.compile.catalog import Catalog
from rehearse.engine.compile.loader import persona_from_text, script_from_text
from rehearse.engine.diagnostics import Loc
from rehearse.engine.limits import render_capped
from rehearse.engine.runtime.session import Setup, begin, step
from rehearse.engine.templating import (
    Namespace,
    TemplateProblem,
    Text,
    _light_template,
    _parse_fresh,
    _pieces,
    _problem,
    _template,
    attribute_uses,
    template_names,
)
from tests.unit.helpers import ROOT, bundled_catalog

SCRIPTS = sorted(p for p in (ROOT / "scripts").glob("*.yaml") if not p.name.endswith(".test.yaml"))
PERSONAS = sorted((ROOT / "personas").glob("*.yaml"))
# what breaks YAML and templates most often, and what people paste
PIECES = [
    ":",
    "- ",
    "  ",
    "\n",
    "\t",
    '"',
    "'",
    "#",
    "&a",
    "*a",
    "!!binary ",
    "!!python/object ",
    "|",
    ">",
    "{{",
    "}}",
    "{%",
    "%}",
    "{{ x.__class__ }}",
    "[",
    "]",
    "{",
    "}",
    "9" * 30,
    "-1",
    "~",
    "null",
    "\x1b[2J",
    "\u202e",
    "\x00",
    "é",
    "🙂",
    "next: nowhere",
    "when: (((1)))",
]


@cache
def catalog() -> Catalog:
    return bundled_catalog()


@st.composite
def mutated(draw: st.DrawFn, texts: tuple[str, ...]) -> str:
    """A bundled file with a few cuts, duplicated lines, inserted pieces or characters."""
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["cut", "insert", "line", "char"]))
        if kind == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 200)) :]
        elif kind == "insert":
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        elif kind == "line":
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(0, max(0, len(lines) - 1)))
            text = "".join([*lines[: i + 1], " " * draw(st.integers(0, 4)) + lines[i], *lines[i + 1 :]])
        else:
            text = text[:at] + draw(st.characters()) + text[at:]
    return text


def read(paths: list[Path]) -> tuple[str, ...]:
    return tuple(p.read_text() for p in paths)


def assert_located(loaded: object, items: list[object]) -> None:
    for diagnostic in items:
        loc = getattr(diagnostic, "loc", None)
        assert isinstance(loc, Loc) and loc.line >= 0 and loc.col >= 0
        assert diagnostic.render()  # type: ignore[attr-defined]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(read(SCRIPTS)))
def test_mutated_scripts_load_into_diagnostics(text: str) -> None:
    script, report = script_from_text(text, "fuzzed.yaml")
    assert script is not None or report.errors
    assert_located(script, list(report.items))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(read(PERSONAS)))
def test_mutated_personas_load_into_diagnostics(text: str) -> None:
    persona, report = persona_from_text(text, "fuzzed.yaml")
    assert persona is not None or report.errors
    assert_located(persona, list(report.items))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(read(SCRIPTS)))
def test_mutated_scripts_go_through_check(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = check_paths([path], lambda extra: [*extra, ROOT])
    assert all(d.render() for d in result.diagnostics)


TEMPLATE_PIECES = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        " if ",
        " for x in ",
        " endif ",
        " endfor ",
        "(",
        ")",
        "[",
        "]",
        "-",
        "+",
        "*",
        "**",
        "%",
        "'x'",
        "9",
        "99999",
        "user.name",
        "persona",
        ".__class__",
        "|center(",
        "|join",
        "range(",
        ")",
        ",",
        " not ",
        "loop",
        "~",
        "x",
        " ",
        "\n",
        "{#",
        "#}",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEMPLATE_PIECES, max_size=30).map("".join))
def test_random_templates_compile_and_render_or_say_why(source: str) -> None:
    try:
        text = Text.compile(source, Loc("fuzzed"))
        text.render({"user": {"name": "Ana"}, "persona": {"name": "Pat"}, "x": "abc"})
    except TemplateProblem as problem:
        assert str(problem)


NAMES = st.sampled_from(
    [
        "user.name",
        "persona.name",
        "vars.role",
        "flags.asked",
        "visits.opening",
        "x",
        "x.upper",
        "items",
        "user.missing",
        "nobody",
        "true",
        "None",
        "_secret",
        "user._data",
        "flags.items",
        "role",
    ]
)
SIMPLE_PIECES = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="{}"), max_size=12),
    st.builds(
        lambda name, left, right: f"{{{{{left}{name}{right}}}}}",
        NAMES,
        st.sampled_from(["", " ", "- ", "  "]),
        st.sampled_from(["", " ", " -", "\t"]),
    ),
    st.sampled_from(["\n", "\r\n", "\r", " ", "}", "{"]),
)
CONTEXT = {
    "user": Namespace({"name": "Ana"}, ""),
    "persona": Namespace({"name": "Pat <b>[red]"}),
    "vars": Namespace({"role": "lead"}),
    "flags": Namespace({"asked": True}, False),
    "visits": Namespace({"opening": 2}, 0),
    "x": "abc",
    "items": [1, None, 2.5],
    "role": None,
}


def _by_jinja(source: str) -> str | TemplateProblem:
    try:
        return render_capped(_template(source).generate(CONTEXT))
    except Exception as exc:
        return _problem(exc, "render")


@settings(max_examples=400, deadline=None)
@given(st.lists(SIMPLE_PIECES, max_size=12).map("".join))
def test_a_template_that_only_prints_names_renders_as_jinja_renders_it(source: str) -> None:
    """Text.render skips Jinja for text and {{ dotted.names }}: never with another result."""
    try:
        Text.compile(source, Loc("fuzzed"))
    except TemplateProblem:
        return
    text = Text(source, Loc("fuzzed"), "{{" in source or "{%" in source or "{#" in source)
    try:
        got: str | TemplateProblem = text.render(CONTEXT)
    except TemplateProblem as problem:
        got = problem
    expected = _by_jinja(source) if text.templated else source
    if isinstance(expected, TemplateProblem):
        assert isinstance(got, TemplateProblem) and str(got) == str(expected)
    else:
        assert got == expected


def test_the_quick_path_is_taken_for_names_and_left_to_jinja_otherwise() -> None:
    assert _pieces("Hi {{ user.name }}, the {{ vars.role }} job\n") is not None
    for source in [
        "{{- user.name }}",
        "a\r\n{{ x }}",
        "{{ true }}",
        "{{ user._data }}",
        "{% if x %}y{% endif %}",
    ]:
        assert _pieces(source) is None, source
    _template.cache_clear()
    assert Text.compile("Hi {{ user.name }}, {{ flags.asked }}", Loc("t")).render(CONTEXT) == "Hi Ana, True"
    assert _template.cache_info().currsize == 0  # no Jinja template was compiled for it


CONDITIONS = st.sampled_from(
    [
        "flags.asked",
        "not flags.asked",
        "not not not not x",
        "not " * 21 + "x",
        " or ".join("abcdefghijklmnopqrstuvwxyz"),
        'persona.difficulty != "hard"',
        "visits.opening > 1 and visits.probe",
        "x == 1 or y or z and w",
        "a and b and c and d and e and f and g and h and i",
        "x.__class__",
        "if",
        "for",
        "x in y",
        "1",
        "'%}'",
        "x  ",
        "",
    ]
)
LIGHT_PIECES = st.one_of(
    SIMPLE_PIECES,
    st.builds(lambda n: f"{{{{ {n} }}}}", NAMES),
    st.builds(lambda c: f"{{% if {c} %}}x{{% endif %}}", CONDITIONS),
    st.builds(lambda c, sp: f"{{% if {c}{sp}%}}", CONDITIONS, st.sampled_from(["", " ", "  "])),
    st.builds(lambda c: f"{{% elif {c} %}}", CONDITIONS),
    st.sampled_from(["{% else %}", "{% endif %}", "{% endif%}", "{%- endif %}", "{% end %}", "{#", "%}"]),
    st.builds(lambda n, i: f"{{{{ {n}[{i}] }}}}", NAMES, st.sampled_from(["0", "1", "10", "-1", "x"])),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(LIGHT_PIECES, max_size=10).map("".join))
@example("{{ user._data }}")
@example("{% if x.__class__ %}a{% endif %}")
@example("{% if " + "not " * 21 + "x %}a{% endif %}")
@example("".join(f"{{% if {c} %}}" for c in "abcde") + "x" + "{% endif %}" * 5)
def test_what_loading_reads_without_jinja_jinja_parses_with_the_same_names(source: str) -> None:
    """A template the light reading accepts is one Jinja's parser (under the sandbox's
    limits) accepts, and it reads the same names and attribute uses from it."""
    light = _light_template(source)
    if light is None:
        return
    _parse_fresh(source)  # raises TemplateProblem if Jinja would refuse it
    text = Text(source, Loc("fuzzed"), True)
    assert text.names() == template_names(source)
    assert sorted(text.attribute_uses()) == sorted(attribute_uses(source))


def test_loading_the_bundled_scripts_never_imports_jinja() -> None:
    """The home screen loads every script; Jinja would cost it 2.8 MB."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from rehearse.workspace.library import catalog\n"
        "assert catalog().scripts\n"
        "print('jinja2' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


PAIRS = [(s.id, p.id) for s in catalog().scripts.values() for p in catalog().personas_for(s)]
TYPED = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.from_regex(r"\A[0-9]{1,5000}\Z"),
    st.sampled_from(["1", "2.", "yes", "no", "\x1b[2J", "{{ 7*7 }}", "\u202e", " " * 500, ""]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PAIRS), st.lists(TYPED, min_size=1, max_size=4), st.integers(0, 2**32))
def test_random_text_through_step_on_every_script_and_persona(
    pair: tuple[str, str], typed: list[str], seed: int
) -> None:
    script, persona = catalog().scripts[pair[0]], catalog().personas[pair[1]]
    state = begin(Setup(script, persona, user_name="Ana", seed=seed))
    for text in typed:
        if state.ending is not None:
            break
        state, turn = step(state, text)
        assert isinstance(turn.boss, str)
