"""Every GitHub REST call in the landed code names a documented operation, with documented query params."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.openapi_index import OpenAPIIndex
from tests.support.services import REPO_ROOT

CALL = re.compile(
    r"\b(getitem|getiter|getstatus|post|patch|put|delete|download|open_download)\(\s*f?\"(/[^\"]+)\"", re.S
)
METHOD = {"getitem": "GET", "getiter": "GET", "getstatus": "GET", "download": "GET", "open_download": "GET",
          "post": "POST", "patch": "PATCH", "put": "PUT", "delete": "DELETE"}
URI_QUERY = re.compile(r"\{\?([A-Za-z_,]+)\}")  # RFC 6570 form-style query expansion: {?per_page,page}


def calls() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((REPO_ROOT / "githubapp").rglob("*.py")) + sorted((REPO_ROOT / "snapshot").rglob("*.py")):
        rel = str(path.relative_to(REPO_ROOT))
        text = path.read_text()
        for name, url in CALL.findall(text):
            found.append((rel, METHOD[name], url))
        # templates passed on a line of their own (multi-line calls): "POST" by the call before them
        for match in re.finditer(r"\b(getitem|getiter|post|patch|put|delete)\(\s*\n\s*\"(/[^\"]+)\"", text):
            found.append((rel, METHOD[match.group(1)], match.group(2)))
    return sorted(set(found))


def test_every_call_is_a_documented_operation() -> None:
    index = OpenAPIIndex.default()
    found = calls()
    assert len(found) >= 4
    problems = []
    for rel, method, url in found:
        expanded = [name for group in URI_QUERY.findall(url) for name in group.split(",")]
        template, _, query = URI_QUERY.sub("", url).partition("?")
        operation = index.operation(method, template)
        if operation is None:
            problems.append(f"{rel}: {method} {template} is not in the OpenAPI description")
            continue
        documented = set(operation.query_params)
        for name in [*re.findall(r"([A-Za-z_]+)=", query), *expanded]:
            if name not in documented:
                problems.append(f"{rel}: {method} {template}: query parameter {name} is not documented")
    assert not problems, "\n".join(problems)


def test_client_sends_the_api_version_and_json_accept() -> None:
    text = (REPO_ROOT / "githubapp/github/client.py").read_text()
    assert 'API_VERSION = "2022-11-28"' in text and 'setdefault("x-github-api-version", API_VERSION)' in text
    assert "application/vnd.github+json" in Path(REPO_ROOT / "githubapp/github/client.py").read_text()
