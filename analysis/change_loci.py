"""Where a change touched the code: the evidence beyond the log for a failure whose log cannot tell its faults apart.

A test failure whose log shows only the test and a fixed message (``expected error, got nil``: a *thin* signature,
``analysis.match_basis``) reads the same for every fault of that assertion; one whose log shows the value the
code got reads the same for every fault that computes that value. What the log lacks, the change that made the
test fail has: two pull requests that broke one test by editing two different functions are two faults,
whatever the log says (unless the test is flaky: then no change explains it).

A change's *loci* are the symbols its changed lines are in (``analysis.enclosing``: ``path#symbol``); a file
changed only outside any symbol (imports, top-level constants, comments between declarations) is a locus as a
whole (``path``). Two changes whose loci are both known and share none did not break the test the same way.

Pure: the caller supplies the diff (GitHub's ``patch`` of a pull request's file, or two texts) and the files'
texts at the change's head.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from .enclosing import SourceFile
from .regex import MULTILINE, compile_linear
from .source_line import mask_code

HUNK_HEADER = compile_linear(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", MULTILINE)
# A pattern member whose change is not known (a push, a run whose pull request's files could not be read, a known
# flaky test, whose failures no change explains): its pattern is never told apart by place.
UNKNOWN = "*"
MAX_LOCI = 200  # a change touching more places than this is a rewrite: too large to tell anything apart
# Reading a changed line's symbol walks up to its definition: a file longer than this, or an edit of more lines
# of one file than this, is read as a whole file (a fork may send either to make the worker walk for minutes).
MAX_SOURCE_LINES = 4000
MAX_LINES_PER_FILE = 40


def changed_lines(patch: str) -> frozenset[int]:
    """Right-side (new) line numbers a unified diff adds or changes; a removal with nothing added in its place
    counts at the line now where it was (its function lost a line there)."""
    found: set[int] = set()
    current = 0
    in_hunk = False
    removed = False
    for raw in patch.split("\n"):
        header = HUNK_HEADER.match(raw)
        if header:
            if removed:
                found.add(max(current, 1))
            current, in_hunk, removed = int(header.group(1)), True, False
            continue
        if not in_hunk or raw.startswith("\\"):
            continue
        if raw.startswith("-"):
            removed = True
            continue
        if raw.startswith("+"):
            found.add(current)
        elif removed:
            found.add(current)
        removed = False
        current += 1
    if removed and in_hunk:
        found.add(max(current, 1))
    return frozenset(found)


def diff_changes(diff: str) -> dict[str, frozenset[int]]:
    """Each file of a multi-file unified diff (``git diff``'s output) -> its changed lines (``changed_lines``);
    a deleted file maps to no lines (a locus as a whole)."""
    found: dict[str, frozenset[int]] = {}
    path: str | None = None
    hunks: list[str] = []
    old_path: str | None = None

    def close() -> None:
        if path is not None:
            found[path] = changed_lines("\n".join(hunks))
        elif old_path is not None:  # +++ /dev/null: the file was deleted
            found[old_path] = frozenset()

    for raw in diff.split("\n"):
        if raw.startswith("--- ") and not hunks:
            close()
            name = raw[4:].split("\t")[0]
            old_path, path, hunks = (None if name == "/dev/null" else name.removeprefix("a/")), None, []
        elif raw.startswith("+++ ") and not hunks:
            name = raw[4:].split("\t")[0]
            path = None if name == "/dev/null" else name.removeprefix("b/")
        elif raw.startswith("diff "):  # git diff's "diff --git a/x b/x", diff -ru's "diff -ru x y"
            close()
            old_path, path, hunks = None, None, []
        elif path is not None or old_path is not None:
            if raw.startswith("@@") or hunks:
                hunks.append(raw)
    close()
    return found


def changed_between(old: str | None, new: str) -> frozenset[int]:
    """The lines of ``new`` a change from ``old`` added or changed (``changed_lines`` of their diff); every line
    of a new file."""
    new_lines = new.splitlines()
    if old is None:
        return frozenset(range(1, len(new_lines) + 1))
    found: set[int] = set()
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new_lines, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete":
            found.add(min(j1 + 1, max(len(new_lines), 1)))
        else:
            found.update(range(j1 + 1, j2 + 1))
    return frozenset(found)


@dataclass(frozen=True)
class Places:
    """Where a change touched the code: the symbols (``loci``, for telling faults apart) and the changed lines in
    them (``changed_code``, for telling one fault on other data)."""

    functions: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()


def _file_places(path: str, text: str | None, lines: Collection[int]) -> tuple[set[str], set[str]]:
    """One file's loci and changed code, each line's symbol read once: ``path#symbol`` for each symbol a line is
    in (the file as a whole when none is, or when its symbols cannot be read: its text cannot be had, or is too
    large to read within bounds, ``MAX_SOURCE_LINES`` and ``MAX_LINES_PER_FILE``), and ``path#symbol@<digest>`` for
    each such line with a letter or digit in it."""
    symbols: set[str] = set()
    code: set[str] = set()
    source = _source(path, text, lines)
    if source is not None:
        for line in sorted(lines):
            symbol = source.symbol_at(line)
            if not symbol:
                continue
            symbols.add(f"{path}#{symbol}")
            row = source.line_at(line)
            if row and any(c.isalnum() for c in row):
                # its data masked as a printed offending line's is (analysis.source_line.mask_code): the same edit
                # carrying other data (a recurrence's other constant) is the same edit
                digest = hashlib.sha256(mask_code(row).encode()).hexdigest()[:16]
                code.add(f"{path}#{symbol}@{digest}")
    return symbols or {path}, code


def _source(path: str, text: str | None, lines: Collection[int]) -> SourceFile | None:
    """The file, when its symbols may be read for these lines within bounds: finding a line's symbol walks up to
    its definition, so a huge file, or a huge edit of one (which a fork may send), is read as a whole instead."""
    if not text or not lines or len(lines) > MAX_LINES_PER_FILE or text.count("\n") > MAX_SOURCE_LINES:
        return None
    return SourceFile(path, text)


def file_loci(path: str, text: str | None, lines: Collection[int]) -> set[str]:
    """The loci of one file's changed ``lines`` (``_file_places``)."""
    return _file_places(path, text, lines)[0]


def places(changed: Mapping[str, Collection[int]], texts: Mapping[str, str | None]) -> Places:
    """A change's loci and changed code, sorted: ``changed`` maps each changed file to its changed lines (empty: a
    deletion, a rename or a binary file, a locus as a whole), ``texts`` the files' texts at the head. A change
    touching more than ``MAX_LOCI`` places is too large to tell anything apart: loci ``(UNKNOWN,)``.

    The changed code is finer than the loci, for joining rather than parting: two changes that wrote the same line
    in the same function made the same edit, wherever the line now sits and whatever data it carries. A line outside
    any symbol (a comment between declarations, an import), or with no letter or digit (a closing brace), says
    nothing of the fault: left out, as is every line of a file too large to read within bounds."""
    functions: set[str] = set()
    code: set[str] = set()
    for path, lines in changed.items():
        mine, edited = _file_places(path, texts.get(path), lines)
        functions |= mine
        code |= edited
    loci = tuple(sorted(functions)) if len(functions) <= MAX_LOCI else (UNKNOWN,)
    return Places(loci, tuple(sorted(code)[:MAX_LOCI]))


def loci(changed: Mapping[str, Collection[int]], texts: Mapping[str, str | None]) -> tuple[str, ...]:
    """A change's loci (``places``)."""
    return places(changed, texts).functions


def changed_code(changed: Mapping[str, Collection[int]], texts: Mapping[str, str | None]) -> tuple[str, ...]:
    """A change's edited lines inside symbols, ``path#symbol@<digest>`` (``places``)."""
    return places(changed, texts).lines


def _overlap(a: str, b: str) -> bool:
    """One place, or one file of which one side knows no symbol (somewhere in it, perhaps the other's)."""
    if a == b:
        return True
    file_a, _, symbol_a = a.partition("#")
    file_b, _, symbol_b = b.partition("#")
    return file_a == file_b and not (symbol_a and symbol_b)


def apart(mine: Collection[str], theirs: Collection[str]) -> bool:
    """Two changes known to have touched different code: both loci known, none overlapping."""
    if not mine or not theirs or UNKNOWN in mine or UNKNOWN in theirs:
        return False
    return not any(_overlap(a, b) for a in mine for b in theirs)


def shared(mine: Collection[str], theirs: Collection[str]) -> tuple[str, ...]:
    """The places both changes touched (a whole file where one side knows no symbol in it), sorted."""
    return tuple(sorted({b for a in mine for b in theirs if _overlap(a, b)} - {UNKNOWN}))
