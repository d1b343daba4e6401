"""go vet logs whose source the replay reads: the shared part of the symbol and code-line tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from githubapp.pipeline.source import MappingSource, SourceFiles
from tests.pipeline.gha import job_log

MESSAGE = "fmt.Errorf format %d has arg value of wrong type string"


def line_of(text: str, needle: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), 1) if needle in row)


def vet_log(tmp_path: Path, name: str, line: int) -> Path:
    path = tmp_path / f"{name}.log"
    path.write_bytes(job_log(("# example.com/confkit", f"./config.go:{line}:10: {MESSAGE}")))
    return path


def sources(trees: dict[str, str]) -> Callable[[Path], SourceFiles | None]:
    """Each log's commit: ``config.go`` as ``trees[log stem]``."""
    return lambda log: MappingSource({"config.go": trees[log.stem], "go.mod": "module example.com/confkit\n"})
