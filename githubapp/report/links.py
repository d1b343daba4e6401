"""Addresses of dashboard pages, for what ci-triage sends to GitHub (the check run's ``details_url``, the PR
comment's links), and of GitHub's own pages (run, job, pull request, commit) the dashboard links to. Pure: the
routes themselves are in ``githubapp/web/dashboard``; ``github_url`` is the configured GitHub web host
(``GITHUB_URL``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

FAILURES_PATH = "/failures"


def run_page_url(public_url: str, repo: str, run_id: int, attempt: int) -> str:
    """The dashboard's failures of one GitHub Actions run attempt (the ``github_run`` and ``attempt`` filters)."""
    query = urlencode({"repository": repo, "github_run": run_id, "attempt": attempt})
    return f"{public_url.rstrip('/')}{FAILURES_PATH}?{query}"


@dataclass(frozen=True)
class Link:
    label: str  # what the link shows: "run 123 (attempt 2)", "PR #4", "abc1234"
    url: str
    title: str  # what it is, for the tooltip and screen readers: "GitHub Actions run 123, attempt 2"


def _repo(github_url: str, repo: str) -> str | None:
    """The repository's page, or None for a name that is not ``owner/name`` (other CI systems' names can be
    anything, and a link to a made-up page helps no one)."""
    owner, _, name = repo.partition("/")
    if not owner or not name or "/" in name:
        return None
    return f"{github_url.rstrip('/')}/{quote(owner, safe='')}/{quote(name, safe='')}"


def run_url(github_url: str, repo: str, run_id: int, attempt: int | None = None) -> str | None:
    base = _repo(github_url, repo)
    if base is None:
        return None
    suffix = f"/attempts/{attempt}" if attempt and attempt > 1 else ""
    return f"{base}/actions/runs/{run_id}{suffix}"


def job_url(github_url: str, repo: str, run_id: int, job_id: int) -> str | None:
    base = _repo(github_url, repo)
    return f"{base}/actions/runs/{run_id}/job/{job_id}" if base else None


def pull_url(github_url: str, repo: str, number: int) -> str | None:
    base = _repo(github_url, repo)
    return f"{base}/pull/{number}" if base else None


def commit_url(github_url: str, repo: str, sha: str) -> str | None:
    base = _repo(github_url, repo)
    return f"{base}/commit/{quote(sha, safe='')}" if base and sha else None


def failure_links(github_url: str, failure: Mapping[str, Any]) -> list[Link]:
    """GitHub's pages of a failure from GitHub Actions (run, job, pull request, commit); none for a failure
    ingested from another CI system (``runAttempt`` is null), whose run and commit GitHub does not know."""
    repo = str(failure.get("repository") or "")
    run_id, attempt = failure.get("runId"), failure.get("runAttempt")
    if not run_id or attempt is None:
        return []
    out: list[Link] = []
    url = run_url(github_url, repo, int(run_id), int(attempt))
    if url:
        shown = f"run {run_id}" + (f" (attempt {attempt})" if attempt > 1 else "")
        out.append(Link(shown, url, f"GitHub Actions run {run_id}, attempt {attempt}"))
    if failure.get("jobId"):
        url = job_url(github_url, repo, int(run_id), int(failure["jobId"]))
        name = str(failure.get("jobName") or f"job {failure['jobId']}")
        if url:
            out.append(Link(f"job {name}", url, f"GitHub Actions job {name}"))
    if failure.get("pullRequest"):
        url = pull_url(github_url, repo, int(failure["pullRequest"]))
        if url:
            out.append(Link(f"PR #{failure['pullRequest']}", url, f"Pull request #{failure['pullRequest']}"))
    if failure.get("commit"):
        sha = str(failure["commit"])
        url = commit_url(github_url, repo, sha)
        if url:
            out.append(Link(sha[:7], url, f"Commit {sha}"))
    return out


def ci_run_links(github_url: str, run: Mapping[str, Any]) -> list[Link]:
    """GitHub's run and commit pages of a ``ci_runs`` row of a GitHub repository (client id ``<run>:<attempt>``)."""
    if run.get("source") != "github":
        return []
    repo = str(run.get("repository") or "")
    github_run, _, attempt = str(run.get("clientId") or "").partition(":")
    out: list[Link] = []
    if github_run.isdigit():
        n = int(attempt) if attempt.isdigit() else 1
        url = run_url(github_url, repo, int(github_run), n)
        if url:
            out.append(Link(f"run {github_run}", url, f"GitHub Actions run {github_run}, attempt {n}"))
    if run.get("commit"):
        url = commit_url(github_url, repo, str(run["commit"]))
        if url:
            out.append(Link(str(run["commit"])[:7], url, f"Commit {run['commit']}"))
    return out


@dataclass(frozen=True)
class GitHubPages:
    """The page addresses above bound to one GitHub host, for templates."""

    base: str

    def pull(self, repo: str, number: int) -> str | None:
        return pull_url(self.base, repo, number)

    def commit(self, repo: str, sha: str) -> str | None:
        return commit_url(self.base, repo, sha)

    def repository(self, repo: str) -> str | None:
        return _repo(self.base, repo)
