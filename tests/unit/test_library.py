"""The app's listing keeps outlines; ``whole`` reads the very script the full catalog holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearse.workspace.library import NotFound, catalog, listing, whole


def test_the_listing_is_the_catalog_in_outline() -> None:
    full, listed = catalog(), listing()
    assert sorted(listed.scripts) == sorted(full.scripts)
    assert listed.personas == full.personas
    assert listed.broken == full.broken
    assert listed.report.items == full.report.items
    for script_id, outline in listed.scripts.items():
        script = full.scripts[script_id]
        assert not outline.nodes and outline.source == ""
        assert (outline.title, outline.situation, outline.personas, outline.vars, outline.rubric) == (
            script.title,
            script.situation,
            script.personas,
            script.vars,
            script.rubric,
        )
        assert outline.digest == script.digest


def test_whole_reads_the_same_script_the_full_catalog_holds() -> None:
    full, listed = catalog(), listing()
    for script_id, outline in listed.scripts.items():
        loaded = whole(outline, listed.personas)
        assert loaded == full.scripts[script_id]
        assert loaded.source == full.scripts[script_id].source
        assert whole(loaded, listed.personas) is loaded  # already whole


def test_whole_says_when_the_file_no_longer_holds_the_script(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "scripts" / "passed-over.yaml"
    copy = tmp_path / "passed-over.yaml"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    listed = listing([tmp_path])
    outline = listed.scripts["passed-over"]
    assert Path(outline.path) == copy
    copy.write_text("id: [", encoding="utf-8")
    with pytest.raises(NotFound, match=r"passed-over\.yaml"):
        whole(outline, listed.personas)
