"""A pattern's resolution (how it was made to pass last time) as a person reads it: the fixing commit, its pull
request, the run that passed, when, by whom, and the files it changed, each linked to GitHub. Pure.

The stored form is ``analysis.matching.Resolution.as_json()`` plus ``failing_sha`` and ``repository_id``;
resolutions written by older versions may lack fields, and a missing field is left out, never shown raw."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..report.links import Link, commit_url, pull_url, run_url

FILES_SHOWN = 10


@dataclass(frozen=True)
class ResolutionView:
    repository: str | None
    commit: Link | None
    pull_request: Link | None
    run: Link | None
    resolved_at: datetime | None
    by: str | None
    commits: int
    files: list[str] = field(default_factory=list)
    more_files: int = 0
    failing_commit: Link | None = None
    description: str | None = None


def _at(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _commit(github_url: str, repo: str | None, sha: Any) -> Link | None:
    if not isinstance(sha, str) or not sha:
        return None
    url = commit_url(github_url, repo, sha) if repo else None
    return Link(sha[:7], url or "", f"Commit {sha}")


def resolution_view(
    github_url: str, resolution: Mapping[str, Any] | None, repositories: Mapping[int, str]
) -> ResolutionView | None:
    """``repositories``: id -> full name of the repositories the viewer may see (links need the name)."""
    if not resolution or not isinstance(resolution, Mapping):
        return None
    repo_id = _int(resolution.get("repository_id"))
    repo = repositories.get(repo_id) if repo_id is not None else None
    pr = _int(resolution.get("pr_number"))
    run = _int(resolution.get("run_id"))
    pr_url = pull_url(github_url, repo, pr) if repo and pr else None
    run_link_url = run_url(github_url, repo, run) if repo and run else None
    files = [str(f) for f in resolution.get("changed_files") or [] if isinstance(f, str)]
    commits = resolution.get("commits")
    by = resolution.get("by")  # the login that pushed the passing commit (analysis.matching.Resolution.by)
    description = resolution.get("description")
    return ResolutionView(
        repository=repo,
        commit=_commit(github_url, repo, resolution.get("fixed_sha")),
        pull_request=Link(f"PR #{pr}", pr_url or "", f"Pull request #{pr}") if pr else None,
        run=Link(f"run {run}", run_link_url or "", f"The GitHub Actions run {run} that passed") if run else None,
        resolved_at=_at(resolution.get("resolved_at")),
        by=str(by) if isinstance(by, str) and by else None,
        commits=len(commits) if isinstance(commits, list) else 0,
        files=files[:FILES_SHOWN],
        more_files=max(len(files) - FILES_SHOWN, 0),
        failing_commit=_commit(github_url, repo, resolution.get("failing_sha")),
        description=str(description) if isinstance(description, str) and description else None,
    )
