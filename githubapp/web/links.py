"""Addresses of dashboard pages, for what ci-triage sends to GitHub (the check run's ``details_url``, the PR
comment's links). Pure: the routes themselves are in ``dashboard``."""

from __future__ import annotations

from urllib.parse import urlencode

FAILURES_PATH = "/failures"


def run_page_url(public_url: str, repo: str, run_id: int, attempt: int) -> str:
    """The dashboard's failures of one GitHub Actions run attempt (the ``github_run`` and ``attempt`` filters)."""
    query = urlencode({"repository": repo, "github_run": run_id, "attempt": attempt})
    return f"{public_url.rstrip('/')}{FAILURES_PATH}?{query}"
