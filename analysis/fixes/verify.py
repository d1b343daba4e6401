"""Turning a proposal into a diff that is safe and applies to the files at the head commit."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from .patch import (
    Patch,
    PatchError,
    apply_patch,
    changed_line_counts,
    check_paths,
    check_untrusted,
    parse_patch,
    path_problem,
    unified_diff,
)
from .types import Proposal

MAX_FILES = 20
MAX_CHANGED_LINES = 2_000
# A fix is offered for approval only when its whole diff is shown (PR comment and check run), so what is
# approved is what was seen; a larger one is reported, never offered.
MAX_SHOWN_DIFF_CHARS = 6_000
SHORT_HASH_CHARS = 7


def short_hash(diff: str) -> str:
    """The diff's short hash, shown beside it and required by ``/triage approve <id> <hash>``."""
    return hashlib.sha256(diff.encode()).hexdigest()[:SHORT_HASH_CHARS]


def shown_whole(diff: str, *, limit: int = MAX_SHOWN_DIFF_CHARS) -> bool:
    """Whether the diff is small enough to be shown whole, and therefore offered."""
    return len(diff) <= limit


@dataclass(frozen=True)
class Verified:
    diff: str
    patch: Patch
    results: dict[str, str | None]  # new content per touched path (None: deleted)


def paths_needed(proposal: Proposal) -> list[str]:
    """Files the caller must fetch at the head commit (absent ones included, as None)."""
    if proposal.diff is not None:
        try:
            patch = parse_patch(proposal.diff)
        except PatchError:
            return []
        return [p for p in patch.paths if path_problem(p) is None]
    paths: list[str] = []
    for edit in proposal.edits:
        paths.extend(p for p in edit.candidates if p not in paths and path_problem(p) is None)
    return paths


def materialise(proposal: Proposal, files: Mapping[str, str | None]) -> str:
    """The proposal's diff: given, or computed from its edits against ``files``."""
    if proposal.diff is not None:
        return proposal.diff
    parts: list[str] = []
    for edit in proposal.edits:
        for path in edit.candidates:
            if path not in files:
                continue
            current = files[path]
            updated = edit.transform(path, current)
            if updated is not None and updated != current:
                parts.append(unified_diff(current, updated, path))
                break
    if not parts:
        raise PatchError("the suggested edit does not fit the repository's files at the head commit")
    return "".join(parts)


def verify(
    diff: str,
    files: Mapping[str, str | None],
    *,
    max_files: int = MAX_FILES,
    max_changed_lines: int = MAX_CHANGED_LINES,
    untrusted: bool = False,
) -> Verified:
    """Parse, refuse unsafe paths and oversized changes, and apply to ``files`` (fuzz 0). ``untrusted``
    (diffs read from a log or written by a model): existing files only, none protected."""
    patch = parse_patch(diff)
    check_paths(patch)
    if untrusted:
        check_untrusted(patch)
    if len(patch.files) > max_files:
        raise PatchError(f"the diff touches {len(patch.files)} files; at most {max_files} are accepted")
    added, removed = changed_line_counts(patch)
    if added + removed > max_changed_lines:
        raise PatchError(f"the diff changes {added + removed} lines; at most {max_changed_lines} are accepted")
    results = apply_patch(patch, files)
    if all(results[p] == files.get(p) for p in results):
        raise PatchError("the diff changes nothing")
    return Verified(diff, patch, results)
