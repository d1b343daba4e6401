"""Turn file paths seen in CI logs into repository-relative paths that check-run annotations accept.

Runners check the repository out under a workspace directory; tools print absolute paths into it
(``/home/runner/work/<repo>/<repo>/src/app.py``, ``D:\\a\\<repo>\\<repo>\\src\\app.py``,
``/__w/<repo>/<repo>/...`` in container jobs, ``/github/workspace/...`` in Docker actions,
``.../_work/<repo>/<repo>/...`` on self-hosted runners). Anything outside the workspace (the interpreter's
stdlib, site-packages, /tmp) is not a repository file and gets no annotation.
"""

from __future__ import annotations

import posixpath

from analysis.regex import compile_linear

_DRIVE = compile_linear(r"^[A-Za-z]:/")

# Workspace roots, most specific first. Group "rest" is the repository-relative remainder.
_WORKSPACE = [
    compile_linear(r"^/home/runner/work/[^/]+/[^/]+/(?P<rest>.+)$"),
    compile_linear(r"^/Users/runner/work/[^/]+/[^/]+/(?P<rest>.+)$"),
    compile_linear(r"^[A-Za-z]:/a/[^/]+/[^/]+/(?P<rest>.+)$"),
    compile_linear(r"^/__w/[^/]+/[^/]+/(?P<rest>.+)$"),
    compile_linear(r"^/github/workspace/(?P<rest>.+)$"),
    compile_linear(r"^(?:[A-Za-z]:)?/.*?/_work/[^/]+/[^/]+/(?P<rest>.+)$"),
]
# Directories that hold installed or generated code, never the repository's own sources.
_VENDORED = compile_linear(r"(?:^|/)(?:site-packages|dist-packages|node_modules|\.venv|venv|\.tox|\.nox|__pycache__)/")


def repo_relative(path: str, *, repo_name: str | None = None) -> str | None:
    """The repository-relative form of ``path``, or None when it does not point inside the repository.

    ``repo_name`` (the name without owner) also strips ``.../<name>/<name>/`` for runners with unusual roots.
    """
    raw = path.strip().strip("'\"")
    if not raw or "\x00" in raw or raw.startswith(("<", "[")):  # "<string>", "<frozen ...>", "[eval]"
        return None
    candidate = raw.replace("\\", "/")
    if candidate.startswith("file://"):
        candidate = candidate[len("file://") :]
    rest: str | None = None
    for pattern in _WORKSPACE:
        match = pattern.match(candidate)
        if match:
            rest = match.group("rest")
            break
    if rest is None and repo_name:
        marker = f"/{repo_name}/{repo_name}/"
        index = candidate.find(marker)
        if index >= 0:
            rest = candidate[index + len(marker) :]
    if rest is None:
        if candidate.startswith("/") or _DRIVE.match(candidate) or candidate.startswith("~"):
            return None  # absolute but outside any workspace we know
        rest = candidate
    normalized = posixpath.normpath(rest)
    if normalized in (".", "") or normalized.startswith("../") or normalized == ".." or normalized.startswith("/"):
        return None
    if _VENDORED.search(normalized + "/"):
        return None
    return normalized
