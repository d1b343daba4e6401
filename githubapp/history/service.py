"""The history service: has this failed like this before, how often, where, how was it fixed, is it flaky,
which tests should run. The pipeline calls it; ``install`` attaches it to ``deps.services.history``.

Every method takes the installation id first and passes it to every query: one installation's failures are
never matched, listed or counted for another.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import numpy as np

from analysis import flakiness, recommend
from analysis.change_loci import UNKNOWN, apart, shared
from analysis.embedding import Embedder, HashingEmbedder, OpenAIEmbedder, Vectors
from analysis.flakiness import FlakeScore, Outcome, QuarantineSuggestion, TestOutcome
from analysis.matching import (
    DEFAULT_THRESHOLD,
    Candidate,
    How,
    Match,
    Occurrence,
    Resolution,
    decide,
    failure_fingerprint,
    failure_text,
    mean_centroid,
    split,
    update_centroid,
)
from analysis.recommend import Recommendation, Risk
from analysis.signature import VERSION as SIGNATURE_VERSION
from analysis.signature import FailureSignature, conflicting, signature
from analysis.types import Failure, FailureKind
from storage import history as q
from storage.db import Connection

from ..deps import Deps, ServiceMissing
from ..settings import Settings

EVIDENCE = 3  # earlier runs shown per "seen before" (and per "also in this PR's run")
EVIDENCE_PAGE = 60  # failure rows read at a time for that evidence
EVIDENCE_PAGES = 4  # at most this many pages: past them, occurrences beyond the rows read count as history


@dataclass(frozen=True)
class RunContext(q.RunWhere):
    """Where failures were seen (``RunWhere``'s fields, in that order), when, and their raw log lines."""

    seen_at: datetime | None = None
    excerpts: Mapping[int, str] = field(default_factory=dict)  # failure index -> raw log lines
    # failure index -> the symbol its line is in, read from the source at the run's commit (pipeline.source)
    symbols: Mapping[int, str] = field(default_factory=dict)
    # failure index -> its line's text in that source: the offending code when the log prints none
    code_lines: Mapping[int, str] = field(default_factory=dict)
    # where the run's change touched the code (analysis.change_loci), when known: tells a test failure's faults
    # apart where its log cannot
    change_loci: tuple[str, ...] = ()
    # the changed lines in those symbols (analysis.change_loci.changed_code): one fault on other data
    change_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchHit:
    pattern_id: int
    similarity: float
    title: str
    kind: str
    tool: str
    test_id: str | None
    occurrences: int
    first_seen: datetime
    last_seen: datetime
    repositories: tuple[int, ...]
    status: str
    resolution: Resolution | None


@dataclass(frozen=True)
class TestRecommendations:
    __test__ = False

    tests: list[Recommendation]
    risk: Risk
    risk_reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "risk": self.risk.value,
            "riskReason": self.risk_reason,
            "tests": [r.as_json() for r in self.tests],
        }


def embedder_from_settings(settings: Settings) -> Embedder:
    """The OpenAI-compatible endpoint when EMBEDDING_MODEL and OPENAI_BASE_URL are set, else the local one."""
    if settings.embedding_model and settings.openai_base_url:
        import openai

        client = openai.OpenAI(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key or "unused",
            timeout=30.0,
            max_retries=3,
        )
        return OpenAIEmbedder(client, settings.embedding_model)
    return HashingEmbedder()


def _now() -> datetime:
    return datetime.now(UTC)


class HistoryService:
    def __init__(
        self,
        pool: asyncpg.Pool,
        embedder: Embedder,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        candidates: int = 5,
    ) -> None:
        self.pool = pool
        self.embedder = embedder
        self.threshold = threshold
        self.candidates = candidates
        self._ready = False
        self._ready_lock = asyncio.Lock()

    async def ready(self) -> None:
        """Type the vector columns for this embedder on first use (or refuse a mismatch)."""
        if self._ready:
            return
        async with self._ready_lock:
            if self._ready:
                return
            dim = self.embedder.dim if self.embedder.local else await asyncio.to_thread(lambda: self.embedder.dim)
            async with self.pool.acquire() as conn:
                await q.ensure_vector_space(conn, self.embedder.name, dim)
                await rekey_stale(conn)
            self._ready = True

    async def embed(self, texts: Sequence[str]) -> Vectors:
        if self.embedder.local:
            return self.embedder.embed(texts)
        return await asyncio.to_thread(self.embedder.embed, list(texts))

    # --- failures and patterns ----------------------------------------------------------------------------

    async def record_failures(
        self,
        installation_id: int,
        repository_id: int,
        failures: Sequence[Failure],
        context: RunContext | None = None,
        *,
        default_branch: str | None = None,
    ) -> list[Match]:
        """Store failures, assign each a pattern, return one Match per failure in the given order."""
        await self.ready()
        context = context or RunContext()
        if not failures:
            return []
        seen_at = context.seen_at or _now()
        texts = [failure_text(f) for f in failures]
        vectors = await self.embed(texts)
        matches: list[Match] = []
        counted: set[int] = set()  # patterns already counted in this call (a run's repeats are one occurrence)
        async with self.pool.acquire() as conn:
            branch = default_branch or await q.default_branch(conn, installation_id, repository_id)
            flakes = await self._flake_scores(
                conn,
                installation_id,
                repository_id,
                [f.test_id for f in failures if f.test_id],
                default_branch=default_branch,
            )
            for index, (failure, text, vector) in enumerate(zip(failures, texts, vectors, strict=True)):
                excerpt = context.excerpts.get(index)
                symbol = context.symbols.get(index)
                match = await self._record_one(
                    conn,
                    installation_id,
                    repository_id,
                    failure,
                    text,
                    vector,
                    context,
                    seen_at,
                    excerpt,
                    counted,
                    symbol=symbol,
                    code_line=context.code_lines.get(index),
                    flaky=bool(failure.test_id and (score := flakes.get(failure.test_id)) and score.flaky),
                )
                matches.append(
                    await self._with_evidence(conn, installation_id, repository_id, match, context, seen_at, branch)
                )
        return [
            _with_flake(m, flakes.get(f.test_id)) if f.test_id else m for m, f in zip(matches, failures, strict=True)
        ]

    async def _record_one(
        self,
        conn: Connection,
        installation_id: int,
        repository_id: int,
        failure: Failure,
        text: str,
        vector: Vectors,
        context: RunContext,
        seen_at: datetime,
        excerpt: str | None,
        counted: set[int],
        *,
        symbol: str | None = None,
        code_line: str | None = None,
        flaky: bool = False,
    ) -> Match:
        fingerprint = failure_fingerprint(failure)
        sig = signature(failure, symbol=symbol, detail=excerpt, code_line=code_line)
        sig_json = sig.as_json()
        # A test failure is told apart by where its run's change touched the code (what its log often cannot
        # say); not a known flaky test's, whose failures no change explains.
        placed = sig.kind == "test" and not sig.generic
        loci = context.change_loci if placed and not flaky else ()
        lines = context.change_lines if loci else ()
        async with conn.transaction():
            # The lock first: a retried job racing its first attempt must see that attempt's row, and two
            # workers assigning one new signature must create one pattern.
            await q.lock_fingerprint(conn, installation_id, sig.base_key)
            if context.run_id is not None and context.job_id is not None:
                earlier = await q.recorded_failure(
                    conn,
                    installation_id,
                    repository_id,
                    run_id=context.run_id,
                    run_attempt=context.run_attempt,
                    job_id=context.job_id,
                    fingerprint=fingerprint,
                )
                if earlier is not None:  # a retried job: answer as the first time, count nothing twice
                    pattern = await q.get_pattern(conn, installation_id, earlier["pattern_id"])
                    assert pattern is not None
                    return _match(
                        earlier["id"],
                        pattern,
                        How(earlier["how"]),
                        float(earlier["similarity"]),
                        fingerprint,
                        sig_json,
                    )
            await q.set_ef_search(conn)
            found = Owner() if sig.generic else await self._owner(conn, installation_id, sig, loci, lines)
            owner, by_place = found.pattern, found.by_place
            nearest = (
                []
                if sig.generic
                else await self._compatible(
                    conn,
                    installation_id,
                    sig,
                    await q.nearest_patterns(conn, installation_id, vector, self.candidates, scope_key=sig.scope),
                    loci,
                )
            )
            decision = decide(owner, [Candidate(p, s) for p, s in nearest], self.threshold, generic=sig.generic)
            if decision.pattern_id is None:
                pattern_id = await q.create_pattern(
                    conn,
                    installation_id,
                    kind=failure.kind.value,
                    tool=failure.tool,
                    title=failure.message.splitlines()[0][:500] if failure.message else failure.kind.value,
                    test_id=failure.test_id,
                    text=text,
                    centroid=vector,
                    repository_id=repository_id,
                    seen_at=seen_at,
                    # A generic pattern is nobody's candidate: no scope, so nothing joins it by similarity.
                    signature={**sig_json, "scope": None} if sig.generic else sig_json,
                )
                new_centroid = None
                count = True
            else:
                pattern_id = decision.pattern_id
                current = await q.pattern_for_update(conn, installation_id, pattern_id)
                assert current is not None
                occurrences, centroid = current
                new_centroid = vector if centroid is None else update_centroid(centroid, occurrences, vector)
                count = pattern_id not in counted and not (
                    context.run_id is not None
                    and await q.seen_in_run(
                        conn, installation_id, pattern_id, run_id=context.run_id, run_attempt=context.run_attempt
                    )
                )
            counted.add(pattern_id)
            if not sig.generic:
                await _own_keys(conn, installation_id, sig, pattern_id, created=decision.pattern_id is None)
            same_change: tuple[str, ...] = ()  # the places this change and the pattern's earlier ones share
            if placed:
                if loci and decision.pattern_id is not None:
                    before = await q.pattern_loci(conn, installation_id, [pattern_id])
                    same_change = shared(before.get(pattern_id, ()), loci)
                # a member whose change is unknown: the pattern is never told apart by place again
                await q.add_pattern_loci(conn, installation_id, pattern_id, loci or (UNKNOWN,))
                for key in _place_keys(sig, lines):
                    await q.add_fingerprint(conn, installation_id, key, pattern_id)
            failure_id = await q.insert_failure(
                conn,
                installation_id,
                q.FailureRow(
                    repository_id=repository_id,
                    pattern_id=pattern_id,
                    kind=failure.kind.value,
                    tool=failure.tool,
                    test_id=failure.test_id,
                    message=failure.message[:20000],
                    file=failure.file,
                    line=failure.line,
                    test_file=failure.test_file,
                    test_line=failure.test_line,
                    fingerprint=fingerprint,
                    text=text,
                    how=decision.how.value,
                    similarity=decision.similarity,
                    embedding=vector,
                    seen_at=seen_at,
                    run=replace(context, job_name=failure.job or context.job_name),
                    excerpt=excerpt,
                    signature_key=sig.key,
                    occurrences=failure.occurrences,
                    files=failure.files,
                    file_count=failure.file_count,
                    symbol=symbol,
                    code_line=code_line,
                ),
            )
            pattern = await q.count_occurrence(
                conn,
                installation_id,
                pattern_id,
                repository_id=repository_id,
                seen_at=seen_at,
                centroid=new_centroid,
                failure_id=failure_id,
                count=count,
            )
        match = _match(failure_id, pattern, decision.how, decision.similarity, fingerprint, sig_json)
        if decision.pattern_id is None and found.apart_from is not None:
            # kept apart by its change alone: the pattern it would have joined, for the report to show
            return replace(match, extra={"apart_from": found.apart_from, "apart_places": list(found.apart_places)})
        if not same_change:
            return match
        # by place: the pattern's members got another value, so "same value got" is not what it rests on
        return replace(match, extra={"same_places": list(same_change), "other_value": by_place})

    async def _owner(
        self,
        conn: Connection,
        installation_id: int,
        sig: FailureSignature,
        loci: Sequence[str] = (),
        lines: Sequence[str] = (),
    ) -> Owner:
        """The pattern owning the signature's key; else, for a failure whose log printed its code, the pattern
        owning the key without it when that pattern's code does not contradict this one's (one fault, logged
        once without the code and once with it). With ``loci`` (a test failure whose change is known): not a
        pattern broken by changes elsewhere, but the pattern of that key whose changes touched these places; else
        the pattern of that test and assertion that got another value after a change that wrote one of these
        ``lines`` (the same edit, fed other data)."""
        owner = await q.fingerprint_owner(conn, installation_id, _key(sig))
        if owner is None and sig.refinements:
            base = await q.fingerprint_owner(conn, installation_id, "sig:" + sig.base_key)
            if base is not None:
                known = await q.pattern_refinements(conn, installation_id, [base])
                owner = None if conflicting(known.get(base, []), sig.refinements) else base
        if not loci:
            return Owner(owner)
        parted: tuple[int, tuple[str, ...]] | None = None
        if owner is not None:
            changed = (await q.pattern_loci(conn, installation_id, [owner])).get(owner, [])
            if not apart(changed, loci):
                return Owner(owner)
            parted = owner, tuple(p for p in changed if p != UNKNOWN)
            kin = await q.loci_of_key(conn, installation_id, sig.key)
            owner = next((pattern for pattern, known in kin if not apart(known, loci)), None)
            if owner is not None:
                return Owner(owner)
        by_place = await q.first_owner(conn, installation_id, _place_keys(sig, lines))
        if by_place is not None:
            return Owner(by_place, by_place=True)
        return Owner(apart_from=parted[0], apart_places=parted[1][:3]) if parted else Owner()

    async def _compatible(
        self,
        conn: Connection,
        installation_id: int,
        sig: FailureSignature,
        nearest: list[tuple[int, float]],
        loci: Sequence[str] = (),
    ) -> list[tuple[int, float]]:
        """The candidates whose code does not contradict the failure's (the scope says the rest), and with
        ``loci``, not broken by changes elsewhere."""
        if sig.refinements and nearest:
            known = await q.pattern_refinements(conn, installation_id, [p for p, _ in nearest])
            nearest = [(p, s) for p, s in nearest if not conflicting(known.get(p, []), sig.refinements)]
        if loci and nearest:
            changed = await q.pattern_loci(conn, installation_id, [p for p, _ in nearest])
            nearest = [(p, s) for p, s in nearest if not apart(changed.get(p, ()), loci)]
        return nearest

    async def _with_evidence(
        self,
        conn: Connection,
        installation_id: int,
        repository_id: int,
        match: Match,
        context: RunContext,
        seen_at: datetime,
        default_branch: str | None,
    ) -> Match:
        """The earlier runs behind the match, split into history and this change's own runs. ``known`` ("seen
        before") holds only with history: a repeat within this run, or in this PR's earlier runs, is not."""
        if match.how in (How.NEW, How.GENERIC):
            apart_from = match.extra.get("apart_from")
            if apart_from is None:
                return replace(match, known=False)
            # kept apart by its change: the other pattern's runs, shown as such (never as "seen before")
            elsewhere, _, _ = await self._runs(
                conn, installation_id, repository_id, int(apart_from), context, seen_at, default_branch
            )
            return replace(match, known=False, extra={**match.extra, "apart_earlier": elsewhere[:EVIDENCE]})
        history, own, stored = await self._runs(
            conn, installation_id, repository_id, match.pattern_id, context, seen_at, default_branch
        )
        # Failures expire before patterns do: occurrences beyond the rows still stored are history too.
        expired = match.occurrences - len(history) - len(own) - 1 > 0 and not stored
        return replace(
            match,
            known=bool(history) or expired,
            earlier=tuple(history[:EVIDENCE]),
            this_change=tuple(own[:EVIDENCE]),
        )

    async def _runs(
        self,
        conn: Connection,
        installation_id: int,
        repository_id: int,
        pattern_id: int,
        context: RunContext,
        seen_at: datetime,
        default_branch: str | None,
    ) -> tuple[list[Occurrence], list[Occurrence], bool]:
        """A pattern's earlier runs, latest first: (history, this change's own runs, whether any row is stored)."""
        earlier: list[Occurrence] = []
        history: list[Occurrence] = []
        own: list[Occurrence] = []
        before, strictly = seen_at, False
        for _ in range(EVIDENCE_PAGES):
            # a page of failure rows, latest first; a run that repeated the pattern many times (this PR's
            # previous run, say) may fill a page alone, so history can be on the next one
            page = await q.earlier_occurrences(
                conn,
                installation_id,
                pattern_id,
                run_id=context.run_id,
                run_attempt=context.run_attempt,
                before=before,
                strictly=strictly,
                limit=EVIDENCE_PAGE,
            )
            if context.run_id is None:  # no run to tell apart: this call's own rows are this run
                page = [o for o in page if o.run_id is not None or o.seen_at < seen_at]
            earlier += page
            history, own = split(
                earlier,
                repository_id=repository_id,
                pr_number=context.pr_number,
                branch=context.branch,
                default_branch=default_branch,
            )
            if len(page) < EVIDENCE_PAGE or len(history) >= EVIDENCE:
                break
            before, strictly = page[-1].seen_at, True
        return history, own, bool(earlier)

    async def search(
        self, installation_id: int, text: str, *, top_k: int = 5, threshold: float = 0.0
    ) -> list[SearchHit]:
        """Patterns nearest to ``text`` (patterns outlive their failures' retention)."""
        await self.ready()
        vector = (await self.embed([text]))[0]
        if not np.any(vector):
            return []  # a text without tokens embeds to the zero vector: nothing is near it (cosine is NaN)
        async with self.pool.acquire() as conn, conn.transaction():
            await q.set_ef_search(conn)
            rows = await q.search_patterns(conn, installation_id, vector, top_k=top_k, threshold=threshold)
        return [
            SearchHit(
                pattern_id=r["id"],
                similarity=round(float(r["similarity"]), 4),
                title=r["title"],
                kind=r["kind"],
                tool=r["tool"],
                test_id=r["test_id"],
                occurrences=r["occurrences"],
                first_seen=r["first_seen"],
                last_seen=r["last_seen"],
                repositories=tuple(r["repositories"]),
                status=r["status"],
                resolution=Resolution.from_json(r["resolution"]),
            )
            for r in rows
        ]

    async def set_status(self, installation_id: int, pattern_id: int, status: str) -> bool:
        if status not in ("active", "muted", "pinned"):
            raise ValueError(f"pattern status must be active, muted or pinned, got {status!r}")
        async with self.pool.acquire() as conn:
            return await q.set_pattern_status(conn, installation_id, pattern_id, status)

    async def record_resolution(
        self,
        installation_id: int,
        repository_id: int,
        *,
        fixed_sha: str,
        branch: str | None = None,
        pr_number: int | None = None,
        commits: Sequence[str] = (),
        changed_files: Sequence[str] = (),
        run_id: int | None = None,
        resolved_at: datetime | None = None,
        by: str | None = None,
    ) -> list[int]:
        """A run passed after failures on the same PR (or branch): remember how, on those patterns."""
        if pr_number is None and branch is None:
            raise ValueError("record_resolution needs the PR number or the branch")
        async with self.pool.acquire() as conn, conn.transaction():
            failing = await q.latest_failing_sha(
                conn, installation_id, repository_id, branch=branch, pr_number=pr_number, before_sha=fixed_sha
            )
            if failing is None:
                return []
            pattern_ids = await q.patterns_failing_on(conn, installation_id, repository_id, failing)
            resolution = Resolution(
                fixed_sha=fixed_sha,
                commits=tuple(commits),
                pr_number=pr_number,
                changed_files=tuple(changed_files),
                run_id=run_id,
                resolved_at=resolved_at or _now(),
                by=by,
            )
            data = {**resolution.as_json(), "failing_sha": failing, "repository_id": repository_id}
            await q.set_resolution(conn, installation_id, pattern_ids, data)
            if changed_files:
                await q.upsert_change_files(
                    conn,
                    installation_id,
                    repository_id,
                    head_sha=fixed_sha,
                    pr_number=pr_number,
                    files=changed_files,
                )
        return sorted(pattern_ids)

    # --- tests ------------------------------------------------------------------------------------------

    async def record_test_outcomes(
        self,
        installation_id: int,
        repository_id: int,
        outcomes: Sequence[tuple[str, str | Outcome]],
        *,
        head_sha: str,
        run_id: int | None = None,
        run_attempt: int = 1,
        job: str = "",
        branch: str | None = None,
        pr_number: int | None = None,
        infra: bool = False,
        recorded_at: datetime | None = None,
    ) -> int:
        """Outcomes of one job run: ``[(test_id, "passed" | "failed" | "skipped"), ...]``.

        ``infra``: the job failed for runner/network reasons; its outcomes never count as flaky evidence.
        """
        at = recorded_at or _now()
        rows = [
            TestOutcome(
                test_id=t,
                head_sha=head_sha,
                outcome=Outcome(o),
                recorded_at=at,
                run_id=run_id,
                run_attempt=run_attempt,
                job=job,
                branch=branch,
                infra=infra,
            )
            for t, o in outcomes
        ]
        async with self.pool.acquire() as conn:
            return await q.insert_test_outcomes(conn, installation_id, repository_id, rows, pr_number=pr_number)

    async def flaky_tests(
        self,
        installation_id: int,
        repository_id: int,
        *,
        now: datetime | None = None,
        default_branch: str | None = None,
    ) -> tuple[list[FlakeScore], list[QuarantineSuggestion]]:
        now = now or _now()
        async with self.pool.acquire() as conn:
            scores = await self._flake_scores(
                conn, installation_id, repository_id, None, now=now, default_branch=default_branch
            )
        ranked = sorted(scores.values(), key=lambda s: (-s.score, s.test_id))
        return ranked, flakiness.quarantine_suggestions(ranked, now=now)

    async def _flake_scores(
        self,
        conn: Connection,
        installation_id: int,
        repository_id: int,
        test_ids: Sequence[str] | None,
        *,
        now: datetime | None = None,
        default_branch: str | None = None,
    ) -> dict[str, FlakeScore]:
        if test_ids is not None and not test_ids:
            return {}
        now = now or _now()
        since = now - timedelta(days=flakiness.WINDOW_DAYS)
        outcomes = await q.test_outcomes(conn, installation_id, repository_id, since=since, test_ids=test_ids)
        if test_ids is not None:  # mass-failure detection needs every outcome of the job runs involved
            job_runs = sorted({(o.run_id or 0, o.run_attempt, o.job) for o in outcomes})
            context = await q.outcomes_of_job_runs(conn, installation_id, repository_id, job_runs)
        else:
            context = outcomes
        branch = default_branch or await q.default_branch(conn, installation_id, repository_id)
        infra = flakiness.infra_job_runs(context)
        by_test: dict[str, list[TestOutcome]] = defaultdict(list)
        for o in outcomes:
            by_test[o.test_id].append(o)
        return {
            t: flakiness.score_test(t, items, now=now, default_branch=branch, infra_runs=infra)
            for t, items in by_test.items()
        }

    async def record_changed_files(
        self,
        installation_id: int,
        repository_id: int,
        *,
        head_sha: str,
        files: Sequence[str],
        pr_number: int | None = None,
    ) -> None:
        async with self.pool.acquire() as conn:
            await q.upsert_change_files(
                conn, installation_id, repository_id, head_sha=head_sha, pr_number=pr_number, files=files
            )

    async def recommend_tests(
        self,
        installation_id: int,
        repository_id: int,
        changed_paths: Sequence[str],
        *,
        test_map: Mapping[str, Any] | None = None,
        matches: Sequence[Match] = (),
        limit: int = 20,
    ) -> TestRecommendations:
        """Rank tests for a PR's changed files (``GET /repos/{o}/{r}/pulls/{n}/files``, by the caller)."""
        features = recommend.parse_test_map(test_map)
        since = _now() - timedelta(days=365)
        async with self.pool.acquire() as conn:
            known = await q.known_tests(conn, installation_id, repository_id)
            changes = await q.changes_with_failed_tests(conn, installation_id, repository_id, since=since)
            pattern_sims: dict[int, float] = {m.pattern_id: max(m.similarity, 0.0) for m in matches}
            pairs = await q.pattern_tests(conn, installation_id, list(pattern_sims), repository_id)
        co = recommend.co_failures(changes, changed_paths)
        by_test: dict[str, float] = {}
        for pattern_id, test in pairs:
            by_test[test] = max(by_test.get(test, 0.0), pattern_sims.get(pattern_id, 0.0))
        tests = recommend.recommend_tests(
            changed_paths,
            known_tests=known,
            co_failures=co,
            pattern_tests=by_test,
            test_map=features,
            limit=limit,
        )
        risk, reason = recommend.risk_level(changed_paths, co_failures=co)
        return TestRecommendations(tests, risk, reason)

    # --- maintenance ------------------------------------------------------------------------------------

    async def reembed(self, new: Embedder, *, batch: int = 512, log: Any = None) -> dict[str, int]:
        """Re-embed every stored failure with ``new`` and recompute centroids, retyping the vector columns.

        One transaction: workers block meanwhile and see either the old space or the new one, never a mix.
        """
        dim = new.dim if new.local else await asyncio.to_thread(lambda: new.dim)
        counts = {"failures": 0, "patterns": 0}
        async with self.pool.acquire() as conn, conn.transaction():
            await q.lock_embedder(conn)
            await q.untype_vectors(conn)
            for installation_id in await q.installations_with_patterns(conn):
                after = 0
                while rows := await q.failure_texts(conn, installation_id, after_id=after, limit=batch):
                    ids = [r[0] for r in rows]
                    vectors = (
                        new.embed([r[1] for r in rows])
                        if new.local
                        else await asyncio.to_thread(new.embed, [r[1] for r in rows])
                    )
                    await q.set_failure_vectors(conn, installation_id, ids, vectors)
                    counts["failures"] += len(ids)
                    after = ids[-1]
                for pattern_id, text, members in await q.pattern_members(conn, installation_id):
                    member_vectors = await q.failure_vectors(conn, installation_id, members[-200:])
                    if len(member_vectors):
                        centroid = mean_centroid(member_vectors)
                    else:  # every failure expired: the representative text stands in
                        centroid = (
                            new.embed([text])[0] if new.local else (await asyncio.to_thread(new.embed, [text]))[0]
                        )
                    await q.set_centroid(conn, installation_id, pattern_id, centroid)
                    counts["patterns"] += 1
                if log is not None:
                    log(f"installation {installation_id}: re-embedded")
            await q.set_vector_dimension(conn, dim)
            await q.record_embedder(conn, new.name, dim)
            await rekey_stale(conn)  # patterns made before signatures (or by an older definition) get theirs
        self.embedder = new
        self._ready = True
        return counts


async def rekey_all(pool: asyncpg.Pool) -> int:
    """Recompute every pattern's signature (after ``analysis.signature.VERSION`` changed), in one transaction."""
    async with pool.acquire() as conn, conn.transaction():
        await q.lock_rekey(conn)
        await q.clear_signatures(conn)
        return await rekey(conn)


async def rekey_stale(conn: Connection) -> int:
    """On start: recompute the signatures of another version than this code's (``analysis.signature.VERSION``)
    and give patterns without one theirs, in one transaction (workers starting together wait for the first).
    Patterns, counts and resolutions stay; only keys and scopes change. Returns the number of patterns keyed."""
    async with conn.transaction():
        await q.lock_rekey(conn)
        await q.clear_signatures(conn, unless_version=SIGNATURE_VERSION)
        return await rekey(conn)


async def _own_keys(
    conn: Connection, installation_id: int, sig: FailureSignature, pattern_id: int, *, created: bool
) -> None:
    """The pattern owns the failure's key and, when it was made for it, the key without its code (so a log of
    the same fault that prints no code finds it). A joined pattern learns the code it did not know."""
    await q.add_fingerprint(conn, installation_id, _key(sig), pattern_id)
    if not sig.refinements:
        return
    await q.add_fingerprint(conn, installation_id, "sig:" + sig.base_key, pattern_id)
    if not created:
        known = (await q.pattern_refinements(conn, installation_id, [pattern_id])).get(pattern_id, [])
        roles = {r.partition(":")[0] for r in known}
        learned = [r for r in sig.refinements if r.partition(":")[0] not in roles]
        if learned:
            await q.set_pattern_refinements(conn, installation_id, pattern_id, sorted([*known, *learned]))


@dataclass(frozen=True)
class Owner:
    """The pattern a failure joins by its signature (None: none), and how it was found."""

    pattern: int | None = None
    by_place: bool = False  # by the edit alone: its members got another value
    apart_from: int | None = None  # the pattern of its key it would have joined, had its change not been elsewhere
    apart_places: tuple[str, ...] = ()  # where that pattern's changes touched the code


MAX_PLACE_KEYS = 20  # changed lines a member registers for its pattern (its change's first ones, sorted)


def _place_keys(sig: FailureSignature, lines: Sequence[str]) -> list[str]:
    """A test failure whose log shows the value its code got, without that value, at each line its change wrote
    (``analysis.change_loci.changed_code``): the same assertion failing on other data after the same edit of the
    same function is the same fault. (Another edit of that function may be another fault: its value tells.)"""
    if not lines or not any(i.startswith("actual:") for i in sig.identifiers):
        return []
    valueless = replace(sig, identifiers=tuple(i for i in sig.identifiers if not i.startswith("actual:"))).key
    return [f"at:{valueless}|{line}" for line in lines[:MAX_PLACE_KEYS]]


def _key(sig: FailureSignature) -> str:
    """The signature's row in ``pattern_fingerprints`` (beside the engine fingerprints of older versions)."""
    return "sig:" + sig.key


async def rekey(conn: Connection, *, batch: int = 500) -> int:
    """Give every pattern without one its signature (patterns made before signatures existed), computed from
    its representative failure, else from the pattern's own kind, tool, test and title. Nothing is merged or
    deleted: when two old patterns have one signature, the older owns the key and the other stays reachable by
    similarity. Returns the number of patterns keyed."""
    done = 0
    while rows := await q.unkeyed_patterns(conn, limit=batch):
        async with conn.transaction():
            for r in rows:
                failure = Failure(
                    kind=_kind(r["f_kind"] or r["kind"]),
                    tool=r["f_tool"] if r["f_tool"] is not None else r["tool"],
                    message=r["message"] if r["message"] is not None else r["title"],
                    test_id=r["f_test_id"] if r["message"] is not None else r["test_id"],
                    file=r["file"],
                    line=r["line"],
                )
                # the stored excerpt tells what the message leaves out (a snapshot's diff, what an assertion got),
                # the stored symbol and code line what the source had there
                sig = signature(failure, symbol=r["symbol"], detail=r["excerpt"], code_line=r["code_line"])
                sig_json = sig.as_json()
                if sig.generic:
                    sig_json["scope"] = None
                await q.set_pattern_signature(conn, r["installation_id"], r["id"], sig_json)
                if not sig.generic:
                    await _own_keys(conn, r["installation_id"], sig, r["id"], created=True)
        done += len(rows)
    return done


def _kind(value: str) -> FailureKind:
    try:
        return FailureKind(value)
    except ValueError:
        return FailureKind.UNKNOWN


def _match(
    failure_id: int,
    pattern: asyncpg.Record,
    how: How,
    similarity: float,
    fingerprint: str,
    sig: dict[str, Any] | None = None,
) -> Match:
    return Match(
        failure_id=int(failure_id),
        pattern_id=int(pattern["id"]),
        how=how,
        known=how not in (How.NEW, How.GENERIC),
        similarity=round(float(similarity), 4),
        occurrences=int(pattern["occurrences"]),
        first_seen=pattern["first_seen"],
        last_seen=pattern["last_seen"],
        status=pattern["status"],
        repositories=len(pattern["repositories"]),
        resolution=Resolution.from_json(pattern["resolution"]),
        fingerprint=fingerprint,
        signature=sig,
        pattern_title=str(pattern["title"]),
    )


def _with_flake(match: Match, score: FlakeScore | None) -> Match:
    if score is None:
        return match
    return replace(match, flaky=score)


def is_infra(failures: Sequence[Failure]) -> bool:
    """A job whose failures are all runner/network trouble: its test outcomes are not flaky evidence."""
    return bool(failures) and all(f.kind is FailureKind.INFRA for f in failures)


async def install(deps: Deps) -> None:
    service = HistoryService(
        deps.pool, embedder_from_settings(deps.settings), threshold=deps.settings.similarity_threshold
    )
    deps.services.history = service


def history_of(deps: Deps) -> HistoryService:
    service = deps.services.history
    if service is None:
        raise ServiceMissing("history")
    return service
