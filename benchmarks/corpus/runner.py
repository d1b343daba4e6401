"""What generators share: run a real tool as a CI step would, and where the private tool installs live."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .model import Step

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS = REPO_ROOT / ".corpus-tools"  # git-ignored: tools installed by pip/npm for the generators only


@dataclass(frozen=True)
class Ran:
    output: str  # stdout and stderr interleaved, as the runner captures them
    exit_code: int


def run(
    argv: Sequence[str],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
    path: Sequence[Path] = (),
) -> Ran:
    """Run ``argv`` in ``cwd`` with a CI-like environment (CI=true, GITHUB_ACTIONS=true) plus ``env``."""
    base = {
        "PATH": os.pathsep.join([*(str(p) for p in path), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "COLUMNS": "120",
        "TERM": "dumb",
    }
    base.update(env or {})
    result = subprocess.run(
        list(argv), cwd=cwd, env=base, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout
    )
    return Ran(result.stdout.decode("utf-8", "replace"), result.returncode)


def step(name: str, command: str, ran: Ran) -> Step:
    return Step(name=name, command=command, output=ran.output, exit_code=ran.exit_code)


def write_tree(root: Path, files: Mapping[str, str]) -> tuple[str, ...]:
    """Write ``files`` (repository-relative path -> text) under ``root``; their paths, sorted."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return tuple(sorted(files))
