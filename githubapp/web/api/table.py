"""The REST API under /api: every resource's operations in one list, served (``endpoint``) and documented
(/api/openapi.json, ``openapi.Document``) from that same list, so the two cannot drift apart."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import failures, fixes, flaky, ingest, metrics, patterns, repositories, runs, snapshots
from . import schemas as s
from .endpoint import route
from .openapi import Document, Operation


def operations() -> list[Operation]:
    return [
        *repositories.operations(),
        *runs.operations(),
        *failures.operations(),
        *patterns.operations(),
        *flaky.operations(),
        *fixes.operations(),
        *metrics.operations(),
        *ingest.operations(),
        *snapshots.operations(),
    ]


def document() -> Document:
    return Document(
        title="ci-triage API",
        version="1",
        description="Failures, patterns, flaky tests, fixes and CI health metrics of one installation, and "
        "ingestion of test runs from any CI. Authenticate with an API key (`ci-triage apikey create`).",
        components=s.COMPONENTS,
        operations=operations(),
    )


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(document().render(request.app.state.settings.public_url))


def routes() -> list[Route]:
    by_path: dict[str, list[Operation]] = {}
    for op in operations():
        by_path.setdefault(op.path, []).append(op)
    return [Route("/api/openapi.json", openapi_json, methods=["GET"]),
            *(route(path, ops) for path, ops in by_path.items())]
