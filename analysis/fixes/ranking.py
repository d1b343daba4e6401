"""Ranking by past outcomes: rules whose fixes did not work sink; a diff that already failed sinks further."""

from __future__ import annotations

PRIOR_WEIGHT = 2.0  # how many outcomes the rule's own confidence counts for
ALREADY_FAILED_FACTOR = 0.25


def adjusted_score(confidence: float, worked: int, failed: int, *, diff_failed_before: bool = False) -> float:
    """The rule's confidence pulled toward its observed success rate (a Beta prior centred on it)."""
    score = (confidence * PRIOR_WEIGHT + worked) / (PRIOR_WEIGHT + worked + failed)
    if diff_failed_before:
        score *= ALREADY_FAILED_FACTOR
    return round(min(max(score, 0.0), 1.0), 4)
