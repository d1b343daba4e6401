"""The repository needs nothing beside it: no tracked file names a folder outside the checkout.

A clone in an empty folder must run `make test` and `make bench`, so nothing may point at a sibling `shared/`
folder or at a developer's machine. Paths of CI machines are fine: the product recognises them in logs
(`/home/runner/work/...`, `/Users/runner/work/...`), and recorded CI logs (test and benchmark data) are what
they are.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.support.services import REPO_ROOT

# Recorded CI logs and GitHub's examples: data from other machines, scanned by nothing here.
DATA_DIRS = ("benchmarks/data/", "benchmarks/corpus/logs/", "tests/data/", "tests/analysis/golden/")
# Users of CI machines and containers (``app``) whose home folders appear in the logs the product reads.
CI_USERS = r"(?:runner|runneradmin|app|travis|circleci|vsts|builder|jenkins|linuxbrew|user|me|you|octocat)"
FORBIDDEN = re.compile(
    r"\.\./shared\b"  # the old sibling folder
    r"|(?:^|[\s\"'`(=:])/work/"  # this machine's work area (CI's /home/runner/work/ has a prefix)
    rf"|/home/(?!{CI_USERS}/)[a-z][\w.-]*/"  # a developer's home
    rf"|/Users/(?!{CI_USERS}/)[A-Za-z][\w.-]*/"
    rf"|[A-Za-z]:\\\\?Users\\\\?(?!{CI_USERS}\b)[A-Za-z]",
    re.MULTILINE,
)


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    return [name for name in out.decode().split("\0") if name]


def offending_lines(text: str) -> list[str]:
    return [line.strip()[:160] for line in text.splitlines() if FORBIDDEN.search(line)]


@pytest.mark.parametrize(("line", "bad"), [
    ("see ../shared/datasets/README.md", True),
    ('SPEC = Path("/work/shared/github/openapi.json")', True),
    ("`/work/main/.venv/bin/pytest -q`", True),
    ("cd /home/alice/src/ci-triage", True),
    ("open /Users/bob/code/x.py", True),
    ("/home/runner/work/app/app/src/x.py:3: error", False),
    ("/Users/runner/work/w/w/Tests/A.swift:41", False),
    ("/home/travis/build/o/r/src/main.c", False),
    ("tests/data/github/webhooks and benchmarks/data/logdx-dev", False),
])
def test_the_pattern(line: str, bad: bool) -> None:
    assert bool(offending_lines(line)) is bad


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    files = tracked_files()
    assert "Makefile" in files and "README.md" in files and ".ci/run" in files
    problems = []
    for name in files:
        if name.startswith(DATA_DIRS) or name == "tests/foundation/test_self_contained.py":
            continue
        path = REPO_ROOT / name
        if not path.is_file():
            continue  # deleted in the work tree, not yet committed
        text = path.read_bytes().decode("utf-8", "ignore")
        problems += [f"{name}: {line}" for line in offending_lines(text)]
    assert not problems, "paths outside the repository:\n" + "\n".join(problems)


def test_vendored_data_is_tracked() -> None:
    files = set(tracked_files())
    assert "tests/data/github/openapi/api.github.com.json" in files
    assert "tests/data/github/webhooks/api.github.com/workflow_run/completed.payload.json" in files
    assert any(name.startswith("benchmarks/data/logdx-dev/") for name in files)
    assert any(name.startswith("benchmarks/data/cidiff/") for name in files)
