"""Restatements ("exit status 1", a Maven "goal failed" wrapper) never stand beside a failure that says more."""

from __future__ import annotations

import pytest

from analysis.engine import analyze_text
from analysis.restatements import drop_restatements, is_restatement
from analysis.types import Failure, FailureKind


def _failure(message: str, *, tool: str = "generic", test_id: str | None = None) -> Failure:
    return Failure(kind=FailureKind.UNKNOWN, tool=tool, message=message, test_id=test_id)


@pytest.mark.parametrize(
    "message",
    [
        "exit status 1",
        "npm ERR! code ELIFECYCLE",
        "npm ERR! errno 1",
        "npm ERR! Test failed.  See above for more details.",
        "error Command failed with exit code 1.",
        'The command "npm test" exited with 1.',
        "Error: will not run after-build due to previous exit code of 1",
        "error: could not compile `alacritty_terminal` (lib) due to 2 previous errors",
        "Could not compile `alacritty_terminal`.",
        "make: *** [Makefile:12: test] Error 2",
        "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.2.5:test (default-test) "
        "on project core: There are test failures.",
        "Caused by: org.apache.maven.plugin.MojoExecutionException: wrap: java.lang.RuntimeException",
        "java.lang.RuntimeException",
    ],
)
def test_wrappers_are_restatements(message: str) -> None:
    assert is_restatement(_failure(message))


@pytest.mark.parametrize(
    "message",
    [
        "java.lang.RuntimeException: connection pool exhausted",
        "[ERROR] Failed to execute goal on project x: Could not resolve dependencies for project a:b:jar:1",
        "exit status 1 while reading config.yaml: permission denied",
        "AssertionError: expected 1 to equal 2",
    ],
)
def test_failures_that_say_what_broke_are_kept(message: str) -> None:
    assert not is_restatement(_failure(message))


def test_a_restatement_is_dropped_beside_a_specific_failure_and_kept_alone() -> None:
    wrapper, specific = _failure("exit status 1", tool="go"), _failure("undefined: parseConfig", tool="go")
    assert drop_restatements([wrapper, specific]) == [specific]
    assert drop_restatements([wrapper]) == [wrapper]
    assert drop_restatements([]) == []


def test_a_failing_test_is_never_a_restatement() -> None:
    assert not is_restatement(_failure("exit status 1", test_id="TestParse"))


def test_the_engine_reports_rustc_error_not_cargo_giving_up() -> None:
    log = "\n".join(
        [
            "   Compiling app v0.1.0 (/w/app)",
            "error[E0425]: cannot find value `CURSOR` in this scope",
            " --> src/main.rs:3:5",
            "",
            "error: Could not compile `app`.",
            "",
            "To learn more, run the command again with --verbose.",
        ]
    )
    assert [f.message for f in analyze_text(log).failures] == ["cannot find value `CURSOR` in this scope"]
