"""From analysis results and history matches to the report's failures. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from analysis.attribution import Attribution, Link, RunSeen, is_generic
from analysis.flakiness import FLAKY_SCORE, FlakeStatus
from analysis.match_basis import match_basis
from analysis.matching import failure_fingerprint
from analysis.signature import FailureSignature
from analysis.types import Analysis, Failure, FailureKind, LineRange

from ..report.common import failure_name
from ..report.model import Apart, Evidence, History, Resolution, Sighting, TriagedFailure, Verdict
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
    """Why the failure is "seen before": how it matched, what the signature it matched by rests on, and the
    earlier runs behind it."""
    sig = getattr(match, "signature", None)
    extra = getattr(match, "extra", None) or {}
    same_change = extra.get("same_places") or ()
    basis = (
        match_basis(
            FailureSignature.from_json(sig), [str(p) for p in same_change], other_value=bool(extra.get("other_value"))
        )
        if isinstance(sig, dict) and sig.get("tool")
        else None
    )
    return Evidence(
        how=str(getattr(match, "how", "signature")),
        similarity=float(match.similarity),
        pattern_title=str(getattr(match, "pattern_title", "")),
        earlier=sightings(getattr(match, "earlier", ()), repository_id=repository_id, repo_url=repo_url),
        basis=basis.words if basis else "",
        thin=basis.thin if basis else False,
    )


def kept_apart(match: MatchLike, *, repository_id: int | None, repo_url: str | None) -> Apart | None:
    """The runs of the same test failing the same way that the history kept apart because their change touched
    other code (``history.service``): not "seen before", shown so a reader can judge."""
    extra = getattr(match, "extra", None) or {}
    earlier = extra.get("apart_earlier") or ()
    if not earlier or getattr(match, "known", False):
        return None
    places = tuple(str(p) for p in extra.get("apart_places") or ())
    return Apart(sightings(earlier, repository_id=repository_id, repo_url=repo_url), places)


def flake_score(match: MatchLike | None, *, flake_rate: float) -> float | None:
    """The test's flake score for attribution; a test the history calls flaky (``is_flaky``: its status, or
    failing and passing on one commit at least ``flake_rate`` of its runs) counts as at the threshold."""
    if match is None or match.flaky is None or getattr(match.flaky, "status", None) is FlakeStatus.BROKEN:
        return None
    value = float(getattr(match.flaky, "score", 0.0))
    return max(value, FLAKY_SCORE) if is_flaky(match, flake_rate=flake_rate) else value


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
    attribution: Attribution | None = None,
) -> TriagedFailure:
    """The report's failure: its verdict from attribution (``new`` without one) and its history."""
    verdict = attribution.verdict if attribution is not None else Verdict.NEW
    history = None
    if match is not None:
        if match.known or verdict is Verdict.FLAKY:
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
        apart=kept_apart(match, repository_id=repository_id, repo_url=repo_url) if match is not None else None,
        reason=attribution.reason if attribution is not None else "",
        links=attribution.links if attribution is not None else (),
        since=attribution.since if attribution is not None else None,
    )


def rerun_items(rows: Sequence[dict[str, Any]], passed: RunSeen, *, failed_attempt: int) -> list[TriagedFailure]:
    """An earlier attempt's failures (as the reports table kept them) after a later attempt of the same commit
    passed them: ``flaky``, with the passing attempt as evidence; runner trouble and a generic identity keep
    their verdicts."""
    out = []
    for row in rows:
        failure = Failure(
            kind=_kind(row.get("kind")),
            tool=str(row.get("tool") or ""),
            message=str(row.get("message") or row.get("name") or ""),
            test_id=row.get("test_id"),
            file=row.get("file"),
            line=row.get("line"),
            fingerprint=str(row.get("fingerprint") or ""),
            **_repeats(row),
        )
        verdict, reason = _stored_verdict(row)
        links: tuple[Link, ...] = ()
        if verdict is not Verdict.INFRA and not row.get("generic") and not is_generic(failure):
            verdict = Verdict.FLAKY
            reason = f"Failed on attempt {failed_attempt}, passed on attempt {passed.attempt} of the same commit."
            links = (passed.link("passed: "),)
        out.append(TriagedFailure(failure, verdict, job_name=row.get("job"), reason=reason, links=links))
    return out


def _repeats(row: dict[str, Any]) -> dict[str, Any]:
    """The repeats a stored row says were folded into its failure (rows written before they were kept: none)."""
    try:
        occurrences = max(1, int(row.get("occurrences") or 1))
        files = tuple((str(path), max(1, int(n))) for path, n in row.get("files") or ())
        file_count = max(len(files), int(row.get("file_count") or 0))
    except (TypeError, ValueError):
        return {}
    return {"occurrences": occurrences, "files": files, "file_count": file_count}


def _kind(value: Any) -> FailureKind:
    try:
        return FailureKind(str(value))
    except ValueError:
        return FailureKind.UNKNOWN


def _stored_verdict(row: dict[str, Any]) -> tuple[Verdict, str]:
    try:
        return Verdict(str(row.get("verdict"))), str(row.get("reason") or "")
    except ValueError:
        return Verdict.NEW, str(row.get("reason") or "")


def passed_on_rerun(
    rows: Sequence[dict[str, Any]],
    passed: RunSeen,
    *,
    failed_attempt: int,
    failing_now: set[int],
    passed_jobs: set[str],
) -> tuple[list[TriagedFailure], list[int | None]]:
    """A re-run of some jobs: the earlier attempt's failures whose job passed this time (and whose pattern does
    not fail now) are carried into this attempt's report as ``flaky``; generic ones are dropped (they passed,
    but cannot be called flaky)."""
    carried = [
        row
        for row in rows
        if row.get("job") in passed_jobs and row.get("pattern_id") not in failing_now
    ]
    items = rerun_items(carried, passed, failed_attempt=failed_attempt)
    kept = [
        (item, row.get("pattern_id"))
        for item, row in zip(items, carried, strict=True)
        if item.verdict is Verdict.FLAKY
    ]
    return [item for item, _ in kept], [pattern for _, pattern in kept]


def summary_rows(items: Sequence[TriagedFailure], pattern_ids: Sequence[int | None]) -> list[dict[str, Any]]:
    """What the reports table keeps of each failure, for later runs (resolution, flaky evidence, a re-run
    that passes turning the report's failures flaky)."""
    return [
        {
            "name": failure_name(item),
            "verdict": item.verdict.value,
            "reason": item.reason,
            "test_id": item.failure.test_id,
            "pattern_id": pattern_id,
            "job": item.job_name,
            "kind": item.failure.kind.value,
            "tool": item.failure.tool,
            "message": item.failure.message[:2000],
            "file": item.failure.file,
            "line": item.failure.line,
            "fingerprint": failure_fingerprint(item.failure),
            "generic": is_generic(item.failure),
            **_repeat_fields(item.failure),
        }
        for item, pattern_id in zip(items, pattern_ids, strict=True)
    ]


def _repeat_fields(failure: Failure) -> dict[str, Any]:
    """A folded failure's true count and files, so a report rebuilt from the row still says them."""
    if failure.occurrences < 2:
        return {}
    return {"occurrences": failure.occurrences, "files": [list(f) for f in failure.files],
            "file_count": failure.file_count}
