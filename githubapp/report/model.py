"""What a triage report is made of. Pure data: the pipeline fills it, the builders render it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from analysis.attribution import Link, RunSeen, Verdict
from analysis.types import Failure

__all__ = ["Link", "RunSeen", "Verdict"]  # the verdicts are analysis.attribution's: new, pre-existing, flaky, infra


@dataclass(frozen=True)
class Resolution:
    """How a failure pattern was fixed the last time it went away."""

    commit_sha: str | None = None
    pr_number: int | None = None
    changed_files: tuple[str, ...] = ()
    commits_between: int | None = None
    resolved_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class Sighting:
    """An earlier run in which the same failure pattern occurred: the evidence behind a claim."""

    run_id: int | None
    seen_at: datetime | None = None
    run_number: int | None = None
    run_attempt: int = 1
    run_url: str | None = None
    pr_number: int | None = None
    pr_url: str | None = None
    branch: str | None = None
    other_repository: bool = False  # in another repository of the installation (no link is known)


@dataclass(frozen=True)
class Evidence:
    """Why a failure is "seen before": how it matched and the earlier runs it matched."""

    how: str  # signature | similar | fingerprint
    similarity: float
    pattern_title: str = ""
    earlier: tuple[Sighting, ...] = ()
    basis: str = ""  # what a match by signature rests on (analysis.match_basis), "" when unknown
    thin: bool = False  # nothing in the log tells two faults of that test apart: a weaker claim, said so


@dataclass(frozen=True)
class Apart:
    """The same test failed the same way before, after a change to other code: another fault by where the
    changes touched the code, so not "seen before"; shown so a reader can judge."""

    earlier: tuple[Sighting, ...]
    places: tuple[str, ...] = ()  # where those earlier changes touched the code


@dataclass(frozen=True)
class History:
    pattern_id: str
    similarity: float
    occurrences: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    resolution: Resolution | None = None
    flake_rate: float | None = None
    evidence: Evidence | None = None


@dataclass(frozen=True)
class TriagedFailure:
    failure: Failure
    verdict: Verdict
    history: History | None = None
    excerpt: tuple[str, ...] = ()  # raw log lines around the failure, in order
    job_name: str | None = None
    job_url: str | None = None
    quarantined: bool = False  # listed in the repository config's quarantine
    # This PR's (or branch's) own earlier runs with the same failure: reported apart, never as history.
    same_change: tuple[Sighting, ...] = ()
    reason: str = ""  # why the verdict, one line
    links: tuple[Link, ...] = ()  # the evidence: the base-branch run, the passing attempt
    since: RunSeen | None = None  # pre-existing: the first failing run of the streak history knows
    apart: Apart | None = None  # the same failure after a change to other code: shown, never claimed

    @property
    def key(self) -> str:
        """Identity for deduplication: the fingerprint, or the visible facts when there is none."""
        f = self.failure
        return f.fingerprint or f"{f.kind}|{f.tool}|{f.test_id}|{f.file}|{f.line}|{f.message}"


@dataclass(frozen=True)
class RecommendedTest:
    name: str
    reason: str
    confidence: float


@dataclass(frozen=True)
class SuggestedFix:
    id: str
    title: str
    explanation: str = ""
    confidence: float | None = None
    diff: str | None = None
    source: str | None = None  # history | rule | llm


@dataclass(frozen=True)
class RunInfo:
    repo: str  # owner/name
    run_id: int
    attempt: int
    workflow_name: str
    head_sha: str
    html_url: str | None = None
    head_branch: str | None = None
    event: str | None = None
    run_number: int | None = None
    pr_numbers: tuple[int, ...] = ()

    @property
    def repo_name(self) -> str:
        return self.repo.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class TriageReport:
    run: RunInfo
    failures: tuple[TriagedFailure, ...] = ()
    # Things the reader must know that are not failures: logs expired, jobs skipped, config errors.
    problems: tuple[str, ...] = ()
    config_errors: tuple[str, ...] = ()
    failed_jobs: tuple[str, ...] = ()
    recommended_tests: tuple[RecommendedTest, ...] = ()
    risk_level: str | None = None
    fixes: tuple[SuggestedFix, ...] = ()
    snapshot_markdown: str | None = None  # comment section rendered by the snapshot feature; trusted Markdown
    snapshot_summary: str | None = None  # the same for the check run's details
    images: tuple[dict[str, str], ...] = ()  # check-run output images (alt, image_url, caption)
    check_run_url: str | None = None
    dashboard_url: str | None = None  # the run's page on ci-triage's dashboard: every failure, the check's details_url
    in_progress: bool = False  # built from one finished job while the rest of the run goes on
    compared_branch: str | None = None  # the PR's base branch (or the pushed branch) verdicts compare with
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PassingReport:
    """A later run on the same PR or branch passed: the sticky comment says so."""

    run: RunInfo
    previously_failing: tuple[str, ...] = ()  # short names of what failed before
    flaky: tuple[str, ...] = ()  # failed on an earlier attempt of this commit, passed now: flaky
    failed_attempt: int | None = None  # the attempt they failed on
    previous_run_url: str | None = None
    check_run_url: str | None = None
