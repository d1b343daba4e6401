"""Real-format GitHub Actions job logs, built around the output of a real pytest run.

The format (tests/data/github/facts.json ``logs_download.line_format``): a UTF-8 BOM at the start, every line
prefixed by a UTC timestamp with 7 fractional digits, ``##[group]``/``##[endgroup]`` around each step's
command, ``##[error]Process completed with exit code N.`` at the end of a failed step.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

WORKSPACE = "/home/runner/work/hello-world/hello-world"
RUNNER_PYTHON = "/opt/hostedtoolcache/Python/3.11.7/x64/bin/python"

APP = """\
def total(prices):
    return sum(prices) - 1  # the bug
"""

TEST = """\
from src.app import total


def test_total_of_two_prices():
    prices = [1, 2]
    assert total(prices) == 3


def test_total_of_nothing():
    assert total([]) == 0 or True
"""


@cache
def pytest_failure_output(tmp: str) -> tuple[str, ...]:
    """Run pytest on a tiny project with a real bug; its output as the runner would print it."""
    root = Path(tmp)
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "tests").mkdir(exist_ok=True)
    (root / "src" / "__init__.py").write_text("")
    (root / "src" / "app.py").write_text(APP)
    (root / "tests" / "__init__.py").write_text("")
    (root / "tests" / "test_app.py").write_text(textwrap.dedent(TEST))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "--color=no", "-p", "no:cacheprovider", "-rf", "tests"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONDONTWRITEBYTECODE": "1",
            "COLUMNS": "120",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        },
    )
    assert result.returncode == 1, result.stdout + result.stderr
    text = result.stdout.replace(str(root), WORKSPACE).replace(sys.executable, RUNNER_PYTHON)
    return tuple(text.splitlines())


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond * 10:07d}Z"


def job_log(
    test_output: tuple[str, ...],
    *,
    padding_lines: int = 0,
    exit_code: int = 1,
    start: datetime = datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
) -> bytes:
    """A job log: set-up, checkout, an install step (``padding_lines`` of pip noise), the failing test step."""
    at = start
    lines: list[str] = []

    def emit(text: str) -> None:
        nonlocal at
        at += timedelta(microseconds=137)
        lines.append(f"{_stamp(at)} {text}")

    emit("Current runner version: '2.333.1'")
    emit("##[group]Runner Image")
    emit("Image: ubuntu-24.04")
    emit("##[endgroup]")
    emit("##[group]Run actions/checkout@v4")
    emit("with:")
    emit("  repository: octo-org/hello-world")
    emit("##[endgroup]")
    emit(f"Syncing repository: octo-org/hello-world into {WORKSPACE}")
    emit("##[group]Run pip install -r requirements.txt")
    emit("pip install -r requirements.txt")
    emit("shell: /usr/bin/bash -e {0}")
    emit("##[endgroup]")
    for i in range(padding_lines):
        emit(f"  Downloading package_{i % 977}-{i % 13}.{i % 7}.{i % 5}-py3-none-any.whl (1{i % 90} kB)")
    emit("##[group]Run python -m pytest -v tests")
    emit("python -m pytest -v tests")
    emit("shell: /usr/bin/bash -e {0}")
    emit("##[endgroup]")
    for line in test_output:
        emit(line)
    emit(f"##[error]Process completed with exit code {exit_code}.")
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def passing_padding_for(target_bytes: int) -> int:
    """How many padding lines make a log of about ``target_bytes``."""
    return max(0, target_bytes // 80)
