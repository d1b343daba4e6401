"""``POST /webhooks/github``: verify, persist, enqueue, answer. Nothing slow happens here.

GitHub waits 10 seconds and never redelivers on its own, so the request only does what makes the delivery
safe: check the HMAC-SHA256 signature, store the row (deduplicated by X-GitHub-Delivery), and try to put a job
on the queue within a bounded time. Once the row is committed the answer is 202 even if Redis is down: the
sweeper enqueues what is left pending.
"""

from __future__ import annotations

import json
import logging
import urllib.parse

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import deliveries
from .deps import Deps
from .intake_writer import writer_of
from .logs import log_context
from .metrics import metrics_of
from .reload import current_settings
from .signatures import signature_valid

log = logging.getLogger("ci_triage.webhooks")

HANDLED_EVENTS = frozenset(
    {
        "check_run",
        "deployment_status",
        "issue_comment",
        "pull_request",
        "workflow_job",
        "workflow_run",
        "installation",
        "installation_repositories",
    }
)
MAX_DELIVERY_ID_CHARS = 100


class BodyTooLarge(Exception):
    pass


async def read_capped(request: Request, max_bytes: int) -> bytes:
    """The body, refusing more than ``max_bytes`` whatever Content-Length claims (it may lie or be absent)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _json_text(body: bytes, content_type: str) -> str:
    """The JSON document of a delivery: the body itself, or the ``payload`` field of a form post."""
    if content_type.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded":
        fields = urllib.parse.parse_qs(body.decode("utf-8"), strict_parsing=True)
        return fields["payload"][0]
    return body.decode("utf-8")


async def _answer(status: int, message: str, deps: Deps, event: str, outcome: str) -> JSONResponse:
    await metrics_of(deps).incr("ci_triage_webhook_deliveries_total", event=event, outcome=outcome)
    return JSONResponse({"message": message}, status_code=status)


async def _refuse_signature(deps: Deps, reason: str) -> JSONResponse:
    log.warning("webhook refused: signature %s", reason)
    await metrics_of(deps).incr("ci_triage_webhook_signature_failures_total", reason=reason)
    return JSONResponse({"message": "signature check failed"}, status_code=401)


async def receive(request: Request) -> JSONResponse:
    deps: Deps = request.app.state.deps
    settings = current_settings(deps)
    event = request.headers.get("x-github-event", "")
    delivery_id = request.headers.get("x-github-delivery", "")
    with log_context(delivery_id=delivery_id or None, event=event or None):
        try:
            body = await read_capped(request, settings.webhook_max_bytes)
        except BodyTooLarge:
            # Not verified yet: the event header is not trusted as a metric label.
            return await _answer(
                413, f"payload larger than {settings.webhook_max_bytes} bytes", deps, "unverified", "too_large"
            )
        except ClientDisconnect:
            return await _answer(400, "client disconnected", deps, "unverified", "invalid")

        if not settings.github_webhook_secrets:
            return await _refuse_signature(deps, "unconfigured")
        signature = request.headers.get("x-hub-signature-256")
        if signature is None:
            return await _refuse_signature(deps, "sha1_only" if "x-hub-signature" in request.headers else "missing")
        if not signature_valid(body, signature, settings.github_webhook_secrets):
            return await _refuse_signature(deps, "invalid")

        if not event or not delivery_id or len(delivery_id) > MAX_DELIVERY_ID_CHARS:
            return await _answer(
                400, "X-GitHub-Event and X-GitHub-Delivery headers are required", deps, event, "invalid"
            )
        try:
            text = _json_text(body, request.headers.get("content-type", "application/json"))
            payload = json.loads(text)
        except (ValueError, KeyError, IndexError):
            payload = None
        if not isinstance(payload, dict):
            return await _answer(400, "body is not a JSON webhook payload", deps, event, "invalid")
        if event == "ping":
            return await _answer(200, "pong", deps, event, "ping")

        action, installation_id, repository = deliveries.describe(payload)
        incoming = deliveries.IncomingDelivery(delivery_id, event, action, installation_id, repository, text)
        handled = event in HANDLED_EVENTS
        with log_context(installation_id=installation_id, repository=repository):
            try:
                written = await writer_of(deps).write(incoming, status="pending" if handled else "ignored")
            except Exception:
                # Not stored: answer an error so GitHub marks the delivery failed; reconcile redelivers it.
                log.exception("could not store delivery")
                return await _answer(503, "delivery could not be stored; retry later", deps, event, "unavailable")
            if not handled:
                return await _answer(202, "event not handled; recorded", deps, event, "ignored")
            if not written.is_new:
                return await _answer(202, "duplicate delivery; already stored", deps, event, "duplicate")
            if not written.enqueued:
                await metrics_of(deps).incr("ci_triage_webhook_enqueue_failures_total")
            return await _answer(202, "accepted", deps, event, "accepted")


routes = [Route("/webhooks/github", receive, methods=["POST"])]
