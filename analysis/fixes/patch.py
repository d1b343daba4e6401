"""Unified diffs: parse, check paths, apply with context verification (fuzz 0), and produce.

Lines are kept with their line endings, so "\\ No newline at end of file" is simply a last line
without ``\\n`` and CRLF files round-trip unchanged. Only ``\\n`` separates lines (``str.splitlines``
would also split on ``\\r``, form feeds and Unicode separators, which a diff never does).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..regex import compile_linear

_DRIVE = compile_linear(r"^[A-Za-z]:")
_EMPTY_OLD = compile_linear(r"^@@ -1,0 ")
_EMPTY_NEW = compile_linear(r" \+1,0 @@")

NO_NEWLINE = "\\ No newline at end of file"
DEV_NULL = "/dev/null"

_HUNK_HEADER = compile_linear(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_UNSUPPORTED = ("GIT binary patch", "Binary files ", "rename from ", "rename to ", "copy from ", "copy to ")


class PatchError(ValueError):
    """The diff is malformed, unsafe, or does not apply; ``path`` names the file when one is known."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.reason = message
        self.path = path


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    # (op, line) with op in " -+"; line keeps its "\n" unless it is a last line without one.
    lines: tuple[tuple[str, str], ...]

    @property
    def old_lines(self) -> list[str]:
        return [text for op, text in self.lines if op != "+"]

    @property
    def new_lines(self) -> list[str]:
        return [text for op, text in self.lines if op != "-"]


@dataclass(frozen=True)
class FilePatch:
    old_path: str | None  # None: the file is created
    new_path: str | None  # None: the file is deleted
    hunks: tuple[Hunk, ...]

    @property
    def path(self) -> str:
        path = self.new_path or self.old_path
        assert path is not None
        return path

    @property
    def is_new(self) -> bool:
        return self.old_path is None

    @property
    def is_deleted(self) -> bool:
        return self.new_path is None


@dataclass(frozen=True)
class Patch:
    files: tuple[FilePatch, ...]

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]


def split_lines(text: str) -> list[str]:
    """Lines with their ``\\n`` kept; a last line without one stays as it is."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _strip_path(raw: str, prefix: str) -> str | None:
    path = raw.split("\t", 1)[0].rstrip("\r")
    if path.startswith('"') and path.endswith('"') and len(path) >= 2:
        raise PatchError(f"quoted path {path} is not supported")
    if path == DEV_NULL:
        return None
    if path.startswith(prefix):
        path = path[len(prefix) :]
    return path


def parse_patch(text: str) -> Patch:
    """Parse one or more file diffs (git or plain unified format). Text outside file diffs is ignored."""
    lines = split_lines(text)
    files: list[FilePatch] = []
    i = 0
    git_new = git_deleted = False
    while i < len(lines):
        line = lines[i].rstrip("\n").rstrip("\r")
        if line.startswith("diff --git "):
            git_new = git_deleted = False
            i += 1
            continue
        if line.startswith("new file mode"):
            git_new = True
        elif line.startswith("deleted file mode"):
            git_deleted = True
        elif line.startswith(_UNSUPPORTED):
            raise PatchError(f"unsupported diff content: {line[:60]!r} (binary, rename and copy diffs are refused)")
        if not (line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")):
            i += 1
            continue
        old_raw = line[4:]
        new_raw = lines[i + 1].rstrip("\n").rstrip("\r")[4:]
        old_name, new_name = old_raw.split("\t", 1)[0], new_raw.split("\t", 1)[0]
        both_prefixed = (old_name == DEV_NULL or old_name.startswith("a/")) and (
            new_name == DEV_NULL or new_name.startswith("b/")
        )
        old_path = _strip_path(old_raw, "a/" if both_prefixed else "\0")
        new_path = _strip_path(new_raw, "b/" if both_prefixed else "\0")
        if old_path is None and new_path is None:
            raise PatchError("both sides of a file diff are /dev/null")
        i += 2
        hunks: list[Hunk] = []
        while i < len(lines) and lines[i].startswith("@@"):
            hunk, i = _parse_hunk(lines, i, new_path or old_path or "")
            hunks.append(hunk)
        if not hunks:
            raise PatchError("file diff has no hunks", path=new_path or old_path)
        if (git_new and old_path is not None) or (git_deleted and new_path is not None):
            raise PatchError("git header and ---/+++ lines disagree about creation/deletion", path=new_path or old_path)
        files.append(FilePatch(old_path, new_path, tuple(hunks)))
        git_new = git_deleted = False
    if not files:
        raise PatchError("no file diffs found (expected ---/+++ headers followed by @@ hunks)")
    seen: set[str] = set()
    for f in files:
        if f.path in seen:
            raise PatchError("the same file appears twice in the diff", path=f.path)
        seen.add(f.path)
    return Patch(tuple(files))


def _parse_hunk(lines: list[str], i: int, path: str) -> tuple[Hunk, int]:
    match = _HUNK_HEADER.match(lines[i])
    if not match:
        raise PatchError(f"malformed hunk header {lines[i].strip()[:80]!r}", path=path)
    old_start, new_start = int(match.group(1)), int(match.group(3))
    old_count = int(match.group(2)) if match.group(2) is not None else 1
    new_count = int(match.group(4)) if match.group(4) is not None else 1
    i += 1
    body: list[tuple[str, str]] = []
    old_left, new_left = old_count, new_count
    while old_left > 0 or new_left > 0:
        if i >= len(lines):
            raise PatchError(f"hunk @@ -{old_start} +{new_start} @@ is truncated", path=path)
        raw = lines[i]
        # Some tools strip the single space of an empty context line.
        op, text = (" ", raw) if raw in ("\n", "\r\n") else (raw[0], raw[1:])
        if op == " " and old_left > 0 and new_left > 0:
            old_left -= 1
            new_left -= 1
        elif op == "-" and old_left > 0:
            old_left -= 1
        elif op == "+" and new_left > 0:
            new_left -= 1
        elif op == "\\":
            i = _no_newline(body, raw, i, path)
            continue
        else:
            raise PatchError(f"hunk @@ -{old_start} +{new_start} @@ does not match its line counts", path=path)
        body.append((op, text))
        i += 1
    if i < len(lines) and lines[i].startswith("\\"):
        i = _no_newline(body, lines[i], i, path)
    if not body:
        raise PatchError("empty hunk", path=path)
    return Hunk(old_start, old_count, new_start, new_count, tuple(body)), i


def _no_newline(body: list[tuple[str, str]], raw: str, i: int, path: str) -> int:
    if not body or not body[-1][1].endswith("\n"):
        raise PatchError(f"misplaced {raw.strip()!r}", path=path)
    op, text = body[-1]
    body[-1] = (op, text[:-1])
    return i + 1


def check_paths(patch: Patch, *, forbidden_prefixes: Iterable[str] = (".github/workflows/",)) -> None:
    """Refuse paths that could leave the repository or change what CI itself runs."""
    forbidden = tuple(p.lower() for p in forbidden_prefixes)
    for f in patch.files:
        for path in {f.old_path, f.new_path} - {None}:
            assert path is not None
            problem = path_problem(path, forbidden)
            if problem:
                raise PatchError(problem, path=path)


def path_problem(path: str, forbidden: tuple[str, ...] = (".github/workflows/",)) -> str | None:
    if not path or path != path.strip():
        return "empty path or surrounding whitespace"
    if any(ord(c) < 32 for c in path) or "\\" in path:
        return "control characters or backslashes in the path"
    if path.startswith("/") or _DRIVE.match(path) or path.startswith("~"):
        return "absolute paths are not allowed"
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "'..', '.' and empty path segments are not allowed"
    if parts[0].lower() == ".git":
        return "the .git directory cannot be changed"
    lowered = path.lower()
    for prefix in forbidden:
        if lowered.startswith(prefix) or lowered == prefix.rstrip("/"):
            return f"changes under {prefix} are not allowed (workflow files are never changed by ci-triage)"
    return None


# Files no fix read from a log or written by a model may touch: what CI runs and who reviews. A change there
# runs with the pipeline's secrets or rewrites the review rules, and a formatter never needs it.
_PROTECTED_PREFIXES = (
    ".github/", ".gitlab/", ".circleci/", ".buildkite/", ".azure-pipelines/", ".woodpecker/", ".drone/",
    ".ci/", ".teamcity/", ".tekton/",
)
_PROTECTED_NAMES = frozenset(
    {
        ".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", ".drone.yml",
        "appveyor.yml", ".appveyor.yml", "cloudbuild.yaml", "cloudbuild.yml", ".woodpecker.yml", "codeowners",
        "makefile", "gnumakefile", "justfile", "taskfile.yml", "taskfile.yaml", ".pre-commit-config.yaml",
        ".gitmodules", ".gitattributes", "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml",
        "build.sh", "ci.sh",
    }
)
_PROTECTED_SUFFIXES = (".mk", ".dockerfile")
_PROTECTED_STEMS = ("dockerfile", "containerfile", "jenkinsfile")
_CI_DIRS = frozenset({"ci", ".ci", "build", "scripts", "tools", "hack", "bin", ".buildkite", "deploy"})
_SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1", ".bat", ".cmd")


def protected_path_problem(path: str) -> str | None:
    """Why an untrusted diff (read from a log, or a model's) may not touch ``path``, or None.

    Never: anything under ``.github/`` and other CI systems' folders, CI configuration files, ``CODEOWNERS``,
    Makefiles, Dockerfiles, Jenkinsfiles, and shell scripts in CI or build folders."""
    lowered = path.lower()
    parts = lowered.split("/")
    name = parts[-1]
    if lowered.startswith(_PROTECTED_PREFIXES):
        return f"{path} is CI configuration: fixes from logs and models never change it"
    if name in _PROTECTED_NAMES or name.endswith(_PROTECTED_SUFFIXES) or name.startswith(_PROTECTED_STEMS):
        return f"{path} is a CI, build or review file: fixes from logs and models never change it"
    if name.endswith(_SCRIPT_SUFFIXES) and (len(parts) == 1 or any(part in _CI_DIRS for part in parts[:-1])):
        return f"{path} is a build or CI script: fixes from logs and models never change it"
    return None


def check_untrusted(patch: Patch) -> None:
    """What a diff from a log or a model must also satisfy: it edits existing files only (no file created
    or deleted) and none of them is protected (``protected_path_problem``)."""
    for f in patch.files:
        if f.is_new or f.is_deleted:
            raise PatchError("a fix from a log or a model may only edit existing files", path=f.path)
        problem = protected_path_problem(f.path)
        if problem:
            raise PatchError(problem, path=f.path)


def apply_file_patch(original: str | None, file_patch: FilePatch) -> str | None:
    """Apply one file's hunks; ``None`` in means the file does not exist, ``None`` out that it is deleted.

    Every context and removed line must match exactly (fuzz 0). A hunk may sit at another line than its
    header says (like ``git apply``), but only after the previous hunk, at the nearest exact match.
    """
    path = file_patch.path
    if file_patch.is_new:
        if original is not None:
            raise PatchError("the diff creates a file that already exists", path=path)
        source: list[str] = []
    else:
        if original is None:
            raise PatchError("the file does not exist", path=path)
        source = split_lines(original)
    result: list[str] = []
    cursor = 0  # next unconsumed line of source
    for number, hunk in enumerate(file_patch.hunks, 1):
        old = hunk.old_lines
        expected = hunk.old_start - 1 if hunk.old_count else hunk.old_start
        at = _locate(source, old, max(expected, 0), cursor)
        if at is None:
            raise PatchError(
                f"hunk {number} (@@ -{hunk.old_start},{hunk.old_count} @@) does not apply: "
                "its context differs from the file",
                path=path,
            )
        result.extend(source[cursor:at])
        result.extend(hunk.new_lines)
        cursor = at + len(old)
    result.extend(source[cursor:])
    if file_patch.is_deleted:
        if result:
            raise PatchError("the diff deletes the file but does not remove all of its lines", path=path)
        return None
    for line in result[:-1]:
        if not line.endswith("\n"):
            raise PatchError("a line without a newline would end up in the middle of the file", path=path)
    return "".join(result)


def _locate(source: list[str], old: list[str], expected: int, floor: int) -> int | None:
    """The exact match of ``old`` in ``source[floor:]`` nearest to ``expected``."""
    n = len(old)
    if expected >= floor and source[expected : expected + n] == old and expected + n <= len(source):
        return expected
    candidates = range(floor, len(source) - n + 1)
    for at in sorted(candidates, key=lambda at: (abs(at - expected), at)):
        if source[at : at + n] == old:
            return at
    return None


def apply_patch(patch: Patch, files: Mapping[str, str | None]) -> dict[str, str | None]:
    """New contents for every path the patch touches (``None`` = deleted). ``files`` holds the originals,
    ``None`` for a path known not to exist."""
    out: dict[str, str | None] = {}
    for f in patch.files:
        if f.old_path is not None and f.new_path is not None and f.old_path != f.new_path:
            raise PatchError("renames are not supported", path=f.old_path)
        if f.path not in files:
            raise PatchError("the file's current content is unknown", path=f.path)
        out[f.path] = apply_file_patch(files[f.path], f)
    return out


def unified_diff(old: str | None, new: str | None, path: str, *, context: int = 3) -> str:
    """A git-style diff of one file (``None`` = absent), with "no newline at end of file" markers."""
    old_lines = split_lines(old or "")
    new_lines = split_lines(new or "")
    if old == new:
        return ""
    header = [
        f"--- {'a/' + path if old is not None else DEV_NULL}\n",
        f"+++ {'b/' + path if new is not None else DEV_NULL}\n",
    ]
    body: list[str] = []
    for line in list(difflib.unified_diff(old_lines, new_lines, n=context, lineterm="\n"))[2:]:
        if line.endswith("\n"):
            body.append(line)
        else:
            body.append(line + "\n" + NO_NEWLINE + "\n")
    if not body:  # equal lines but different existence: an empty file created or deleted
        return ""
    if old is None:
        body[0] = _EMPTY_OLD.sub("@@ -0,0 ", body[0])
    if new is None:
        body[0] = _EMPTY_NEW.sub(" +0,0 @@", body[0])
    return "".join(header + body)


def changed_line_counts(patch: Patch) -> tuple[int, int]:
    """(added, removed) lines across the patch: a size measure for ranking and limits."""
    added = sum(1 for f in patch.files for h in f.hunks for op, _ in h.lines if op == "+")
    removed = sum(1 for f in patch.files for h in f.hunks for op, _ in h.lines if op == "-")
    return added, removed
