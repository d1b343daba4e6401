"""Reports that fit the reader: a run with 200 real mypy errors is one entry in a short comment, the check run
carries the detail, excerpts are cleaned, headlines are the failure's own words, labels read as a person's."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from analysis.attribution import RunSeen
from analysis.engine import analyze_text
from analysis.types import Failure, FailureKind, LineRange
from githubapp.pipeline.assemble import excerpt_lines, rerun_items, summary_rows
from githubapp.report.check_run import SUMMARY_MAX, TEXT_MAX, check_run_output
from githubapp.report.cleaning import clean_excerpt, clean_line, headline
from githubapp.report.comment import COMMENT_TARGET, sticky_comment
from githubapp.report.common import group, kind_label
from githubapp.report.links import run_page_url
from githubapp.report.model import TriagedFailure, Verdict
from tests.support.report_factories import RUN, report, triaged

render = MarkdownIt("commonmark", {"html": True}).enable("table").render
DASHBOARD = run_page_url("https://triage.example.com", RUN.repo, RUN.run_id, RUN.attempt)
FILES = 40


def _project(root: Path) -> Path:
    """40 modules with 4 to 6 type errors each, of five kinds: 253 errors as real mypy reports them."""
    package = root / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    kinds = ("a{i}_{j}: int = name_{i}_{j}", "b{i}_{j} = (1).attr_{i}_{j}", "c{i}_{j} = f{i}('s{j}', k_{j}=1)",
             "import missing_{i}_{j}")
    for i in range(1, FILES + 1):
        body = [f"def f{i}(x: int) -> str:", "    return x"]
        body += [kinds[j % 4].format(i=i, j=j) for j in range(2, i % 3 + 6)]
        (package / f"mod_{i:02}.py").write_text("\n".join(body) + "\n")
    return root


def _gha_log(output: str) -> str:
    """``output`` as a GitHub Actions job log prints it: timestamps, group markers, the exit and cleanup lines."""
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    lines = ["##[group]Run mypy src", "mypy src", "##[endgroup]", *output.splitlines(),
             "##[error]Process completed with exit code 1.", "Post job cleanup.",
             "[command]/usr/bin/git version", "git version 2.43.0",
             "[command]/usr/bin/git config --local --name-only --get-regexp core\\.sshCommand",
             "Cleaning up orphan processes"]
    stamp = [(start + timedelta(milliseconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%f0Z") for i in range(len(lines))]
    return "\n".join(f"{s} {line}" for s, line in zip(stamp, lines, strict=True)) + "\n"


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = _project(tmp_path_factory.mktemp("typed"))
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(root / ".cache"), "--no-color-output", "src"],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 1 and "errors in 40 files" in done.stdout, done.stdout[-500:]
    return done.stdout


@pytest.fixture(scope="module")
def mypy_run(mypy_output: str) -> tuple[TriagedFailure, ...]:
    log = _gha_log(mypy_output)
    analysis = analyze_text(log)
    lines = log.splitlines()
    return tuple(
        TriagedFailure(f, Verdict.NEW, excerpt=excerpt_lines(lines, f, analysis), job_name="typecheck")
        for f in analysis.failures
    )


def test_a_real_mypy_run_is_one_short_entry(mypy_run: tuple[TriagedFailure, ...]) -> None:
    errors = [t for t in mypy_run if t.failure.tool == "mypy"]
    assert errors and all(t.failure.kind is FailureKind.TYPE for t in errors)
    body = sticky_comment(report(*mypy_run, dashboard_url=DASHBOARD))
    assert len(body) < COMMENT_TARGET
    assert body.count("Type check (mypy)") == 1  # one entry for the tool's findings
    assert "`src/pkg/mod_" in body  # the first file by name
    assert "Process completed with exit code" not in body and "##[" not in body and "[command]" not in body
    assert "2026-03-01T" not in body  # no runner timestamps
    html = render(body)
    assert html.count("<details>") == html.count("</details>") == 1  # one excerpt


def _mypy_error(n: int) -> TriagedFailure:
    """One of 204 distinct mypy findings in 37 files, as a run whose errors all differ reports them."""
    path, line = f"src/pkg/mod_{n % 37:02}.py", n + 1
    message = f'Name "undefined_{n}" is not defined  [name-defined]'
    raw = f"2026-03-01T12:00:00.0000000Z {path}:{line}: error: {message}"
    f = Failure(FailureKind.TYPE, "mypy", message, file=path, line=line, evidence=(LineRange(n + 3, n + 3),),
                fingerprint=f"mypy{n}", job="typecheck")
    return TriagedFailure(f, Verdict.NEW, excerpt=("2026-03-01T12:00:00.0000000Z ##[group]Run mypy src", raw),
                          job_name="typecheck")


def test_a_real_mypy_run_names_its_count_and_files(mypy_output: str, mypy_run: tuple[TriagedFailure, ...]) -> None:
    """The Done-when of issue 20 on a real run: mypy printed "Found N errors in 40 files", repeating each kind of
    message in many files; the comment says so (the analysis folds the repeats but keeps their count and files)
    and lists the first files, each with its count, in the order mypy printed them."""
    found = mypy_output.strip().splitlines()[-1]
    assert found.startswith("Found ")
    errors = int(found.split()[1])
    body = sticky_comment(report(*mypy_run, dashboard_url=DASHBOARD))
    assert len(body) < COMMENT_TARGET
    assert f"Type check (mypy): {errors} errors in {FILES} files" in body
    printed = list(dict.fromkeys(line.split(":")[0] for line in mypy_output.splitlines() if ": error:" in line))
    for path in printed[:5]:
        assert f"`{path} ({sum(line.startswith(path + ':') for line in mypy_output.splitlines())})`" in body
    assert f"`{printed[5]}" not in body.split("First:")[0]
    assert f"and {FILES - 5} more ([all on the dashboard]({DASHBOARD}))" in body


def test_two_hundred_mypy_errors_name_the_tool_the_count_and_the_first_files() -> None:
    items = [_mypy_error(n) for n in range(204)]
    body = sticky_comment(report(*items, dashboard_url=DASHBOARD))
    assert len(body) < COMMENT_TARGET
    assert "Type check (mypy): 204 errors in 37 files" in body
    assert body.count("Type check (mypy)") == 1
    for n in range(5):  # the first five files in the order the log gave them, each with its count
        assert f"`src/pkg/mod_{n:02}.py ({len(range(n, 204, 37))})`" in body
    assert "`src/pkg/mod_05.py" not in body
    assert f"and 32 more ([all on the dashboard]({DASHBOARD}))" in body
    out = check_run_output(report(*items, dashboard_url=DASHBOARD))
    assert len(out.summary) <= SUMMARY_MAX and len(out.text) <= TEXT_MAX
    assert sum(1 for row in out.summary.splitlines() if row.startswith("| 🆕")) == 204  # the detail is there


def test_the_check_run_carries_the_detail_within_githubs_limits(mypy_run: tuple[TriagedFailure, ...]) -> None:
    out = check_run_output(report(*mypy_run, dashboard_url=DASHBOARD))
    assert len(out.summary) <= SUMMARY_MAX and len(out.text) <= TEXT_MAX
    rows = [row for row in out.summary.splitlines() if row.startswith("| 🆕")]
    assert len(rows) == len(mypy_run)  # every failure has its row: the detail the comment leaves out
    assert "| Type check (mypy) | `src/pkg/mod_" in rows[0]
    first = out.requests(completed_at="2026-03-01T12:00:00Z")[0]
    assert first["details_url"] == DASHBOARD


def test_summary_rows_say_each_fact_once() -> None:
    lint = Failure(FailureKind.LINT, "ruff", "F401 `os` imported but unused", file="src/app.py", line=3,
                   fingerprint="r1")
    infra = Failure(FailureKind.INFRA, "infra", "fatal: unable to access 'https://github.com/o/r/': "
                    "The requested URL returned error: 502", fingerprint="i1")
    out = check_run_output(report(TriagedFailure(lint, Verdict.NEW, job_name="lint"),
                                  TriagedFailure(infra, Verdict.INFRA, job_name="build")))
    lint_row = next(r for r in out.summary.splitlines() if "ruff" in r)
    assert "| Lint (ruff) | `src/app.py:3` |" in lint_row
    assert lint_row.count("src/app.py") == 1 and lint_row.count("imported but unused") == 1
    infra_row = next(r for r in out.summary.splitlines() if "502" in r)
    assert "| Infrastructure |" in infra_row and "(infra)" not in out.summary + out.text
    assert "/triage retry" in out.summary
    assert "unknown (generic)" not in out.text and "infra (infra)" not in out.text


def test_an_infra_failure_suggests_a_retry_in_the_comment() -> None:
    infra = Failure(FailureKind.INFRA, "infra", "curl: (22) The requested URL returned error: 503", fingerprint="i")
    body = sticky_comment(report(TriagedFailure(infra, Verdict.INFRA, job_name="build")))
    assert "`/triage retry`" in body.split("<sub>")[0]  # in the report, not only the footer's command list


def test_the_same_lines_seen_by_two_rules_are_reported_once() -> None:
    lines = (LineRange(40, 42),)
    as_test = Failure(FailureKind.TEST, "pytest", "requests.exceptions.HTTPError: 502 Server Error",
                      test_id="tests/test_api.py::test_fetch", evidence=lines, fingerprint="t", job="test")
    as_infra = Failure(FailureKind.INFRA, "infra", "502 Server Error: Bad Gateway for url: https://github.com/x",
                       evidence=(LineRange(41, 41),), fingerprint="i", job="test")
    elsewhere = Failure(FailureKind.INFRA, "infra", "502 Server Error", evidence=lines, fingerprint="e", job="other")
    items = [TriagedFailure(as_test, Verdict.NEW, job_name="test"), TriagedFailure(as_infra, Verdict.NEW,
             job_name="test"), TriagedFailure(elsewhere, Verdict.INFRA, job_name="other")]
    groups = group(items)
    assert [g.item.failure.fingerprint for g in groups] == ["i", "e"]  # the cause kept, another job's kept
    body = sticky_comment(report(*items))
    assert "test_fetch" not in body


@pytest.mark.parametrize("message, excerpt, expected", [
    ("info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command.",
     ("$ prettier --check .", "Checking formatting...", "[warn] src/app.ts",
      "[warn] Code style issues found in the above file. Run Prettier with --write to fix.",
      "error Command failed with exit code 1.",
      "info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command."),
     "[warn] src/app.ts"),
    ("npm ERR! A complete log of this run can be found in:\nnpm ERR!     /home/runner/.npm/_logs/x-debug-0.log",
     ("npm ERR! code ERESOLVE", "npm ERR! ERESOLVE unable to resolve dependency tree"),
     "npm ERR! code ERESOLVE"),
    ("##[error]Process completed with exit code 2.", ("error: could not compile `app` due to 2 previous errors",),
     "error: could not compile `app` due to 2 previous errors"),
    ("\x1b[31mE   AssertionError: assert 1 == 2\x1b[0m\nProcess completed with exit code 1.", (),
     "E   AssertionError: assert 1 == 2"),
])
def test_the_headline_is_the_failures_own_message(message: str, excerpt: tuple[str, ...], expected: str) -> None:
    assert headline(message, excerpt) == expected


def test_excerpts_lose_escape_codes_in_any_notation_and_runner_boilerplate() -> None:
    raw = [
        "2026-03-01T12:00:00.1234567Z ##[group]Run yarn lint",
        "2026-03-01T12:00:00.2234567Z ^[[36m$ eslint .^[[39m",
        "2026-03-01T12:00:00.3234567Z \x1b[1m\x1b[31merror\x1b[0m  Unexpected any  @typescript-eslint/no-explicit-any",
        "2026-03-01T12:00:00.3334567Z \\u001b[33mwarning\\u001b[0m \\x1b[2mdim\\x1b[22m \\033[1mbold\\033[0m",
        "2026-03-01T12:00:00.4234567Z ##[endgroup]",
        "2026-03-01T12:00:00.5234567Z ##[error]Process completed with exit code 1.",
        "2026-03-01T12:00:01.0000000Z Post job cleanup.",
        "2026-03-01T12:00:01.1000000Z [command]/usr/bin/git version",
        "2026-03-01T12:00:01.2000000Z git version 2.43.0",
    ]
    assert clean_excerpt(raw) == [
        "Run yarn lint",
        "$ eslint .",
        "error  Unexpected any  @typescript-eslint/no-explicit-any",
        "warning dim bold",
    ]
    assert clean_line("^[[1;32mok^[[0m ^[(B") == "ok "


def test_labels_read_as_a_person_would_write_them() -> None:
    def label(kind: FailureKind, tool: str) -> str:
        return kind_label(Failure(kind, tool, "m"))

    assert label(FailureKind.INFRA, "infra") == "Infrastructure"
    assert label(FailureKind.LINT, "ruff") == "Lint (ruff)"
    assert label(FailureKind.TEST, "pytest") == "Test (pytest)"
    assert label(FailureKind.TYPE, "mypy") == "Type check (mypy)"
    assert label(FailureKind.UNKNOWN, "generic") == "Failure"


def test_many_distinct_failures_still_fit_and_point_to_the_dashboard() -> None:
    items = [triaged(i, excerpt=("x" * 390,) * 20, message="m" * 300) for i in range(300)]
    body = sticky_comment(report(*items, dashboard_url=DASHBOARD))
    assert len(body) < COMMENT_TARGET
    assert "more sections left out" in body and f"[dashboard]({DASHBOARD})" in body


def test_where_is_filled_from_a_file_and_line_the_message_names() -> None:
    bare = Failure(FailureKind.LINT, "ruff", "src/app.py:3:8: F401 [*] `os` imported but unused", fingerprint="b")
    out = check_run_output(report(TriagedFailure(bare, Verdict.NEW, job_name="lint")))
    row = next(r for r in out.summary.splitlines() if "F401" in r)
    assert "| Lint (ruff) | `src/app.py:3` |" in row
    hostile = Failure(FailureKind.UNKNOWN, "generic", "." * 5_000 + ":1 " + "a:" * 3_000, fingerprint="h")
    check_run_output(report(TriagedFailure(hostile, Verdict.NEW)))  # a word list, no regex to backtrack


def _folded(n: int, files: int, listed: int) -> TriagedFailure:
    """One mypy message repeated ``n`` times in ``files`` files, of which the analysis listed ``listed``."""
    shown = tuple((f"src/gen/v{k}.py", 1) for k in range(listed))
    f = Failure(FailureKind.TYPE, "mypy", 'Name "x" is not defined', file="src/gen/v0.py", line=3,
                evidence=(LineRange(3, 3), LineRange(9, 9)), fingerprint="mx", job="typecheck", occurrences=n,
                files=shown, file_count=files)
    return TriagedFailure(f, Verdict.NEW, job_name="typecheck")


def test_one_message_repeated_is_one_entry_with_its_count_even_alone() -> None:
    body = sticky_comment(report(_folded(12, 7, 7), dashboard_url=DASHBOARD))
    assert "Type check (mypy): 12 errors in 7 files" in body
    assert f"and 2 more ([all on the dashboard]({DASHBOARD}))" in body
    out = check_run_output(report(_folded(12, 7, 7), dashboard_url=DASHBOARD))
    assert "`src/gen/v0.py:3` (12 times in 7 files)" in out.summary


def test_files_beyond_the_listed_ones_are_counted_not_guessed() -> None:
    """A failure lists its first files; when two messages each list part of theirs, the union is not the total:
    the title says "at least", the listing counts the rest from the widest true total."""
    other = _folded(40, 30, 30)
    other = replace(other, failure=replace(other.failure, message="other", fingerprint="my",
                                           evidence=(LineRange(20, 20),)))
    body = sticky_comment(report(_folded(300, 150, 100), other, dashboard_url=DASHBOARD))
    assert "Type check (mypy): 340 errors in at least 150 files" in body
    assert "and 145 more" in body


def test_a_stored_report_row_keeps_the_true_count_and_files() -> None:
    """A re-run that passes rebuilds the earlier attempt's failures from the reports table's rows."""
    item = _folded(12, 7, 7)
    [row] = summary_rows([item], [None])
    [back] = rerun_items([row], RunSeen(7, "f" * 40, "https://github.com/o/r/actions/runs/7", "CI", attempt=2),
                         failed_attempt=1)
    f = back.failure
    assert (f.occurrences, f.files, f.file_count) == (12, item.failure.files, 7)
    [plain] = summary_rows([triaged(1)], [None])
    assert "occurrences" not in plain and rerun_items([plain], RunSeen(7, "f" * 40, "u", "CI"), failed_attempt=1)
