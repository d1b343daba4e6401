"""The vendored GitHub descriptions (tests/data/github): the trimmed OpenAPI description holds exactly the listed
operations with everything they reference, the fake refuses every other operation, and the webhook examples
are the ones the vendoring script writes."""

from __future__ import annotations

import importlib.util
import json
import sys
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.support.fake_github import FakeGitHub
from tests.support.openapi_index import SPEC_PATH, OpenAPIIndex
from tests.support.payloads import EXAMPLES, EXTRA
from tests.support.services import GITHUB_DATA, REPO_ROOT


def vendor_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor_github", REPO_ROOT / "scripts" / "vendor_github.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("vendor_github", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return data


def test_trimmed_description_has_exactly_the_listed_operations(spec: dict[str, Any]) -> None:
    listed = set(vendor_script().read_operations(GITHUB_DATA / "openapi" / "operations.txt"))
    present = {(method, template) for template, item in spec["paths"].items()
               for method in item if method in ("get", "put", "post", "patch", "delete")}
    assert present == listed
    assert len(listed) >= 30
    assert SPEC_PATH.stat().st_size < 2_000_000  # a few hundred KB, not 13 MB


def test_every_reference_resolves(spec: dict[str, Any]) -> None:
    script = vendor_script()
    refs = script._refs(spec)
    assert refs, "the operations reference components"
    missing = []
    for ref in refs:
        try:
            script._component(spec, ref)
        except KeyError:
            missing.append(ref)
    assert missing == []


def test_trim_keeps_what_is_reached_transitively_and_nothing_else() -> None:
    full = {
        "openapi": "3.0.3", "info": {"title": "t"}, "tags": [{"name": "a"}, {"name": "b"}], "x-webhooks": {},
        "paths": {
            "/a/{id}": {"parameters": [{"$ref": "#/components/parameters/id"}],
                        "get": {"tags": ["a"], "responses": {"200": {"$ref": "#/components/responses/ok"}}},
                        "delete": {"tags": ["b"], "responses": {"204": {"$ref": "#/components/responses/gone"}}}},
            "/b": {"get": {"tags": ["b"], "responses": {}}},
        },
        "components": {
            "parameters": {"id": {"name": "id", "in": "path", "schema": {"$ref": "#/components/schemas/id"}}},
            "responses": {"ok": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/thing"}}}},
                          "gone": {"description": "x"}},
            "schemas": {"id": {"type": "integer"},
                        "thing": {"properties": {"child": {"$ref": "#/components/schemas/child"}}},
                        "child": {"properties": {"up": {"$ref": "#/components/schemas/thing"}}},  # a cycle
                        "unused": {"type": "string"}},
        },
    }
    trimmed = vendor_script().trim(full, [("get", "/a/{id}")])
    assert list(trimmed["paths"]) == ["/a/{id}"]
    assert set(trimmed["paths"]["/a/{id}"]) == {"parameters", "get"}
    assert trimmed["components"] == {
        "parameters": full["components"]["parameters"], "responses": {"ok": full["components"]["responses"]["ok"]},
        "schemas": {k: full["components"]["schemas"][k] for k in ("id", "thing", "child")},
    }
    assert trimmed["tags"] == [{"name": "a"}] and "x-webhooks" not in trimmed
    with pytest.raises(SystemExit):
        vendor_script().trim(full, [("post", "/b")])


def test_the_fake_refuses_an_operation_left_out(github: FakeGitHub) -> None:
    # A real GitHub operation the app does not use: not in the trimmed description, so refused and flagged.
    assert OpenAPIIndex.default().match("/repos/o/r/releases") is None
    response = httpx.get(f"{github.url}/repos/o/r/releases", headers={"Authorization": "token ghs_x"})
    assert response.status_code == 404
    assert github.take_violations() == ["GET /repos/o/r/releases: no such path in GitHub's OpenAPI description"]
    with pytest.raises(ValueError, match="not an operation"):
        github.on("GET", "/repos/{owner}/{repo}/releases", json=[])


def test_examples_are_the_ones_the_script_names() -> None:
    names = vendor_script().EXAMPLE_FILES
    on_disk = {(d.name, f.name) for d in EXAMPLES.iterdir() if d.is_dir() for f in d.iterdir()}
    assert on_disk == {(event, name) for event, files in names.items() for name in files if name}
    derived = json.loads(next(EXTRA.glob("workflow_run.completed.failure.DERIVED-*.json")).read_text())
    source = json.loads((EXAMPLES / "workflow_run" / "completed.with-pull-requests.payload.json").read_text())
    assert derived["workflow_run"].pop("conclusion") == "failure"
    source["workflow_run"].pop("conclusion")
    assert derived == source
