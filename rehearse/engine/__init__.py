"""The engine: pure logic, no UI, no command line, no database.

Floors inside: the shared model (``model``, ``diagnostics``, ``templating``, ``yamlread``);
``compile`` (YAML -> checked model); ``runtime`` (``step(state, text) -> (state, turn)``,
understanding, coach, debrief); ``authoring`` (test plans, coverage, the starter script).
Nothing here imports textual, rich, click or sqlite3 (tests/unit/test_floors.py).
"""
