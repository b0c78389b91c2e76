"""The header scan that lists the scripts' titles in the app's first frame: it agrees with
the catalog, reads the files every time (never stale) and leaves out what it cannot read for
certain rather than show a wrong title."""

from __future__ import annotations

from pathlib import Path

from rehearse.workspace.library import catalog
from rehearse.workspace.titles import Title, scan, titles

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
