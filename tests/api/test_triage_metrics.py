"""/metrics exposes the triage metrics: counters recorded by the API, ingestion and sign-in, and gauges
read from the database at scrape time."""

from __future__ import annotations

import re
import uuid

from githubapp.deps import Deps

from .conftest import MakeDeps, asgi_client, new_key, run_body, seed_installation


def value(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert match, f"{series} not in:\n{text}"
    return float(match.group(1))


async def test_metrics_endpoint_has_the_triage_series(make_deps: MakeDeps) -> None:
    deps: Deps = await make_deps(api_rate_limit=5)
    installation = 6_000_000 + int(uuid.uuid4().int % 1_000_000)
    await seed_installation(deps, installation, "metrics-org", {})
    key, _ = await new_key(deps, installation)
    async with asgi_client(deps) as client:
        ok = await client.post("/api/test-runs", json=run_body("metrics-1", ci="gitlab"), headers={"x-api-key": key})
        assert ok.status_code == 200
        assert (await client.get("/api/failures?limit=0", headers={"x-api-key": key})).status_code == 422
        for _ in range(4):
            last = await client.get("/api/repositories", headers={"x-api-key": key})
        assert last.status_code == 429
        text = (await client.get("/metrics")).text
    assert "# TYPE ci_triage_api_requests_total counter" in text
    assert value(text, 'ci_triage_api_requests_total{operation="ingestTestRun",status="200"}') == 1
    assert value(text, 'ci_triage_api_requests_total{operation="listFailures",status="422"}') == 1
    assert value(text, 'ci_triage_api_rate_limited_total{limit="ip"}') >= 1
    assert value(text, 'ci_triage_ingested_runs_total{ci="gitlab",status="failed"}') == 1
    assert value(text, 'ci_triage_ingested_failures_total{how="new",kind="test"}') >= 1
    assert "# TYPE ci_triage_patterns gauge" in text
    assert value(text, 'ci_triage_runs_last_24h{conclusion="failure",source="api"}') >= 1
    assert value(text, 'ci_triage_failures_last_24h{kind="test"}') >= 1
