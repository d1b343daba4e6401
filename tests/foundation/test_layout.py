"""The tests' layout (docs/architecture.md, "Tests"): `tests/unit/` mirrors the packages, one file per module,
and every other folder of `tests/` is one the architecture page names, so neither the mirror nor the page rots."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.services import REPO_ROOT

# Folders of tests/ that hold no feature: the unit mirror, shared fixtures and helpers, vendored data.
NOT_FEATURES = {"unit", "support", "data"}


def unit_mirror_errors(root: Path) -> list[str]:
    """What in ``root/tests/unit`` does not mirror a package of ``root``: each folder ``tests/unit/<path>/`` is
    the package ``<path>/``, each ``test_<name>.py`` in it tests the module ``<name>`` (or ``<name>_<topic>``:
    one aspect of it) or the package as a whole (``<name>`` is the package's own name)."""
    unit = root / "tests" / "unit"
    errors = [f"{path.relative_to(root)}: a unit test outside a package's mirror" for path in unit.glob("*.py")
              if path.name != "__init__.py"]
    for folder in sorted(p for p in unit.rglob("*") if p.is_dir() and p.name != "__pycache__"):
        package = root / folder.relative_to(unit)
        here = folder.relative_to(root)
        if not (package / "__init__.py").is_file():
            errors.append(f"{here}: no package {package.relative_to(root)}/ to mirror")
            continue
        if not (folder / "__init__.py").is_file():
            errors.append(f"{here}: no __init__.py (test modules of the same name in two folders would clash)")
        names = {p.stem for p in package.glob("*.py") if p.name != "__init__.py"}
        names |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
        names.add(package.name)
        for test in sorted(folder.glob("test_*.py")):
            tested = test.stem.removeprefix("test_")
            if not any(tested == name or tested.startswith(name + "_") for name in names):
                errors.append(f"{test.relative_to(root)}: no module {package.relative_to(root)}/{tested}.py")
    return errors


def documented_folders(architecture: str) -> set[str]:
    """The folders of tests/ in the table of the architecture page's "Tests" section (one row each)."""
    section = architecture.split("\n## Tests\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `tests/([a-z_]+)/` \|", section, re.MULTILINE))


def test_the_unit_tests_mirror_existing_modules() -> None:
    assert unit_mirror_errors(REPO_ROOT) == []


def test_every_folder_of_the_tests_is_documented_and_every_documented_folder_exists() -> None:
    folders = {p.name for p in (REPO_ROOT / "tests").iterdir() if p.is_dir() and p.name != "__pycache__"}
    documented = documented_folders((REPO_ROOT / "docs" / "architecture.md").read_text())
    assert NOT_FEATURES <= documented
    assert folders == documented


def test_the_mirror_check_finds_a_test_of_a_module_that_is_gone(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    for path in ("pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/parser.py"):
        (tmp_path / path).touch()
    unit = tmp_path / "tests" / "unit"
    (unit / "pkg" / "sub").mkdir(parents=True)
    for path in ("pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/test_parser.py", "pkg/sub/test_parser_errors.py",
                 "pkg/sub/test_sub.py", "pkg/test_sub.py"):
        (unit / path).touch()
    assert unit_mirror_errors(tmp_path) == []

    (unit / "pkg" / "sub" / "test_parse.py").touch()  # a prefix of a module's name is not that module
    (unit / "pkg" / "gone").mkdir()
    (unit / "pkg" / "gone" / "test_x.py").touch()
    (unit / "test_loose.py").touch()
    assert unit_mirror_errors(tmp_path) == [
        "tests/unit/test_loose.py: a unit test outside a package's mirror",
        "tests/unit/pkg/gone: no package pkg/gone/ to mirror",
        "tests/unit/pkg/sub/test_parse.py: no module pkg/sub/parse.py",
    ]
