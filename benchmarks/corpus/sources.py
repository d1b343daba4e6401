"""Each corpus case's repository files at its log's commit, rebuilt by the generators without running a tool.

The pipeline reads the source a compile, type or lint error points at (``githubapp.pipeline.source``) for the
symbol its line is in; the corpus replay must see the same. The generators know each case's tree exactly (the
project's templates with the case's faults switched on, its shift applied): a source pass (``additive.sources``)
takes the same random draws as a build and hands over each case's files instead of running its tools. An
ecosystem whose generator cannot run here (node formats its templates with prettier from ``.corpus-tools``)
gives no source: its logs are replayed without one, as a run whose files GitHub could not give.

Nothing of a case is printed: the held-out projects' files are read by the replay, never shown.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from analysis.change_loci import changed_between

from . import additive, build


def faulted_trees(names: Sequence[str] | None = None) -> dict[tuple[str, str], dict[str, str]]:
    """``(project, case)`` -> that case's files (path -> text), for the ecosystems ``names`` (default: all).
    The projects' fault-free files are kept too (``clean_trees``): a case's change is made against them."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="ci-triage-corpus-sources-") as tmp:
        for name in names or build.ecosystem_names():
            additive.sources(True)
            try:
                for _ in build.generate(name, Path(tmp)):
                    pass
            except Exception as exc:  # a generator that needs a missing tool: that ecosystem has no source
                print(f"corpus sources: {name} skipped ({type(exc).__name__})", file=sys.stderr)
            finally:
                found.update(additive.sources(False))
    return found


def clean_trees() -> dict[str, dict[str, str]]:
    """project -> its files with no fault on, for the projects ``faulted_trees`` has rebuilt so far."""
    return additive.clean_trees()


def changed_lines(case_files: dict[str, str], clean: dict[str, str]) -> dict[str, frozenset[int]]:
    """The lines a case's change touched (its faults switched on, its shift), by file: as a pull request's
    files would list them against the fault-free commit."""
    found: dict[str, frozenset[int]] = {}
    for path, text in case_files.items():
        before = clean.get(path)
        if before != text:
            found[path] = changed_between(before, text)
    return found
