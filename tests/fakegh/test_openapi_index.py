"""The OpenAPI index: route matching, OpenAPI 3.0 -> JSON-schema translation, the pickle cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from tests.support.openapi_index import OpenAPIIndex, SchemaTranslator, build_operations, load_operations


@pytest.fixture(scope="module")
def index() -> OpenAPIIndex:
    return OpenAPIIndex.default()


@pytest.mark.parametrize(("path", "template", "params"), [
    # plain parameters
    ("/repos/o/r/actions/runs/5/jobs", "/repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
     {"owner": "o", "repo": "r", "run_id": "5"}),
    # a literal segment beats a parameter in the same position
    ("/repos/o/r/actions/runs", "/repos/{owner}/{repo}/actions/runs", {"owner": "o", "repo": "r"}),
    # trailing `path`/`ref` parameters span slashes
    ("/repos/o/r/contents/src/a/b.py", "/repos/{owner}/{repo}/contents/{path}",
     {"owner": "o", "repo": "r", "path": "src/a/b.py"}),
    ("/repos/o/r/git/ref/heads/feature/x", "/repos/{owner}/{repo}/git/ref/{ref}",
     {"owner": "o", "repo": "r", "ref": "heads/feature/x"}),
    # a percent-encoded slash stays inside its segment
    ("/repos/o/r/commits/heads%2Fmain/check-runs", "/repos/{owner}/{repo}/commits/{ref}/check-runs",
     {"owner": "o", "repo": "r", "ref": "heads/main"}),
])
def test_match(index: OpenAPIIndex, path: str, template: str, params: dict[str, str]) -> None:
    found = index.match(path)
    assert found is not None and (found.route.template, found.params) == (template, params)


@pytest.mark.parametrize("path", ["/nope", "/repos/o/r/actions/runz/5", "/repos/o/r/contents/", "/"])
def test_no_match(index: OpenAPIIndex, path: str) -> None:
    assert index.match(path) is None


def test_every_translated_schema_is_valid_json_schema(index: OpenAPIIndex) -> None:
    for op in index:
        for schema in [op.body_schema, *op.query_params.values(), *op.path_params.values()]:
            if schema is not None:
                jsonschema.Draft202012Validator.check_schema(schema)
                assert '"nullable"' not in json.dumps(schema), op.template


def test_translation_of_nullable_and_cyclic_refs() -> None:
    spec = {"components": {"schemas": {
        "node": {"type": "object", "properties": {
            "child": {"allOf": [{"$ref": "#/components/schemas/node"}], "nullable": True},
            "level": {"type": "string", "enum": ["a", "b"], "nullable": True},
            "example": {"type": "string", "example": {"nullable": True}},
        }},
    }}}
    schema = SchemaTranslator(spec).standalone({"$ref": "#/components/schemas/node"})
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"child": {"child": None, "level": None}, "level": "a"})
    assert not validator.is_valid({"level": "c"})
    assert not validator.is_valid({"child": {"level": 3}})


def test_index_is_cached_by_mtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = {"paths": {"/zen": {"get": {"operationId": "meta/get-zen"}}}, "components": {}}
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    first = load_operations(spec_file)
    assert [p.name for p in tmp_path.glob("ci-triage-openapi-index-*.pickle")]
    assert load_operations(spec_file) == first == build_operations(spec)
    spec["paths"]["/meta"] = {"get": {"operationId": "meta/get"}}
    spec_file.write_text(json.dumps(spec))
    os.utime(spec_file, ns=(1, 1))
    assert {op.operation_id for op in load_operations(spec_file)} == {"meta/get-zen", "meta/get"}
