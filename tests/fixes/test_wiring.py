"""The router entries, service registration and the quarantine helper the pipeline uses."""

from __future__ import annotations

from dataclasses import replace

from gidgethub.httpx import GitHubAPI
from gidgethub.sansio import Event

from analysis.quarantine import is_quarantined, split_quarantined
from analysis.types import Failure, FailureKind
from githubapp.deps import Deps, Services
from githubapp.fixes.llm import OpenAIFixModel, install_fix_model
from githubapp.handlers.comments import router
from storage import fixes as store
from tests.support.fake_github import FakeGitHub
from tests.support.git_model import GitModel

from .conftest import comment_payload


async def test_router_dispatches_comment_commands(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    payload = comment_payload(repo, installation_id, "/triage quarantine tests/test_a.py::test_flaky --days 2")
    await router.dispatch(Event(payload, event="issue_comment", delivery_id="del-1"), gh, deps=deps)
    [q] = await store.active_quarantines(deps.pool, installation_id, repo.repo_id)
    # The pipeline's next report: the quarantined test's failure no longer counts.
    failures = [
        Failure(FailureKind.TEST, "pytest", "boom", test_id="tests/test_a.py::test_flaky"),
        Failure(FailureKind.TEST, "pytest", "real", test_id="tests/test_a.py::test_real"),
    ]
    counted, muted = split_quarantined(failures, [q.test_id])
    assert [f.message for f in counted] == ["real"] and [f.message for f in muted] == ["boom"]


def test_quarantine_patterns() -> None:
    assert is_quarantined("tests/test_slow.py::test_x", ["tests/test_slow.py::*"])
    assert not is_quarantined("tests/test_fast.py::test_x", ["tests/test_slow.py::*"])
    assert not is_quarantined(None, ["*"])


async def test_fix_model_is_installed_only_when_configured(deps: Deps) -> None:
    await install_fix_model(deps)
    assert deps.services.fix_model is None
    settings = replace(deps.settings, openai_base_url="http://127.0.0.1:9/v1", llm_model="m")
    configured = replace(deps, settings=settings, services=Services())
    await install_fix_model(configured)
    model = configured.services.fix_model
    assert isinstance(model, OpenAIFixModel) and model.close in configured.services.closers
    await model.close()
