"""``POST /api/snapshots`` and ``GET /api/snapshots/{id}``: browser snapshots for other CI systems.

Asynchronous: the POST validates, records the request and enqueues the ``capture_snapshot`` job, answering
``202`` with the id at once; the GET reports ``queued | running | done | failed`` and, once done, fresh
expiring links to the screenshot, HTML, HAR and console log. Served like every operation (``endpoint``); the
body is read as JSON whatever its content type, as it always was, and is at most 16 KiB.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from snapshot.capture import Viewport
from snapshot.guard import BlockedURL, Guard
from storage import snapshots as queries

from ...deps import Deps
from ...snapshots.service import snapshot_service
from . import schemas as s
from .call import JSON, Call
from .endpoint import parse_json
from .errors import ApiError, not_found
from .openapi import FieldError, Operation, Param, ValidationFailed

MAX_BODY_BYTES = 16 * 1024
MAX_URL_CHARS = 2048
MAX_TEST_RUN_ID_CHARS = 200

# Viewport's own bounds (snapshot.capture), so that the document says what a capture accepts.
VIEWPORT = {**s.obj({"width": {"type": "integer", "minimum": 200, "maximum": 4096},
                     "height": {"type": "integer", "minimum": 200, "maximum": 4096}}, required=[]),
            "type": ["object", "null"]}
REQUEST = s.obj(
    {
        "url": {"type": "string", "minLength": 1, "maxLength": MAX_URL_CHARS,
                "description": "http(s) URL to capture."},
        "viewport": VIEWPORT,
        "waitForSelector": {"type": ["string", "null"], "minLength": 1, "maxLength": 500},
        "testRunId": {"type": ["string", "integer", "null"], "maxLength": MAX_TEST_RUN_ID_CHARS},
    },
    required=["url"],
)
LINKS = {"type": "object", "properties": {"self": s.STR}, "required": ["self"]}
ACCEPTED = s.obj({"id": s.STR, "status": s.STR, "testRunId": s.N_STR, "links": LINKS})
SNAPSHOT = {
    "type": "object",
    "properties": {
        "id": s.STR,
        "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "url": s.STR,
        "testRunId": s.N_STR,
        "createdAt": s.TIME,
        "finishedAt": s.N_TIME,
        "error": s.N_STR,
        "httpStatus": s.N_INT,
        "finalUrl": s.N_STR,
        "links": LINKS,
        "artifacts": {"type": "object"},
        "console": {"type": "object", "properties": {"errors": s.INT, "warnings": s.INT}},
        "pageErrors": {"type": "array"},
        "failedRequests": {"type": "array"},
        "blocked": {"type": "array"},
        "notes": {"type": "array"},
    },
    "required": ["id", "status", "url", "links"],
}


async def read_request(request: Request, deps: Deps) -> Any:
    return await parse_json(request, MAX_BODY_BYTES)


def capture_options(body: JSON) -> JSON:
    """What the schema cannot say about a valid body: ``{url, viewport, waitForSelector, testRunId}`` with
    defaults filled in and the test run id as a string."""
    raw_viewport = body.get("viewport") or {}
    try:
        viewport = Viewport(int(raw_viewport.get("width", 1280)), int(raw_viewport.get("height", 800)))
    except ValueError as exc:
        raise ValidationFailed([FieldError("viewport", str(exc))]) from None
    selector = body.get("waitForSelector")
    if selector is not None and not selector.strip():
        raise ValidationFailed([FieldError("waitForSelector", "must not be blank")])
    test_run_id = body.get("testRunId")
    if test_run_id is not None and len(str(test_run_id)) > MAX_TEST_RUN_ID_CHARS:
        raise ValidationFailed([FieldError("testRunId", f"is longer than {MAX_TEST_RUN_ID_CHARS} characters")])
    return {
        "url": body["url"].strip(),
        "viewport": {"width": viewport.width, "height": viewport.height},
        "waitForSelector": selector,
        "testRunId": str(test_run_id) if test_run_id is not None else None,
    }


async def create_snapshot(call: Call) -> JSONResponse:
    deps, installation_id = call.deps, call.principal.installations[0]
    fields = capture_options(call.body)
    try:  # refuse internal targets now, with the reason; the worker checks again when it captures
        await Guard(deps.settings.snapshot_allow_hosts).check_url(fields["url"])
    except BlockedURL as exc:
        raise ApiError(422, "url_refused", exc.reason) from None
    snapshot_id = await queries.create_snapshot(
        deps.pool,
        installation_id=installation_id,
        source="api",
        url=fields["url"],
        test_run_id=fields["testRunId"],
        options={"viewport": fields["viewport"], "waitForSelector": fields["waitForSelector"]},
    )
    try:
        await deps.queue.enqueue_job(
            "capture_snapshot", installation_id, str(snapshot_id), _job_id=f"snapshot:{snapshot_id}"
        )
    except Exception:  # Redis down: say so rather than leave a request that never runs
        await queries.finish_snapshot(
            deps.pool, installation_id, snapshot_id, status="failed", summary=None, error="queue unavailable"
        )
        raise ApiError(503, "queue_unavailable", "the job queue is unavailable; retry later") from None
    location = f"/api/snapshots/{snapshot_id}"
    return JSONResponse(
        {"id": str(snapshot_id), "status": "queued", "testRunId": fields["testRunId"], "links": {"self": location}},
        status_code=202,
        headers={"Location": location},
    )


async def get_snapshot(call: Call) -> JSON:
    deps, installation_id = call.deps, call.principal.installations[0]
    try:
        snapshot_id = uuid.UUID(call.params["id"])
    except ValueError:
        raise not_found("snapshot") from None
    row = await queries.get_snapshot(deps.pool, installation_id, snapshot_id)
    if row is None:
        raise not_found("snapshot")
    summary = row["summary"] or {}
    console = summary.get("console", [])
    return {
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
        "artifacts": await snapshot_service(deps).links(installation_id, snapshot_id),
        "console": {
            "errors": sum(1 for m in console if m.get("level") == "error"),
            "warnings": sum(1 for m in console if m.get("level") == "warning"),
        },
        "pageErrors": summary.get("page_errors", [])[:20],
        "failedRequests": summary.get("failed_requests", [])[:50],
        "blocked": summary.get("blocked", []),
        "notes": summary.get("notes", []),
    }


def operations() -> list[Operation]:
    return [
        Operation("POST", "/api/snapshots", "createSnapshot", "Capture a page with a headless browser (async)",
                  create_snapshot, "snapshots", ACCEPTED, body=REQUEST, status=202, scope="ingest",
                  reader=read_request, extra_responses=(503,),
                  description="Answers 202 at once with the snapshot id; GET it until `status` is done or "
                  "failed. Private and internal addresses are refused (422) unless allowed by the operator."),
        Operation("GET", "/api/snapshots/{id}", "getSnapshot", "A snapshot's status, findings and artifact links",
                  get_snapshot, "snapshots", SNAPSHOT,
                  params=(Param("id", {"type": "string"}, "Snapshot id.", where="path"),)),
    ]
