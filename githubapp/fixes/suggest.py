"""``suggest_fixes``: proposals from history, rules and the LLM, each checked against the head commit's files
before it is stored and offered. Called by the triage job once per failed run."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gidgethub
from gidgethub.abc import GitHubAPI

from analysis.fixes.llm import AnswerError, Budget, fix_messages, parse_answer
from analysis.fixes.logtext import repo_path
from analysis.fixes.patch import (
    FilePatch,
    PatchError,
    apply_file_patch,
    check_paths,
    parse_patch,
    path_problem,
    unified_diff,
)
from analysis.fixes.ranking import adjusted_score
from analysis.fixes.rules import rule_proposals
from analysis.fixes.types import FixSource, Proposal
from analysis.fixes.verify import materialise, paths_needed, verify
from analysis.matching import Resolution
from analysis.regex import compile_linear
from analysis.sparse_lines import SparseLines
from analysis.types import Analysis, Failure
from storage import fixes as store

from ..analysis_pool import AnalysisFailed, Limits, run_isolated
from ..deps import Deps
from .gitdata import FileUnavailable, get_file, repo_url
from .llm import FixModel, ModelError
from .redaction import may_send_file, redact_for_model

log = logging.getLogger("ci_triage.fixes.suggest")

LLM_WHEN_BEST_BELOW = 0.8  # ask the model only when history and rules found nothing this good
LLM_CONTEXT_FILES = 4
EXCERPT_LINES_STORED = 60


@dataclass(frozen=True)
class FailedJob:
    analysis: Analysis
    log_text: str | SparseLines  # the log, or the lines of it that were kept (the pipeline's, from its child)
    name: str = ""
    proposals: tuple[Proposal, ...] | None = None  # the fix rules' proposals, when they ran beside the analysis


def _lines(log: str | SparseLines) -> Sequence[str]:
    return log.split("\n") if isinstance(log, str) else log


@dataclass(frozen=True)
class PastFix:
    """How a matching failure pattern was fixed before (history's resolution): the commits between the
    failing run and the passing one, oldest first (``commits``), or just the passing commit."""

    fingerprint: str | None
    commit_sha: str  # the commit whose run passed
    repo_full_name: str
    summary: str = ""
    url: str | None = None
    commits: tuple[str, ...] = ()

    @classmethod
    def from_resolution(cls, resolution: Resolution, *, fingerprint: str | None, repo_full_name: str) -> PastFix:
        """From history's ``Resolution`` of a matched pattern (``Match.resolution``)."""
        pr = resolution.pr_number
        return cls(
            fingerprint=fingerprint,
            commit_sha=resolution.fixed_sha,
            repo_full_name=repo_full_name,
            summary=f"in #{pr}" if pr else "",
            commits=tuple(resolution.commits),
        )


class _Files:
    """Files at the head commit, fetched once each; unavailable ones (too large, binary) are remembered."""

    def __init__(self, gh: GitHubAPI, full_name: str, ref: str) -> None:
        self.gh, self.full_name, self.ref = gh, full_name, ref
        self.known: dict[str, str | None] = {}
        self.unavailable: set[str] = set()

    async def fetch(self, paths: Sequence[str]) -> dict[str, str | None]:
        for path in paths:
            if path in self.known or path in self.unavailable or path_problem(path):
                continue
            try:
                self.known[path] = await get_file(self.gh, self.full_name, path, self.ref)
            except FileUnavailable:
                self.unavailable.add(path)
        return {p: self.known[p] for p in paths if p in self.known}


def excerpt_text(analysis: Analysis, log_text: str | SparseLines, *, max_lines: int = 150) -> str:
    lines = _lines(log_text)
    picked: list[str] = []
    for span in sorted(analysis.excerpt):
        picked.extend(lines[span.start - 1 : span.end])
        if len(picked) >= max_lines:
            break
    return "\n".join(picked[:max_lines]) or "\n".join(lines[-max_lines:])


def _evidence(failure: Failure, log_lines: Sequence[str], limit: int = EXCERPT_LINES_STORED) -> str:
    picked: list[str] = []
    for span in failure.evidence:
        picked.extend(log_lines[span.start - 1 : span.end])
    return "\n".join(picked[:limit])


def failure_context(jobs: Sequence[FailedJob]) -> list[dict[str, Any]]:
    """What `/triage explain` needs later, redacted before it reaches the database."""
    out: list[dict[str, Any]] = []
    for job in jobs:
        lines = _lines(job.log_text)
        for f in job.analysis.failures[:10]:
            out.append(
                {
                    "kind": str(f.kind),
                    "tool": f.tool,
                    "message": redact_for_model(f.message[:500]),
                    "test_id": f.test_id,
                    "file": f.file,
                    "line": f.line,
                    "job": f.job or job.name or None,
                    "fingerprint": f.fingerprint or None,
                    "excerpt": redact_for_model(_evidence(f, lines)),
                }
            )
    return out


MAX_REPLAYED_COMMITS = 5


async def _commit_patches(gh: GitHubAPI, full_name: str, sha: str) -> tuple[Any, list[FilePatch]] | None:
    """One commit's change as file patches; None when it cannot be replayed exactly (merge, binary, rename,
    a patch GitHub left out because it is too large)."""
    try:
        commit: Any = await gh.getitem(f"{repo_url(full_name)}/commits/{sha}")
    except gidgethub.BadRequest as exc:
        log.info("past fix %s unavailable: %s", sha, exc.status_code)
        return None
    if len(commit.get("parents") or []) > 1:
        return None
    parts: list[str] = []
    for f in commit.get("files") or []:
        patch, status, name = f.get("patch"), f.get("status"), f.get("filename", "")
        if not patch or status not in ("modified", "added", "removed"):
            return None
        old = "/dev/null" if status == "added" else f"a/{name}"
        new = "/dev/null" if status == "removed" else f"b/{name}"
        parts.append(f"--- {old}\n+++ {new}\n{patch}\n")
    if not parts:
        return None
    try:
        parsed = parse_patch("".join(parts))
        check_paths(parsed)
    except PatchError:
        return None
    return commit, list(parsed.files)


async def history_proposals(gh: GitHubAPI, files: _Files, past_fixes: Sequence[PastFix]) -> list[Proposal]:
    """Replay how each matching pattern was fixed: its commits' changes applied in order to the head
    commit's files (hunks may have moved; their lines must match exactly), as one diff."""
    proposals: list[Proposal] = []
    for past in past_fixes[:3]:
        shas = (past.commits or (past.commit_sha,))[-MAX_REPLAYED_COMMITS:]
        replay: list[FilePatch] = []
        last_commit: Any = None
        for sha in shas:
            found = await _commit_patches(gh, past.repo_full_name, sha)
            if found is None:
                replay = []
                break
            last_commit, patches = found
            replay.extend(patches)
        if not replay:
            continue
        paths = list(dict.fromkeys(fp.path for fp in replay))
        current = await files.fetch(paths)
        if set(current) != set(paths):
            continue
        state = dict(current)
        try:
            for fp in replay:
                state[fp.path] = apply_file_patch(state[fp.path], fp)
        except PatchError as exc:
            log.info("past fix %s does not apply to this head: %s", past.commit_sha[:7], exc)
            continue
        diff = "".join(unified_diff(current[p], state[p], p) for p in paths if state[p] != current[p])
        if not diff:
            continue  # already in the branch
        message = (last_commit.get("commit") or {}).get("message", "").split("\n", 1)[0][:100]
        url = past.url or last_commit.get("html_url")
        proposals.append(
            Proposal(
                source=FixSource.HISTORY,
                rule="history",
                title=f"Apply the earlier fix `{past.commit_sha[:7]}`" + (f": {message}" if message else ""),
                explanation=(
                    f"The same failure was seen before and fixed by {past.commit_sha[:7]}"
                    + (f" ({past.summary})" if past.summary else "")
                    + ". Its change still applies here."
                ),
                confidence=0.7,
                diff=diff,
                fingerprint=past.fingerprint,
                links=(url,) if url else (),
            )
        )
    return proposals


_PATH_IN_LOG = compile_linear(r"(?:^|[^\w/.-])((?:[\w.-]+/)*[\w.-]+\.[A-Za-z]{1,5}):\d+")


def context_paths(analysis: Analysis, excerpt: str) -> list[str]:
    """Files worth showing the model, most relevant first: failing files, test files, paths in the excerpt."""
    candidates: list[str] = []
    for f in analysis.failures:
        if f.file:
            candidates.append(f.file)
        if f.test_id and "::" in f.test_id:
            candidates.append(f.test_id.split("::", 1)[0])
    candidates.extend(m.group(1) for m in _PATH_IN_LOG.finditer(excerpt))
    out: list[str] = []
    for raw in candidates:
        path = repo_path(raw)
        if path not in out and not path_problem(path) and may_send_file(path) and "site-packages" not in path:
            out.append(path)
    return out


async def _llm_proposal(
    model: FixModel,
    files: _Files,
    jobs: Sequence[FailedJob],
    budget: Budget,
) -> Proposal | None:
    job = jobs[0]
    raw_excerpt = excerpt_text(job.analysis, job.log_text)
    excerpt = redact_for_model(raw_excerpt)
    fetched = await files.fetch(context_paths(job.analysis, raw_excerpt)[: LLM_CONTEXT_FILES * 3])
    context = {p: redact_for_model(c) for p, c in fetched.items() if c is not None}
    context = dict(list(context.items())[:LLM_CONTEXT_FILES])
    try:
        raw = await model.propose(fix_messages(excerpt, context, budget=budget), max_tokens=budget.answer_tokens)
        return parse_answer(raw, fingerprint=job.analysis.failures[0].fingerprint if job.analysis.failures else None)
    except (ModelError, AnswerError) as exc:
        log.warning("no LLM fix: %s", exc)
        return None


async def suggest_fixes(
    gh: GitHubAPI,
    deps: Deps,
    *,
    installation_id: int,
    repository_id: int,
    repo_full_name: str,
    pr_number: int | None,
    head_sha: str,
    jobs: Sequence[FailedJob],
    past_fixes: Sequence[PastFix] = (),
    max_fixes: int = 3,
    budget: Budget | None = None,
) -> list[store.FixRow]:
    """Verified, stored fix suggestions for a failed run's head commit, best first (at most ``max_fixes``).

    Each returned fix has an ``id`` for ``/triage approve <id>``; running this again for the same head commit
    returns the same ids.
    """
    budget = budget or Budget()
    if pr_number is not None:
        await store.save_context(
            deps.pool,
            installation_id=installation_id,
            repository_id=repository_id,
            pr_number=pr_number,
            head_sha=head_sha,
            failures=failure_context(jobs),
        )
    files = _Files(gh, repo_full_name, head_sha)
    proposals = await history_proposals(gh, files, past_fixes)
    for job in jobs:
        fingerprint = job.analysis.failures[0].fingerprint if job.analysis.failures else None
        if job.proposals is not None:  # the pipeline ran the fix rules in the log's analysis child
            proposals.extend(job.proposals)
        elif isinstance(job.log_text, str):
            # CPU-bound over a whole log, on hostile text: in a limited child process (the event loop also
            # serves webhooks under `serve`)
            try:
                proposals.extend(
                    await run_isolated(
                        rule_proposals, job.log_text, fingerprint=fingerprint or None, limits=Limits.of(deps.settings)
                    )
                )
            except AnalysisFailed as exc:
                log.warning("fix rules on job %s: %s", job.name, exc.reason)
    performance = await store.rule_performance(deps.pool, installation_id)
    accepted: list[tuple[float, Proposal, str]] = []
    seen_diffs: set[str] = set()

    async def consider(proposal: Proposal) -> None:
        try:
            await files.fetch(paths_needed(proposal))
            diff = materialise(proposal, files.known)
            paths = parse_patch(diff).paths
            await files.fetch(paths)
            # Diffs read from a log or written by a model: existing files only, never CI, build or review files.
            verified = verify(
                diff,
                {p: files.known[p] for p in paths if p in files.known},
                untrusted=proposal.source is not FixSource.HISTORY,
            )
        except PatchError as exc:
            log.info("%s proposal %s not offered: %s", proposal.source, proposal.rule, exc)
            return
        if verified.diff in seen_diffs:
            return
        seen_diffs.add(verified.diff)
        stats = performance.get(f"{proposal.source}:{proposal.rule}", store.RulePerformance(0, 0))
        failed_before = bool(
            await store.failed_diff_hashes(deps.pool, installation_id, [store.diff_hash(verified.diff)])
        )
        score = adjusted_score(proposal.confidence, stats.worked, stats.failed, diff_failed_before=failed_before)
        accepted.append((score, proposal, verified.diff))

    for proposal in proposals:
        await consider(proposal)
    model = deps.services.fix_model
    if model is not None and jobs and max((s for s, _, _ in accepted), default=0.0) < LLM_WHEN_BEST_BELOW:
        llm = await _llm_proposal(model, files, jobs, budget)
        if llm is not None:
            await consider(llm)
    accepted.sort(key=lambda item: -item[0])
    rows: list[store.FixRow] = []
    for score, proposal, diff in accepted[:max_fixes]:
        rows.append(
            await store.save_fix(
                deps.pool,
                installation_id=installation_id,
                repository_id=repository_id,
                repo_full_name=repo_full_name,
                pr_number=pr_number,
                head_sha=head_sha,
                source=proposal.source.value,
                rule=proposal.rule,
                title=proposal.title,
                explanation=redact_for_model(proposal.explanation),
                confidence=proposal.confidence,
                score=score,
                diff=diff,
                fingerprint=proposal.fingerprint,
                links=proposal.links,
            )
        )
    return rows
