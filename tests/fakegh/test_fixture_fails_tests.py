"""The `github` fixture fails any test making a request GitHub would reject, even if the code swallowed it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.services import REPO_ROOT

SWALLOWING_TEST = '''
import httpx

def test_swallows_the_error(github):
    try:
        httpx.get(github.url + "/repos/octo/demo/actions/runz/1", headers={"Authorization": "token t"})
    except Exception:
        pass  # retry logic, a broad except: the fixture must still fail the test

def test_clean(github):
    github.on("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}", json={"id": 1})
    assert httpx.get(github.url + "/repos/octo/demo/actions/runs/1",
                     headers={"Authorization": "token t"}).json() == {"id": 1}
'''


def test_violation_fails_the_test_at_teardown(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.support.fixtures"]\n')
    (tmp_path / "test_inner.py").write_text(SWALLOWING_TEST)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
         "-o", "asyncio_default_fixture_loop_scope=session", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path,
    )
    # pytest reports a teardown failure as an error of that test; the run fails
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ERROR test_inner.py::test_swallows_the_error" in result.stdout
    assert "2 passed, 1 error" in result.stdout
    assert "no such path in GitHub's OpenAPI description" in result.stdout
