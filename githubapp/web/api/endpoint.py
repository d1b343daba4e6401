"""How every operation is served: authenticate (``auth``), check the key's scope, validate parameters and body
against the declaration, call the handler, and answer errors in the one shape of ``errors``."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...deps import Deps
from .. import triage_metrics
from . import schemas as s
from .auth import authenticate
from .call import Call
from .errors import ApiError, error_response
from .openapi import Operation, ValidationFailed, parse_params, validate_body

MAX_JSON_BODY = 1024 * 1024


async def read_json(request: Request, max_bytes: int = MAX_JSON_BODY) -> Any:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiError(415, "unsupported_media_type", "send application/json")
    return await parse_json(request, max_bytes)


async def parse_json(request: Request, max_bytes: int) -> Any:
    """The body as JSON whatever its content type: 413 above ``max_bytes``, 400 when it is not JSON."""
    raw = await request.body()
    if len(raw) > max_bytes:
        raise ApiError(413, "too_large", f"the body is larger than {max_bytes} bytes")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_json", "the body is not valid JSON") from None


def endpoint(op: Operation) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        deps: Deps = request.app.state.deps
        response = await answer(request, deps)
        await triage_metrics.count(deps, "ci_triage_api_requests_total", operation=op.operation_id,
                                   status=response.status_code)
        return response

    async def answer(request: Request, deps: Deps) -> Response:
        try:
            principal = await authenticate(request)  # rate limits: ratelimit.ApiRateLimit, before this
            if not principal.allows(op.required_scope):
                raise ApiError(403, "insufficient_scope",
                               f"this API key lacks the {op.required_scope!r} scope (create a key with it)")
            params = parse_params(op.params, request.query_params, request.path_params)
            body: Any = None
            if op.body is not None:
                if op.reader is not None:
                    body = await op.reader(request, deps)
                elif op.optional_body and not await request.body():
                    body = {}
                else:
                    body = await read_json(request)
                validate_body(op.body, body, s.COMPONENTS)
            result = await op.handler(Call(request, deps, principal, params, body))
        except ValidationFailed as exc:
            return error_response(
                ApiError(422, "validation", str(exc)), [e.as_json() for e in exc.errors]
            )
        except ApiError as exc:
            return error_response(exc)
        if isinstance(result, Response):
            return result
        return JSONResponse(result, status_code=op.status)

    return handle


def route(path: str, ops: list[Operation]) -> Route:
    """One route for the operations of one path; HEAD is answered as GET (starlette allows it with GET)."""
    handlers = {op.method: endpoint(op) for op in ops}
    if "GET" in handlers:
        handlers["HEAD"] = handlers["GET"]

    async def dispatch(request: Request) -> Response:
        return await handlers[request.method](request)

    return Route(path, dispatch, methods=[m for m in handlers if m != "HEAD"])
