"""Fixtures shared by the pipeline's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from githubapp.deps import Deps
from githubapp.runtime import open_deps
from tests.support.fake_github import FakeGitHub


@pytest.fixture
async def deps(github: FakeGitHub, settings_for) -> AsyncIterator[Deps]:  # type: ignore[no-untyped-def]
    """The process's own deps (pool, queue, every service) with GitHub at the fake."""
    settings = settings_for(github_api_url=github.url, github_app_slug="ci-triage")
    async with open_deps(settings, run_migrations=False) as opened:
        yield opened
