"""The API reference page, rendered on the server from the app's own OpenAPI document (``/api/openapi.json``):
operations grouped by tag with their parameters, request body and responses, and every component schema with
its fields. No JavaScript and no third-party assets: the page uses the dashboard's stylesheet only.

Pure: ``reference(document)`` turns the OpenAPI JSON into what the template shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

JSON = dict[str, Any]
REF_PREFIX = "#/components/schemas/"
METHODS = ("get", "post", "put", "patch", "delete")


def describe(text: str | None) -> Markup:
    """Description text (CommonMark in the document) with its `code spans` kept; everything else escaped."""
    if not text:
        return Markup("")
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as it is
        return escape(text)
    out = [str(escape(p)) if i % 2 == 0 else f"<code>{escape(p)}</code>" for i, p in enumerate(parts)]
    return Markup("".join(out))  # noqa: S704 - every piece is escaped


def type_of(schema: Mapping[str, Any] | None) -> Markup:
    """A schema in a few words: "string", "integer, 1-100", "array of Failure" (linked), "string or null"."""
    if not schema:
        return Markup("any")
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix(REF_PREFIX)
        return Markup('<a href="#schema-{0}">{0}</a>').format(name)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return Markup(" or ").join(type_of(s) for s in schema[key])
    kind = schema.get("type")
    if isinstance(kind, list):
        return Markup(" or ").join(type_of({**schema, "type": k}) for k in kind)
    if kind == "array":
        return Markup("array of ") + type_of(schema.get("items"))
    words: Markup = escape(kind or "object")
    if "enum" in schema:
        shown = ", ".join(repr(v) if v != "" else '""' for v in schema["enum"])
        return Markup("{0}: one of {1}").format(words, shown)
    if "format" in schema:
        words = Markup("{0} ({1})").format(words, schema["format"])
    bounds = [(schema.get("minimum"), schema.get("maximum")), (schema.get("minLength"), schema.get("maxLength"))]
    for low, high in bounds:
        if low is not None or high is not None:
            unit = " chars" if schema.get("type") == "string" else ""
            low_text, high_text = ("" if v is None else v for v in (low, high))
            words = Markup("{0}, {1}\u2013{2}{3}").format(words, low_text, high_text, unit)
    if "pattern" in schema:
        words = Markup("{0} matching <code>{1}</code>").format(words, schema["pattern"])
    return words


@dataclass(frozen=True)
class Field:
    name: str
    type: Markup
    required: bool
    description: Markup
    where: str = ""
    default: str | None = None


@dataclass(frozen=True)
class Response:
    status: str
    description: Markup
    type: Markup
    fields: list[Field] = field(default_factory=list)  # an inline object's fields


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: Markup
    authenticated: bool
    parameters: list[Field]
    body: list[Field]
    body_type: Markup | None
    responses: list[Response]


@dataclass
class Section:
    tag: str
    operations: list[Operation] = field(default_factory=list)


@dataclass(frozen=True)
class Schema:
    name: str
    description: Markup
    fields: list[Field]
    type: Markup


def _fields(schema: Mapping[str, Any] | None, components: Mapping[str, Any]) -> list[Field]:
    if not schema:
        return []
    if "$ref" in schema:
        schema = components.get(str(schema["$ref"]).removeprefix(REF_PREFIX)) or {}
    required = set(schema.get("required") or [])
    return [
        Field(name, type_of(sub), name in required, describe(sub.get("description")),
              default=repr(sub["default"]) if "default" in sub else None)
        for name, sub in (schema.get("properties") or {}).items()
    ]


def reference(document: Mapping[str, Any]) -> tuple[list[Section], list[Schema]]:
    components: Mapping[str, Any] = (document.get("components") or {}).get("schemas") or {}
    sections: dict[str, Section] = {}
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [
                Field(str(p["name"]), type_of(p.get("schema")), bool(p.get("required")), describe(p.get("description")),
                      where=str(p.get("in") or ""),
                      default=repr(p["schema"]["default"]) if "default" in (p.get("schema") or {}) else None)
                for p in op.get("parameters") or []
            ]
            content = ((op.get("requestBody") or {}).get("content") or {})
            body_schema = (content.get("application/json") or {}).get("schema")
            responses = []
            for status, r in sorted((op.get("responses") or {}).items()):
                schema = ((r.get("content") or {}).get("application/json") or {}).get("schema")
                inline = _fields(schema, components) if schema and "properties" in schema else []
                responses.append(Response(status, describe(r.get("description")), type_of(schema), inline))
            tag = (op.get("tags") or ["other"])[0]
            sections.setdefault(tag, Section(tag)).operations.append(Operation(
                anchor=str(op.get("operationId") or f"{method}-{path}"),
                method=method.upper(), path=path, summary=str(op.get("summary") or ""),
                description=describe(op.get("description")), authenticated=bool(op.get("security")),
                parameters=params, body=_fields(body_schema, components),
                body_type=type_of(body_schema) if body_schema else None, responses=responses,
            ))
    schemas = [
        Schema(name, describe(schema.get("description")), _fields(schema, components), type_of(schema))
        for name, schema in sorted(components.items())
    ]
    return list(sections.values()), schemas
