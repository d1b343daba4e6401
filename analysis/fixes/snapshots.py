"""Snapshot mismatches whose new output is in the log: update the stored snapshot.

Jest and Vitest (``__snapshots__/<test file>.snap``) print ``- Snapshot``/``+ Received`` (``- Expected``)
diffs; syrupy (``__snapshots__/<module>.ambr``) prints ``- snapshot``/``+ received`` lines in pytest's
``E`` block. Each diff chunk is replaced in that one snapshot entry, where it must match exactly once.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ..regex import LinearPattern, compile_linear
from .logtext import clean_lines, repo_path
from .types import FileEdit, FixSource, Proposal, Transform, rebuildable

_SYRUPY_ELISION = compile_linear(r"^\s*\.\.\.\s*$")
_TEMPLATE_SPECIAL = compile_linear(r"([`\\]|\$\{)")

Chunk = tuple[tuple[str, ...], tuple[str, ...]]  # (old lines, new lines)

_JEST_NAME = compile_linear(r"^\s*Snapshot name: `(.+)`\s*$")
_VITEST_NAME = compile_linear(r"(?:Error: )?Snapshot `(.+)` mismatched")
_JEST_HEADER = compile_linear(r"^(\s*)- (?:Snapshot|Expected)\b")
_FAIL_LINE = compile_linear(r"^\s*FAIL\s+(\S+?\.(?:[cm]?[jt]sx?))\b")
_AT_FILE = compile_linear(r"(?:\(|\u276f |at )([^\s():]+\.(?:[cm]?[jt]sx?)):(\d+):\d+")
_CODE_FRAME = compile_linear(r"^\s*(?:>\s*)?\d+ \|")  # not "\s*>?\s*": two ways to split the spaces
_HUNK = compile_linear(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@$")

_SYRUPY_ASSERT = compile_linear(r"^E(\s+)(?:AssertionError: )?assert \[\+ received\] == \[- snapshot\]")
_SYRUPY_NAME = compile_linear(r"Snapshot '(.+)' does not match")
_PYTEST_HEADER = compile_linear(r"^_{3,} (\S.*?) _{3,}$")
_PYTEST_LOCATION = compile_linear(r"^(\S+\.py):\d+: ")


@dataclass(frozen=True)
class SnapshotMismatch:
    framework: str  # jest | vitest | syrupy
    test_file: str
    name: str
    chunks: tuple[Chunk, ...]
    inline: bool = False  # toMatchInlineSnapshot: the snapshot lives in the test file, at ``line``
    line: int | None = None


def _chunks(lines: list[str], *, elision: LinearPattern) -> tuple[Chunk, ...]:
    chunks: list[Chunk] = []
    old: list[str] = []
    new: list[str] = []
    changed = False

    def flush() -> None:
        nonlocal old, new, changed
        if changed:
            chunks.append((tuple(old), tuple(new)))
        old, new, changed = [], [], False

    for line in lines:
        if elision.match(line):
            flush()
        elif line.startswith("- ") or line == "-":
            old.append(line[2:])
            changed = True
        elif line.startswith("+ ") or line == "+":
            new.append(line[2:])
            changed = True
        else:  # common line: "  text" or an empty line
            old.append(line[2:])
            new.append(line[2:])
    flush()
    return tuple(chunks)


def _is_diff_line(line: str) -> bool:
    return line.startswith(("- ", "+ ", "  ")) or line in ("-", "+") or bool(_HUNK.match(line))


def _jest_diff(lines: list[str], start: int) -> tuple[list[str], int] | None:
    """The diff lines after ``- Snapshot`` / ``+ Received`` at ``start``, dedented; None if absent."""
    for i in range(start, min(start + 12, len(lines) - 1)):
        header = _JEST_HEADER.match(lines[i])
        if header and lines[i + 1].lstrip().startswith("+ Received"):
            indent = len(header.group(1))
            j = i + 2
            while j < len(lines) and not lines[j].strip():
                j += 1
            body: list[str] = []
            while j < len(lines):
                raw = lines[j]
                if raw.strip() and (len(raw) - len(raw.lstrip()) < indent or _CODE_FRAME.match(raw)):
                    break
                line = raw[indent:]
                if not line.strip():
                    ahead = next((x[indent:] for x in lines[j + 1 : j + 3] if x.strip()), "")
                    if not _is_diff_line(ahead) or _CODE_FRAME.match(ahead) or ahead.lstrip().startswith("at "):
                        break
                    line = ""
                elif not _is_diff_line(line) or _CODE_FRAME.match(line):
                    break
                body.append(line)
                j += 1
            return body, j
    return None


def jest_mismatches(log_text: str) -> list[SnapshotMismatch]:
    lines = clean_lines(log_text)
    found: list[SnapshotMismatch] = []
    current_file: str | None = None
    for i, line in enumerate(lines):
        failing = _FAIL_LINE.match(line)
        if failing:
            current_file = repo_path(failing.group(1))
            continue
        jest = _JEST_NAME.match(line)
        vitest = None if jest else _VITEST_NAME.search(line)
        if not (jest or vitest):
            continue
        name = (jest or vitest).group(1)  # type: ignore[union-attr]
        parsed = _jest_diff(lines, i + 1)
        if parsed is None:
            continue
        body, end = parsed
        test_file, at_line = current_file, None
        for later in lines[end : end + 40]:
            located = _AT_FILE.search(later)
            if located and "node_modules" not in located.group(1):
                test_file, at_line = repo_path(located.group(1)), int(located.group(2))
                break
        if not test_file:
            continue
        around = lines[max(0, i - 6) : i] + lines[end : end + 12]
        inline = any("toMatchInlineSnapshot" in x for x in around)
        chunks = _chunks(body, elision=_HUNK)
        if chunks and (at_line or not inline):
            framework = "vitest" if vitest else "jest"
            found.append(SnapshotMismatch(framework, test_file, name, chunks, inline=inline, line=at_line))
    return found


def syrupy_mismatches(log_text: str) -> list[SnapshotMismatch]:
    lines = clean_lines(log_text)
    found: list[SnapshotMismatch] = []
    test_name: str | None = None
    for i, line in enumerate(lines):
        header = _PYTEST_HEADER.match(line)
        if header:
            test_name = header.group(1)
            continue
        assertion = _SYRUPY_ASSERT.match(line)
        if not assertion:
            continue
        indent = 1 + len(assertion.group(1)) + 2
        body: list[str] = []
        name = test_name
        j = i + 1
        while j < len(lines) and lines[j].startswith("E"):
            text = lines[j][indent:] if len(lines[j]) > indent else ""
            named = _SYRUPY_NAME.search(lines[j])
            if named:
                name = named.group(1)
            elif text.strip() or body:
                body.append(text)
            j += 1
        test_file = None
        for later in lines[j : j + 5]:
            located = _PYTEST_LOCATION.match(later)
            if located:
                test_file = repo_path(located.group(1))
                break
        if not (name and test_file):
            continue
        while body and not body[-1].strip():
            body.pop()
        chunks = _chunks(body, elision=_SYRUPY_ELISION)
        if chunks:
            found.append(SnapshotMismatch("syrupy", test_file, name.split("::")[-1], chunks))
    return found


def _replace_chunks(block: list[str], chunks: tuple[Chunk, ...]) -> list[str] | None:
    for old, new in chunks:
        if not old:
            return None
        n = len(old)
        places = [k for k in range(len(block) - n + 1) if tuple(block[k : k + n]) == old]
        if len(places) != 1:
            return None
        k = places[0]
        block = block[:k] + list(new) + block[k + n :]
    return block


def _escape_backtick(text: str) -> str:
    """How jest's and vitest's .snap files store a value inside a template literal."""
    return _TEMPLATE_SPECIAL.sub(lambda m: "\\" + m.group(1), text)


@rebuildable
def update_snap_file(name: str, chunks: tuple[Chunk, ...]) -> Transform:
    opening = f"exports[`{_escape_backtick(name)}`] = `"

    def transform(path: str, content: str | None) -> str | None:
        if content is None or content.count(opening) != 1:
            return None
        start = content.index(opening) + len(opening)
        end = content.find("`;", start)
        while end != -1 and content[end - 1] == "\\":
            end = content.find("`;", end + 1)
        if end == -1:
            return None
        block = content[start:end].split("\n")
        escaped = tuple(
            (tuple(_escape_backtick(x) for x in old), tuple(_escape_backtick(x) for x in new)) for old, new in chunks
        )
        replaced = _replace_chunks(block, escaped)
        if replaced is None:
            return None
        return content[:start] + "\n".join(replaced) + content[end:]

    return transform


@rebuildable
def update_ambr_file(name: str, chunks: tuple[Chunk, ...]) -> Transform:
    def indent(lines: tuple[str, ...]) -> tuple[str, ...]:
        return tuple("  " + x if x else "" for x in lines)

    def transform(path: str, content: str | None) -> str | None:
        if content is None:
            return None
        lines = content.split("\n")
        starts = [k for k, line in enumerate(lines) if line == f"# name: {name}"]
        if len(starts) != 1:
            return None
        start = starts[0] + 1
        end = next((k for k in range(start, len(lines)) if lines[k] == "# ---"), None)
        if end is None:
            return None
        replaced = _replace_chunks(lines[start:end], tuple((indent(o), indent(n)) for o, n in chunks))
        if replaced is None:
            return None
        return "\n".join(lines[:start] + replaced + lines[end:])

    return transform


_INLINE_CALL = compile_linear(r"toMatchInlineSnapshot\(\s*`")


@rebuildable
def update_inline_snapshot(line: int, chunks: tuple[Chunk, ...]) -> Transform:
    """Replace inside the template literal of the ``toMatchInlineSnapshot(`...`)`` call at (or just after)
    ``line`` of the test file; jest and vitest compare those dedented, so chunks apply to dedented lines."""

    def transform(path: str, content: str | None) -> str | None:
        if content is None:
            return None
        offsets = [0]
        for text_line in content.split("\n"):
            offsets.append(offsets[-1] + len(text_line) + 1)
        if line < 1 or line > len(offsets) - 1:
            return None
        call = _INLINE_CALL.search(content, offsets[line - 1], offsets[min(line + 2, len(offsets) - 1)])
        if call is None:
            return None
        start = call.end()
        end = start
        while True:
            end = content.find("`", end)
            if end == -1:
                return None
            if content[end - 1] != "\\":
                break
            end += 1
        literal = content[start:end]
        rows = literal.split("\n")
        multiline = len(rows) > 1
        inner = rows[1:-1] if multiline else rows
        indent = min((len(r) - len(r.lstrip(" ")) for r in inner if r.strip()), default=0)
        dedented = [r[indent:] for r in inner]
        escaped = tuple(
            (tuple(_escape_backtick(x) for x in old), tuple(_escape_backtick(x) for x in new)) for old, new in chunks
        )
        replaced = _replace_chunks(dedented, escaped)
        if replaced is None:
            return None
        if multiline:
            pad = " " * indent
            body = "\n".join([rows[0], *[pad + r if r else r for r in replaced], rows[-1]])
        elif len(replaced) == 1:
            body = replaced[0]
        else:
            call_indent = content[offsets[line - 1] : call.start()]
            call_indent = call_indent[: len(call_indent) - len(call_indent.lstrip(" "))]
            body = "\n".join(["", *[call_indent + "  " + r if r else r for r in replaced], call_indent])
        return content[:start] + body + content[end:]

    return transform


def snapshot_file(mismatch: SnapshotMismatch) -> str:
    if mismatch.inline:
        return mismatch.test_file
    folder, base = posixpath.split(mismatch.test_file)
    if mismatch.framework == "syrupy":
        return posixpath.join(folder, "__snapshots__", posixpath.splitext(base)[0] + ".ambr")
    return posixpath.join(folder, "__snapshots__", base + ".snap")


def snapshot_proposals(log_text: str, *, fingerprint: str | None = None) -> list[Proposal]:
    mismatches = jest_mismatches(log_text) + syrupy_mismatches(log_text)
    if not mismatches:
        return []
    edits: list[FileEdit] = []
    for m in mismatches[:20]:
        path = snapshot_file(m)
        if m.inline and m.line is not None:
            transform = update_inline_snapshot(m.line, m.chunks)
        elif m.framework == "syrupy":
            transform = update_ambr_file(m.name, m.chunks)
        else:
            transform = update_snap_file(m.name, m.chunks)
        edits.append(FileEdit((path,), transform, name=f"{m.framework} snapshot {m.name!r} in {path}"))
    frameworks = sorted({m.framework for m in mismatches})
    names = ", ".join(f"`{m.name}`" for m in mismatches[:5]) + (" and more" if len(mismatches) > 5 else "")
    return [
        Proposal(
            source=FixSource.RULE,
            rule=f"{frameworks[0]}-snapshot",
            title="Update the mismatched snapshots" if len(mismatches) > 1 else "Update the mismatched snapshot",
            explanation=(
                f"The stored snapshots ({names}) differ from what the tests now produce; the log shows the "
                "new output. Approve only if the new output is the intended behaviour."
            ),
            confidence=0.5,
            edits=tuple(edits),
            fingerprint=fingerprint,
        )
    ]
