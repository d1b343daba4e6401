"""``POST /webhooks/github``: verify, persist, enqueue, answer. Nothing slow happens here.

GitHub waits 10 seconds and never redelivers on its own, so the request only does what makes the delivery
safe: check the HMAC-SHA256 signature, store the row (deduplicated by X-GitHub-Delivery), and try to put a job
on the queue within a bounded time. Once the row is committed the answer is 202 even if Redis is down: the
sweeper enqueues what is left pending.

This is the one endpoint that must keep up with bursts, so it is a plain ASGI app rather than a starlette
request handler: it reads the five headers it needs straight from the scope, answers with pre-encoded JSON
bodies, and parses the payload with orjson (only to check it is a JSON object and to read the three fields of
the row; the row keeps the body as sent). ``fast_path`` routes it ahead of the middleware the pages and the
API need (security headers, API rate limits), which only cost time on a JSON answer to GitHub.
"""

from __future__ import annotations

import functools
import json
import logging
import urllib.parse
from typing import Any

import orjson
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from storage import deliveries

from ..deps import Deps
from ..observability.logs import log_context
from ..observability.metrics import metrics_of
from .reload import current_settings
from .signatures import signature_valid
from .writer import writer_of

log = logging.getLogger("ci_triage.webhooks")

PATH = "/webhooks/github"
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
# The request headers read here (ASGI gives names lower-cased, as bytes).
_WANTED = frozenset(
    {b"content-length", b"content-type", b"x-github-event", b"x-github-delivery", b"x-hub-signature-256",
     b"x-hub-signature"}
)


class BodyTooLarge(Exception):
    pass


class ClientDisconnect(Exception):
    pass


def request_headers(scope: Scope) -> dict[bytes, str]:
    """The headers this endpoint reads, first occurrence of each (as starlette's ``Headers.get``)."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in _WANTED and name not in found:
            found[name] = value.decode("latin-1")
    return found


async def read_capped(receive: Receive, declared: str | None, max_bytes: int) -> bytes:
    """The body, refusing more than ``max_bytes`` whatever Content-Length (``declared``) claims: it may lie or
    be absent."""
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_payload(body: bytes, content_type: str) -> tuple[str, dict[str, Any]] | None:
    """(the JSON document as text, parsed) of a delivery, or None when it is not a JSON object. The document is
    the body itself, or the ``payload`` field of a form post."""
    try:
        if content_type.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded":
            fields = urllib.parse.parse_qs(body.decode("utf-8"), strict_parsing=True)
            text = fields["payload"][0]
            raw: bytes | str = text
        else:
            text = body.decode("utf-8")
            raw = body
        try:
            payload = orjson.loads(raw)
        except orjson.JSONDecodeError:
            # What orjson refuses and the standard library reads (NaN, a lone surrogate escape) is decided as
            # before: the database has the last word when the row is stored.
            payload = json.loads(text)
    except (ValueError, KeyError, IndexError, RecursionError):
        return None
    return (text, payload) if isinstance(payload, dict) else None


def describe(payload: Any) -> tuple[str | None, int | None, str | None]:
    """(action, installation id, repository full name) of a webhook payload; absent parts are None."""
    if not isinstance(payload, dict):
        return None, None, None
    action = payload.get("action")
    installation = payload.get("installation")
    repository = payload.get("repository")
    installation_id = installation.get("id") if isinstance(installation, dict) else None
    full_name = repository.get("full_name") if isinstance(repository, dict) else None
    return (
        action if isinstance(action, str) else None,
        # bool is an int, and an id beyond BIGINT would make the INSERT fail: neither is an installation id
        installation_id if type(installation_id) is int and 0 < installation_id < 2**63 else None,
        full_name if isinstance(full_name, str) else None,
    )


@functools.lru_cache(maxsize=64)
def _encoded(status: int, message: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two ASGI messages answering ``{"message": message}`` with ``status``, encoded once."""
    body = orjson.dumps({"message": message})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
    ]
    return (
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    )


async def _respond(send: Send, status: int, message: str) -> None:
    start, body = _encoded(status, message)
    await send(start)
    await send(body)


async def _answer(send: Send, status: int, message: str, deps: Deps, event: str, outcome: str) -> None:
    await metrics_of(deps).incr("ci_triage_webhook_deliveries_total", event=event, outcome=outcome)
    await _respond(send, status, message)


async def _refuse_signature(send: Send, deps: Deps, reason: str) -> None:
    log.warning("webhook refused: signature %s", reason)
    await metrics_of(deps).incr("ci_triage_webhook_signature_failures_total", reason=reason)
    await _respond(send, 401, "signature check failed")


async def receive_delivery(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI app of ``POST /webhooks/github``."""
    deps: Deps = scope["app"].state.deps
    settings = current_settings(deps)
    headers = request_headers(scope)
    event = headers.get(b"x-github-event", "")
    delivery_id = headers.get(b"x-github-delivery", "")
    with log_context(delivery_id=delivery_id or None, event=event or None):
        try:
            body = await read_capped(receive, headers.get(b"content-length"), settings.webhook_max_bytes)
        except BodyTooLarge:
            # Not verified yet: the event header is not trusted as a metric label.
            limit = settings.webhook_max_bytes
            return await _answer(send, 413, f"payload larger than {limit} bytes", deps, "unverified", "too_large")
        except ClientDisconnect:
            return await _answer(send, 400, "client disconnected", deps, "unverified", "invalid")

        if not settings.github_webhook_secrets:
            return await _refuse_signature(send, deps, "unconfigured")
        signature = headers.get(b"x-hub-signature-256")
        if signature is None:
            return await _refuse_signature(send, deps, "sha1_only" if b"x-hub-signature" in headers else "missing")
        if not signature_valid(body, signature, settings.github_webhook_secrets):
            return await _refuse_signature(send, deps, "invalid")

        if not event or not delivery_id or len(delivery_id) > MAX_DELIVERY_ID_CHARS:
            return await _answer(
                send, 400, "X-GitHub-Event and X-GitHub-Delivery headers are required", deps, event, "invalid"
            )
        parsed = parse_payload(body, headers.get(b"content-type", "application/json"))
        if parsed is None:
            return await _answer(send, 400, "body is not a JSON webhook payload", deps, event, "invalid")
        text, payload = parsed
        if event == "ping":
            return await _answer(send, 200, "pong", deps, event, "ping")

        action, installation_id, repository = describe(payload)
        incoming = deliveries.IncomingDelivery(delivery_id, event, action, installation_id, repository, text)
        handled = event in HANDLED_EVENTS
        with log_context(installation_id=installation_id, repository=repository):
            try:
                written = await writer_of(deps).write(incoming, status="pending" if handled else "ignored")
            except Exception:
                # Not stored: answer an error so GitHub marks the delivery failed; reconcile redelivers it.
                log.exception("could not store delivery")
                return await _answer(send, 503, "delivery could not be stored; retry later", deps, event,
                                     "unavailable")
            if not handled:
                return await _answer(send, 202, "event not handled; recorded", deps, event, "ignored")
            if not written.is_new:
                return await _answer(send, 202, "duplicate delivery; already stored", deps, event, "duplicate")
            if not written.enqueued:
                await metrics_of(deps).incr("ci_triage_webhook_enqueue_failures_total")
            return await _answer(send, 202, "accepted", deps, event, "accepted")


class WebhookFastPath:
    """Middleware, first in the stack: ``POST /webhooks/github`` goes straight to ``receive_delivery``; every
    other request (other methods on this path included, answered 405 by the router) goes on as before."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and _route_path(scope) == PATH:
            await receive_delivery(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path the router would match: ``path`` without the ``root_path`` a proxy may have put in front."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path + "/"):
        return path[len(root_path) :]
    return path


class _Endpoint:
    """``receive_delivery`` as a route endpoint (a class instance: starlette wraps plain functions as
    request handlers)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await receive_delivery(scope, receive, send)


routes = [Route(PATH, _Endpoint(), methods=["POST"])]
