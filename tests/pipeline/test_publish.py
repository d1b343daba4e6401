"""Check run and sticky comment writes against the fake GitHub (validated against GitHub's OpenAPI)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import count

import asyncpg
import httpx
import pytest
from gidgethub.httpx import GitHubAPI

from githubapp.pipeline.publish import complete_check_run, start_check_run, upsert_comment
from githubapp.pipeline.triggers import RunRef
from githubapp.report.check_run import check_run_output
from githubapp.report.comment import MARKER
from tests.support.fake_github import FakeGitHub
from tests.support.report_factories import report, triaged

_ids = count(7_000_000)


def ref(**changes: object) -> RunRef:
    base = dict(
        installation_id=next(_ids),
        repository_id=99,
        repo="octo-org/hello-world",
        default_branch="main",
        run_id=500,
        attempt=1,
        head_sha="a" * 40,
        workflow_name="CI",
        pr_numbers=(2,),
    )
    base.update(changes)
    return RunRef(**base)  # type: ignore[arg-type]


@pytest.fixture
async def gh(github: FakeGitHub) -> AsyncIterator[GitHubAPI]:
    async with httpx.AsyncClient() as client:
        yield GitHubAPI(client, "ci-triage-tests", oauth_token="ghs_test", base_url=github.url)


async def test_check_run_lifecycle_and_annotation_batches(github: FakeGitHub, gh: GitHubAPI) -> None:
    r = ref()
    check_id = await start_check_run(gh, r, None)
    stored = github.check_runs_for("octo-org", "hello-world", r.head_sha)
    assert [(c["name"], c["status"]) for c in stored] == [("CI Triage", "in_progress")]
    out = check_run_output(report(*[triaged(i, line=i) for i in range(1, 121)]), max_annotations=120)
    await complete_check_run(gh, r, check_id, out)
    done = github.check_runs_for("octo-org", "hello-world", r.head_sha)[0]
    assert done["conclusion"] == "failure" and done["output"]["title"] == "120 failures caused by this pull request"
    patches = github.calls_to("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}")
    assert [len(p.json["output"].get("annotations", [])) for p in patches] == [50, 50, 20]
    assert len(github.annotations[check_id]) == 120
    # Triage again (same run, same attempt): the same check run is reused.
    assert await start_check_run(gh, r, check_id) == check_id
    assert len(github.check_runs_for("octo-org", "hello-world", r.head_sha)) == 1


async def test_a_deleted_check_run_is_recreated(github: FakeGitHub, gh: GitHubAPI) -> None:
    github.on(
        "PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", json={"message": "Not Found"}, status=404, times=1
    )
    new_id = await start_check_run(gh, ref(), 123456)
    assert new_id != 123456
    github.take_violations()  # the 404 for an unknown id is what we provoked


async def test_comment_is_created_once_then_edited(github: FakeGitHub, gh: GitHubAPI, pool: asyncpg.Pool) -> None:
    r = ref()
    github.add_comment("octo-org", "hello-world", 2, "quoting " + MARKER, login="mallory")
    first = await upsert_comment(
        gh, pool, r, 2, MARKER + "\none", status="failing", create=True, bot_login="ci-triage[bot]"
    )
    second = await upsert_comment(
        gh,
        pool,
        ref(installation_id=r.installation_id, run_id=501),
        2,
        MARKER + "\ntwo",
        status="failing",
        create=True,
        bot_login="ci-triage[bot]",
    )
    assert first == second
    bodies = [c["body"] for c in github.issue_comments("octo-org", "hello-world", 2)]
    assert bodies == ["quoting " + MARKER, MARKER + "\ntwo"]


async def test_comment_found_by_marker_when_the_database_forgot(
    github: FakeGitHub, gh: GitHubAPI, pool: asyncpg.Pool
) -> None:
    for i in range(120):  # the marker is on the second page
        github.add_comment("octo-org", "hello-world", 2, f"chatter {i}", login="someone")
    r = ref()
    first = await upsert_comment(
        gh, pool, r, 2, MARKER + "\none", status="failing", create=True, bot_login="ci-triage[bot]"
    )
    other_db = ref(run_id=501)  # another installation id: no row for this PR
    again = await upsert_comment(
        gh, pool, other_db, 2, MARKER + "\ntwo", status="failing", create=True, bot_login="ci-triage[bot]"
    )
    assert again == first
    assert sum(MARKER in c["body"] for c in github.issue_comments("octo-org", "hello-world", 2)) == 1


async def test_deleted_comment_is_posted_again(github: FakeGitHub, gh: GitHubAPI, pool: asyncpg.Pool) -> None:
    r = ref()
    first = await upsert_comment(gh, pool, r, 2, MARKER + "\none", status="failing", create=True, bot_login=None)
    assert first is not None
    await gh.delete("/repos/octo-org/hello-world/issues/comments/{id}", url_vars={"id": str(first)})
    second = await upsert_comment(
        gh,
        pool,
        ref(installation_id=r.installation_id, attempt=2),
        2,
        MARKER + "\n2",
        status="failing",
        create=True,
        bot_login=None,
    )
    assert second is not None and second != first
    github.take_violations()  # the PATCH of the deleted comment answered 404, as GitHub does


async def test_an_older_attempt_never_overwrites_a_newer_one(
    github: FakeGitHub, gh: GitHubAPI, pool: asyncpg.Pool
) -> None:
    newer = ref(attempt=2)
    await upsert_comment(gh, pool, newer, 2, MARKER + "\nattempt 2", status="failing", create=True, bot_login=None)
    older = ref(installation_id=newer.installation_id, attempt=1)
    assert (
        await upsert_comment(gh, pool, older, 2, MARKER + "\nattempt 1", status="failing", create=True, bot_login=None)
        is None
    )
    assert [c["body"] for c in github.issue_comments("octo-org", "hello-world", 2)] == [MARKER + "\nattempt 2"]


async def test_no_comment_is_created_when_not_wanted(github: FakeGitHub, gh: GitHubAPI, pool: asyncpg.Pool) -> None:
    assert await upsert_comment(gh, pool, ref(), 2, MARKER, status="failing", create=False, bot_login=None) is None
    assert github.issue_comments("octo-org", "hello-world", 2) == []
