"""Which files on a search path are scripts, personas and test plans, by name alone.

Kept apart from the catalog, and importing nothing but pathlib, so the app can list the
scripts' titles for its first frame without loading the YAML machinery.
"""

from __future__ import annotations

from pathlib import Path

YAML_SUFFIXES = (".yaml", ".yml")


def is_test_plan(path: Path) -> bool:
    return path.name.endswith((".test.yaml", ".test.yml"))


def plan_files(targets: list[Path]) -> list[Path]:
    found: list[Path] = []
    for target in targets:
        if target.is_file():
            if is_test_plan(target):
                found.append(target)
        elif target.is_dir():
            for folder in (target, target / "scripts"):
                if folder.is_dir():
                    found.extend(sorted(folder.glob("*.test.yaml")))
    return found


def yaml_files(root: Path) -> list[Path]:
    """YAML files in a folder (and its scripts/ and personas/), or the file itself."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    files: list[Path] = []
    for folder in (root, root / "scripts", root / "personas"):
        if folder.is_dir():
            files.extend(
                sorted(
                    p
                    for p in folder.iterdir()
                    if p.suffix in YAML_SUFFIXES and p.is_file() and not is_test_plan(p)
                )
            )
    return files


def kind_of(value: object, path: Path) -> str:
    """ "script" or "persona": told apart by a file's top-level keys, else by its folder."""
    if isinstance(value, dict):
        if "nodes" in value or "start" in value:
            return "script"
        if "patience" in value or "lines" in value or "traits" in value:
            return "persona"
        if "name" in value and "nodes" not in value:
            return "persona"
    return "persona" if path.parent.name == "personas" else "script"
