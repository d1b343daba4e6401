"""Paths from logs become repository-relative annotation paths, or nothing."""

from __future__ import annotations

import pytest

from githubapp.report.paths import repo_relative


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/home/runner/work/hello-world/hello-world/src/app.py", "src/app.py"),  # ubuntu runner workspace
        ("/Users/runner/work/hello-world/hello-world/src/app.py", "src/app.py"),  # macOS runner
        ("D:\\a\\hello-world\\hello-world\\src\\app.py", "src/app.py"),  # Windows runner, backslashes
        ("/__w/hello-world/hello-world/lib/x.ts", "lib/x.ts"),  # container job
        ("/github/workspace/Dockerfile", "Dockerfile"),  # Docker action
        ("/opt/actions-runner/_work/hello-world/hello-world/a/b.go", "a/b.go"),  # self-hosted runner
        ("src/app.py", "src/app.py"),  # already relative
        ("./src/../src/app.py", "src/app.py"),  # normalised
        ("file:///home/runner/work/r/r/x.py", "x.py"),  # file URL
        ("/srv/build/hello-world/hello-world/x.py", "x.py"),  # unknown root, known repo name
        ("/usr/lib/python3.11/unittest/case.py", None),  # interpreter stdlib: outside the repo
        ("/tmp/pytest-of-runner/test_x0/conftest.py", None),  # temp dir
        ("../outside.py", None),  # escapes the repository
        ("src/../../etc/passwd", None),  # escapes after normalisation
        (
            ".venv/lib/python3.11/site-packages/requests/api.py",
            None,
        ),  # installed package inside the workspace
        ("/home/runner/work/r/r/node_modules/react/index.js", None),  # vendored JS
        ("<string>", None),  # pseudo file
        ("C:\\Windows\\system32\\x.dll", None),  # absolute Windows path outside the workspace
        ("", None),
    ],
)
def test_repo_relative(raw: str, expected: str | None) -> None:
    assert repo_relative(raw, repo_name="hello-world") == expected
