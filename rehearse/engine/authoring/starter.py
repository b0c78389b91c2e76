"""The starter script and test plan that `rehearse new` writes: small, playable, commented."""

from __future__ import annotations

import json
from importlib import resources

STARTER_TEMPLATES = {"script": "new_script.yaml.j2", "plan": "new_script.test.yaml.j2"}
DEFAULT_SITUATION = (
    "You want to ask {{ persona.name }} for {{ request }}. You have ten minutes in their "
    "office before their next meeting, and you have never asked for anything like this before."
)


def _yaml_string(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), never a template break."""
    return json.dumps(value, ensure_ascii=False)


def render_starter(name: str, situation: str | None = None) -> dict[str, str]:
    """The starter script and its test plan, as file name -> text."""
    from jinja2 import Environment, StrictUndefined

    # The templates are themselves full of rehearse's own {{ }} templates, so the starter's
    # placeholders use other delimiters.
    env = Environment(
        variable_start_string="<<",
        variable_end_string=">>",
        block_start_string="<%",
        block_end_string="%>",
        comment_start_string="<#",
        comment_end_string="#>",
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    folder = resources.files("rehearse.engine.authoring") / "templates"
    title = name.replace("-", " ").replace("_", " ").strip().capitalize() or name
    values = {
        "name": name,
        "id_yaml": _yaml_string(name),
        "title_yaml": _yaml_string(title),
        "situation_yaml": _yaml_string(" ".join((situation or DEFAULT_SITUATION).split())),
        "file": f"{name}.yaml",
        "test_file": f"{name}.test.yaml",
    }
    out = {}
    for key, template_name in STARTER_TEMPLATES.items():
        source = (folder / template_name).read_text(encoding="utf-8")
        filename = f"{name}.yaml" if key == "script" else f"{name}.test.yaml"
        out[filename] = env.from_string(source).render(values)
    return out
