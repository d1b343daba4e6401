"""How the verdicts read: the counts that lead the check run, the friendly words beside each verdict, the
title, the conclusion, and each failure's evidence (reason and links). Shared by the check run and the PR
comment; pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import markdown as md
from .common import Grouped, counts, plural
from .model import TriagedFailure, TriageReport, Verdict

NO_NEW_TITLE = "No failures caused by this pull request"
NO_NEW_TITLE_PUSH = "No failures caused by this commit"


@dataclass(frozen=True)
class Wording:
    """Words that depend on the run: a pull request or a push, and the branch compared with."""

    push: bool
    branch: str | None

    @property
    def subject(self) -> str:
        return "this commit" if self.push else "this pull request"

    def branch_md(self) -> str:
        return md.inline_code(self.branch, limit=80) if self.branch else "the base branch"

    def friendly(self, verdict: Verdict) -> str:
        """The plain words shown beside the exact verdict word."""
        if verdict is Verdict.NEW:
            return f"caused by {self.subject}"
        if verdict is Verdict.PRE_EXISTING:
            return f"broken on {self.branch_md()} before it" if self.push else f"failing on {self.branch_md()} too"
        if verdict is Verdict.FLAKY:
            return "failed and passed on the same code"
        return "runner, network or service trouble"

    def counts_line(self, groups: Sequence[Grouped]) -> str:
        """e.g. "Caused by this pull request: 1 · failing on `main` too: 2 · flaky: 1 · infrastructure: 0"."""
        c = counts(groups)
        parts = [
            f"Caused by {self.subject}: {c[Verdict.NEW]}",
            f"{self.friendly(Verdict.PRE_EXISTING)}: {c[Verdict.PRE_EXISTING]}",
            f"flaky: {c[Verdict.FLAKY]}",
            f"infrastructure: {c[Verdict.INFRA]}",
        ]
        return " · ".join(parts)


def wording(report: TriageReport) -> Wording:
    run = report.run
    push = not run.pr_numbers and run.event not in ("pull_request", "pull_request_target")
    return Wording(push=push, branch=report.compared_branch)


def new_count(groups: Sequence[Grouped]) -> int:
    return sum(1 for g in groups if g.item.verdict is Verdict.NEW and not g.item.quarantined)


def verdict_title(report: TriageReport, groups: Sequence[Grouped]) -> str:
    """The check run's title when failures were identified."""
    words = wording(report)
    new = new_count(groups)
    if not new:
        return NO_NEW_TITLE_PUSH if words.push else NO_NEW_TITLE
    others = len(groups) - new
    title = f"{plural(new, 'failure')} caused by {words.subject}"
    return title + (f" ({others} more not caused by it)" if others else "")


def evidence_md(item: TriagedFailure) -> str:
    """The verdict's reason and its links, Markdown-safe."""
    text = md.escape_text(item.reason) if item.reason else ""
    links = [
        (f"[{md.escape_text(link.label)}]({link.url})" if link.url and _safe_url(link.url)
         else md.escape_text(link.label))
        for link in item.links
    ]
    if links:
        text = (text + " " if text else "") + " · ".join(links)
    return text


def evidence_plain(item: TriagedFailure) -> str:
    return " ".join([item.reason, *(f"{link.label}: {link.url}" if link.url else link.label for link in item.links)])


def _safe_url(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not any(c in url for c in " ()<>\n\"'")


def broken_since_md(report: TriageReport, groups: Sequence[Grouped]) -> str | None:
    """For a failing push to a branch: "Broken on `main` since <sha> (<run>)", the first bad commit history
    knows of (this commit when history knows no earlier failing run)."""
    words = wording(report)
    failing = [g for g in groups if g.item.verdict in (Verdict.NEW, Verdict.PRE_EXISTING)]
    if not words.push or not failing:
        return None
    known = [g.item.since for g in failing if g.item.since is not None]
    run = report.run
    if known:
        first = min(known, key=lambda s: (s.at is None, s.at, s.run_id))
        sha, name, url = first.head_sha, first.name or str(first.run_id), first.url
    else:
        label = f"#{run.run_number}" if run.run_number else str(run.run_id)
        sha, name, url = run.head_sha, f"{run.workflow_name} {label}", run.html_url
    target = f"[{md.escape_text(name)}]({url})" if url and _safe_url(url) else md.escape_text(name)
    return f"Broken on {words.branch_md()} since {md.inline_code(sha[:7])} ({target})."
