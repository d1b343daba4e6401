"""Snapshots as a service: decide, capture, store artifacts and rows, diff against the last green capture.

The pipeline calls ``SnapshotService.capture_run`` (or ``snapshot_run`` which also resolves the preview URL and
applies the rule "only a failed run with a preview is captured; a passing run only to seed a missing
baseline"); the API's job calls ``capture_api``. ``deps.services.snapshots`` holds the instance.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from snapshot.browser import BrowserHandle
from snapshot.capture import CaptureOptions, RouteCapture, Snapshotter, Viewport
from snapshot.diff import compare
from snapshot.guard import BlockedURL, Resolver
from storage import snapshots as queries
from storage.artifacts import ArtifactNotFound, ArtifactStore

from ..artifacts import artifact_store, save_artifact
from ..deps import Deps, ServiceMissing
from .config import SnapshotConfig
from .preview import PreviewURL, resolve_preview_url

log = logging.getLogger("ci_triage.snapshots")

ARTIFACT_FILES = {"screenshot": "screenshot.png", "html": "page.html", "har": "network.har", "console": "console.json"}
MAX_CONCURRENT_CAPTURES = 2

BrowserProvider = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class SnapshotRun:
    installation_id: int
    repository_id: int
    run_id: int
    run_attempt: int
    head_sha: str
    passed: bool
    pr_number: int | None = None
    branch: str | None = None


@dataclass(frozen=True)
class RouteOutcome:
    """One captured route, as the report needs it."""

    snapshot_id: uuid.UUID
    route: str
    url: str
    ok: bool
    error: str | None
    http_status: int | None
    links: Mapping[str, str]  # kind -> expiring link
    counts: Mapping[str, int]  # console_errors, page_errors, failed_requests, blocked
    diff: Mapping[str, Any] | None = None  # RouteDiff.as_dict() against the baseline
    baseline: Mapping[str, Any] | None = None  # id, head_sha, run_id of the green capture
    notes: tuple[str, ...] = ()


def should_capture(
    run: SnapshotRun, preview: PreviewURL | None, config: SnapshotConfig, *, routes_without_baseline: Sequence[str] = ()
) -> tuple[str, ...]:
    """The routes to capture: all of them for a failed run with a preview; for a passing run only routes with
    no green baseline yet (and only when ``baseline`` is on); nothing without a preview."""
    if not config.enabled or preview is None:
        return ()
    if not run.passed:
        return config.routes
    if not config.baseline:
        return ()
    return tuple(r for r in config.routes if r in routes_without_baseline)


def _counts(summary: Mapping[str, Any]) -> dict[str, int]:
    console = summary.get("console", [])
    return {
        "console_errors": sum(1 for m in console if m.get("level") == "error"),
        "console_warnings": sum(1 for m in console if m.get("level") == "warning"),
        "page_errors": len(summary.get("page_errors", [])),
        "failed_requests": len(summary.get("failed_requests", [])),
        "blocked": len(summary.get("blocked", [])),
    }


@dataclass
class SnapshotService:
    pool: asyncpg.Pool
    store: ArtifactStore
    browser: BrowserProvider
    allow_hosts: tuple[str, ...] = ()
    resolver: Resolver | None = None
    link_ttl: int | None = None
    _slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_CONCURRENT_CAPTURES))

    async def _capture(self, url: str, routes: Sequence[str], options: CaptureOptions) -> list[RouteCapture]:
        async with self._slots:  # two cores: a few Chromium pages at a time
            snapshotter = Snapshotter(await self.browser(), allow_hosts=self.allow_hosts, resolver=self.resolver)
            return await snapshotter.capture(url, routes, options)

    # --- the pipeline ---------------------------------------------------------------------------------------

    async def snapshot_run(self, run: SnapshotRun, config: SnapshotConfig) -> list[RouteOutcome]:
        """Resolve the preview, apply the capture rule, capture. A passing run with baselines captures nothing.

        Idempotent: when this run attempt was captured already (a retried job), those outcomes are returned
        with fresh links instead of capturing again.
        """
        done = await self.previous_outcomes(run)
        if done:
            return done
        async with self.pool.acquire() as conn:
            preview = await resolve_preview_url(
                conn,
                installation_id=run.installation_id,
                repository_id=run.repository_id,
                sha=run.head_sha,
                template=config.preview_url,
                pr=run.pr_number,
                branch=run.branch,
            )
            missing = (
                [
                    r
                    for r in config.routes
                    if await queries.latest_green_snapshot(conn, run.installation_id, run.repository_id, r) is None
                ]
                if run.passed
                else []
            )
        routes = should_capture(run, preview, config, routes_without_baseline=missing)
        if not routes or preview is None:
            return []
        return await self.capture_run(run, preview.url, config, routes=routes)

    async def capture_run(
        self, run: SnapshotRun, preview_url: str, config: SnapshotConfig, *, routes: Sequence[str] | None = None
    ) -> list[RouteOutcome]:
        """Capture ``routes`` (default: the config's) of ``preview_url`` for ``run``; failed runs get diffs."""
        routes = tuple(routes or config.routes)
        options = config.capture_options()
        ids = {}
        for route in routes:
            ids[route] = await queries.create_snapshot(
                self.pool,
                installation_id=run.installation_id,
                repository_id=run.repository_id,
                source="pipeline",
                url=preview_url.rstrip("/") + route,
                route=route,
                run_id=run.run_id,
                run_attempt=run.run_attempt,
                head_sha=run.head_sha,
                pr_number=run.pr_number,
                run_passed=run.passed,
                status="running",
                options={"viewport": vars(config.viewport), "wait_for_selector": config.wait_for_selector},
            )
        try:
            captures = await self._capture(preview_url, routes, options)
        except Exception as exc:  # refused URL, or the browser itself failed: report it, never fail the triage
            error = f"blocked: {exc.reason}" if isinstance(exc, BlockedURL) else f"capture failed: {exc}"[:500]
            if not isinstance(exc, BlockedURL):
                log.exception("snapshot capture of %s failed", preview_url)
            outcomes = []
            for route in routes:
                await queries.finish_snapshot(
                    self.pool, run.installation_id, ids[route], status="failed", summary=None, error=error
                )
                outcomes.append(
                    RouteOutcome(ids[route], route, preview_url.rstrip("/") + route, False, error, None, {}, {})
                )
            return outcomes
        outcomes = []
        for capture in captures:
            outcomes.append(
                await self._record(
                    run.installation_id,
                    ids[capture.route],
                    capture,
                    repository_id=run.repository_id,
                    diff_with_baseline=not run.passed,
                )
            )
        return outcomes

    async def _record(
        self,
        installation_id: int,
        snapshot_id: uuid.UUID,
        capture: RouteCapture,
        *,
        repository_id: int | None,
        diff_with_baseline: bool,
    ) -> RouteOutcome:
        summary = capture.summary()
        links = await self._store_artifacts(installation_id, snapshot_id, capture, summary)
        diff = baseline_info = None
        baseline_id = None
        if diff_with_baseline and repository_id is not None and capture.screenshot is not None:
            baseline = await queries.latest_green_snapshot(
                self.pool, installation_id, repository_id, capture.route, before=snapshot_id
            )
            if baseline is not None:
                baseline_png = await self._artifact_bytes(installation_id, baseline["id"], "screenshot")
                try:
                    diff = compare(summary, baseline["summary"] or {}, capture.screenshot, baseline_png).as_dict()
                except ValueError as exc:  # an undecodable or oversized image: report, do not fail the run
                    log.warning("snapshot diff failed: %s", exc)
                baseline_id = baseline["id"]
                baseline_info = {
                    "id": str(baseline["id"]),
                    "head_sha": baseline["head_sha"],
                    "run_id": baseline["run_id"],
                }
        status = "done" if capture.ok else "failed"
        await queries.finish_snapshot(
            self.pool,
            installation_id,
            snapshot_id,
            status=status,
            summary=summary,
            error=capture.error,
            diff=diff,
            baseline_id=baseline_id,
        )
        return RouteOutcome(
            snapshot_id,
            capture.route,
            capture.url,
            capture.ok,
            capture.error,
            capture.status,
            links,
            _counts(summary),
            diff,
            baseline_info,
            capture.notes,
        )

    async def _store_artifacts(
        self, installation_id: int, snapshot_id: uuid.UUID, capture: RouteCapture, summary: Mapping[str, Any]
    ) -> dict[str, str]:
        console = {k: summary[k] for k in ("console", "page_errors", "failed_requests", "blocked", "notes")}
        payloads = {
            "screenshot": capture.screenshot,
            "html": capture.html,
            "har": capture.har,
            "console": json.dumps(console, indent=1).encode(),
        }
        links = {}
        for kind, data in payloads.items():
            if data is None:
                continue
            key = f"{installation_id}/snapshots/{snapshot_id}/{ARTIFACT_FILES[kind]}"
            await save_artifact(
                self.pool,
                self.store,
                installation_id=installation_id,
                key=key,
                data=data,
                kind=kind,
                snapshot_id=snapshot_id,
            )
            links[kind] = await self.store.link(key, expires_in=self.link_ttl)
        return links

    async def _artifact_bytes(self, installation_id: int, snapshot_id: uuid.UUID, kind: str) -> bytes | None:
        for row in await queries.snapshot_artifacts(self.pool, installation_id, snapshot_id):
            if row["kind"] == kind:
                try:
                    return await self.store.get(row["key"])
                except ArtifactNotFound:
                    return None
        return None

    async def links(self, installation_id: int, snapshot_id: uuid.UUID) -> dict[str, dict[str, Any]]:
        """Fresh expiring links to a snapshot's artifacts, by kind."""
        found = {}
        for row in await queries.snapshot_artifacts(self.pool, installation_id, snapshot_id):
            found[row["kind"]] = {
                "url": await self.store.link(row["key"], expires_in=self.link_ttl),
                "contentType": row["content_type"],
                "sizeBytes": row["size_bytes"],
            }
        return found

    async def previous_outcomes(self, run: SnapshotRun) -> list[RouteOutcome]:
        rows = await queries.run_snapshots(self.pool, run.installation_id, run.run_id, run.run_attempt)
        outcomes = []
        for row in rows:
            summary = row["summary"] or {}
            baseline = None
            if row["baseline_id"] is not None:
                baseline = {
                    "id": str(row["baseline_id"]),
                    "head_sha": row["baseline_sha"],
                    "run_id": row["baseline_run_id"],
                }
            links = {kind: entry["url"] for kind, entry in (await self.links(run.installation_id, row["id"])).items()}
            outcomes.append(
                RouteOutcome(
                    row["id"],
                    row["route"],
                    row["url"],
                    row["status"] == "done",
                    row["error"],
                    summary.get("status"),
                    links,
                    _counts(summary),
                    row["diff"],
                    baseline,
                    tuple(summary.get("notes", ())),
                )
            )
        return outcomes

    # --- the API --------------------------------------------------------------------------------------------

    async def capture_api(self, installation_id: int, snapshot_id: uuid.UUID) -> str:
        """Job body for ``POST /api/snapshots``: capture the row's URL once; idempotent on retries."""
        row = await queries.get_snapshot(self.pool, installation_id, snapshot_id)
        if row is None:
            return "missing"
        if row["status"] in ("done", "failed"):
            return str(row["status"])
        await queries.set_snapshot_status(self.pool, installation_id, snapshot_id, "running")
        options_raw = row["options"] or {}
        viewport = options_raw.get("viewport") or {}
        options = CaptureOptions(
            viewport=Viewport(viewport.get("width", 1280), viewport.get("height", 800)),
            wait_for_selector=options_raw.get("waitForSelector"),
        )
        try:
            [capture] = await self._capture_url(row["url"], options)
        except Exception as exc:  # a row left "running" would be polled forever: record the failure
            error = f"blocked: {exc.reason}" if isinstance(exc, BlockedURL) else f"capture failed: {exc}"[:500]
            if not isinstance(exc, BlockedURL):
                log.exception("API snapshot %s failed", snapshot_id)
            await queries.finish_snapshot(
                self.pool, installation_id, snapshot_id, status="failed", summary=None, error=error
            )
            return "failed"
        outcome = await self._record(
            installation_id, snapshot_id, capture, repository_id=None, diff_with_baseline=False
        )
        return "done" if outcome.ok else "failed"

    async def _capture_url(self, url: str, options: CaptureOptions) -> list[RouteCapture]:
        """A full URL (path and query kept) as one route of its own origin."""

        parts = urlsplit(url)
        route = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return await self._capture(f"{parts.scheme}://{parts.netloc}", [route], options)


async def install(deps: Deps) -> None:
    handle = BrowserHandle(deps.settings.chromium_path, sandbox=deps.settings.chromium_sandbox)
    deps.services.snapshots = SnapshotService(
        pool=deps.pool,
        store=artifact_store(deps),
        browser=handle.get,
        allow_hosts=deps.settings.snapshot_allow_hosts,
        link_ttl=deps.settings.artifact_link_ttl_seconds,
    )
    deps.services.closers.append(handle.close)


def snapshot_service(deps: Deps) -> SnapshotService:
    service = deps.services.snapshots
    if service is None:
        raise ServiceMissing("snapshots")
    return service
