"""Rebuild the recogniser's shipped counts (intent_data/model.json) after editing the intent
library or a bundled script, and the coach's pattern analysis (coach_data/analysis.json)
after editing a check:

    python -m rehearse.engine.authoring.train

The model learns from the library and from the bundled scripts' examples of every reply
tied to exactly one intent (rendered with the script's default variables): more ways of
saying each thing, in the words of the situations rehearse ships with.
"""

from __future__ import annotations

from pathlib import Path

from rehearse.engine.compile.catalog import load_catalog
from rehearse.engine.runtime.coach import write_analysis
from rehearse.engine.runtime.recognise import Example, write_model
from rehearse.engine.runtime.session import Setup, begin, examples_of

SOURCE = Path(__file__).resolve().parents[3]  # a source checkout: scripts/ and personas/


def bundled_examples(root: Path = SOURCE) -> list[Example]:
    """(text, intent) for every example of a bundled reply tied to one intent."""
    catalog = load_catalog([root])
    found: list[Example] = []
    for script in sorted(catalog.scripts.values(), key=lambda s: s.id):
        personas = catalog.personas_for(script)
        if not personas:
            continue
        state = begin(Setup(script, personas[0]))
        for node in script.nodes.values():
            for reply, texts in examples_of(state, node):
                if len(reply.intents) == 1:
                    found += [(text, reply.intents[0]) for text in texts]
    return found


def main() -> None:
    print(f"wrote {write_model(bundled_examples())}")
    print(f"wrote {write_analysis()}")


if __name__ == "__main__":
    main()
