"""Fixtures of the fixes tests: a GitHub client against the fake, a Git model, deps, the LLM stub."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from gidgethub.httpx import GitHubAPI

from githubapp.deps import Deps, Services
from githubapp.fixes.llm import OpenAIFixModel
from tests.support.fake_github import FakeGitHub
from tests.support.git_model import GitModel
from tests.support.payloads import load_payload

from .llm_stub import LLMStub

_installations = itertools.count(70_000)
_comment_ids = itertools.count(5_000_000)


@pytest.fixture
async def gh(github: FakeGitHub) -> AsyncIterator[GitHubAPI]:
    async with httpx.AsyncClient() as client:
        yield GitHubAPI(client, "ci-triage-tests", oauth_token="ghs_testtoken", base_url=github.url)


@pytest.fixture
def installation_id() -> int:
    return next(_installations)


@pytest.fixture
def repo(github: FakeGitHub, installation_id: int) -> GitModel:
    model = GitModel(
        github,
        repo_id=installation_id * 10,
        permissions={
            "alice": ("write", "write"),
            "maya": ("write", "maintain"),
            "root": ("admin", "admin"),
            "eve": ("read", "triage"),
        },
    )
    model.commit(
        {
            "src/app.py": "import os\nx=1\ny = 2\n",
            "scripts/run.sh": "#!/bin/sh\necho hi\n",
            "requirements.txt": "requests\n",
        },
        modes={"scripts/run.sh": "100755"},
        message="initial",
    )
    return model.serve()


@pytest.fixture(scope="session")
def llm_stub() -> Iterator[LLMStub]:
    stub = LLMStub().start()
    yield stub
    stub.stop()


@pytest.fixture
async def deps(session_deps: Deps) -> AsyncIterator[Deps]:
    """The session's real pool and Redis, with this test's own services."""
    yield replace(session_deps, services=Services())


@pytest.fixture
async def llm_deps(deps: Deps, llm_stub: LLMStub) -> AsyncIterator[Deps]:
    llm_stub.reset()
    model = OpenAIFixModel(base_url=llm_stub.base_url, api_key="sk-test-key-not-secret", model="stub-model")
    deps.services.fix_model = model
    yield deps
    await model.close()


def comment_payload(
    repo: GitModel,
    installation_id: int,
    body: str,
    *,
    login: str = "alice",
    user_type: str = "User",
    comment_id: int | None = None,
    action: str = "created",
) -> dict[str, Any]:
    payload = load_payload("issue_comment", "created.on-pull-request.flutter-cocoon")
    payload["action"] = action
    payload["installation"] = {"id": installation_id, "node_id": "I"}
    payload["repository"].update(id=repo.repo_id, full_name=repo.full_name, name=repo.repo)
    payload["repository"]["owner"]["login"] = repo.owner
    payload["issue"]["number"] = repo.pr_number
    payload["comment"].update(id=comment_id or next(_comment_ids), body=body)
    payload["comment"]["user"].update(login=login, type=user_type)
    payload["sender"].update(login=login, type=user_type)
    return payload
