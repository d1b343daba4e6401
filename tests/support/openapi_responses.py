"""GitHub's OpenAPI description as a check on what the fake GitHub *answers*: a canned object is validated
against the operation's documented response schema, so a test cannot lean on a field GitHub never sends.

The request index (`openapi_index`) keeps no response schemas; this reads the description once per session
(about 0.6 s) when a test asks.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema

from .openapi_index import SPEC_PATH, SchemaTranslator


@functools.cache
def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_bytes())
    return loaded


@functools.cache
def _validator(method: str, template: str, status: str) -> jsonschema.Draft202012Validator:
    spec = _spec()
    translator = SchemaTranslator(spec)
    op = spec["paths"][template][method.lower()]
    response = op["responses"][status]
    if "$ref" in response:
        response = translator._resolve(response["$ref"])
    schema = response["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator(translator.standalone(schema))


def response_errors(method: str, template: str, value: Any, *, status: int = 200) -> list[str]:
    """Why ``value`` is not a valid ``status`` answer of ``method template`` (empty: it is)."""
    validator = _validator(method.upper(), template, str(status))
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator.iter_errors(value)
    ][:10]


def assert_valid_response(method: str, template: str, value: Any, *, status: int = 200) -> None:
    problems = response_errors(method, template, value, status=status)
    assert not problems, f"{method} {template} answer is not what GitHub documents: {problems}"
