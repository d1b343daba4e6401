"""Log lines as a tool printed them: without the runner's timestamps, colours, BOM and carriage returns."""

from __future__ import annotations

from ..regex import compile_linear

_TIMESTAMP = compile_linear(r"^\ufeff?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?")
_ANSI = compile_linear(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
# Where runners check out the repository: stripped so that paths printed by tools become repository paths.
_WORKSPACE = compile_linear(
    r"^(?:/home/runner/work/[^/]+/[^/]+/|/__w/[^/]+/[^/]+/|/Users/runner/work/[^/]+/[^/]+/"
    r"|[A-Za-z]:[\\/]a[\\/][^\\/]+[\\/][^\\/]+[\\/]|/github/workspace/|/builds/[^/]+/[^/]+/"
    r"|/home/travis/build/[^/]+/[^/]+/)"
)


def clean_line(line: str) -> str:
    line = line.rstrip("\n").rstrip("\r")
    line = _TIMESTAMP.sub("", line, count=1)
    line = _ANSI.sub("", line)
    if "\r" in line:  # progress bars redraw with CR: the last frame is what a reader saw
        line = line.rsplit("\r", 1)[-1]
    return line.lstrip("\ufeff")


def clean_lines(text: str) -> list[str]:
    return [clean_line(line) for line in text.split("\n")]


def repo_path(path: str) -> str:
    """A path printed by a tool on a CI runner, relative to the repository when it was absolute there."""
    path = path.strip()
    stripped = _WORKSPACE.sub("", path, count=1)
    if stripped != path:
        stripped = stripped.replace("\\", "/")
    if stripped.startswith("./"):
        stripped = stripped[2:]
    return stripped
