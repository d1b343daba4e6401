"""The sticky PR comment: marker, sections, noise budget, size limit, passing rendering."""

from __future__ import annotations

from markdown_it import MarkdownIt

from analysis.fixes.verify import short_hash
from githubapp.report.comment import (
    COMMENT_MAX,
    MARKER,
    CommentPolicy,
    find_sticky,
    parse_state,
    passing_comment,
    should_comment,
    sticky_comment,
)
from githubapp.report.model import (
    PassingReport,
    RecommendedTest,
    Resolution,
    SuggestedFix,
    TriagedFailure,
    Verdict,
)
from tests.support.report_factories import RUN, history, report, triaged

render = MarkdownIt("commonmark", {"html": True}).enable("table").render


def test_marker_and_state_are_hidden_and_parseable() -> None:
    body = sticky_comment(report(triaged(1)))
    assert body.startswith(MARKER)
    state = parse_state(body)
    assert state is not None and (state.run_id, state.attempt, state.status) == (RUN.run_id, 1, "failing")
    assert "ci-triage:sticky" not in render(body).replace("<!-- ci-triage:sticky -->", "")


def test_find_sticky_only_accepts_our_own_comment() -> None:
    comments = [
        {"id": 1, "body": "quoting " + MARKER, "user": {"login": "mallory", "type": "User"}},
        {"id": 2, "body": "unrelated", "user": {"login": "ci-triage[bot]", "type": "Bot"}},
        {"id": 3, "body": MARKER + "\nreport", "user": {"login": "ci-triage[bot]", "type": "Bot"}},
        {"id": 4, "body": MARKER + "\nlater", "user": {"login": "ci-triage[bot]", "type": "Bot"}},
    ]
    assert find_sticky(comments, bot_login="ci-triage[bot]")["id"] == 3  # type: ignore[index]
    assert find_sticky(comments)["id"] == 3  # type: ignore[index]
    assert find_sticky(comments[:2], bot_login="ci-triage[bot]") is None


def test_sections_render_when_data_is_present() -> None:
    known = TriagedFailure(
        triaged(2).failure,
        Verdict.PRE_EXISTING,
        history(4, resolution=Resolution(commit_sha="abcdef1234", pr_number=9, changed_files=("src/a.py",))),
        job_name="test",
    )
    body = sticky_comment(
        report(
            triaged(1, Verdict.NEW, excerpt=("line one", "line two")),
            known,
            triaged(3, Verdict.FLAKY),
            recommended_tests=(RecommendedTest("tests/test_app.py::test_case_1", "changed src/app.py", 0.8),),
            risk_level="high",
            fixes=(SuggestedFix(id="fx12", title="Bump timeout", confidence=0.7, diff="-a\n+b", source="rule"),),
            snapshot_markdown="### 📸 Preview snapshot\n\n![screenshot](https://example.test/s.png)",
        )
    )
    for heading in (
        "### 🆕 `new`: caused by this pull request (1)",
        "### 🧱 `pre-existing`: failing on the base branch too (1)",
        "### 🎲 `flaky`: failed and passed on the same code (1)",
        "### 🔁 Seen before",
        "### 📸 Preview snapshot",
        "### 🧪 Recommended tests (risk: high)",
        "### 🛠️ Suggested fixes",
    ):
        assert heading in body
    digest = short_hash("-a\n+b")
    assert f"`/triage approve fx12 {digest}`" in body  # the command names the diff shown
    assert (
        "| same signature | [run #540](https://github.com/octo-org/hello-world/actions/runs/30433001) on "
        "[PR #1](https://github.com/octo-org/hello-world/pull/1) 2026-02-03 | 4 | #9 `abcdef1` changed `src/a.py` |"
    ) in body
    # new first, then pre-existing, then flaky
    assert body.index("`new`") < body.index("`pre-existing`") < body.index("`flaky`:")
    html = render(body)
    assert html.count("<details>") == html.count("</details>") == 2  # excerpt + diff


def test_optional_sections_are_absent_without_data() -> None:
    body = sticky_comment(report(triaged(1)))
    for heading in ("Seen before", "Flaky", "Recommended tests", "Suggested fixes", "snapshot"):
        assert heading not in body


def test_hostile_log_content_stays_in_its_fence() -> None:
    excerpt = ("````", "</details>", "<img src=x onerror=alert(1)>", "@octocat please look", "```")
    body = sticky_comment(report(triaged(1, excerpt=excerpt, message="@admin <b>boom</b>")))
    html = render(body)
    assert "<img" not in html and "<b>" not in html
    assert html.count("</details>") == 1
    # Outside code, mentions are neutralised; inside code GitHub does not link them.
    assert "@admin" not in body.replace("`@admin", "")


def test_noise_budget_skips_all_flaky_runs() -> None:
    flaky_only = report(triaged(1, Verdict.FLAKY), triaged(2, Verdict.NEW, quarantined=True))
    assert not should_comment(flaky_only)
    assert should_comment(flaky_only, CommentPolicy(skip_when_all_flaky=False))
    assert should_comment(report(triaged(1, Verdict.FLAKY), triaged(2, Verdict.NEW)))
    assert not should_comment(report(triaged(1)), CommentPolicy(enabled=False))
    assert should_comment(report())  # nothing identified: still worth saying


def test_comment_fits_the_limit_and_keeps_marker_and_footer() -> None:
    huge = "x" * 390
    items = [triaged(i, excerpt=(huge,) * 20, message="m" * 300) for i in range(600)]
    body = sticky_comment(report(*items))
    assert len(body) <= COMMENT_MAX
    assert body.startswith(MARKER) and "Edited in place on every run" in body
    assert "more sections left out (comment size limit)" in body
    assert body.count("<details>") == body.count("</details>")
    assert len(sticky_comment(report(*items), limit=5_000)) <= 5_000


def test_passing_comment_says_so() -> None:
    body = passing_comment(
        PassingReport(
            run=RUN,
            previously_failing=("tests/test_app.py::test_case_1",),
            previous_run_url="https://github.com/o/r/actions/runs/1",
        )
    )
    assert body.startswith(MARKER) and "passing now" in body
    assert "~~`tests/test_app.py::test_case_1`~~" in body
    state = parse_state(body)
    assert state is not None and state.status == "passing"


def test_footer_commands_render_literally() -> None:
    html = render(sticky_comment(report(triaged(1))))
    assert "<code>/triage approve &lt;fix-id&gt; &lt;hash&gt;</code>" in html  # "<" shown as such, not as "&lt;" text


def test_a_fix_is_offered_only_with_its_whole_diff() -> None:
    small = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
    big = small + "".join(f"+line {i} " + "x" * 80 + "\n" for i in range(100))
    body = sticky_comment(
        report(
            triaged(1, Verdict.NEW),
            fixes=(SuggestedFix(id="aaaa1111", title="small", diff=small),
                   SuggestedFix(id="bbbb2222", title="big", diff=big)),
        )
    )
    assert f"/triage approve aaaa1111 {short_hash(small)}" in body and small.strip() in body
    assert "/triage approve bbbb2222" not in body and "too large to show here whole" in body


def test_the_comment_names_the_tests_line_beside_the_fault() -> None:
    root = "/home/runner/work/hello-world/hello-world/"
    item = triaged(1, file=root + "src/app.py", line=7, test_file="tests/test_app.py", test_line=13)
    body = sticky_comment(report(item))
    assert "`src/app.py:7`, test `tests/test_app.py:13`" in body
