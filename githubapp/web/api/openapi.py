"""API operations declared once: the same declaration routes the request, validates its parameters and body
(422 naming the field) and generates the OpenAPI 3.1 document served at /api/openapi.json."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator
from starlette.datastructures import QueryParams

JSON = dict[str, Any]


@dataclass(frozen=True)
class Param:
    name: str
    schema: JSON
    description: str
    where: str = "query"  # query | path
    required: bool = False


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI template, e.g. /api/failures/{failure_id}
    operation_id: str
    summary: str
    handler: Callable[..., Awaitable[Any]]
    tag: str
    response: JSON  # schema of the success body
    params: tuple[Param, ...] = ()
    body: JSON | None = None  # JSON schema of the request body
    multipart: JSON | None = None  # schema of a multipart/form-data alternative
    status: int = 200
    optional_body: bool = False  # an empty body means {}
    reader: Callable[..., Awaitable[Any]] | None = None  # reads the body itself (JSON or multipart)
    extra_responses: tuple[int, ...] = ()
    description: str = ""
    scope: str | None = None  # the API key scope it needs; None: read for GET, triage:write otherwise

    @property
    def required_scope(self) -> str:
        return self.scope or ("read" if self.method == "GET" else "triage:write")


@dataclass
class FieldError:
    field: str
    message: str

    def as_json(self) -> JSON:
        return {"field": self.field, "message": self.message}


class ValidationFailed(Exception):
    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = list(errors)


# ---- parameters ---------------------------------------------------------------------------------------------


def _convert(param: Param, raw: str) -> Any:
    """The raw string as the parameter's type; ValueError with a user-facing message when it is not."""
    schema = param.schema
    kind = schema.get("type", "string")
    if kind == "integer":
        try:
            value: Any = int(raw, 10)
        except ValueError:
            raise ValueError("must be an integer") from None
    elif kind == "number":
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("must be a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("must be a finite number")
    elif kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError("must be true or false")
        value = raw == "true"
    else:
        value = raw
        if "\x00" in raw:
            raise ValueError("must not contain NUL characters")
        if schema.get("format") == "date-time":
            try:
                value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError("must be an ISO 8601 date-time") from None
            if value.tzinfo is None:
                raise ValueError("must include a time zone offset (e.g. Z)")
            return value
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: str(e.message))
    if errors:
        raise ValueError(errors[0].message)
    return value


def parse_params(
    params: Sequence[Param], query: QueryParams, path: Mapping[str, str]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for param in params:
        raw = path.get(param.name) if param.where == "path" else query.get(param.name)
        if raw is None:
            if param.required:
                errors.append(FieldError(param.name, "is required"))
            elif "default" in param.schema:
                values[param.name] = param.schema["default"]
            else:
                values[param.name] = None
            continue
        try:
            values[param.name] = _convert(param, raw)
        except ValueError as exc:
            errors.append(FieldError(param.name, str(exc)))
    if errors:
        raise ValidationFailed(errors)
    return values


def validate_body(schema: JSON, body: Any, components: JSON) -> None:
    # Component references point into $defs so that jsonschema resolves them without a registry.
    resolved = json.loads(json.dumps({**schema, "$defs": components}).replace("#/components/schemas/", "#/$defs/"))
    errors = []
    for error in Draft202012Validator(resolved).iter_errors(body):
        where = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [name for name in error.validator_value if name not in error.instance]
            where = ".".join(filter(None, [where, missing[0] if missing else ""]))
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            extra = sorted(set(error.instance) - allowed)
            where = ".".join(filter(None, [where, extra[0] if extra else ""]))
        errors.append(FieldError(where or "body", error.message))
    if errors:
        errors.sort(key=lambda e: e.field)
        raise ValidationFailed(errors)


# ---- cursors ------------------------------------------------------------------------------------------------


def encode_cursor(*values: Any) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, types: Sequence[type]) -> list[Any]:
    """The values of a cursor made by ``encode_cursor``; ValidationFailed('cursor') when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError
        out: list[Any] = []
        for value, kind in zip(values, types, strict=True):
            if kind is datetime:
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    raise ValueError
                out.append(parsed)
            elif kind is int:
                if type(value) is not int or not -(2**63) <= value < 2**63:
                    raise ValueError
                out.append(value)
            else:
                if not isinstance(value, kind):
                    raise ValueError
                out.append(value)
        return out
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed([FieldError("cursor", "is not a cursor returned by this API")]) from None


# ---- the document -------------------------------------------------------------------------------------------

ERROR_STATUSES = {
    400: "The request body is not valid JSON or multipart data.",
    401: "Missing, unknown or revoked API key.",
    404: "No such object in the key's installation (objects of other installations look the same).",
    409: "The idempotency id was used before with a different request.",
    413: "The request body is too large.",
    415: "Unsupported content type.",
    422: "A parameter or body field is invalid; `detail` names each field.",
    503: "A backing service (queue, history) is unavailable; retry later.",
    429: "Rate limit exceeded; retry after the number of seconds in Retry-After.",
}


@dataclass
class Document:
    title: str
    version: str
    description: str
    components: JSON
    operations: list[Operation] = field(default_factory=list)

    def render(self, server_url: str | None = None) -> JSON:
        paths: JSON = {}
        for op in self.operations:
            item = paths.setdefault(op.path, {})
            item[op.method.lower()] = self._operation(op)
        doc: JSON = {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version, "description": self.description},
            "paths": paths,
            "components": {
                "schemas": self.components,
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer", "description": "An API key as a Bearer token."},
                    "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                },
            },
        }
        if server_url:
            doc["servers"] = [{"url": server_url}]
        return doc

    def _operation(self, op: Operation) -> JSON:
        out: JSON = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": [op.tag],
            "responses": {
                str(op.status): {
                    "description": {200: "OK", 201: "Created", 202: "Accepted"}[op.status],
                    "content": {"application/json": {"schema": op.response}},
                },
            },
        }
        if op.description:
            out["description"] = op.description
        if op.params:
            out["parameters"] = [
                {
                    "name": p.name,
                    "in": p.where,
                    "required": p.required or p.where == "path",
                    "description": p.description,
                    "schema": p.schema,
                }
                for p in op.params
            ]
        if op.body is not None:
            content: JSON = {"application/json": {"schema": op.body}}
            if op.multipart is not None:
                content["multipart/form-data"] = {"schema": op.multipart}
            out["requestBody"] = {"required": not op.optional_body, "content": content}
        statuses = {401, 422, 429, *op.extra_responses}  # every operation needs an API key (``auth``)
        out["security"] = [{"bearer": []}, {"apiKey": []}]
        if op.body is not None:
            statuses |= {400, 413, 415}
        if any(p.where == "path" for p in op.params):
            statuses.add(404)
        for status in sorted(statuses):
            response: JSON = {
                "description": ERROR_STATUSES[status],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
            if status == 429:
                response["headers"] = {
                    "Retry-After": {"description": "Seconds until the window resets.", "schema": {"type": "integer"}}
                }
            out["responses"][str(status)] = response
        return out
