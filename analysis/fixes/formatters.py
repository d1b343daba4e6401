"""Formatter and lint ``--check`` failures whose log shows the change: the change itself is the fix.

Recognised: unified diffs printed in the log (``ruff format --diff``, ``black --diff``, ``gofmt -d``,
``git diff --exit-code`` after ``prettier --write`` and friends) and ``rustfmt --check``'s own diff format.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..regex import IGNORECASE, LinearPattern, compile_linear
from .logtext import clean_lines, repo_path
from .patch import PatchError, parse_patch
from .types import FixSource, Proposal

_TOOL_MARKERS: tuple[tuple[str, LinearPattern], ...] = (
    ("ruff-format", compile_linear(r"ruff format|Would reformat: |files? would be reformatted.*ruff", IGNORECASE)),
    ("black", compile_linear(r"\bblack\b|would reformat |Oh no! 💥 💔 💥", IGNORECASE)),
    ("gofmt", compile_linear(r"\bgofmt\b|\bgoimports\b", IGNORECASE)),
    ("rustfmt", compile_linear(r"\b(?:rustfmt|cargo fmt)\b", IGNORECASE)),
    (
        "prettier",
        compile_linear(r"\bprettier (?:--check|--write|-c|-w|--list-different)|Code style issues found", IGNORECASE),
    ),
    ("clang-format", compile_linear(r"\bclang-format\b", IGNORECASE)),
    ("git-diff-check", compile_linear(r"git diff --exit-code|PLEASE APPLY CHANGES BELOW|git diff --quiet", IGNORECASE)),
)
_DIFF_LINE = compile_linear(
    r"^(?:[ +\-\\]|@@ |diff --git |index [0-9a-f]|new file mode |deleted file mode |"
    r"old mode |new mode |similarity index |diff -u )"
)
# The files each formatter formats: a diff the log attributes to it may touch no other kind of file.
_PRETTIER = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".css", ".scss", ".less", ".json",
             ".json5", ".md", ".mdx", ".yaml", ".yml", ".html", ".vue", ".svelte", ".graphql", ".gql", ".hbs")
_TOOL_SUFFIXES: dict[str, tuple[str, ...]] = {
    "ruff-format": (".py", ".pyi", ".ipynb"),
    "black": (".py", ".pyi", ".ipynb"),
    "gofmt": (".go",),
    "rustfmt": (".rs",),
    "prettier": _PRETTIER,
    "clang-format": (".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx", ".m", ".mm", ".proto", ".cu",
                     ".java", ".js", ".ts", ".cs"),
}
# Tools that list the files they would change: "would reformat PATH" (black), "Would reformat: PATH" (ruff).
_NAMED_BY_TOOL = compile_linear(r"[Ww]ould reformat:? +(\S+)")
_RUSTFMT_HEADER = compile_linear(r"^Diff in (.+?)(?: at line (\d+):|:(\d+):)\s*$")
MAX_DIFF_LINES = 5_000


@dataclass(frozen=True)
class LoggedDiff:
    tool: str
    diff: str
    first_line: int  # 1-based line of the log where the diff starts


def _guess_tool(lines: list[str], start: int, end: int, window: int = 40) -> str | None:
    """The tool named nearest the diff: the summary right after it, else the closest line above it."""
    nearby = lines[end : end + 10] + lines[max(0, start - window) : start][::-1]
    for line in nearby:
        for tool, pattern in _TOOL_MARKERS:
            if pattern.search(line):
                return tool
    return None


def _normalise_header(line: str, prefix: str) -> str:
    """``--- /home/runner/work/r/r/x.go.orig`` -> ``--- a/x.go``: repository paths, gofmt's .orig dropped."""
    raw = line[4:]
    path = raw.partition("\t")[0]
    if path == "/dev/null":
        return line
    if path.startswith(("a/", "b/")):
        path = path[2:]
    path = repo_path(path)
    if path.endswith(".orig"):
        path = path[: -len(".orig")]
    return f"{line[:4]}{prefix}{path}"


def unified_diffs_in_log(log_text: str) -> list[LoggedDiff]:
    """Every well-formed file diff printed in the log, with headers rewritten to repository paths."""
    lines = clean_lines(log_text)
    found: list[LoggedDiff] = []
    i = 0
    while i < len(lines) - 2:
        if not (lines[i].startswith("--- ") and lines[i + 1].startswith("+++ ") and lines[i + 2].startswith("@@")):
            i += 1
            continue
        start = i
        block = [_normalise_header(lines[i], "a/"), _normalise_header(lines[i + 1], "b/")]
        i += 2
        while i < len(lines) and len(block) < MAX_DIFF_LINES:
            line = lines[i]
            if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
                block += [_normalise_header(line, "a/"), _normalise_header(lines[i + 1], "b/")]
                i += 2
                continue
            if not (_DIFF_LINE.match(line) or line == ""):
                break
            if not line.startswith(("diff --git ", "diff -u ", "index ")):
                block.append(line)
            i += 1
        text = "\n".join(block) + "\n"
        try:
            patch = parse_patch(text)
        except PatchError:
            continue
        if any(f.old_path and f.new_path and f.old_path != f.new_path for f in patch.files):
            continue  # "--- Expected / +++ Actual" assertion output, not a file diff
        found.append(LoggedDiff(_guess_tool(lines, start, i) or "diff", text, start + 1))
    return found


def rustfmt_diffs_in_log(log_text: str) -> list[LoggedDiff]:
    """``rustfmt --check`` / ``cargo fmt --check`` prints ``Diff in PATH at line N:`` then +/-/space lines."""
    lines = clean_lines(log_text)
    by_path: dict[str, list[str]] = {}
    first: dict[str, int] = {}
    i = 0
    while i < len(lines):
        header = _RUSTFMT_HEADER.match(lines[i])
        if not header:
            i += 1
            continue
        path = repo_path(header.group(1))
        start = int(header.group(2) or header.group(3))
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i][:1] in (" ", "+", "-") and not _RUSTFMT_HEADER.match(lines[i]):
            body.append(lines[i])
            i += 1
        if not body or any(line.endswith("⏎") for line in body):
            continue  # trailing-whitespace markers: the exact text is not in the log
        old = sum(1 for line in body if line[0] != "+")
        new = sum(1 for line in body if line[0] != "-")
        hunk = [f"@@ -{start},{old} +{start},{new} @@", *body]
        by_path.setdefault(path, []).extend(hunk)
        first.setdefault(path, i - len(body))
    found = []
    for path, hunks in by_path.items():
        text = "\n".join([f"--- a/{path}", f"+++ b/{path}", *hunks]) + "\n"
        try:
            parse_patch(text)
        except PatchError:
            continue
        found.append(LoggedDiff("rustfmt", text, first[path]))
    return found


_TOOL_TITLES = {
    "ruff-format": "Apply `ruff format`",
    "black": "Apply `black`",
    "gofmt": "Apply `gofmt`",
    "rustfmt": "Apply `cargo fmt`",
    "prettier": "Apply `prettier --write`",
    "clang-format": "Apply `clang-format`",
    "git-diff-check": "Apply the changes the check printed",
    "diff": "Apply the diff printed in the log",
}


def files_named(log_text: str) -> set[str]:
    """Repository paths the formatters listed as needing a change ("would reformat PATH")."""
    if "ould reformat" not in log_text:
        return set()
    return {repo_path(m.group(1)) for line in clean_lines(log_text) for m in _NAMED_BY_TOOL.finditer(line)}


def fits_tool(logged: LoggedDiff, paths: list[str], named: set[str]) -> bool:
    """A logged diff touches only files its tool formats and, when the log lists the files the tool would
    change, only those: a hunk slipped into another file under a formatter's name is not offered."""
    suffixes = _TOOL_SUFFIXES.get(logged.tool)
    if suffixes is not None and not all(p.lower().endswith(suffixes) for p in paths):
        return False
    if logged.tool in ("black", "ruff-format") and named and not set(paths) <= named:
        return False
    return True


def formatter_proposals(log_text: str, *, fingerprint: str | None = None) -> list[Proposal]:
    """One proposal with every formatter diff of the log combined (one file each; the first diff wins)."""
    diffs = unified_diffs_in_log(log_text) + rustfmt_diffs_in_log(log_text)
    if not diffs:
        return []
    named = files_named(log_text)
    seen: set[str] = set()
    parts: list[str] = []
    tools: list[str] = []
    for logged in diffs:
        patch = parse_patch(logged.diff)
        if any(p in seen for p in patch.paths) or not fits_tool(logged, patch.paths, named):
            continue
        seen.update(patch.paths)
        parts.append(logged.diff)
        tools.append(logged.tool)
    if not parts:
        return []
    tool = next((t for t in tools if t != "diff"), "diff")
    files = sorted(seen)
    shown = ", ".join(f"`{f}`" for f in files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
    return [
        Proposal(
            source=FixSource.RULE,
            rule=tool,
            title=_TOOL_TITLES.get(tool, "Apply the formatter's change"),
            explanation=(
                f"The check failed because these files are not formatted as the tool expects; the log "
                f"prints the exact change ({shown}). Applying it makes the check pass."
            ),
            confidence=0.9 if tool != "diff" else 0.6,
            diff="".join(parts),
            fingerprint=fingerprint,
        )
    ]
