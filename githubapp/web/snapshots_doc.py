"""The snapshot endpoints (``githubapp.api.snapshots``, the snapshot feature's routes) in /api/openapi.json.

They are routed by their own module; only their description lives here, so the document covers every /api
route (a test compares the two)."""

from __future__ import annotations

from typing import Any

from . import schemas as s
from .openapi import Operation, Param

VIEWPORT = s.obj({"width": {"type": "integer", "minimum": 100, "maximum": 4000},
                  "height": {"type": "integer", "minimum": 100, "maximum": 4000}}, required=[])
REQUEST = s.obj(
    {
        "url": {"type": "string", "minLength": 1, "maxLength": 2048, "description": "http(s) URL to capture."},
        "viewport": VIEWPORT,
        "waitForSelector": {"type": "string", "minLength": 1, "maxLength": 500},
        "testRunId": {"type": "string", "maxLength": 200},
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


async def _routed_elsewhere(call: Any) -> Any:  # never called: githubapp.api.snapshots serves these
    raise AssertionError("served by githubapp.api.snapshots")


def operations() -> list[Operation]:
    return [
        Operation("POST", "/api/snapshots", "createSnapshot", "Capture a page with a headless browser (async)",
                  _routed_elsewhere, "snapshots", ACCEPTED, body=REQUEST, status=202, routed=False, scope="ingest",
                  extra_responses=(503,),
                  description="Answers 202 at once with the snapshot id; GET it until `status` is done or "
                  "failed. Private and internal addresses are refused (422) unless allowed by the operator."),
        Operation("GET", "/api/snapshots/{id}", "getSnapshot", "A snapshot's status, findings and artifact links",
                  _routed_elsewhere, "snapshots", SNAPSHOT, params=(Param("id", {"type": "string"}, "Snapshot id.",
                                                                          where="path"),), routed=False),
    ]
