"""The dashboard's pure parts: GitHub page addresses, resolutions in words, charts (axes, calendar days,
tooltips, "not enough data"), the API reference from the OpenAPI document, and the text a decided fix leaves on
the PR comment and check run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from githubapp.report.decisions import FixDecision, check_run_after_decision, comment_after_decision, decision_line
from githubapp.report.links import ci_run_links, failure_links, run_page_url
from githubapp.web import charts
from githubapp.web.api import reference
from githubapp.web.api.table import document
from githubapp.web.resolutions import resolution_view

GH = "http://github.test"


def test_a_github_failure_links_to_its_run_job_pull_request_and_commit() -> None:
    failure = {"repository": "octo/app", "runId": 55, "runAttempt": 2, "jobId": 551, "jobName": "test (3.11)",
               "pullRequest": 9, "commit": "a" * 40}
    assert [(link.label, link.url) for link in failure_links(GH, failure)] == [
        ("run 55 (attempt 2)", f"{GH}/octo/app/actions/runs/55/attempts/2"),
        ("job test (3.11)", f"{GH}/octo/app/actions/runs/55/job/551"),
        ("PR #9", f"{GH}/octo/app/pull/9"),
        ("aaaaaaa", f"{GH}/octo/app/commit/{'a' * 40}"),
    ]
    assert failure_links(GH, {**failure, "runAttempt": 1})[0].url == f"{GH}/octo/app/actions/runs/55"
    # Another CI's run: GitHub knows neither its run nor (necessarily) its commit
    assert failure_links(GH, {**failure, "runAttempt": None, "jobId": None}) == []
    assert failure_links(GH, {**failure, "repository": "not a repo"}) == []
    assert [link.url for link in ci_run_links(GH, {"source": "github", "repository": "octo/app",
                                                   "clientId": "77:3", "commit": "b" * 40})] == [
        f"{GH}/octo/app/actions/runs/77/attempts/3", f"{GH}/octo/app/commit/{'b' * 40}"]
    assert ci_run_links(GH, {"source": "external", "repository": "jenkins/shop", "clientId": "x"}) == []
    assert run_page_url("https://t.example/", "o/r", 5, 1) == "https://t.example/failures?repository=o%2Fr&github_run=5&attempt=1"


def test_a_resolution_reads_as_commit_pr_run_when_and_files() -> None:
    view = resolution_view(GH, {"fixed_sha": "c" * 40, "commits": ["c" * 40, "d" * 40], "pr_number": 4,
                                "run_id": 99, "changed_files": [f"f{i}.py" for i in range(12)],
                                "resolved_at": "2026-12-01T10:00:00+00:00", "failing_sha": "e" * 40,
                                "repository_id": 1}, {1: "octo/app"})
    assert view is not None
    assert (view.commit and view.commit.url) == f"{GH}/octo/app/commit/{'c' * 40}"
    assert (view.pull_request and view.pull_request.url) == f"{GH}/octo/app/pull/4"
    assert (view.run and view.run.url) == f"{GH}/octo/app/actions/runs/99"
    assert view.resolved_at == datetime(2026, 12, 1, 10, tzinfo=UTC) and view.commits == 2
    assert len(view.files) == 10 and view.more_files == 2
    # A repository the viewer cannot see: the facts without links; an old or odd record: what is there
    hidden = resolution_view(GH, {"fixed_sha": "c" * 40, "repository_id": 2, "pr_number": 4}, {1: "octo/app"})
    assert hidden is not None and hidden.commit is not None and hidden.commit.url == ""
    assert resolution_view(GH, {"pr_number": "x", "resolved_at": "yesterday"}, {}) is not None
    assert resolution_view(GH, None, {}) is None


def _series(rates: list[float | None]) -> list[dict[str, object]]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    return [{"start": (start + timedelta(days=i)).isoformat(), "runs": 0 if r is None else 4,
             "failed": 0 if r is None else round(r * 4), "rate": r} for i, r in enumerate(rates)]


def test_charts_have_axes_dates_tooltips_and_say_when_data_is_thin() -> None:
    svg = str(charts.line_chart(charts.rate_days(_series([0.25, None, 0.5, 1.0])), label="Rate"))
    for tick in (">0%<", ">50%<", ">100%<", ">Nov 01<", ">Nov 03<", ">Nov 04<"):
        assert tick in svg, tick
    assert "<title>2026-11-01: 1 of 4 runs failed (25%)</title>" in svg
    assert "<title>2026-11-02: no runs</title>" in svg
    assert svg.count("<polyline") == 1  # the day without runs breaks the line; one point alone draws none
    thin = str(charts.line_chart(charts.rate_days(_series([None, 0.5, None])), label="Rate"))
    assert "Not enough data" in thin and "<svg" not in thin
    bars = str(charts.bar_chart(charts.count_days(
        [{"day": date(2026, 11, 1) + timedelta(days=i), "failures": n} for i, n in enumerate([0, 3, 7])]),
        label="Failures"))
    assert ">10<" in bars and ">5<" in bars and bars.count('class="bar"') == 2
    assert "<title>2026-11-03: 7 failures</title>" in bars
    assert "Not enough data" in str(charts.bar_chart(charts.count_days([]), label="Failures"))


def test_the_api_reference_covers_every_operation_and_schema() -> None:
    doc = document().render("https://t.example")
    sections, schemas = reference.reference(doc)
    shown = {(op.method, op.path) for s in sections for op in s.operations}
    assert shown == {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    assert {s.name for s in schemas} == set(doc["components"]["schemas"])
    failures = next(op for s in sections for op in s.operations if op.path == "/api/failures")
    assert failures.authenticated and any(p.name == "kind" and "one of" in p.type for p in failures.parameters)
    assert str(reference.type_of({"$ref": "#/components/schemas/Failure"})) == '<a href="#schema-Failure">Failure</a>'
    assert str(reference.describe("use `<b>` & more")) == "use <code>&lt;b&gt;</code> &amp; more"


def test_a_decided_fix_replaces_its_offer_and_its_button() -> None:
    at = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    line = decision_line(FixDecision("f1", "approve", "applied", by="alice", via="dashboard", at=at,
                                     commit_sha="1234567890"), commit_url=f"{GH}/o/r/commit/1234567890")
    assert line.startswith("✅ Fix `f1` was approved by") and "2026-12-06 09:30 UTC" in line
    assert f"[`1234567`]({GH}/o/r/commit/1234567890)" in line
    body = ("head\n\n**Fix `f1`: A**\n\nComment `/triage approve f1 abc1234` to commit it to this branch, or "
            "`/triage reject f1` to dismiss it.\n\n**Fix `f2`: B**\n\nComment `/triage approve f2 def5678` to commit "
            "it to this branch, or `/triage reject f2` to dismiss it.\n\n<sub>Commands: `/triage approve <fix-id> "
            "<hash>`</sub>")
    after = comment_after_decision(body, "f1", line)
    assert after is not None and "/triage approve f1 " not in after and line in after
    assert "/triage approve f2 def5678" in after  # the other fix is still offered
    assert comment_after_decision(after, "f1", line) is None  # nothing left to change
    check = {"output": {"title": "1 failure", "summary": "rows", "text": "detail"},
             "actions": [{"identifier": "fix:f1@abc1234"}, {"identifier": "retry"}]}
    patch = check_run_after_decision(check, "f1", line, default_actions=[])
    assert patch == {"output": {"title": "1 failure", "summary": f"{line}\n\nrows", "text": "detail"},
                     "actions": [{"identifier": "retry"}]}
    # GitHub's representation without actions: the usual buttons stay
    no_actions = check_run_after_decision({"output": check["output"]}, "f1", line,
                                          default_actions=[{"identifier": "explain"}])
    assert no_actions is not None and no_actions["actions"] == [{"identifier": "explain"}]
    assert check_run_after_decision({"output": {"title": "t", "summary": line}}, "f1", line,
                                    default_actions=[]) is None
    rejected = decision_line(FixDecision("f1", "reject", "rejected", by="api-key:3", via="api", at=at,
                                         reason="not *this*"), commit_url=None)
    assert rejected.startswith("🚫 Fix `f1` was rejected by `api-key:3` through the API")
    assert "not \\*this\\*" in rejected
