"""Missed deliveries: GitHub never redelivers on its own, so we ask it to.

Periodically list the App's recent webhook deliveries (``GET /app/hook/deliveries``, newest first, cursor
pagination through the Link header), find those that failed and that we never stored (the server was down,
answered 5xx, timed out ...), and ask GitHub to redeliver each (``POST /app/hook/deliveries/{id}/attempts``).
A run is bounded: a few pages, a number of requests; a GUID is asked for at most ``MAX_REQUESTS_PER_GUID``
times, so a delivery we keep refusing (a bad signature after a secret change) is not requested forever.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from . import deliveries
from .deps import Deps
from .github import github_of
from .metrics import metrics_of
from .reload import current_settings
from .webhooks import HANDLED_EVENTS

log = logging.getLogger("ci_triage.reconcile")

LOOKBACK = timedelta(hours=48)  # GitHub keeps deliveries for 3 days and redelivers only within that window
MAX_LISTED = 1000  # deliveries read per run (10 pages of 100)
MAX_REQUESTS_PER_GUID = 3


@dataclass(frozen=True)
class Missed:
    guid: str
    github_delivery_id: int
    event: str
    installation_id: int | None


def _succeeded(item: Mapping[str, Any]) -> bool:
    code = item.get("status_code")
    return isinstance(code, int) and 200 <= code < 400


def find_missed(
    items: Iterable[Mapping[str, Any]],
    *,
    stored: set[str],
    requested: Mapping[str, int],
    handled_events: frozenset[str] = HANDLED_EVENTS,
) -> list[Missed]:
    """Deliveries to ask for again: every attempt of the GUID failed, we never stored it, and we have not
    asked too often. The latest attempt of each GUID is the one redelivered; oldest GUIDs first."""
    by_guid: dict[str, list[Mapping[str, Any]]] = {}
    for item in items:
        by_guid.setdefault(str(item["guid"]), []).append(item)
    missed: list[tuple[str, Missed]] = []
    for guid, attempts in by_guid.items():
        latest = max(attempts, key=lambda a: (str(a.get("delivered_at")), int(a["id"])))
        if any(_succeeded(a) for a in attempts) or guid in stored:
            continue
        if latest.get("event") not in handled_events or requested.get(guid, 0) >= MAX_REQUESTS_PER_GUID:
            continue
        first_seen = min(str(a.get("delivered_at")) for a in attempts)
        missed.append(
            (first_seen, Missed(guid, int(latest["id"]), str(latest["event"]), latest.get("installation_id")))
        )
    missed.sort(key=lambda pair: pair[0])
    return [m for _, m in missed]


def _delivered_at(item: Mapping[str, Any]) -> datetime | None:
    raw = item.get("delivered_at")
    if not isinstance(raw, str):
        return None
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


async def recent_deliveries(deps: Deps, *, now: datetime | None = None) -> list[dict[str, Any]]:
    gh = github_of(deps).as_app()
    cutoff = (now or datetime.now(UTC)) - LOOKBACK
    items: list[dict[str, Any]] = []
    async for item in gh.getiter("/app/hook/deliveries?per_page=100"):
        when = _delivered_at(item)
        if when is not None and when < cutoff:
            break
        items.append(item)
        if len(items) >= MAX_LISTED:
            break
    return items


async def reconcile_deliveries(ctx: dict[str, Any]) -> int:
    """The cron job: ask GitHub to redeliver what we missed. Returns how many were requested."""
    deps: Deps = ctx["deps"]
    settings = current_settings(deps)
    if not settings.app_configured:
        return 0
    items = await recent_deliveries(deps)
    guids = sorted({str(item["guid"]) for item in items})
    stored = await deliveries.known_ids(deps.pool, guids)
    rows = await deps.pool.fetch("SELECT guid, requests FROM webhook_redeliveries WHERE guid = ANY($1::text[])", guids)
    requested = {row["guid"]: row["requests"] for row in rows}
    missed = find_missed(items, stored=stored, requested=requested)
    gh = github_of(deps).as_app()
    metrics = metrics_of(deps)
    done = 0
    for item in missed[: settings.reconcile_max_redeliveries]:
        try:
            await gh.post(
                "/app/hook/deliveries/{delivery_id}/attempts",
                {"delivery_id": item.github_delivery_id},
                data=b"",
            )
        except Exception as exc:
            log.warning("redelivery of %s refused: %s", item.guid, exc)
            await metrics.incr("ci_triage_reconcile_redeliveries_total", result="error")
            continue
        await deps.pool.execute(
            """INSERT INTO webhook_redeliveries (guid, github_delivery_id, installation_id, event)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (guid) DO UPDATE SET requests = webhook_redeliveries.requests + 1,
                   github_delivery_id = EXCLUDED.github_delivery_id, last_requested_at = now()""",
            item.guid,
            item.github_delivery_id,
            item.installation_id,
            item.event,
        )
        await metrics.incr("ci_triage_reconcile_redeliveries_total", result="requested")
        done += 1
    if missed:
        log.info("asked GitHub to redeliver %d of %d missed deliveries", done, len(missed))
    return done
