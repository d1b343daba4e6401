"""Missed deliveries: GitHub never redelivers on its own, so we ask it to.

Periodically list the App's recent webhook deliveries (``GET /app/hook/deliveries``, newest first, cursor
pagination through the Link header), find those that we never stored, and ask GitHub to redeliver each
(``POST /app/hook/deliveries/{id}/attempts``): those whose every attempt failed (the server was down, answered
5xx, timed out ...), and those we acknowledged more than ``ACKNOWLEDGED_GRACE`` ago yet do not hold. The
second kind is what a database restored from a backup lacks (the deliveries acknowledged since that backup),
or what a crash took from a disk that acknowledged a flush it had not made: GitHub still has them, so they
are not lost.

Nothing is lost to a window: each run pages back to where the previous run left unresolved work (the oldest
missed delivery not yet stored nor given up on, kept in ``reconcile_cursor``; the lookback on the first run),
however many pages that takes. The redelivery budget grows with the backlog: all of it, up to
``RECONCILE_MAX_REDELIVERIES`` per run (default 700: 4,200 an hour, within the App's JWT rate limit of 5,000),
and beyond that when the pace would let the oldest delivery leave GitHub's window first. 5,000 missed
deliveries are asked for within 8 runs (80 minutes). Never-asked deliveries go first, oldest first.
A GUID is asked for at most ``MAX_REQUESTS_PER_GUID`` times, so a delivery we keep refusing (a bad signature
after a secret change) is not requested forever.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from storage import deliveries, redeliveries

from ..deps import Deps
from ..github import github_of
from ..observability.metrics import metrics_of
from .reload import current_settings
from .webhooks import HANDLED_EVENTS

log = logging.getLogger("ci_triage.reconcile")

LOOKBACK = timedelta(hours=48)  # GitHub keeps deliveries for 3 days and redelivers only within that window
RUN_INTERVAL = timedelta(minutes=10)  # the cron schedule of reconcile_deliveries (githubapp/worker/registry.py)
CURSOR_SLACK = timedelta(minutes=5)  # delivered_at is not strictly ordered: page a little past the cursor
MAX_PAGES = 2_000  # a safety stop (200,000 deliveries), far beyond 48 hours of any installation we know
MAX_REQUESTS_PER_GUID = 3
# An acknowledged delivery is committed before its answer is sent: one still missing after this long was lost
# (a restored backup), not in flight.
ACKNOWLEDGED_GRACE = timedelta(minutes=5)
REQUESTS_IN_FLIGHT = 8


@dataclass(frozen=True)
class Missed:
    guid: str
    github_delivery_id: int
    event: str
    installation_id: int | None
    first_seen: str = ""  # delivered_at of its first attempt (ISO 8601)


def _succeeded(item: Mapping[str, Any]) -> bool:
    code = item.get("status_code")
    return isinstance(code, int) and 200 <= code < 400


def find_missed(
    items: Iterable[Mapping[str, Any]],
    *,
    stored: set[str],
    requested: Mapping[str, int],
    handled_events: frozenset[str] = HANDLED_EVENTS,
    now: datetime | None = None,
) -> list[Missed]:
    """Deliveries to ask for again: we never stored the GUID, and either every attempt of it failed or the
    last one we acknowledged is older than ``ACKNOWLEDGED_GRACE``; and we have not asked too often. The latest
    attempt of each GUID is the one redelivered; oldest GUIDs first."""
    lost_before = (now or datetime.now(UTC)) - ACKNOWLEDGED_GRACE
    by_guid: dict[str, list[Mapping[str, Any]]] = {}
    for item in items:
        by_guid.setdefault(str(item["guid"]), []).append(item)
    missed: list[tuple[int, str, Missed]] = []
    for guid, attempts in by_guid.items():
        latest = max(attempts, key=lambda a: (str(a.get("delivered_at")), int(a["id"])))
        if guid in stored:
            continue
        acknowledged = [_delivered_at(a) for a in attempts if _succeeded(a)]
        if any(when is None or when > lost_before for when in acknowledged):
            continue  # acknowledged recently (or at an unknown time): still being written, or not ours to judge
        if latest.get("event") not in handled_events or requested.get(guid, 0) >= MAX_REQUESTS_PER_GUID:
            continue
        first_seen = min(str(a.get("delivered_at")) for a in attempts)
        missed.append(
            (
                requested.get(guid, 0),
                first_seen,
                Missed(guid, int(latest["id"]), str(latest["event"]), latest.get("installation_id"), first_seen),
            )
        )
    missed.sort(key=lambda entry: (entry[0], entry[1]))  # never asked for first, then oldest first
    return [m for _, _, m in missed]


def budget(backlog: int, *, base: int, oldest: datetime | None, now: datetime) -> int:
    """Redeliveries to ask for this run: the whole backlog up to ``base`` (RECONCILE_MAX_REDELIVERIES), and
    more when that pace would let its oldest delivery leave GitHub's window before it is asked for."""
    if backlog <= 0:
        return 0
    wanted = base
    if oldest is not None:
        runs_left = max(1, int((oldest + LOOKBACK - now) / RUN_INTERVAL))
        wanted = max(wanted, math.ceil(backlog / runs_left))
    return min(backlog, wanted)


def _delivered_at(item: Mapping[str, Any]) -> datetime | None:
    raw = item.get("delivered_at")
    if not isinstance(raw, str):
        return None
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


async def recent_deliveries(
    deps: Deps, *, now: datetime | None = None, back_to: datetime | None = None
) -> list[dict[str, Any]]:
    """Deliveries newest first, back to ``back_to`` (less a little slack) or the lookback, all pages."""
    gh = github_of(deps).as_app()
    cutoff = (now or datetime.now(UTC)) - LOOKBACK
    if back_to is not None:
        cutoff = max(cutoff, back_to - CURSOR_SLACK)
    items: list[dict[str, Any]] = []
    async for item in gh.getiter("/app/hook/deliveries?per_page=100"):
        when = _delivered_at(item)
        if when is not None and when < cutoff:
            break
        items.append(item)
        if len(items) >= MAX_PAGES * 100:
            log.warning("reconcile stopped after %d deliveries; the rest waits for the next run", len(items))
            break
    return items


async def reconcile_deliveries(ctx: dict[str, Any]) -> int:
    """The cron job: ask GitHub to redeliver what we missed. Returns how many were requested."""
    deps: Deps = ctx["deps"]
    settings = current_settings(deps)
    if not settings.app_configured:
        return 0
    now = datetime.now(UTC)
    items = await recent_deliveries(deps, now=now, back_to=await redeliveries.cursor(deps.pool))
    guids = sorted({str(item["guid"]) for item in items})
    stored = await deliveries.known_ids(deps.pool, guids)
    requested = await redeliveries.requests_by_guid(deps.pool, guids)
    missed = find_missed(items, stored=stored, requested=requested, now=now)
    gh = github_of(deps).as_app()
    metrics = metrics_of(deps)
    oldest = min((_parse(m.first_seen) for m in missed if m.first_seen), default=None)
    allowed = budget(len(missed), base=settings.reconcile_max_redeliveries, oldest=oldest, now=now)
    unresolved: list[Missed] = []  # to be asked for (again) by a later run: the cursor stays behind them
    unresolved.extend(missed[allowed:])
    gate = asyncio.Semaphore(REQUESTS_IN_FLIGHT)

    async def ask(item: Missed) -> bool:
        async with gate:
            try:
                await gh.post(
                    "/app/hook/deliveries/{delivery_id}/attempts",
                    {"delivery_id": item.github_delivery_id},
                    data=b"",
                )
            except Exception as exc:
                log.warning("redelivery of %s refused: %s", item.guid, exc)
                return False
            return True

    chosen = missed[:allowed]
    answers = await asyncio.gather(*(ask(item) for item in chosen))
    asked = [item for item, ok in zip(chosen, answers, strict=True) if ok]
    unresolved.extend(item for item, ok in zip(chosen, answers, strict=True) if not ok)
    await redeliveries.record_requests(
        deps.pool, [(item.guid, item.github_delivery_id, item.installation_id, item.event) for item in asked]
    )
    if asked:
        await metrics.incr("ci_triage_reconcile_redeliveries_total", by=len(asked), result="requested")
    if len(asked) < len(chosen):
        await metrics.incr("ci_triage_reconcile_redeliveries_total", by=len(chosen) - len(asked), result="error")
    done = len(asked)
    # Resolved once stored; asked again (up to MAX_REQUESTS_PER_GUID) if the redelivery never arrives.
    unresolved.extend(item for item in asked if requested.get(item.guid, 0) + 1 < MAX_REQUESTS_PER_GUID)
    # Page back next time to the oldest delivery still unresolved, else to the newest seen now.
    marks = [_parse(m.first_seen) for m in unresolved if m.first_seen]
    newest = max((w for w in (_delivered_at(i) for i in items) if w is not None), default=None)
    cursor = min(marks) if marks else newest
    if cursor is not None:
        await redeliveries.save_cursor(deps.pool, cursor)
    if missed:
        log.info("asked GitHub to redeliver %d of %d missed deliveries", done, len(missed))
    return done


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))
