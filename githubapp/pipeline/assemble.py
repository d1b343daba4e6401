"""From analysis results and history matches to the report's failures. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from analysis.types import Analysis, Failure, LineRange

from ..report.common import failure_name
from ..report.model import Evidence, History, Resolution, Sighting, TriagedFailure, Verdict
from .config import RepoConfig

EXCERPT_LINES = 40


class MatchLike(Protocol):
    """The fields of the history service's ``Match`` the report uses."""

    pattern_id: int
    known: bool
    similarity: float
    occurrences: int
    first_seen: datetime
    last_seen: datetime
    resolution: Any
    flaky: Any


def excerpt_lines(
    lines: Sequence[str],
    failure: Failure,
    analysis: Analysis,
    *,
    around: LineRange | None = None,
    limit: int = EXCERPT_LINES,
    context: tuple[int, int] = (3, 6),
) -> tuple[str, ...]:
    """The lines a reader needs: ``around`` (e.g. the test's own section) plus the failure's evidence with a
    little context, else the analysis' top excerpt; at most ``limit`` lines, in log order."""
    before, after = context
    ranges: list[LineRange] = [around] if around else []
    ranges += [LineRange(max(1, r.start - before), r.end + after) for r in failure.evidence]
    if not ranges:
        ranges = list(analysis.excerpt[:1])
    picked: list[int] = []
    for r in sorted(ranges):
        for number in range(max(r.start, picked[-1] + 1 if picked else 1), min(r.end, len(lines)) + 1):
            picked.append(number)
            if len(picked) >= limit:
                return tuple(lines[n - 1] for n in picked)
    return tuple(lines[n - 1] for n in picked)


def _resolution(raw: Any) -> Resolution | None:
    if raw is None:
        return None
    commits = tuple(getattr(raw, "commits", ()) or ())
    return Resolution(
        commit_sha=getattr(raw, "fixed_sha", None) or None,
        pr_number=getattr(raw, "pr_number", None),
        changed_files=tuple(getattr(raw, "changed_files", ()) or ()),
        commits_between=len(commits) or None,
        resolved_at=getattr(raw, "resolved_at", None),
    )


def is_flaky(match: MatchLike, *, flake_rate: float) -> bool:
    """Flaky when the history says so, or the test failed and passed on one sha at least this often."""
    score = match.flaky
    if score is None:
        return False
    if getattr(score, "flaky", False):
        return True
    return bool(getattr(score, "flaky_shas", 0) or getattr(score, "pass_on_retry", 0)) and (
        float(getattr(score, "fail_rate", 0.0)) >= flake_rate
    )


def sightings(occurrences: Sequence[Any], *, repository_id: int | None, repo_url: str | None) -> tuple[Sighting, ...]:
    """The history's ``Occurrence``s as report sightings, linked when they are runs of this repository."""
    out = []
    for o in occurrences:
        here = repo_url is not None and (o.repository_id is None or o.repository_id == repository_id)
        out.append(
            Sighting(
                run_id=o.run_id,
                seen_at=o.seen_at,
                run_number=o.run_number,
                run_attempt=o.run_attempt,
                run_url=f"{repo_url}/actions/runs/{o.run_id}" if here and o.run_id else None,
                pr_number=o.pr_number,
                pr_url=f"{repo_url}/pull/{o.pr_number}" if here and o.pr_number else None,
                branch=o.branch,
                other_repository=repository_id is not None and o.repository_id not in (None, repository_id),
            )
        )
    return tuple(out)


def evidence(match: MatchLike, *, repository_id: int | None, repo_url: str | None) -> Evidence:
    """Why the failure is "seen before": how it matched and the earlier runs behind it."""
    return Evidence(
        how=str(getattr(match, "how", "signature")),
        similarity=float(match.similarity),
        pattern_title=str(getattr(match, "pattern_title", "")),
        earlier=sightings(getattr(match, "earlier", ()), repository_id=repository_id, repo_url=repo_url),
    )


def triage(
    failure: Failure,
    match: MatchLike | None,
    *,
    config: RepoConfig,
    excerpt: tuple[str, ...],
    job_name: str | None,
    job_url: str | None,
    repository_id: int | None = None,
    repo_url: str | None = None,
) -> TriagedFailure:
    verdict = Verdict.NEW
    history = None
    if match is not None:
        flaky = is_flaky(match, flake_rate=config.thresholds.flake_rate)
        if flaky:
            verdict = Verdict.FLAKY
        elif match.known:
            verdict = Verdict.KNOWN
        if verdict is not Verdict.NEW:
            score = match.flaky
            history = History(
                pattern_id=str(match.pattern_id),
                similarity=float(match.similarity),
                occurrences=int(match.occurrences),
                first_seen=match.first_seen,
                last_seen=match.last_seen,
                resolution=_resolution(match.resolution),
                flake_rate=float(score.fail_rate) if score is not None and hasattr(score, "fail_rate") else None,
                evidence=evidence(match, repository_id=repository_id, repo_url=repo_url) if match.known else None,
            )
    return TriagedFailure(
        failure=failure,
        verdict=verdict,
        history=history,
        excerpt=excerpt,
        job_name=job_name,
        job_url=job_url,
        quarantined=config.quarantined(failure.test_id),
        same_change=sightings(getattr(match, "this_change", ()), repository_id=repository_id, repo_url=repo_url)
        if match is not None
        else (),
    )


def summary_rows(items: Sequence[TriagedFailure], pattern_ids: Sequence[int | None]) -> list[dict[str, Any]]:
    """What the reports table keeps of each failure, for later runs (resolution, flaky evidence)."""
    return [
        {
            "name": failure_name(item),
            "verdict": item.verdict.value,
            "test_id": item.failure.test_id,
            "pattern_id": pattern_id,
            "job": item.job_name,
        }
        for item, pattern_id in zip(items, pattern_ids, strict=True)
    ]
