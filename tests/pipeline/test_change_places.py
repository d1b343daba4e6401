"""A test failure whose log cannot tell its faults apart, told apart by where each pull request's change touched the
code: the PR's files (``GET /pulls/{n}/files`` with their patches) and the source at its head, through the fake
GitHub; a PR whose files GitHub cannot list is triaged all the same."""

from __future__ import annotations

import difflib
from typing import Any

from githubapp.deps import Deps
from githubapp.pipeline.jobs import triage_run
from githubapp.pipeline.triggers import RunRef
from tests.support.fake_github import FakeGitHub
from tests.unit.analysis.test_change_loci import COUPON_GO

from .gha import job_log
from .test_end_to_end import OWNER, REPO, serve_repository, serve_run
from .test_triage import ctx, ref

PATH = "invoice/coupon.go"
TEST = "TestApplyCouponRejectsUnknownCode"
ACCEPTED = COUPON_GO.replace("return Coupon{}, ErrUnknownCoupon", "return Coupon{}, nil")  # in lookup
SWALLOWED = COUPON_GO.replace("\t\treturn err\n", "\t\treturn nil\n")  # in Invoice.ApplyCoupon


def go_test_log() -> bytes:
    return job_log(
        (
            f"=== RUN   {TEST}",
            "    invoice_test.go:41: expected error, got nil",
            f"--- FAIL: {TEST} (0.00s)",
            "FAIL",
            "FAIL\texample.com/invoice\t0.004s",
            "FAIL",
        )
    )


def patch(old: str, new: str) -> str:
    """A file's ``patch`` as GET /pulls/{n}/files gives it: the hunks, without the file headers."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3)
    return "\n".join(line for line in lines if not line.startswith(("---", "+++")))


async def triage_pr(deps: Deps, github: FakeGitHub, r: RunRef, text: str, *, files_fail: bool = False) -> int:
    [pr] = r.pr_numbers
    github.files(OWNER, REPO, r.head_sha, {PATH: text, "invoice/invoice_test.go": "package invoice\n"})
    listing = f"/repos/{OWNER}/{REPO}/pulls/{pr}/files"
    entry = {"sha": "c" * 40, "filename": PATH, "status": "modified", "additions": 1, "deletions": 1, "changes": 2}
    github.paginate(listing, [{**entry, "patch": patch(COUPON_GO, text)}])
    if files_fail:
        github.fail_next("GET", listing, status=502, times=20)
    serve_run(github, r.run_id, go_test_log())
    assert await triage_run(ctx(deps), r.as_job_arg()) == "failure"
    [row] = await recorded(deps, r)
    return int(row["pattern_id"])


async def recorded(deps: Deps, r: RunRef) -> list[dict[str, Any]]:
    async with deps.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT pattern_id, test_id FROM failures WHERE installation_id = $1 AND run_id = $2",
            r.installation_id,
            r.run_id,
        )
    return [dict(row) for row in rows]


async def test_two_pull_requests_breaking_one_test_in_two_functions_are_two_faults(
    deps: Deps, github: FakeGitHub
) -> None:
    serve_repository(github)
    installation = ref().installation_id
    accepted, swallowed, again = (ref(installation_id=installation, pr_numbers=(n,)) for n in (31, 32, 33))
    first = await triage_pr(deps, github, accepted, ACCEPTED)
    other = await triage_pr(deps, github, swallowed, SWALLOWED)
    assert other != first  # the same test and words; the change was in another function
    body = github.issue_comments(OWNER, REPO, 32)[0]["body"]  # shown, never claimed
    assert "Not seen before: this test failed the same way in [run #7](" in body and "on [PR #31](" in body
    assert f"after a change to other code ({PATH}#lookup); this change touched other code." in body
    assert await triage_pr(deps, github, again, ACCEPTED) == first  # the same fault in a third PR: seen before
    async with deps.pool.acquire() as conn:
        places = await conn.fetchval(
            "SELECT change_loci FROM patterns WHERE installation_id = $1 AND id = $2", installation, first
        )
    assert places == [f"{PATH}#lookup"]
    listed = {c.path for c in github.calls_to("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files")}
    assert {f"/repos/{OWNER}/{REPO}/pulls/{n}/files" for n in (31, 32, 33)} <= listed


async def test_a_pull_request_whose_files_cannot_be_listed_is_triaged_without_its_places(
    deps: Deps, github: FakeGitHub
) -> None:
    serve_repository(github)
    installation = ref().installation_id
    accepted, swallowed = (ref(installation_id=installation, pr_numbers=(n,)) for n in (41, 42))
    first = await triage_pr(deps, github, accepted, ACCEPTED)
    # GitHub fails the listing: no places known, so the log alone decides (the same test and words: joined)
    assert await triage_pr(deps, github, swallowed, SWALLOWED, files_fail=True) == first
