"""``ci-triage replay``, ``ci-triage patterns search`` and ``ci-triage reembed``."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from analysis.change_loci import Places, diff_changes
from analysis.embedding import Embedder, HashingEmbedder
from analysis.matching import DEFAULT_THRESHOLD, Match
from analysis.types import Failure

from ..history.service import HistoryService, RunContext, embedder_from_settings, rekey_all
from ..pipeline.changes import PullChange, change_places
from ..pipeline.source import DirectorySource, SourceFiles, sites_of
from ..pipeline.tree import within_tree
from ..settings import Settings

REPLAY_INSTALLATION = 0  # replay writes as this installation (and repository) unless told otherwise
# A log -> its repository's files at that log's commit (None: unknown), read as the pipeline reads a run's source.
SourceProvider = Callable[[Path], SourceFiles | None]
# A log -> the lines its run's change touched, by file (None: unknown): where a thin test failure's fault is.
ChangeProvider = Callable[[Path], Mapping[str, frozenset[int]] | None]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "replay",
        help="analyze logs in order against a history and show which failures were seen before",
        description="Analyze each LOG in the order given, as if from one repository, against a history "
        "(a fresh temporary embedded database unless --database-url is given), and print each failure's "
        "pattern, whether it was already known, the similarity and which earlier log it matched.",
    )
    p.add_argument("logs", nargs="+", metavar="LOG", type=Path)
    p.add_argument("--json", action="store_true", help="one JSON object per log")
    p.add_argument("--database-url", help="replay into this PostgreSQL (with pgvector) instead of a temporary one")
    p.add_argument("--threshold", type=float, default=None, help=f"similarity threshold (default {DEFAULT_THRESHOLD})")
    p.add_argument("--installation-id", type=int, default=REPLAY_INSTALLATION)
    p.add_argument("--budget", type=int, default=100, help="excerpt line budget of the analysis")
    p.add_argument(
        "--source",
        type=Path,
        metavar="DIR",
        help="a checkout of the repository at the logs' commit: compile, type and lint errors get the symbol their "
        "line is in (function, YAML key, make target) and, when the log prints none, the line's code from it, as the "
        "App reads it through the GitHub API",
    )
    p.add_argument(
        "--diff",
        type=Path,
        metavar="FILE",
        help="the logs' change as a unified diff (git diff's output), with --source at its new side: a test failure "
        "whose log cannot tell its faults apart is told apart by the functions the change touched, as the App reads "
        "them from a pull request's files",
    )
    p.set_defaults(handler=cmd_replay)

    p = sub.add_parser("patterns", help="query the failure history", description="query the failure history")
    psub = p.add_subparsers(dest="patterns_command", metavar="ACTION", required=True)
    s = psub.add_parser("search", help="patterns nearest to a text", description="patterns nearest to a text")
    s.add_argument("text")
    s.add_argument("--installation-id", type=int, required=True, help="whose history to search")
    s.add_argument("--top-k", type=int, default=5)
    s.add_argument("--threshold", type=float, default=0.0, help="hide hits below this similarity")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_patterns_search)

    p = sub.add_parser(
        "reembed",
        help="re-embed stored failures with the configured embedder and recompute pattern centroids",
        description="After changing EMBEDDING_MODEL/OPENAI_BASE_URL (or back to the local embedder): "
        "re-embed every stored failure, recompute centroids and retype the vector columns to the new "
        "dimension. Workers wait for it (one transaction).",
    )
    p.set_defaults(handler=cmd_reembed)

    p = sub.add_parser(
        "rekey",
        help="recompute every failure pattern's signature (after upgrading ci-triage)",
        description="Recompute the signature (tool, kind, test or file, error type, key identifiers, message "
        "template) of every stored pattern from its representative failure. Patterns, their counts and "
        "resolutions stay; patterns without a signature are also keyed automatically when the service starts.",
    )
    p.set_defaults(handler=cmd_rekey)


# --- replay -----------------------------------------------------------------------------------------------


@dataclass
class ReplayResult:
    """One log's answer. The log's own pattern is its primary (first) failure's: the engine puts the failure
    that explains the job first and keeps setup chatter out of that place, so "same pattern as an earlier
    log" is decided by it, not by every secondary failure the log also printed."""

    input: str
    failures: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    change_loci: tuple[str, ...] = ()  # where the log's change touched the code (--diff), when known

    @property
    def primary(self) -> dict[str, Any] | None:
        return self.failures[0] if self.failures else None

    def as_json(self) -> dict[str, Any]:
        primary = self.primary
        out: dict[str, Any] = {
            "input": self.input,
            "pattern_id": primary["pattern_id"] if primary else None,
            "known": bool(primary and primary["known"]),
            "matched_input": primary["matched_input"] if primary else None,
            "failures": self.failures,
        }
        if self.change_loci:
            out["change_loci"] = list(self.change_loci)
        if self.error:
            out["error"] = self.error
        return out


@asynccontextmanager
async def temporary_database() -> AsyncIterator[str]:
    """A fresh embedded PostgreSQL in a temporary directory, removed afterwards."""
    from storage import db
    from storage.embedded_pg import EmbeddedPostgres

    root = Path(tempfile.mkdtemp(prefix="ci-triage-replay-"))
    pg = EmbeddedPostgres(root)
    try:
        await asyncio.to_thread(pg.start)
        await db.create_database(pg.url(), "replay")
        yield pg.url("replay")
    finally:
        await asyncio.to_thread(pg.stop, "immediate")
        shutil.rmtree(root, ignore_errors=True)


async def replay(
    logs: Sequence[Path],
    *,
    database_url: str | None = None,
    threshold: float | None = None,
    embedder: Embedder | None = None,
    installation_id: int = REPLAY_INSTALLATION,
    budget: int = 100,
    source: SourceProvider | None = None,
    changes: ChangeProvider | None = None,
) -> list[ReplayResult]:
    """The replay path shared by the CLI and benchmarks/matching.py. ``source``: each log's repository files
    at its commit, for the symbols and lines of compile, type and lint errors (none: the logs alone);
    ``changes``: the lines each log's change touched, for where it touched the code (``analysis.change_loci``)."""
    from storage import db

    async with _database(database_url) as url:
        await db.migrate(url)
        pool = await db.create_pool(url, min_size=1, max_size=2)
        try:
            service = HistoryService(
                pool,
                embedder or HashingEmbedder(),
                threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
            )
            return await replay_into(
                service, logs, installation_id=installation_id, budget=budget, source=source, changes=changes
            )
        finally:
            await pool.close()


@asynccontextmanager
async def _database(url: str | None) -> AsyncIterator[str]:
    if url:
        yield url
        return
    async with temporary_database() as temp:
        yield temp


async def replay_into(
    service: HistoryService,
    logs: Sequence[Path],
    *,
    installation_id: int,
    budget: int = 100,
    source: SourceProvider | None = None,
    source_files: int = Settings.source_files_per_run,
    changes: ChangeProvider | None = None,
) -> list[ReplayResult]:
    from analysis.engine import analyze_bytes
    from analysis.signature import diff_range

    from ..pipeline.assemble import excerpt_lines
    from ..pipeline.locate import section
    from ..pipeline.logwork import log_lines

    first_input: dict[int, str] = {}  # pattern id -> the first log it appeared in
    results: list[ReplayResult] = []
    start = datetime.now(UTC)
    for index, path in enumerate(logs):
        result = ReplayResult(str(path))
        results.append(result)
        try:
            data = path.read_bytes()
        except OSError as exc:
            result.error = f"cannot read {path}: {exc.strerror}"
            continue
        analysis = analyze_bytes(data, budget=budget)
        failures: list[Failure] = list(analysis.failures)
        files = source(path) if source is not None else None
        if files is not None:  # as the pipeline: paths resolved in the commit's tree, then the symbols and lines read
            tree = await files.paths()
            failures = [within_tree(f, frozenset(tree) if tree is not None else None) for f in failures]
        sites = await sites_of(failures, files, max_files=source_files)
        # each failure's excerpt as the pipeline makes it (its test's section and evidence): the signature reads
        # what the message leaves out there (a snapshot's diff)
        lines = log_lines(data)
        excerpts = {}
        for number, failure in enumerate(failures):
            found = section(lines, failure)
            around = found.lines if found else diff_range(lines, failure)
            excerpt = excerpt_lines(lines, failure, analysis, around=around)
            if excerpt:
                excerpts[number] = "\n".join(excerpt)
        changed = changes(path) if changes is not None else None
        change = (
            await change_places(PullChange(tuple(changed), changed), files, max_files=source_files)
            if changed
            else Places()
        )
        result.change_loci = change.functions
        context = RunContext(
            change_loci=change.functions,
            change_lines=change.lines,
            run_id=index + 1,
            job_id=1,
            seen_at=start + timedelta(seconds=index),
            excerpts=excerpts,
            symbols=sites.symbols,
            code_lines=sites.lines,
        )
        matches: list[Match] = await service.record_failures(installation_id, installation_id, failures, context)
        for number, (failure, match) in enumerate(zip(failures, matches, strict=True)):
            result.failures.append(
                {
                    "test_id": failure.test_id,
                    "message": failure.message,
                    "fingerprint": match.fingerprint,
                    "pattern_id": match.pattern_id,
                    "known": match.known,
                    "similarity": match.similarity,
                    "how": str(match.how),
                    # None when new, or when known from before this replay (--database-url)
                    "matched_input": first_input.get(match.pattern_id) if match.known else None,
                    "signature": match.signature,
                    "symbol": sites.symbols.get(number),
                    "code_line": sites.lines.get(number),
                    "earlier": [o.as_json() for o in match.earlier],
                }
            )
            first_input.setdefault(match.pattern_id, str(path))
    return results


def _print_human(results: Sequence[ReplayResult]) -> None:
    for r in results:
        if r.error:
            print(f"{r.input}: error: {r.error}")
            continue
        primary = r.primary
        if primary is None:
            print(f"{r.input}: no failure found")
            continue
        seen = (
            f"known (matched {primary['matched_input']})"
            if primary["matched_input"]
            else ("known" if primary["known"] else "new")
        )
        print(f"{r.input}: {len(r.failures)} failure(s); pattern {primary['pattern_id']} {seen}")
        for f in r.failures:
            state = "known" if f["known"] else "new"
            where = f" (matched {f['matched_input']})" if f["matched_input"] else ""
            name = f["test_id"] or (f["message"].splitlines() or [""])[0][:100]
            print(f"  pattern {f['pattern_id']:>4} {state:<5} sim {f['similarity']:.3f}{where}  {name}")


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    missing = [str(p) for p in args.logs if not p.is_file()]
    if missing:
        print(f"ci-triage replay: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    if args.source is not None and not args.source.is_dir():
        print(f"ci-triage replay: --source {args.source}: not a directory", file=sys.stderr)
        return 2
    checkout = DirectorySource(args.source, max_bytes=settings.source_file_max_bytes) if args.source else None
    changed = None
    if args.diff is not None:
        try:
            changed = diff_changes(args.diff.read_text(encoding="utf-8", errors="replace"))
        except OSError as exc:
            print(f"ci-triage replay: --diff {args.diff}: {exc.strerror}", file=sys.stderr)
            return 2
    results = asyncio.run(
        replay(
            args.logs,
            database_url=args.database_url,
            threshold=args.threshold,
            installation_id=args.installation_id,
            budget=args.budget,
            source=(lambda _log: checkout) if checkout is not None else None,
            changes=(lambda _log: changed) if changed else None,
        )
    )
    if args.json:
        for r in results:
            print(json.dumps(r.as_json(), ensure_ascii=False))
    else:
        _print_human(results)
    return 1 if any(r.error for r in results) else 0


# --- patterns search, reembed -----------------------------------------------------------------------------


@asynccontextmanager
async def _service(settings: Settings) -> AsyncIterator[HistoryService]:
    from storage import db

    from ..runtime import backing_services

    async with backing_services(settings) as resolved:
        assert resolved.database_url is not None
        await db.migrate(resolved.database_url)
        pool: asyncpg.Pool = await db.create_pool(resolved.database_url, min_size=1, max_size=2)
        try:
            yield HistoryService(pool, embedder_from_settings(settings), threshold=settings.similarity_threshold)
        finally:
            await pool.close()


def cmd_patterns_search(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> list[dict[str, Any]]:
        async with _service(settings) as service:
            hits = await service.search(args.installation_id, args.text, top_k=args.top_k, threshold=args.threshold)
        return [
            {
                "pattern_id": h.pattern_id,
                "similarity": h.similarity,
                "title": h.title,
                "kind": h.kind,
                "tool": h.tool,
                "test_id": h.test_id,
                "occurrences": h.occurrences,
                "first_seen": h.first_seen.isoformat(),
                "last_seen": h.last_seen.isoformat(),
                "status": h.status,
                "repositories": list(h.repositories),
                "resolution": h.resolution.as_json() if h.resolution else None,
            }
            for h in hits
        ]

    hits = asyncio.run(go())
    if args.json:
        print(json.dumps(hits, indent=2))
    elif not hits:
        print("no similar patterns")
    for h in hits if not args.json else []:
        print(
            f"pattern {h['pattern_id']:>5}  sim {h['similarity']:.3f}  {h['occurrences']:>5}x  "
            f"last {h['last_seen'][:10]}  {h['status']:<6}  {h['title'][:90]}"
        )
    return 0


def cmd_reembed(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> dict[str, int]:
        async with _service(settings) as service:
            return await service.reembed(service.embedder, log=print)

    counts = asyncio.run(go())
    print(f"re-embedded {counts['failures']} failure(s), recomputed {counts['patterns']} centroid(s)")
    return 0


def cmd_rekey(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> int:
        async with _service(settings) as service:
            return await rekey_all(service.pool)

    print(f"re-keyed {asyncio.run(go())} pattern(s)")
    return 0
