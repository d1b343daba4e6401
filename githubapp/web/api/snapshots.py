"""``POST /api/snapshots`` and ``GET /api/snapshots/{id}``: snapshots for other CI systems (API key).

Asynchronous: the POST validates, records the request and enqueues the ``capture_snapshot`` job, answering
``202`` with the id at once; the GET reports ``queued | running | done | failed`` and, once done, fresh
expiring links to the screenshot, HTML, HAR and console log.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from snapshot.capture import Viewport
from snapshot.guard import BlockedURL, Guard
from storage import snapshots as queries
from storage.api_keys import ApiKey

from ..deps import Deps
from ..snapshots.service import snapshot_service
from .auth import api_key_required

MAX_BODY_BYTES = 16 * 1024
MAX_URL_CHARS = 2048


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


class _Invalid(ValueError):
    pass


def parse_request(body: Any) -> dict[str, Any]:
    """Validate the JSON body: ``{url, viewport?: {width, height}, waitForSelector?, testRunId?}``."""
    if not isinstance(body, dict):
        raise _Invalid("the body must be a JSON object")
    unknown = sorted(set(body) - {"url", "viewport", "waitForSelector", "testRunId"})
    if unknown:
        raise _Invalid(f"unknown field(s): {', '.join(unknown)}")
    url = body.get("url")
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS:
        raise _Invalid(f"url: an http(s) URL of at most {MAX_URL_CHARS} characters is required")
    viewport_raw = body.get("viewport") or {}
    if not isinstance(viewport_raw, dict):
        raise _Invalid("viewport: expected {width, height}")
    try:
        width, height = viewport_raw.get("width", 1280), viewport_raw.get("height", 800)
        if not isinstance(width, int) or not isinstance(height, int) or isinstance(width | height, bool):
            raise ValueError("width and height must be integers")
        viewport = Viewport(width, height)
    except ValueError as exc:
        raise _Invalid(f"viewport: {exc}") from None
    selector = body.get("waitForSelector")
    if selector is not None and (not isinstance(selector, str) or not selector.strip() or len(selector) > 500):
        raise _Invalid("waitForSelector: a CSS selector of at most 500 characters")
    test_run_id = body.get("testRunId")
    if test_run_id is not None and (not isinstance(test_run_id, str | int) or len(str(test_run_id)) > 200):
        raise _Invalid("testRunId: a string of at most 200 characters")
    return {
        "url": url.strip(),
        "viewport": {"width": viewport.width, "height": viewport.height},
        "waitForSelector": selector,
        "testRunId": str(test_run_id) if test_run_id is not None else None,
    }


@api_key_required
async def create_snapshot(request: Request, key: ApiKey) -> Response:
    deps: Deps = request.app.state.deps
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, "too_large", f"the body exceeds {MAX_BODY_BYTES} bytes")
    try:
        fields = parse_request(json.loads(raw or b"null"))
    except json.JSONDecodeError:
        return _error(400, "invalid_json", "the body is not JSON")
    except _Invalid as exc:
        return _error(422, "invalid_request", str(exc))
    try:  # refuse internal targets now, with the reason; the worker checks again when it captures
        await Guard(deps.settings.snapshot_allow_hosts).check_url(fields["url"])
    except BlockedURL as exc:
        return _error(422, "url_refused", exc.reason)
    snapshot_id = await queries.create_snapshot(
        deps.pool,
        installation_id=key.installation_id,
        source="api",
        url=fields["url"],
        test_run_id=fields["testRunId"],
        options={"viewport": fields["viewport"], "waitForSelector": fields["waitForSelector"]},
    )
    try:
        await deps.queue.enqueue_job(
            "capture_snapshot", key.installation_id, str(snapshot_id), _job_id=f"snapshot:{snapshot_id}"
        )
    except Exception:  # Redis down: say so rather than leave a request that never runs
        await queries.finish_snapshot(
            deps.pool, key.installation_id, snapshot_id, status="failed", summary=None, error="queue unavailable"
        )
        return _error(503, "queue_unavailable", "the job queue is unavailable; retry later")
    location = f"/api/snapshots/{snapshot_id}"
    return JSONResponse(
        {"id": str(snapshot_id), "status": "queued", "testRunId": fields["testRunId"], "links": {"self": location}},
        status_code=202,
        headers={"Location": location},
    )


@api_key_required
async def get_snapshot(request: Request, key: ApiKey) -> Response:
    deps: Deps = request.app.state.deps
    try:
        snapshot_id = uuid.UUID(request.path_params["id"])
    except ValueError:
        return _error(404, "not_found", "no such snapshot")
    row = await queries.get_snapshot(deps.pool, key.installation_id, snapshot_id)
    if row is None:
        return _error(404, "not_found", "no such snapshot")
    summary = row["summary"] or {}
    console = summary.get("console", [])
    body: dict[str, Any] = {
        "id": str(row["id"]),
        "status": row["status"],
        "url": row["url"],
        "testRunId": row["test_run_id"],
        "createdAt": row["created_at"].isoformat(),
        "finishedAt": row["finished_at"].isoformat() if row["finished_at"] else None,
        "error": row["error"],
        "httpStatus": summary.get("status"),
        "finalUrl": summary.get("final_url"),
        "links": {"self": f"/api/snapshots/{row['id']}"},
        "artifacts": await snapshot_service(deps).links(key.installation_id, snapshot_id),
        "console": {
            "errors": sum(1 for m in console if m.get("level") == "error"),
            "warnings": sum(1 for m in console if m.get("level") == "warning"),
        },
        "pageErrors": summary.get("page_errors", [])[:20],
        "failedRequests": summary.get("failed_requests", [])[:50],
        "blocked": summary.get("blocked", []),
        "notes": summary.get("notes", []),
    }
    return JSONResponse(body)


routes = [
    Route("/api/snapshots", create_snapshot, methods=["POST"]),
    Route("/api/snapshots/{id}", get_snapshot, methods=["GET"]),
]
