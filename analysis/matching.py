"""Pattern assignment, pure: exact fingerprint first, else the nearest pattern above a threshold, else new.

The database supplies the candidates (fingerprint owner, nearest centroids); this module decides and keeps
the centroid arithmetic, so the rule is tested without PostgreSQL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from .embedding import Vectors
from .normalize import normalize
from .regex import compile_linear
from .types import Failure

# Calibrated by benchmarks/matching.py for hashing-v1-384 (docs/history.md); the seed systems used 0.85.
DEFAULT_THRESHOLD = 0.97
CENTROID_WINDOW = 50  # the centroid is a mean over at most this many recent members: it follows slow drift


class How(StrEnum):
    FINGERPRINT = "fingerprint"  # exact fingerprint seen before (before signatures; still read from old rows)
    SIGNATURE = "signature"  # the same signature key (analysis.signature) as the pattern's
    SIMILAR = "similar"  # nearest pattern of a compatible signature, above the threshold
    NEW = "new"
    GENERIC = "generic"  # too generic to match (a bare exit code): a pattern of its own, never known


@dataclass(frozen=True)
class Candidate:
    pattern_id: int
    similarity: float


@dataclass(frozen=True)
class Decision:
    how: How
    pattern_id: int | None  # None for NEW: the caller creates the pattern
    similarity: float

    @property
    def known(self) -> bool:
        """An existing pattern (whether it counts as *history* depends on where it was seen: see ``split``)."""
        return self.how not in (How.NEW, How.GENERIC)


def decide(
    signature_owner: int | None, nearest: Sequence[Candidate], threshold: float, *, generic: bool = False
) -> Decision:
    """The assignment rule: the pattern owning the signature key, else the most similar *compatible* pattern
    (the caller passes only candidates whose signature scope is the failure's) at or above the threshold, else
    new. A generic failure is never matched. ``nearest`` need not be sorted; ties go to the older pattern."""
    if generic:
        return Decision(How.GENERIC, None, 0.0)
    if signature_owner is not None:
        # Reported similarity: to the owner's centroid when it was among the candidates, else an exact 1.0.
        similarity = next((c.similarity for c in nearest if c.pattern_id == signature_owner), 1.0)
        return Decision(How.SIGNATURE, signature_owner, max(0.0, min(1.0, similarity)))
    if nearest:
        best_candidate = min(nearest, key=lambda c: (-c.similarity, c.pattern_id))
        if best_candidate.similarity >= threshold:
            return Decision(How.SIMILAR, best_candidate.pattern_id, best_candidate.similarity)
        return Decision(How.NEW, None, best_candidate.similarity)
    return Decision(How.NEW, None, 0.0)


def update_centroid(centroid: Vectors, count: int, vector: Vectors, *, window: int = CENTROID_WINDOW) -> Vectors:
    """Running mean of unit vectors over at most ``window`` members, renormalized to unit length."""
    n = max(0, min(count, window - 1))
    mean = (centroid.astype(np.float64) * n + vector.astype(np.float64)) / (n + 1)
    norm = float(np.linalg.norm(mean))
    if norm > 0:
        mean /= norm
    return mean.astype(np.float32)


def mean_centroid(vectors: Vectors) -> Vectors:
    """Centroid of a pattern's members (``reembed``), unit length."""
    mean: npt.NDArray[np.float64] = vectors.astype(np.float64).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    if norm > 0:
        mean /= norm
    return mean.astype(np.float32)


def normalize_text(text: str) -> str:
    return normalize(text)


# A quoted value with a space or a slash in it is data (a sentence, a list entry, a URL, a path): the same
# assertion failing on other data is the same pattern. Quoted identifiers ('numpy', `foo`) stay: they are
# often what tells two faults apart (which module is missing, which symbol is undefined).
_QUOTED_DATA = compile_linear(r"'[^'\n]*[\s/][^'\n]*'|\"[^\"\n]*[\s/][^\"\n]*\"|`[^`\n]*[\s/][^`\n]*`")


def failure_text(failure: Failure) -> str:
    """What gets embedded: tool, kind, test id, file and message, normalized (no line numbers), quoted data
    values masked."""
    parts = [
        failure.tool or "",
        failure.kind.value,
        failure.test_id or "",
        failure.file or "",
        _QUOTED_DATA.sub("<q>", failure.message),
    ]
    return normalize_text("\n".join(p for p in parts if p))[:4000]


def failure_fingerprint(failure: Failure) -> str:
    """The engine's fingerprint when it set one, else a hash of the normalized text."""
    if failure.fingerprint:
        return failure.fingerprint
    return hashlib.sha256(failure_text(failure).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Resolution:
    """How a pattern was made to pass last time."""

    fixed_sha: str
    commits: tuple[str, ...] = ()
    pr_number: int | None = None
    changed_files: tuple[str, ...] = ()
    run_id: int | None = None
    resolved_at: datetime | None = None
    by: str | None = None  # the login that pushed the passing commit

    def as_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "fixed_sha": self.fixed_sha,
            "commits": list(self.commits),
            "pr_number": self.pr_number,
            "changed_files": list(self.changed_files),
            "run_id": self.run_id,
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Resolution | None:
        if not data:
            return None
        resolved = data.get("resolved_at")
        return cls(
            fixed_sha=str(data.get("fixed_sha") or ""),
            commits=tuple(data.get("commits") or ()),
            pr_number=data.get("pr_number"),
            changed_files=tuple(data.get("changed_files") or ()),
            run_id=data.get("run_id"),
            resolved_at=datetime.fromisoformat(resolved) if resolved else None,
            by=data.get("by") if isinstance(data.get("by"), str) else None,
        )


@dataclass(frozen=True)
class Occurrence:
    """One earlier run in which a pattern occurred: the evidence behind a "seen before"."""

    run_id: int | None
    run_attempt: int
    seen_at: datetime
    run_number: int | None = None
    pr_number: int | None = None
    branch: str | None = None
    head_sha: str | None = None
    repository_id: int | None = None
    job_name: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "run_attempt": self.run_attempt,
            "run_number": self.run_number,
            "pr_number": self.pr_number,
            "branch": self.branch,
            "head_sha": self.head_sha,
            "repository_id": self.repository_id,
            "job_name": self.job_name,
            "seen_at": self.seen_at.isoformat(),
        }


def per_run(occurrences: Sequence[Occurrence]) -> list[Occurrence]:
    """One occurrence per (run, attempt), the latest first: a pattern repeated within a run is one occurrence."""
    seen: set[tuple[int | None, int]] = set()
    out: list[Occurrence] = []
    for o in sorted(occurrences, key=lambda o: o.seen_at, reverse=True):
        unit = (o.run_id, o.run_attempt)
        if o.run_id is not None and unit in seen:
            continue
        seen.add(unit)
        out.append(o)
    return out


def split(
    earlier: Sequence[Occurrence],
    *,
    repository_id: int | None,
    pr_number: int | None,
    branch: str | None,
    default_branch: str | None = None,
) -> tuple[list[Occurrence], list[Occurrence]]:
    """(history, this change's own earlier runs). A PR's earlier runs (or, without a PR, a feature branch's)
    tell its author nothing new: they are reported apart, never as history. The default branch has no such
    scope: an earlier failure there is history; so has a branch when the default branch is not known (another
    CI system's repository), since it cannot be told from a feature branch."""

    def own(o: Occurrence) -> bool:
        if repository_id is not None and o.repository_id is not None and o.repository_id != repository_id:
            return False
        if pr_number is not None:
            return o.pr_number == pr_number
        if branch is not None and default_branch is not None and branch != default_branch:
            return o.pr_number is None and o.branch == branch
        return False

    runs = per_run(earlier)
    return [o for o in runs if not own(o)], [o for o in runs if own(o)]


@dataclass(frozen=True)
class Match:
    """The history's answer for one failure, in the order the failures were given."""

    failure_id: int
    pattern_id: int
    how: How
    known: bool  # seen before this failure (fingerprint or similar); False for the first occurrence
    similarity: float
    occurrences: int
    first_seen: datetime
    last_seen: datetime
    status: str = "active"
    repositories: int = 1
    resolution: Resolution | None = None
    flaky: Any = None  # analysis.flakiness.FlakeScore for the failure's test, when it has one
    fingerprint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    signature: dict[str, Any] | None = None  # analysis.signature.FailureSignature.as_json()
    earlier: tuple[Occurrence, ...] = ()  # history: earlier runs elsewhere, latest first (a few)
    this_change: tuple[Occurrence, ...] = ()  # this PR's (or branch's) own earlier runs, latest first
    pattern_title: str = ""  # the matched pattern's representative message, for "why it matched"
