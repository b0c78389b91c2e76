"""The header scan that lists the scripts' titles in the app's first frame: it agrees with
the catalog, reads the files every time (never stale) and leaves out what it cannot read for
certain rather than show a wrong title."""

from __future__ import annotations

from pathlib import Path

from rehearse.workspace.library import catalog, catalog_for
from rehearse.workspace.titles import Title, scan, script_id_of, titles

from .helpers import MINI


def test_the_bundled_titles_are_the_catalogs() -> None:
    found = {t.id: t.title for t in titles()}
    loaded = catalog([]).scripts
    assert found == {s.id: s.title for s in loaded.values()}
    assert [t.id for t in titles()] == [
        s.id for s in sorted(loaded.values(), key=lambda s: (s.title.lower(), s.id))
    ]


def test_an_edited_title_is_read_at_once(tmp_path: Path) -> None:
    text = (MINI / "mini.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    first = scan(path)
    assert first is not None
    path.write_text(text.replace(f"title: {first.title}", "title: 'It''s a new title'", 1))
    assert scan(path) == Title(first.id, "It's a new title", path)


def test_quoted_titles_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text('id: s  # the id\ntitle: "A \\"quoted\\" title"\nnodes: {}\n')
    assert scan(path) == Title("s", 'A "quoted" title', path)


def test_what_the_scan_cannot_be_sure_of_is_left_to_the_catalog(tmp_path: Path) -> None:
    block = tmp_path / "block.yaml"
    block.write_text("id: block\ntitle: >\n  Folded\n  title\nnodes: {}\n")
    untitled = tmp_path / "untitled.yaml"
    untitled.write_text("id: untitled\nnodes: {}\n")
    persona = tmp_path / "persona.yaml"
    persona.write_text("id: p\nname: P\ntitle: Head of things\npatience: 3\n")
    assert [scan(p) for p in (block, untitled, persona)] == [None, None, None]


def test_a_copy_on_the_path_shadows_the_bundled_one(tmp_path: Path) -> None:
    bundled = next(t for t in titles() if t.id)
    copy = tmp_path / "copy.yaml"
    copy.write_text(f"id: {bundled.id}\ntitle: My own copy\nstart: a\nnodes: {{}}\n")
    found = {t.id: t for t in titles([tmp_path])}
    assert found[bundled.id] == Title(bundled.id, "My own copy", copy)


def test_the_scan_names_a_script_only_when_the_catalog_would_read_that_id(tmp_path: Path) -> None:
    def held(name: str, text: str) -> str | None:
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        return script_id_of(path)

    assert held("sure.yaml", "id: sure  # it is\ntitle: T\nnodes: {}\n") == "sure"
    assert held("quoted.yaml", "id: 'quoted'\ntitle: T\nstart: a\n") == "quoted"
    # a line inside a multi-line value that looks like a top-level key
    assert held("inside.yaml", 'title: "T\nid: other"\nid: inside\nnodes: {}\n') is None
    assert held("flow.yaml", "nodes: {a: 1,\nid: other}\ntitle: T\n") is None
    # YAML reads these as a number, a boolean: never a script's id
    assert held("octal.yaml", "id: 0o17\ntitle: T\nnodes: {}\n") is None
    assert held("true.yaml", "id: true\ntitle: T\nnodes: {}\n") is None
    assert held("no.yaml", "id: no\ntitle: T\nnodes: {}\n") is None  # YAML 1.1: a boolean too
    assert held("personas/p.yaml", "id: p\ntitle: T\nnodes: {}\n") is None


def test_a_catalog_for_one_script_builds_only_that_script_and_every_persona() -> None:
    everything = catalog([MINI])  # the mini fixtures, then the bundled scripts
    assert len(everything.scripts) > 2
    for script_id in everything.scripts:
        one = catalog_for(script_id, [MINI])
        assert list(one.scripts) == [script_id]
        assert one.scripts[script_id].digest == everything.scripts[script_id].digest
        assert one.personas.keys() == everything.personas.keys()
    assert not catalog_for(None, [MINI]).scripts
