"""Prometheus metrics shared by every web and worker process: counters live in Redis, not in memory.

Each series is one field of a Redis hash (``HINCRBY``), named as it is exposed (``name{a="b"}``), under a
key prefix derived from the queue name: N web replicas and M workers add up to one correct number, and two
deployments sharing a Redis stay apart. Gauges about the present (queue depth, deliveries by status) are
computed at scrape time. Recording only touches memory; each process adds its increments to Redis once a
second (and at shutdown), so a metric never slows a webhook down or fails it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from storage import gauges

from ..deps import Deps, ServiceMissing
from ..web.api.auth import bearer_token
from ..web.triage_metrics import DEFINITIONS as TRIAGE_METRICS

log = logging.getLogger("ci_triage.metrics")

FLUSH_SECONDS = 1.0
FLUSH_TIMEOUT_SECONDS = 2.0
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


@dataclass(frozen=True)
class MetricInfo:
    kind: str  # counter | gauge | histogram
    help: str


METRICS: dict[str, MetricInfo] = {
    "ci_triage_webhook_deliveries_total": MetricInfo(
        "counter",
        "Webhook requests by event and outcome (accepted, duplicate, ignored, ping, invalid, too_large, unavailable).",
    ),
    "ci_triage_webhook_signature_failures_total": MetricInfo(
        "counter", "Webhook requests refused with 401, by reason (missing, invalid, sha1_only, unconfigured)."
    ),
    "ci_triage_webhook_enqueue_failures_total": MetricInfo(
        "counter",
        "Deliveries stored but not enqueued at once (Redis down or slow); the sweeper enqueues them.",
    ),
    "ci_triage_delivery_jobs_total": MetricInfo("counter", "Delivery jobs by event and outcome (done, retry, failed)."),
    "ci_triage_job_duration_seconds": MetricInfo("histogram", "Job run time by job name."),
    "ci_triage_sweeper_requeued_total": MetricInfo(
        "counter", "Deliveries the sweeper put back on the queue, by reason (not_enqueued, worker_lost)."
    ),
    "ci_triage_reconcile_redeliveries_total": MetricInfo(
        "counter", "Missed deliveries GitHub was asked to redeliver, by result (requested, error)."
    ),
    "ci_triage_github_api_calls_total": MetricInfo(
        "counter", 'GitHub API requests by HTTP status ("error" for network errors).'
    ),
    "ci_triage_github_rate_limit_remaining": MetricInfo(
        "gauge", "x-ratelimit-remaining of the latest GitHub response, by installation and resource."
    ),
    "ci_triage_queue_depth": MetricInfo("gauge", "Jobs waiting in the arq queue (ready and deferred)."),
    "ci_triage_deliveries": MetricInfo("gauge", "Stored deliveries not yet finished, and failed ones, by status."),
    "ci_triage_triages_total": MetricInfo(
        "counter", "Triage jobs by kind (run, job) and outcome (the check run's conclusion, superseded, failed)."
    ),
    "ci_triage_triage_stage_seconds": MetricInfo(
        "histogram", "Time per triage stage (setup, fetch, analyze, match, report)."
    ),
    "ci_triage_notifications_total": MetricInfo(
        "counter", "Slack and email notifications by channel and outcome (sent, failed); failures never fail triage."
    ),
    **{name: MetricInfo(kind, text) for name, (kind, text) in TRIAGE_METRICS.items()},  # githubapp/web
}


def _escape(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def series(name: str, labels: Mapping[str, object] | None = None) -> str:
    """``name{a="1",b="2"}`` with labels sorted, as exposed in the text format."""
    if not labels:
        return name
    inner = ",".join(f'{key}="{_escape(value)}"' for key, value in sorted(labels.items()))
    return f"{name}{{{inner}}}"


@functools.lru_cache(maxsize=1024)
def _series_cached(name: str, labels: tuple[tuple[str, object], ...]) -> str:
    """``series`` for the few label sets a process records over and over (the webhook counts every request)."""
    return series(name, dict(labels))


def _le(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else repr(bound)


class Metrics:
    """Counters, gauges and histograms summed in two Redis hashes under ``prefix``.

    Recording only touches process memory; ``flush()`` (every ``FLUSH_SECONDS`` in the background, at
    shutdown, and before a scrape) adds the increments to Redis in one pipeline. If Redis is down the
    increments stay buffered and go out with a later flush, so no count is lost or counted twice.
    """

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.counters_key = f"{prefix}:counters"
        self.gauges_key = f"{prefix}:gauges"
        self._counts: dict[str, float] = {}
        self._gauges: dict[str, float] = {}
        self._flusher: asyncio.Task[None] | None = None

    async def incr(self, name: str, by: int = 1, **labels: object) -> None:
        try:
            key = _series_cached(name, tuple(labels.items()))
        except TypeError:  # an unhashable label value
            key = series(name, labels)
        self._counts[key] = self._counts.get(key, 0) + by

    async def set_gauge(self, name: str, value: float, **labels: object) -> None:
        self._gauges[series(name, labels)] = value

    async def observe(self, name: str, value: float, **labels: object) -> None:
        """One histogram observation: cumulative buckets, count and sum."""
        for bound in (*DURATION_BUCKETS, math.inf):
            if value <= bound:
                key = series(f"{name}_bucket", {**labels, "le": _le(bound)})
                self._counts[key] = self._counts.get(key, 0) + 1
        for key, by in ((series(f"{name}_count", labels), 1.0), (series(f"{name}_sum", labels), value)):
            self._counts[key] = self._counts.get(key, 0) + by

    async def flush(self) -> None:
        """Add the buffered increments to Redis; on failure keep them for the next flush."""
        counts, gauges = self._counts, self._gauges
        if not counts and not gauges:
            return
        self._counts, self._gauges = {}, {}
        try:
            async with asyncio.timeout(FLUSH_TIMEOUT_SECONDS):
                pipe = self.redis.pipeline(transaction=True)
                for key, by in counts.items():
                    if float(by).is_integer():
                        pipe.hincrby(self.counters_key, key, int(by))
                    else:
                        pipe.hincrbyfloat(self.counters_key, key, by)
                if gauges:
                    pipe.hset(self.gauges_key, mapping={key: str(value) for key, value in gauges.items()})
                await pipe.execute()
        except Exception as exc:  # metrics are best effort: keep the increments, never raise
            for key, by in counts.items():
                self._counts[key] = self._counts.get(key, 0) + by
            for key, value in gauges.items():
                self._gauges.setdefault(key, value)
            log.debug("metrics not flushed: %s", type(exc).__name__)

    def start(self) -> None:
        async def loop() -> None:
            while True:
                await asyncio.sleep(FLUSH_SECONDS)
                await self.flush()

        if self._flusher is None:
            self._flusher = asyncio.create_task(loop(), name="metrics-flush")

    async def stop(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await self.flush()

    async def stored(self) -> dict[str, float]:
        """Every process's totals, this one's buffered increments included."""
        await self.flush()
        pipe = self.redis.pipeline(transaction=False)
        pipe.hgetall(self.counters_key)
        pipe.hgetall(self.gauges_key)
        counters, gauges = await pipe.execute()
        merged: dict[str, float] = {}
        for raw in (counters, gauges):
            for field, value in raw.items():
                merged[field.decode() if isinstance(field, bytes) else field] = float(value)
        return merged


def _base_name(field: str) -> str:
    name = field.split("{", 1)[0]
    for suffix in ("_bucket", "_count", "_sum"):
        if name.endswith(suffix) and name.removesuffix(suffix) in METRICS:
            return name.removesuffix(suffix)
    return name


def _bucket_order(field: str) -> tuple[str, float]:
    """Sort key keeping a histogram's buckets in ascending ``le`` order."""
    if 'le="' not in field:
        return (field, 0.0)
    le = field.split('le="', 1)[1].split('"', 1)[0]
    labels_without_le = field.replace(f'le="{le}"', "")
    return (labels_without_le, math.inf if le == "+Inf" else float(le))


def render(values: Mapping[str, float]) -> str:
    """Prometheus text exposition format (version 0.0.4) for ``values`` keyed by series."""
    by_metric: dict[str, list[str]] = {}
    for field in values:
        by_metric.setdefault(_base_name(field), []).append(field)
    lines: list[str] = []
    for name in sorted(set(by_metric) | set(METRICS)):
        info = METRICS.get(name, MetricInfo("untyped", ""))
        if info.help:
            lines.append(f"# HELP {name} {info.help}")
        lines.append(f"# TYPE {name} {info.kind}")
        for field in sorted(by_metric.get(name, []), key=_bucket_order):
            value = values[field]
            text = str(int(value)) if value.is_integer() else repr(value)
            lines.append(f"{field} {text}")
    return "\n".join(lines) + "\n"


async def live_gauges(deps: Deps) -> dict[str, float]:
    """Gauges read at scrape time: queue depth from Redis, unfinished and failed deliveries from the DB."""
    values: dict[str, float] = {}
    try:
        async with asyncio.timeout(2):
            values[series("ci_triage_queue_depth")] = float(await deps.queue.zcard(deps.settings.queue_name))
    except Exception as exc:
        log.warning("queue depth unavailable: %s", type(exc).__name__)
    try:
        async with asyncio.timeout(2):
            counts = await gauges.delivery_counts(deps.pool)
        for status, n in counts.items():
            values[series("ci_triage_deliveries", {"status": status})] = float(n)
    except Exception as exc:
        log.warning("delivery counts unavailable: %s", type(exc).__name__)
    try:  # a scrape must answer even when the database is slow
        async with asyncio.timeout(2), deps.pool.acquire() as conn:
            for name, labels, value in await gauges.triage_counts(conn):
                values[series(name, labels)] = value
    except Exception as exc:
        log.warning("triage gauges unavailable: %s", type(exc).__name__)
    return values


def metrics_of(deps: Deps) -> Metrics:
    metrics = deps.services.metrics
    if metrics is None:
        raise ServiceMissing("metrics")
    return metrics


async def install_metrics(deps: Deps) -> None:
    metrics = Metrics(deps.queue, f"{deps.settings.queue_name}:metrics")
    metrics.start()
    deps.services.metrics = metrics
    deps.services.closers.append(metrics.stop)


def _authorized(request: Request, token: str | None) -> bool:
    """No token configured: open (scraped inside the cluster). Else the Bearer must match, in constant time."""
    if not token:
        return True
    given = bearer_token(request)
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


async def metrics_endpoint(request: Request) -> PlainTextResponse:
    deps: Deps = request.app.state.deps
    if not _authorized(request, deps.settings.metrics_token):
        return PlainTextResponse(
            "metrics need the token set in METRICS_TOKEN: Authorization: Bearer <token>\n",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    values: dict[str, float] = {}
    try:
        async with asyncio.timeout(2):
            values.update(await metrics_of(deps).stored())
    except Exception as exc:
        log.warning("stored metrics unavailable: %s", type(exc).__name__)
    values.update(await live_gauges(deps))
    return PlainTextResponse(render(values), media_type="text/plain; version=0.0.4; charset=utf-8")


routes = [Route("/metrics", metrics_endpoint)]
