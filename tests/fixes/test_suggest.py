"""suggest_fixes: history, rules and the LLM (a local OpenAI-compatible stub through the real openai client),
every proposal checked against the head commit's files before it is stored."""

from __future__ import annotations

import json

from gidgethub.httpx import GitHubAPI

from analysis.engine import analyze_text
from analysis.fixes.patch import unified_diff
from analysis.matching import Resolution
from githubapp.commands.service import handle_issue_comment
from githubapp.deps import Deps
from githubapp.fixes.suggest import FailedJob, PastFix, suggest_fixes
from storage import fixes as store
from tests.support.fake_github import FakeGitHub
from tests.support.git_model import GitModel

from .conftest import comment_payload
from .llm_stub import LLMStub
from .test_commands_service import approve_text

RUFF_LOG = "\n".join(
    [
        "2026-04-23T04:08:01.0000000Z ##[group]Run ruff format --check --diff .",
        "2026-04-23T04:08:02.0000000Z --- src/app.py",
        "2026-04-23T04:08:02.0000000Z +++ src/app.py",
        "2026-04-23T04:08:02.0000000Z @@ -1,3 +1,3 @@",
        "2026-04-23T04:08:02.0000000Z  import os",
        "2026-04-23T04:08:02.0000000Z -x=1",
        "2026-04-23T04:08:02.0000000Z +x = 1",
        "2026-04-23T04:08:02.0000000Z  y = 2",
        "2026-04-23T04:08:03.0000000Z 1 file would be reformatted",
        "2026-04-23T04:08:03.0000000Z ##[error]Process completed with exit code 1.",
    ]
)

TEST_LOG = "\n".join(
    [
        "Run pytest",
        "E   AssertionError: assert compute() == 3",
        "E   token=ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked in the log",
        "src/app.py:2: AssertionError",
        "FAILED tests/test_app.py::test_compute",
    ]
)


async def suggest(
    gh: GitHubAPI, deps: Deps, repo: GitModel, installation_id: int, log: str, **kwargs: object
) -> list[store.FixRow]:
    """suggest_fixes on the real extraction engine's analysis of ``log``."""
    return await suggest_fixes(
        gh,
        deps,
        installation_id=installation_id,
        repository_id=repo.repo_id,
        repo_full_name=repo.full_name,
        pr_number=repo.pr_number,
        head_sha=repo.head,
        jobs=[FailedJob(analyze_text(log), log, "lint")],
        **kwargs,  # type: ignore[arg-type]
    )


async def test_rule_fix_is_verified_stored_and_approvable_end_to_end(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    [fix] = await suggest(gh, deps, repo, installation_id, RUFF_LOG)
    assert (fix.source, fix.rule, fix.head_sha) == ("rule", "ruff-format", repo.head)
    assert fix.diff == unified_diff("import os\nx=1\ny = 2\n", "import os\nx = 1\ny = 2\n", "src/app.py")
    # Idempotent: the same run triaged again offers the same id.
    [again] = await suggest(gh, deps, repo, installation_id, RUFF_LOG)
    assert again.id == fix.id
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, approve_text(fix)))
    assert repo.files_at(repo.head)["src/app.py"] == "import os\nx = 1\ny = 2\n"
    # The next run on that commit passes: the fix is marked as having worked.
    assert await store.record_fix_outcomes(deps.pool, installation_id, repo.repo_id, repo.head, True) == 1
    [stats] = await store.fix_stats(deps.pool, installation_id)
    assert (stats.source, stats.approval_rate, stats.success_rate) == ("rule", 1.0, 1.0)


async def test_a_log_diff_that_no_longer_applies_is_not_offered(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    repo.commit({"src/app.py": "import os\nx = 1\ny = 2\n"}, message="already formatted")
    assert await suggest(gh, deps, repo, installation_id, RUFF_LOG) == []


async def test_failed_fixes_rank_lower_next_time(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    [fix] = await suggest(gh, deps, repo, installation_id, RUFF_LOG)
    await store.set_fix_status(deps.pool, installation_id, fix.id, status="applied", by="a", commit_sha="c" * 40)
    await store.record_fix_outcomes(deps.pool, installation_id, repo.repo_id, "c" * 40, False)
    repo.commit({"README.md": "x\n"})  # a new head: the same change is suggested again
    [again] = await suggest(gh, deps, repo, installation_id, RUFF_LOG)
    assert again.id != fix.id and again.score < fix.score / 2


async def test_history_fix_is_replayed_when_it_still_applies(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    patch = "@@ -1,3 +1,3 @@\n import os\n-x=1\n+x = 1\n y = 2"
    github.on(
        "GET",
        "/repos/octo/demo/commits/abc1234",
        json={
            "sha": "abc1234" + "0" * 33,
            "html_url": "https://github.com/octo/demo/commit/abc1234",
            "commit": {"message": "Format app.py\n\nbody"},
            "files": [{"filename": "src/app.py", "status": "modified", "patch": patch}],
        },
    )
    fixes = await suggest(
        gh,
        deps,
        repo,
        installation_id,
        TEST_LOG,
        past_fixes=[PastFix("fp-format", "abc1234", repo.full_name, "formatting")],
    )
    [fix] = fixes
    assert fix.source == "history" and fix.links == ("https://github.com/octo/demo/commit/abc1234",)
    assert "Format app.py" in fix.title


async def test_history_replays_several_commits_in_order(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    # Two commits fixed it last time, both touching src/app.py; the file has moved down by two lines since.
    repo.commit({"src/app.py": "# header\n\nimport os\nx=1\ny = 2\n"})
    first = {
        "sha": "c1",
        "parents": [{"sha": "p"}],
        "commit": {"message": "step 1"},
        "files": [
            {
                "filename": "src/app.py",
                "status": "modified",
                "patch": "@@ -1,3 +1,3 @@\n import os\n-x=1\n+x = 1\n y = 2",
            }
        ],
    }
    second = {
        "sha": "c2",
        "parents": [{"sha": "c1"}],
        "commit": {"message": "step 2"},
        "html_url": "https://github.com/octo/demo/commit/c2",
        "files": [
            {
                "filename": "src/app.py",
                "status": "modified",
                "patch": "@@ -1,3 +1,4 @@\n import os\n x = 1\n y = 2\n+z = 3",
            },
            {"filename": "CHANGELOG.md", "status": "added", "patch": "@@ -0,0 +1 @@\n+fixed"},
        ],
    }
    github.on("GET", "/repos/octo/demo/commits/c1", json=first)
    github.on("GET", "/repos/octo/demo/commits/c2", json=second)
    past = PastFix.from_resolution(
        Resolution(fixed_sha="c2", commits=("c1", "c2"), pr_number=12, changed_files=("src/app.py",)),
        fingerprint="fp",
        repo_full_name=repo.full_name,
    )
    [fix] = await suggest(gh, deps, repo, installation_id, TEST_LOG, past_fixes=[past])
    assert fix.source == "history" and "(in #12)" in fix.explanation and "step 2" in fix.title
    assert fix.diff == unified_diff(
        "# header\n\nimport os\nx=1\ny = 2\n", "# header\n\nimport os\nx = 1\ny = 2\nz = 3\n", "src/app.py"
    ) + unified_diff(None, "fixed\n", "CHANGELOG.md")


async def test_history_skips_merge_commits_and_fixes_already_in_the_branch(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    github.on(
        "GET",
        "/repos/octo/demo/commits/m1",
        json={
            "sha": "m1",
            "parents": [{"sha": "a"}, {"sha": "b"}],
            "commit": {"message": "Merge main"},
            "files": [
                {"filename": "src/app.py", "status": "modified", "patch": "@@ -1 +1 @@\n-import os\n+import sys"}
            ],
        },
    )
    github.on(
        "GET",
        "/repos/octo/demo/commits/r1",
        json={
            "sha": "r1",
            "parents": [{"sha": "a"}],
            "commit": {"message": "revert"},
            "files": [
                {"filename": "src/app.py", "status": "modified", "patch": "@@ -1 +1 @@\n-import sys\n+import os"}
            ],
        },
    )
    fixes = await suggest(
        gh,
        deps,
        repo,
        installation_id,
        TEST_LOG,
        past_fixes=[PastFix("fp", "m1", repo.full_name), PastFix("fp", "r1", repo.full_name)],
    )
    assert fixes == []


async def test_llm_fix_through_the_openai_client_with_secrets_redacted(
    gh: GitHubAPI,
    llm_deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
    llm_stub: LLMStub,
) -> None:
    diff = unified_diff("import os\nx=1\ny = 2\n", "import os\nx=3\ny = 2\n", "src/app.py")
    llm_stub.answers.append({"explanation": "compute() reads x; it must be 3.", "confidence": 0.9, "diff": diff})
    [fix] = await suggest(gh, llm_deps, repo, installation_id, TEST_LOG)
    assert (fix.source, fix.rule) == ("llm", "llm") and fix.confidence <= 0.8
    [request] = llm_stub.requests
    body = request["body"]
    assert body["model"] == "stub-model" and body["max_tokens"] == 1500
    assert body["response_format"]["type"] == "json_schema"
    assert set(body["response_format"]["json_schema"]["schema"]["required"]) == {"explanation", "confidence", "diff"}
    sent = json.dumps(body["messages"])
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in sent and "[redacted]" in sent
    assert "File `src/app.py`" in sent  # the failing file, fetched at the head commit


async def test_llm_diffs_that_escape_or_touch_workflows_are_never_stored(
    gh: GitHubAPI,
    llm_deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
    llm_stub: LLMStub,
) -> None:
    for path in ("../../etc/passwd", "/etc/passwd", ".github/workflows/ci.yml"):
        llm_stub.answers.append(
            {"explanation": "x", "confidence": 0.9, "diff": f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-a\n+b\n"}
        )
        assert await suggest(gh, llm_deps, repo, installation_id, TEST_LOG) == []
    fetched = [c.params["path"] for c in github.calls_to("GET", "/repos/{owner}/{repo}/contents/{path}")]
    assert fetched and all(".." not in p and not p.startswith(("/", ".github")) for p in fetched)


async def test_llm_failures_and_malformed_answers_leave_rules_working(
    gh: GitHubAPI,
    llm_deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
    llm_stub: LLMStub,
) -> None:
    llm_stub.answers.append("this is not json")
    assert await suggest(gh, llm_deps, repo, installation_id, TEST_LOG) == []
    llm_stub.status = 500
    assert await suggest(gh, llm_deps, repo, installation_id, TEST_LOG) == []


async def test_explain_uses_the_stored_context_and_the_model(
    gh: GitHubAPI,
    llm_deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
    llm_stub: LLMStub,
) -> None:
    await suggest(gh, llm_deps, repo, installation_id, TEST_LOG)
    llm_stub.answers.append("The assertion compares compute() with 3; x is 1.")
    await handle_issue_comment(gh, llm_deps, comment_payload(repo, installation_id, "/triage explain 1"))
    reply = github.issue_comments(repo.owner, repo.repo, repo.pr_number)[-1]["body"]
    assert "The assertion compares compute() with 3" in reply
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in reply  # redacted when stored
    explain_request = llm_stub.requests[-1]["body"]
    assert "response_format" not in explain_request


async def test_explain_without_a_model_is_deterministic(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, "/triage explain"))
    assert "no triaged failure" in github.issue_comments(repo.owner, repo.repo, repo.pr_number)[-1]["body"]
    await suggest(gh, deps, repo, installation_id, RUFF_LOG + "\n" + TEST_LOG)
    await handle_issue_comment(gh, deps, comment_payload(repo, installation_id, "/triage explain test_compute"))
    reply = github.issue_comments(repo.owner, repo.repo, repo.pr_number)[-1]["body"]
    assert "from `pytest`" in reply and "tests/test_app.py::test_compute" in reply
    assert "Suggested: `" in reply and "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in reply


async def test_history_service_resolution_becomes_a_replayed_fix(
    gh: GitHubAPI,
    deps: Deps,
    github: FakeGitHub,
    repo: GitModel,
    installation_id: int,
) -> None:
    """The real HistoryService: a failure fixed on PR 12 by commit c9 is offered again when it recurs."""
    from githubapp.history import service as history

    await history.install(deps)
    service = history.history_of(deps)
    failures = list(analyze_text(TEST_LOG).failures)
    await service.record_failures(
        installation_id, repo.repo_id, failures, history.RunContext(run_id=1, job_id=1, head_sha="bad1", pr_number=12)
    )
    await service.record_resolution(
        installation_id,
        repo.repo_id,
        fixed_sha="c9",
        pr_number=12,
        commits=["c9"],
        changed_files=["src/app.py"],
        run_id=2,
    )
    [match] = await service.record_failures(
        installation_id, repo.repo_id, failures, history.RunContext(run_id=3, job_id=3, head_sha=repo.head, pr_number=7)
    )
    assert match.resolution is not None
    github.on(
        "GET",
        "/repos/octo/demo/commits/c9",
        json={
            "sha": "c9",
            "parents": [{"sha": "c8"}],
            "commit": {"message": "Make compute() return 3"},
            "html_url": "https://github.com/octo/demo/commit/c9",
            "files": [
                {
                    "filename": "src/app.py",
                    "status": "modified",
                    "patch": "@@ -1,3 +1,3 @@\n import os\n-x=1\n+x=3\n y = 2",
                }
            ],
        },
    )
    past = PastFix.from_resolution(match.resolution, fingerprint=match.fingerprint, repo_full_name=repo.full_name)
    [fix] = await suggest(gh, deps, repo, installation_id, TEST_LOG, past_fixes=[past])
    assert fix.source == "history" and fix.links == ("https://github.com/octo/demo/commit/c9",)
    assert "x=3" in fix.diff and "(in #12)" in fix.explanation
