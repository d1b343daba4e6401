"""Whose fault is a failure? ``new``, ``pre-existing``, ``flaky`` or ``infra``, decided from facts. Pure.

The pipeline gathers the evidence (history, GitHub lookups) and hands it in; this module decides, in a fixed
order, and says why in one line:

1. ``infra``: the failure is runner, network, service or rate-limit trouble (its kind is ``infra``), or it
   is a test failure in a job where most tests failed at once (a dead database, not the tests);
2. ``pre-existing``: the same pattern fails on the base branch at or after the merge base (for a push to a
   branch: on an earlier commit of that branch, in the current failing streak);
3. ``flaky``: the same pattern failed and passed on one commit (a re-run attempt, another run), or the
   test's flake score is at or over the threshold; never for a failure whose identity is generic (a bare
   ``exit code 1``), since every unrelated fault of a step shares such an identity;
4. ``new``: everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .regex import IGNORECASE, compile_linear
from .restatements import is_restatement
from .types import Failure, FailureKind

MASS_FAILURE_SHARE = 0.5  # a job where more than half its tests failed ...
MASS_FAILURE_MIN = 5  # ... and at least this many: infrastructure, not the tests (as analysis.flakiness)


class Verdict(StrEnum):
    NEW = "new"
    PRE_EXISTING = "pre-existing"
    FLAKY = "flaky"
    INFRA = "infra"


@dataclass(frozen=True)
class Link:
    label: str
    url: str | None = None


@dataclass(frozen=True)
class RunSeen:
    """A workflow run that is evidence: where it ran and how to reach it."""

    run_id: int
    head_sha: str
    url: str | None = None
    name: str = ""  # e.g. "CI #41"
    attempt: int = 1
    at: datetime | None = None

    def link(self, prefix: str = "") -> Link:
        return Link(f"{prefix}{self.name or self.run_id} at {self.head_sha[:7]}".strip(), self.url)


@dataclass(frozen=True)
class TestCounts:
    __test__ = False  # not a pytest class

    failed: int
    passed: int

    @property
    def mass_failure(self) -> bool:
        total = self.failed + self.passed
        return self.failed >= MASS_FAILURE_MIN and self.failed > MASS_FAILURE_SHARE * total


@dataclass(frozen=True)
class Evidence:
    """What the lookups found about one failure; every field optional."""

    base_branch: str | None = None  # the PR's base branch, or the pushed branch itself
    base_failing: RunSeen | None = None  # the newest base-branch run failing with the same pattern
    base_since: RunSeen | None = None  # the first run of that failing streak (the first bad commit known)
    passed_on: RunSeen | None = None  # a run that passed on a commit where this pattern failed
    flake_score: float | None = None  # the test's flake score, when it has one
    job_counts: TestCounts | None = None  # the job's test totals, when its log printed them
    push: bool = False  # a push run (no pull request): "this commit" instead of "this pull request"


@dataclass(frozen=True)
class Attribution:
    verdict: Verdict
    reason: str  # one line, plain text
    links: tuple[Link, ...] = ()
    since: RunSeen | None = None  # pre-existing: the first failing run known of the streak


# Identities that say only *that* a step failed. ``is_restatement`` covers the tools' wrappers; these are
# bare forms seen without a wrapper's details. Linear: alternatives of literals and bounded classes only.
_GENERIC = compile_linear(
    r"^(?:make(?:\[\d+\])?: \*\*\* (?:\[[^\]]*\] )?Error \d+"
    r"|(?:##\[error\])?(?:Error: )?Process completed with exit code -?\d+\.?"
    r"|(?:error: )?(?:exit|exited with) (?:code|status) -?\d+\.?"
    r"|(?:error|failed|failure)[.!:]?"
    r"|error: command failed.*"
    r")\s*$",
    IGNORECASE,
)
# The engine's fallback when nothing read like an error: "<last words> (Process completed with exit code 1)".
_EXIT_SUFFIX = compile_linear(r"\((?:Process completed|Command failed|exited) with exit code -?\d+\)\s*$")


def is_generic(failure: Failure) -> bool:
    """True when the failure is known only by a step's exit status (no test, no file, no specific error)."""
    if failure.test_id or failure.file:
        return False
    first = failure.message.strip().split("\n", 1)[0].strip()
    if not first or is_restatement(failure) or _GENERIC.match(first):
        return True
    return failure.tool == "generic" and bool(_EXIT_SUFFIX.search(first))


def _subject(evidence: Evidence) -> str:
    return "this commit" if evidence.push else "this pull request"


def attribute(failure: Failure, evidence: Evidence, *, flake_threshold: float) -> Attribution:
    """The verdict for one failure, its reason and the links that back it."""
    branch = evidence.base_branch or "the base branch"
    if failure.kind is FailureKind.INFRA:
        line = failure.message.strip().split("\n", 1)[0][:200]
        return Attribution(Verdict.INFRA, f"Runner, network or service trouble: {line}")
    counts = evidence.job_counts
    if failure.kind is FailureKind.TEST and counts is not None and counts.mass_failure:
        total = counts.failed + counts.passed
        return Attribution(
            Verdict.INFRA,
            f"{counts.failed} of {total} tests failed in this job at once: likely a broken service or runner, "
            "not the tests.",
        )
    if evidence.base_failing is not None:
        failing = evidence.base_failing
        since = evidence.base_since or failing
        if evidence.push:
            reason = f"Broken on {branch} since {since.head_sha[:7]} ({since.name or since.run_id})."
        else:
            reason = (
                f"Fails the same way on {branch} ({failing.name or failing.run_id} at {failing.head_sha[:7]}), "
                f"since {since.head_sha[:7]}."
            )
        links = [failing.link(f"{branch}: ")]
        if since.run_id != failing.run_id:
            links.append(since.link("first seen: "))
        return Attribution(Verdict.PRE_EXISTING, reason, tuple(links), since)
    if not is_generic(failure):
        if evidence.passed_on is not None:
            passed = evidence.passed_on
            attempt = f" (attempt {passed.attempt})" if passed.attempt > 1 else ""
            return Attribution(
                Verdict.FLAKY,
                f"Failed and passed on the same commit {passed.head_sha[:7]}: "
                f"{passed.name or passed.run_id}{attempt} passed.",
                (passed.link("passed: "),),
            )
        if evidence.flake_score is not None and evidence.flake_score >= flake_threshold:
            return Attribution(
                Verdict.FLAKY,
                f"Flaky test: flake score {evidence.flake_score:.2f} (threshold {flake_threshold:.2f}).",
            )
    if evidence.push:
        return Attribution(Verdict.NEW, f"Not failing this way on {branch} before: caused by this commit.")
    return Attribution(
        Verdict.NEW, f"Not failing this way on {branch} at or after the merge base: caused by this pull request."
    )


# Test totals printed by common runners (the last one in a log wins). Each is linear: literal anchors,
# bounded digit runs, no nested quantifiers.
_PYTEST = compile_linear(r"^=+ (?P<body>\d+ [a-z]+(?:, \d+ [a-z]+)*) in [\d.]+s")
_MAVEN = compile_linear(r"Tests run: (?P<run>\d+), Failures: (?P<failures>\d+), Errors: (?P<errors>\d+)")
_COUNT = compile_linear(r"\b(\d+) (failed|passed|errors?)")  # \b: one start per digit run


def summary_counts(lines: Sequence[str]) -> TestCounts | None:
    """The job's failed and passed test totals from a runner's summary line (pytest, jest, Maven)."""
    found: TestCounts | None = None
    for raw in lines:
        line = _strip_stamp(raw)
        if "in " in line and line.startswith("="):
            m = _PYTEST.match(line)
            if m:
                found = _from_words(m["body"]) or found
                continue
        if line.startswith("Tests:") and line.endswith(" total"):  # jest
            found = _from_words(line) or found
            continue
        if "Tests run:" in line:
            m = _MAVEN.search(line)
            if m:
                failed = int(m["failures"]) + int(m["errors"])
                found = TestCounts(failed, max(int(m["run"]) - failed, 0))
    return found


def _from_words(body: str) -> TestCounts | None:
    failed = passed = 0
    for number, word in _COUNT.findall(body):
        if word == "passed":
            passed += int(number)
        else:
            failed += int(number)
    return TestCounts(failed, passed) if failed or passed else None


_STAMP = compile_linear(r"^\ufeff?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ")


def _strip_stamp(line: str) -> str:
    """GitHub Actions prefixes every log line with a UTC timestamp."""
    return _STAMP.sub("", line, count=1).strip()
