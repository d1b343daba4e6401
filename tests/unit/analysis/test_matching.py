"""The pure assignment rule and centroid arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.matching import Candidate, How, decide, failure_fingerprint, failure_text, update_centroid
from analysis.types import Failure, FailureKind


@pytest.mark.parametrize(
    ("owner", "nearest", "expected"),
    [
        # exact fingerprint wins even when another pattern is nearer
        (7, [Candidate(3, 0.99), Candidate(7, 0.9)], (How.SIGNATURE, 7, 0.9)),
        (7, [], (How.SIGNATURE, 7, 1.0)),
        # nearest above the threshold
        (None, [Candidate(3, 0.86), Candidate(4, 0.95)], (How.SIMILAR, 4, 0.95)),
        # ties go to the older pattern
        (None, [Candidate(9, 0.9), Candidate(4, 0.9)], (How.SIMILAR, 4, 0.9)),
        # below the threshold: new, and the best similarity is still reported
        (None, [Candidate(3, 0.84)], (How.NEW, None, 0.84)),
        (None, [], (How.NEW, None, 0.0)),
    ],
)
def test_decide(owner: int | None, nearest: list[Candidate], expected: tuple[How, int | None, float]) -> None:
    d = decide(owner, nearest, threshold=0.85)
    assert (d.how, d.pattern_id, d.similarity) == expected
    assert d.known == (expected[0] is not How.NEW)


def test_centroid_is_a_bounded_running_mean() -> None:
    a = np.array([1.0, 0.0], dtype=np.float32)
    b = np.array([0.0, 1.0], dtype=np.float32)
    c = update_centroid(a, 1, b)
    assert np.allclose(c, np.array([1, 1]) / np.sqrt(2))
    # With a window of 2 an old centroid weighs as one member: recent failures still move it.
    d = update_centroid(a, 1000, b, window=2)
    assert np.allclose(d, np.array([1, 1]) / np.sqrt(2))


def test_failure_text_has_no_line_numbers_and_fingerprint_falls_back() -> None:
    f = Failure(FailureKind.TEST, "pytest", "boom at 0x7f3a2b1c", test_id="t::a", file="a.py", line=12)
    g = Failure(FailureKind.TEST, "pytest", "boom at 0x99aa88bb", test_id="t::a", file="a.py", line=40)
    assert failure_text(f) == failure_text(g)
    assert failure_fingerprint(f) == failure_fingerprint(g) and len(failure_fingerprint(f)) == 32
    assert failure_fingerprint(Failure(FailureKind.TEST, "x", "y", fingerprint="given")) == "given"


def test_failure_text_masks_quoted_data_but_keeps_quoted_identifiers() -> None:
    def text(message: str) -> str:
        return failure_text(Failure(FailureKind.TEST, "go", message, test_id="TestAlpha"))

    # the same assertion on other entries of a list
    assert text("expected 'golang auckland, nz' but actual is 'golang baltimore, md'") == text(
        "expected 'gqlgen servers' but actual is 'graphql-go/graphql'"
    )
    # which module is missing tells two faults apart
    assert text("No module named 'numpy'") != text("No module named 'pandas'")


def test_split_keeps_a_changes_own_runs_apart_and_folds_repeats_per_run() -> None:
    from datetime import UTC, datetime, timedelta

    from analysis.matching import Occurrence, split

    t0 = datetime(2026, 11, 1, tzinfo=UTC)

    def occ(run: int, hour: int, **kw: object) -> Occurrence:
        return Occurrence(run_id=run, run_attempt=1, seen_at=t0 + timedelta(hours=hour), repository_id=1, **kw)  # type: ignore[arg-type]

    rows = [occ(1, 1, pr_number=5), occ(1, 1, pr_number=5), occ(2, 2, pr_number=6), occ(3, 3, branch="topic")]
    history, own = split(rows, repository_id=1, pr_number=5, branch="topic", default_branch="main")
    assert [o.run_id for o in own] == [1] and [o.run_id for o in history] == [3, 2]  # one row per run
    history, own = split(rows, repository_id=1, pr_number=None, branch="topic", default_branch="main")
    assert [o.run_id for o in own] == [3]
    # An unknown default branch (another CI system): a branch cannot be told from a feature branch.
    history, own = split(rows, repository_id=1, pr_number=None, branch="topic", default_branch=None)
    assert own == [] and [o.run_id for o in history] == [3, 2, 1]
    # Another repository's runs are never this change's own.
    history, own = split([occ(4, 4, pr_number=5)], repository_id=2, pr_number=5, branch=None)
    assert own == [] and len(history) == 1
