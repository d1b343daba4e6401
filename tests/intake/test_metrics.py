"""GET /metrics: Prometheus text format, counters shared through Redis by every process."""

from __future__ import annotations

import json
import re

from redis.asyncio import Redis

from githubapp.observability.metrics import Metrics, render, series
from tests.support.fixtures import WEBHOOK_SECRET

from .conftest import MakeDeps, asgi_client, webhook_headers

SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+Inf]+$')


def test_series_escapes_label_values() -> None:
    assert series("m", {"b": 'say "hi"\n', "a": "x\\y"}) == 'm{a="x\\\\y",b="say \\"hi\\"\\n"}'


def test_render_histogram_buckets_in_order() -> None:
    values = {
        'ci_triage_job_duration_seconds_bucket{job="j",le="+Inf"}': 2.0,
        'ci_triage_job_duration_seconds_bucket{job="j",le="0.5"}': 1.0,
        'ci_triage_job_duration_seconds_bucket{job="j",le="0.05"}': 0.0,
        'ci_triage_job_duration_seconds_count{job="j"}': 2.0,
        'ci_triage_job_duration_seconds_sum{job="j"}': 1.25,
    }
    text = render(values)
    lines = [line for line in text.splitlines() if line.startswith("ci_triage_job_duration_seconds")]
    assert lines[:3] == ['ci_triage_job_duration_seconds_bucket{job="j",le="0.05"} 0',
                         'ci_triage_job_duration_seconds_bucket{job="j",le="0.5"} 1',
                         'ci_triage_job_duration_seconds_bucket{job="j",le="+Inf"} 2']
    assert "# TYPE ci_triage_job_duration_seconds histogram" in text
    assert 'ci_triage_job_duration_seconds_sum{job="j"} 1.25' in text


async def test_two_processes_add_up(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    assert deps.settings.redis_url is not None
    web, worker = (Redis.from_url(deps.settings.redis_url) for _ in range(2))  # separate connections
    prefix = f"{deps.settings.queue_name}:metrics"
    try:
        web_metrics, worker_metrics = Metrics(web, prefix), Metrics(worker, prefix)
        for metrics in (web_metrics, worker_metrics):
            await metrics.incr("ci_triage_delivery_jobs_total", event="workflow_run", outcome="done")
        await worker_metrics.observe("ci_triage_job_duration_seconds", 0.2, job="handle_delivery")
        await worker_metrics.flush()  # each process adds its own increments to Redis
        stored = await web_metrics.stored()
    finally:
        await web.aclose()
        await worker.aclose()
    assert stored['ci_triage_delivery_jobs_total{event="workflow_run",outcome="done"}'] == 2
    assert stored['ci_triage_job_duration_seconds_bucket{job="handle_delivery",le="0.25"}'] == 1
    assert 'ci_triage_job_duration_seconds_bucket{job="handle_delivery",le="0.1"}' not in stored


async def test_increments_survive_a_redis_outage(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    metrics = Metrics(Redis.from_url("redis://127.0.0.1:9/0"), "nowhere:metrics")  # nothing listens there
    await metrics.incr("ci_triage_webhook_deliveries_total", event="ping", outcome="ping")
    await metrics.flush()  # fails quietly, keeps the increment
    assert deps.settings.redis_url is not None
    metrics.redis = Redis.from_url(deps.settings.redis_url)
    metrics.counters_key = f"{deps.settings.queue_name}:metrics:counters"
    try:
        await metrics.incr("ci_triage_webhook_deliveries_total", event="ping", outcome="ping")
        stored = await metrics.stored()
    finally:
        await metrics.redis.aclose()
    assert stored['ci_triage_webhook_deliveries_total{event="ping",outcome="ping"}'] == 2


async def test_metrics_endpoint(make_deps: MakeDeps) -> None:
    deps = await make_deps()
    body = json.dumps({"action": "completed", "installation": {"id": 97}}).encode()
    async with asgi_client(deps) as client:
        for event, secret in (("workflow_run", WEBHOOK_SECRET), ("workflow_run", "bad"), ("push", WEBHOOK_SECRET)):
            await client.post("/webhooks/github", content=body, headers=webhook_headers(event, body, secret))
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    for line in text.splitlines():
        assert line.startswith("# ") or SAMPLE.match(line), line
    assert 'ci_triage_webhook_deliveries_total{event="workflow_run",outcome="accepted"} 1' in text
    assert 'ci_triage_webhook_deliveries_total{event="push",outcome="ignored"} 1' in text
    assert 'ci_triage_webhook_signature_failures_total{reason="invalid"} 1' in text
    assert "ci_triage_queue_depth 1" in text
    assert re.search(r'ci_triage_deliveries\{status="pending"\} [1-9]', text)
    for name in ("ci_triage_github_api_calls_total", "ci_triage_github_rate_limit_remaining",
                 "ci_triage_job_duration_seconds", "ci_triage_delivery_jobs_total"):
        assert f"# TYPE {name} " in text


async def test_metrics_token_is_required_when_set(make_deps: MakeDeps) -> None:
    deps = await make_deps(metrics_token="scrape-me")
    async with asgi_client(deps) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer scrape-you"})
        basic = await client.get("/metrics", headers={"Authorization": "Basic scrape-me"})
        right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    for refused in (missing, wrong, basic):
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
        assert "ci_triage_" not in refused.text and "scrape-me" not in refused.text
    assert right.status_code == 200 and "# TYPE ci_triage_queue_depth gauge" in right.text
