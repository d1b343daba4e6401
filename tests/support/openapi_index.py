"""GitHub's OpenAPI description, indexed for request validation by the fake GitHub.

The description (trimmed to the operations the app and the fake use) is read once and reduced to one
`Operation` per (method, path template): its parameters and a self-contained JSON schema (Draft 2020-12,
OpenAPI 3.0 `nullable` translated) for its JSON body. The reduced index is pickled in the temp dir keyed by the
description's path, size and mtime, so later sessions skip the parse. Path lookup goes through a table grouped
by segment count.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema

from .services import GITHUB_DATA

# Trimmed to the operations of openapi/operations.txt and what they reference (scripts/vendor_github.py).
SPEC_PATH = GITHUB_DATA / "openapi" / "api.github.com.json"
INDEX_FORMAT = 3  # bump when Operation or the schema translation changes
METHODS = ("get", "post", "put", "patch", "delete")
# A trailing parameter with one of these names may contain slashes (`contents/a/b.py`, `git/refs/heads/x`).
GREEDY_PARAMS = frozenset({"path", "ref", "basehead"})
# Keys whose values are data, not schemas: never rewrite inside them.
_DATA_KEYS = frozenset({"example", "examples", "enum", "default", "const", "description", "x-github"})

Schema = dict[str, Any]


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    path_params: dict[str, Schema]
    query_params: dict[str, Schema]
    body_schema: Schema | None  # schema of an application/json body, self-contained
    body_required: bool
    body_content_types: tuple[str, ...]
    list_key: str | None = None  # array property of a `{total_count, <list_key>: [...]}` response


@dataclass(frozen=True)
class Route:
    template: str
    segments: tuple[str | None, ...]  # literal segment, or None for a parameter
    names: tuple[str, ...]  # parameter names, in order
    greedy: bool  # last segment is a parameter that may span slashes
    methods: dict[str, Operation] = field(default_factory=dict)

    def literal_rank(self) -> tuple[int, ...]:
        """Lower is more specific: literals before parameters, left to right."""
        return tuple(0 if s is not None else 1 for s in self.segments)


@dataclass(frozen=True)
class Match:
    route: Route
    params: dict[str, str]


def split_path(raw_path: str) -> list[str]:
    """Segments of a raw (still percent-encoded) path, each decoded: `heads%2Fmain` stays one segment."""
    return [unquote(part) for part in raw_path.strip("/").split("/")] if raw_path.strip("/") else []


def _template_segments(template: str) -> tuple[tuple[str | None, ...], tuple[str, ...]]:
    segments: list[str | None] = []
    names: list[str] = []
    for part in template.strip("/").split("/"):
        if part.startswith("{") and part.endswith("}"):
            segments.append(None)
            names.append(part[1:-1])
        else:
            segments.append(part)
    return tuple(segments), tuple(names)


class SchemaTranslator:
    """Rewrites OpenAPI 3.0 schemas as standalone JSON schemas: `$ref`s into `$defs`, `nullable` -> null."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def standalone(self, schema: Schema) -> Schema:
        defs: dict[str, Schema] = {}
        root: Schema = self._convert(schema, defs)
        if defs:
            root = {**root, "$defs": defs} if "$ref" not in root else {"allOf": [root], "$defs": defs}
        return root

    def _resolve(self, ref: str) -> Any:
        node: Any = self.spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _convert(self, node: Any, defs: dict[str, Schema]) -> Any:
        if isinstance(node, list):
            return [self._convert(item, defs) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.removeprefix("#/").replace("/", ".")
            if name not in defs:
                defs[name] = {}  # placeholder breaks cycles
                defs[name] = self._convert(self._resolve(ref), defs)
            return {"$ref": f"#/$defs/{name}"}
        out: Schema = {}
        for key, value in node.items():
            if key == "nullable":
                continue
            if key in _DATA_KEYS:
                out[key] = value
            elif key in ("properties", "patternProperties"):
                out[key] = {k: self._convert(v, defs) for k, v in value.items()}
            else:
                out[key] = self._convert(value, defs)
        if node.get("nullable") is True:
            out = _nullable(out)
        return out


def _nullable(schema: Schema) -> Schema:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema = {**schema, "type": [kind, "null"]}
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def _list_key(op: dict[str, Any], translator: SchemaTranslator) -> str | None:
    content = op.get("responses", {}).get("200", {})
    if "$ref" in content:
        content = translator._resolve(content["$ref"])
    schema = content.get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = translator._resolve(schema["$ref"])
    props = schema.get("properties", {})
    if "total_count" not in props:
        return None
    arrays = [k for k, v in props.items() if v.get("type") == "array"]
    return arrays[0] if len(arrays) == 1 else None


def build_operations(spec: dict[str, Any]) -> list[Operation]:
    translator = SchemaTranslator(spec)
    operations: list[Operation] = []
    for template, item in spec["paths"].items():
        shared_params = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            path_params: dict[str, Schema] = {}
            query_params: dict[str, Schema] = {}
            for param in [*shared_params, *op.get("parameters", [])]:
                if "$ref" in param:
                    param = translator._resolve(param["$ref"])
                schema = translator.standalone(param.get("schema", {}))
                if param["in"] == "path":
                    path_params[param["name"]] = schema
                elif param["in"] == "query":
                    query_params[param["name"]] = schema
            body = op.get("requestBody")
            if body is not None and "$ref" in body:
                body = translator._resolve(body["$ref"])
            content = (body or {}).get("content", {})
            json_schema = content.get("application/json", {}).get("schema")
            operations.append(Operation(
                method=method.upper(),
                template=template,
                operation_id=op.get("operationId", f"{method} {template}"),
                path_params=path_params,
                query_params=query_params,
                body_schema=translator.standalone(json_schema) if json_schema is not None else None,
                body_required=bool((body or {}).get("required")),
                body_content_types=tuple(content),
                list_key=_list_key(op, translator) if method == "get" else None,
            ))
    return operations


def _cache_file(spec_path: Path) -> Path:
    stat = spec_path.stat()
    key = f"{spec_path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{INDEX_FORMAT}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"ci-triage-openapi-index-{digest}.pickle"


def load_operations(spec_path: Path = SPEC_PATH) -> list[Operation]:
    """The operations of `spec_path`, from the pickle cache if it matches the file, else parsed and cached."""
    cache = _cache_file(spec_path)
    try:
        with cache.open("rb") as fh:
            cached: list[Operation] = pickle.load(fh)
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    spec = json.loads(spec_path.read_bytes())
    operations = build_operations(spec)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(operations, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, cache)
    return operations


class OpenAPIIndex:
    """Finds the operation of a request and validates its parameters and body."""

    def __init__(self, operations: list[Operation]) -> None:
        routes: dict[str, Route] = {}
        for op in operations:
            route = routes.get(op.template)
            if route is None:
                segments, names = _template_segments(op.template)
                greedy = bool(names) and segments[-1] is None and names[-1] in GREEDY_PARAMS
                route = routes[op.template] = Route(op.template, segments, names, greedy)
            route.methods[op.method] = op
        self.routes = routes
        self._validators: dict[int, jsonschema.Draft202012Validator] = {}
        self._by_length: dict[int, list[Route]] = {}
        for route in sorted(routes.values(), key=Route.literal_rank):
            self._by_length.setdefault(len(route.segments), []).append(route)
        self._greedy = [r for r in sorted(routes.values(), key=Route.literal_rank) if r.greedy]

    @classmethod
    @functools.cache
    def default(cls) -> OpenAPIIndex:
        return cls(load_operations())

    def __iter__(self) -> Iterator[Operation]:
        for route in self.routes.values():
            yield from route.methods.values()

    def operation(self, method: str, template: str) -> Operation | None:
        route = self.routes.get(template)
        return route.methods.get(method.upper()) if route else None

    def match(self, raw_path: str) -> Match | None:
        """The most specific route for a raw request path (literal segments win over parameters)."""
        parts = split_path(raw_path)
        for route in self._by_length.get(len(parts), ()):
            if all(lit is None or lit == part for lit, part in zip(route.segments, parts, strict=True)):
                values = [part for lit, part in zip(route.segments, parts, strict=True) if lit is None]
                if all(values):
                    return Match(route, dict(zip(route.names, values, strict=True)))
        for route in self._greedy:
            fixed = len(route.segments) - 1
            if len(parts) > fixed and all(
                lit is None or lit == part for lit, part in zip(route.segments[:fixed], parts, strict=False)
            ):
                pairs = zip(route.segments[:fixed], parts, strict=False)
                values = [part for lit, part in pairs if lit is None]
                values.append("/".join(parts[fixed:]))
                if all(values):
                    return Match(route, dict(zip(route.names, values, strict=True)))
        return None

    def _validator(self, schema: Schema) -> jsonschema.Draft202012Validator:
        # Schemas live as long as the index, so their id is a stable key.
        validator = self._validators.get(id(schema))
        if validator is None:
            validator = self._validators[id(schema)] = jsonschema.Draft202012Validator(schema)
        return validator

    def schema_errors(self, schema: Schema, value: Any) -> list[str]:
        validator = self._validator(schema)
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        return [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in errors]

    def param_errors(self, where: str, schema: Schema, name: str, raw: str) -> list[str]:
        """Check a path or query string value against its schema, coercing it like GitHub's server would."""
        value = _coerce(schema, raw)
        return [f"{where} parameter {name}={raw!r}: {e.split(': ', 1)[1]}"
                for e in self.schema_errors(schema, value)]


def _coerce(schema: Schema, raw: str) -> Any:
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else (kinds or [])
    if "integer" in kinds or "number" in kinds:
        try:
            return int(raw)
        except ValueError:
            try:
                return float(raw) if "number" in kinds else raw
            except ValueError:
                return raw
    if "boolean" in kinds and raw in ("true", "false"):
        return raw == "true"
    if "array" in kinds:
        return raw.split(",")
    return raw
