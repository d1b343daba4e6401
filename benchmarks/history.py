"""History at scale: top-5 search over N stored failures, HNSW against an exact scan in the same run, HNSW
recall@5 against the exact answer, and the local embedder's throughput.

    python -m benchmarks history [--count 1000000] [--dim 384] [--ef 40,100,200] [--json]

Synthetic vectors: ``--clusters`` pattern centres, each failure a noisy copy of one (failures of one pattern
are near each other, as real ones are). Rows are bulk-loaded with COPY into the real ``failures`` table of a
dedicated embedded PostgreSQL in a temporary directory, then the HNSW index is built, then queries run through
the same SQL the service uses (``storage.history.search_failures``). 90 % of rows belong to the installation
searched, 10 % to another one, so the installation filter is exercised.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from analysis.embedding import HashingEmbedder
from analysis.engine import analyze_bytes
from analysis.matching import failure_text
from analysis.types import Failure, FailureKind

from .datasets import BUNDLED, dataset_root, external_dir, skipped_note

INSTALLATION, OTHER_INSTALLATION = 1, 2


def synthetic(count: int, dim: int, clusters: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around ``clusters`` centres; returns (vectors, centres)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((count, dim), dtype=np.float32)
    step = 100_000
    for start in range(0, count, step):
        n = min(step, count - start)
        which = rng.integers(0, clusters, n)
        noise = rng.standard_normal((n, dim)).astype(np.float32) * rng.uniform(0.02, 0.08, (n, 1)).astype(np.float32)
        block = centres[which] + noise
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + n] = block
    return out, centres


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from storage import db
    from storage import history as q
    from storage.embedded_pg import EmbeddedPostgres

    report: dict[str, Any] = {"count": args.count, "dim": args.dim, "clusters": args.clusters}
    root = Path(tempfile.mkdtemp(prefix="ci-triage-bench-history-"))
    pg = EmbeddedPostgres(root)
    try:
        pg.start()
        admin = await db.connect_once(pg.url())
        for setting, value in (
            ("maintenance_work_mem", args.maintenance_work_mem),
            ("shared_buffers", "2GB"),
            ("max_parallel_maintenance_workers", "1"),
            ("checkpoint_timeout", "30min"),
            ("max_wal_size", "8GB"),
            ("synchronous_commit", "off"),
        ):
            await admin.execute(f"ALTER SYSTEM SET {setting} = '{value}'")
        await admin.close()
        pg.stop()
        pg.start()
        await db.create_database(pg.url(), "bench")
        url = pg.url("bench")
        await db.migrate(url)
        pool = await db.create_pool(url, min_size=1, max_size=2)
        async with pool.acquire() as conn:
            await q.ensure_vector_space(conn, f"synthetic-{args.dim}", args.dim)
            for name in q.HNSW_INDEXES:
                await conn.execute(f"DROP INDEX IF EXISTS {name}")

        t0 = time.perf_counter()
        vectors, centres = synthetic(args.count, args.dim, args.clusters, args.seed)
        owners = np.where(
            np.random.default_rng(args.seed + 1).random(args.count) < 0.9, INSTALLATION, OTHER_INSTALLATION
        )
        report["generate_s"] = round(time.perf_counter() - t0, 1)

        # Bulk work on a connection without the pool's 60 s command timeout (the index build takes minutes).
        from pgvector.asyncpg import register_vector

        bulk = await db.connect_once(url)
        await register_vector(bulk)
        t0 = time.perf_counter()
        now = datetime.now(UTC)
        columns = [
            "installation_id",
            "repository_id",
            "kind",
            "tool",
            "message",
            "fingerprint",
            "text",
            "how",
            "embedding",
            "seen_at",
        ]
        step = 20_000
        for start in range(0, args.count, step):
            records = [
                (
                    int(owners[i]),
                    1,
                    "test",
                    "synthetic",
                    "synthetic failure",
                    f"fp{i}",
                    "synthetic",
                    "new",
                    vectors[i],
                    now,
                )
                for i in range(start, min(args.count, start + step))
            ]
            await bulk.copy_records_to_table("failures", records=records, columns=columns)
            if not args.json and start // step % 10 == 0:
                print(f"  loaded {start + len(records):,} rows", file=sys.stderr, flush=True)
        report["copy_s"] = round(time.perf_counter() - t0, 1)
        report["copy_rows_per_s"] = round(args.count / report["copy_s"])

        t0 = time.perf_counter()
        await bulk.execute(
            f"CREATE INDEX failures_embedding_hnsw ON failures USING hnsw (embedding vector_cosine_ops)"
            f" WITH (m = {args.m}, ef_construction = {args.ef_construction})"
        )
        report["hnsw_build_s"] = round(time.perf_counter() - t0, 1)
        await bulk.execute("VACUUM ANALYZE failures")
        report["index_mb"] = round(await bulk.fetchval("SELECT pg_relation_size('failures_embedding_hnsw')") / 2**20)
        await bulk.close()

        # Queries: a new failure of a known pattern (a fresh noisy copy of a centre).
        rng = np.random.default_rng(args.seed + 2)
        picks = rng.integers(0, args.clusters, args.queries)
        queries = centres[picks] + rng.standard_normal((args.queries, args.dim)).astype(np.float32) * 0.05
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        mine = np.flatnonzero(owners == INSTALLATION)
        truth = []
        for qv in queries:  # exact answer in numpy: ids are 1-based row numbers of the COPY
            sims = vectors[mine] @ qv
            top = np.argpartition(-sims, 5)[:5]
            truth.append({int(mine[i]) + 1 for i in top})

        sql = """SELECT id, 1 - (embedding <=> $2) AS similarity FROM failures
                 WHERE installation_id = $1 AND embedding IS NOT NULL ORDER BY embedding <=> $2 LIMIT 5"""

        async def timed(conn: Any, qv: np.ndarray, settings: list[str], label: str) -> tuple[float, set[int]]:
            async with conn.transaction():
                for statement in settings:
                    await conn.execute(statement)
                t = time.perf_counter()
                # asyncpg caches prepared statements and PostgreSQL their plans, whatever enable_* says:
                # one statement text per mode, or the "exact" runs would reuse the HNSW plan.
                rows = await conn.fetch(f"{sql} -- {label}", INSTALLATION, qv)
                return (time.perf_counter() - t) * 1000, {int(r["id"]) for r in rows}

        async with pool.acquire() as conn:
            id_min = await conn.fetchval("SELECT min(id) FROM failures")
            offset = int(id_min) - 1  # ids start where the sequence was
            report["hnsw"] = {}
            for ef in args.ef:
                settings = [
                    f"SET LOCAL hnsw.ef_search = {ef}",
                    "SET LOCAL hnsw.iterative_scan = strict_order",
                ]
                for qv in queries[:10]:  # warm the cache
                    await timed(conn, qv, settings, "hnsw")
                latencies, hits = [], 0
                for qv, expected in zip(queries, truth, strict=True):
                    ms, got = await timed(conn, qv, settings, "hnsw")
                    latencies.append(ms)
                    hits += len({g - offset for g in got} & expected)
                report["hnsw"][ef] = {
                    "p50_ms": round(percentile(latencies, 50), 2),
                    "p99_ms": round(percentile(latencies, 99), 2),
                    "mean_ms": round(statistics.fmean(latencies), 2),
                    "recall_at_5": round(hits / (5 * len(queries)), 4),
                }

            async def plan(settings: list[str]) -> str:
                async with conn.transaction():
                    for statement in settings:
                        await conn.execute(statement)
                    text = await conn.fetchval("EXPLAIN (FORMAT JSON) " + sql, INSTALLATION, queries[0])
                    found = json.loads(text) if isinstance(text, str) else text
                    nodes = []
                    stack = [found[0]["Plan"]]
                    while stack:
                        node = stack.pop()
                        nodes.append(node["Node Type"] + (f" on {node['Index Name']}" if "Index Name" in node else ""))
                        stack.extend(node.get("Plans", []))
                    return " > ".join(nodes)

            report["hnsw_plan"] = await plan([f"SET LOCAL hnsw.ef_search = {args.default_ef}"])
            exact_settings = [
                "SET LOCAL enable_indexscan = off",
                "SET LOCAL enable_bitmapscan = off",
                "SET LOCAL max_parallel_workers_per_gather = 1",
            ]
            latencies, hits = [], 0
            for qv, expected in zip(queries[: args.exact_queries], truth, strict=False):
                ms, got = await timed(conn, qv, exact_settings, "exact")
                latencies.append(ms)
                hits += len({g - offset for g in got} & expected)
            report["exact_plan"] = await plan(exact_settings)
            report["exact"] = {
                "queries": len(latencies),
                "p50_ms": round(percentile(latencies, 50), 2),
                "p99_ms": round(percentile(latencies, 99), 2),
                "recall_at_5": round(hits / (5 * len(latencies)), 4),  # sanity: 1.0
            }
        await pool.close()
    finally:
        pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
    chosen = report["hnsw"].get(args.default_ef) or next(iter(report["hnsw"].values()))
    report["speedup_p50_vs_exact"] = round(report["exact"]["p50_ms"] / max(chosen["p50_ms"], 1e-3), 1)
    return report


def embedder_throughput(seconds: float = 5.0, datasets: Path | None = None) -> dict[str, Any]:
    """Failures per second through failure_text + embed, on real failure chunks (LogChunks, external), else on
    the failures the extractor finds in the repository's labeled logs."""
    texts: list[str] = []
    root = dataset_root("logchunks", datasets)
    if root is not None:
        for line in (root / "logchunks" / "labels.jsonl").read_text().splitlines():
            texts.append(json.loads(line)["chunk"][:2000])
    else:
        print(skipped_note("logchunks", datasets) + "; embedding the repository's labeled logs' failures")
        texts = [failure_text(f)[:2000] for path in sorted(BUNDLED.rglob("*.log"))
                 for f in analyze_bytes(path.read_bytes()).failures]
    failures = [Failure(FailureKind.TEST, "tool", t) for t in texts]
    out: dict[str, Any] = {
        "texts": len(failures),
        "mean_chars": round(statistics.fmean(len(t) for t in texts)),
    }
    for label, embedder in (
        ("words only (baseline)", HashingEmbedder(char_weight=0, bigram_weight=0)),
        ("default", HashingEmbedder()),
    ):
        done, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            embedder.embed([failure_text(f) for f in failures])
            done += len(failures)
        out[label] = round(done / (time.perf_counter() - t0))
    out["default_vs_baseline"] = round(out["default"] / out["words only (baseline)"], 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks history", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=HashingEmbedder().dim)
    parser.add_argument("--clusters", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--exact-queries", type=int, default=20)
    parser.add_argument("--ef", type=lambda s: [int(x) for x in s.split(",")], default=[60, 100, 150])
    parser.add_argument("--default-ef", type=int, default=150)
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=64)
    parser.add_argument("--maintenance-work-mem", default="4GB")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-search", action="store_true", help="only the embedder throughput")
    parser.add_argument("--datasets", metavar="PATH", help="external data sets; default $CI_TRIAGE_DATASETS")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    report: dict[str, Any] = {}
    report["embedder_failures_per_s"] = embedder_throughput(datasets=external_dir(args.datasets))
    if not args.skip_search:
        report["search"] = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    e = report["embedder_failures_per_s"]
    print(
        f"local embedder: {e['default']:,} failures/s on {e['texts']} real failure texts "
        f"(mean {e['mean_chars']} chars); words-only baseline {e['words only (baseline)']:,}/s "
        f"(default is {e['default_vs_baseline']}x of it)"
    )
    if "search" in report:
        s = report["search"]
        print(
            f"{s['count']:,} failures x {s['dim']} dims: COPY {s['copy_s']} s ({s['copy_rows_per_s']:,} rows/s), "
            f"HNSW build {s['hnsw_build_s']} s, index {s['index_mb']} MB"
        )
        for ef, r in s["hnsw"].items():
            print(
                f"  HNSW ef_search={ef:<4} top-5 p50 {r['p50_ms']:>7} ms  p99 {r['p99_ms']:>7} ms  "
                f"recall@5 {r['recall_at_5']:.3f}"
            )
        print(f"  plans: HNSW {s['hnsw_plan']}; exact {s['exact_plan']}")
        x = s["exact"]
        print(
            f"  exact scan ({x['queries']} queries) p50 {x['p50_ms']:>7} ms  p99 {x['p99_ms']:>7} ms  "
            f"recall@5 {x['recall_at_5']:.3f}"
        )
        print(f"  HNSW (ef_search={args.default_ef}) is {s['speedup_p50_vs_exact']}x faster than exact at p50")
    return 0


if __name__ == "__main__":
    sys.exit(main())
