"""`.github/ci-triage.yml`: defaults, a full example, and precise errors that keep the default."""

from __future__ import annotations

import pytest

from githubapp.pipeline.config import MAX_BYTES, Conclusion, ConfigError, RepoConfig, parse_config
from tests.support.services import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "pipeline.md"


def example_from_docs() -> str:
    text = DOCS.read_text()
    start = text.index("```yaml\n# .github/ci-triage.yml") + len("```yaml\n")
    return text[start : text.index("\n```", start)]


def test_missing_or_empty_file_gives_defaults() -> None:
    assert parse_config(None).config == RepoConfig()
    assert parse_config("").config == RepoConfig()
    assert parse_config("# only a comment\n").errors == ()


def test_documented_example_is_valid_and_complete() -> None:
    parsed = parse_config(example_from_docs())
    assert parsed.errors == ()
    c = parsed.config
    assert c.comments.skip_when_all_flaky is True
    assert c.conclusion.new == "failure" and c.conclusion.pre_existing == "neutral" and c.conclusion.flaky == "neutral"
    assert c.snapshot.preview_url == "https://pr-{pr}.preview.example.com"
    assert c.snapshot.routes == ("/", "/checkout")
    assert (c.snapshot.viewport.width, c.snapshot.viewport.height) == (1280, 800)
    assert c.snapshot.wait_for_selector == "#app"
    assert c.notifications.slack is True and c.notifications.email == ("oncall@example.com",)
    assert c.thresholds.similarity == 0.85 and c.thresholds.flake_rate == 0.2
    assert c.tests_for(["src/payments/card.py"]) == ["tests/payments/", "tests/test_checkout.py::test_pay"]
    assert c.quarantined("tests/e2e/test_upload.py::test_large_file")
    assert c.ignore.job("lint (3.12)") and c.ignore.step("Upload coverage to Codecov")
    assert c.junit.artifact == "junit-*" and c.max_annotations == 100


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("comments: {enabled: maybe}", "comments.enabled: must be true or false, got a string ('maybe')"),
        (
            "conclusion: {new: red}",
            "conclusion.new: must be one of failure, neutral, success, action_required, got a string ('red')",
        ),
        (
            "snapshot: {viewport: {width: wide}}",
            "snapshot.viewport.width: must be an integer from 200 to 4096, got a string ('wide')",
        ),
        ("snapshot: {viewport: {height: 10}}", "snapshot.viewport.height: must be from 200 to 4096, got 10"),
        (
            "snapshot: {preview_url: 'ftp://x'}",
            "snapshot.preview_url: must be an http(s) URL template, got 'ftp://x'",
        ),
        (
            "snapshot: {preview_url: 'https://{number}.x'}",
            "snapshot.preview_url: unknown placeholder {number}; use {pr}, {sha}, {branch}",
        ),
        (
            "snapshot: {routes: [/ok, nope]}",
            "snapshot.routes[1]: must be a path starting with '/', got 'nope'",
        ),
        (
            "notifications: {email: [ops@example.com, not-an-address]}",
            "notifications.email[1]: is not an email address: 'not-an-address'",
        ),
        ("thresholds: {similarity: 1.5}", "thresholds.similarity: must be from 0 to 1, got 1.5"),
        ("comment: {enabled: false}", "comment: unknown key; did you mean 'comments'?"),
        ("snapshot: {wait_for: '#x'}", "snapshot.wait_for: unknown key; did you mean 'wait_for_selector'?"),
        ("ignore: jobs", "ignore: must be a mapping, got a string ('jobs'); defaults used"),
        ("annotations: {max: 5000}", "annotations.max: must be from 0 to 1000, got 5000"),
        ("[1, 2]", "(file): must be a mapping of settings, got a list ([1, 2])"),
        (
            "comments: {enabled: true\n",
            "(file): invalid YAML at line 2, column 1: expected ',' or '}', but got '<stream end>'; defaults used",
        ),
        ("version: 2", "version: must be 1, got an integer (2)"),
        ("conclusion: lenient", "conclusion: must be one of default, strict or a mapping, got a string ('lenient')"),
        ("conclusion: {preexisting: failure}", "conclusion.preexisting: unknown key; did you mean 'pre-existing'?"),
    ],
)
def test_errors_name_the_key_and_the_problem(text: str, error: str) -> None:
    parsed = parse_config(text)
    assert [str(e) for e in parsed.errors] == [error]


def test_a_bad_value_keeps_its_default_and_the_rest_still_applies() -> None:
    parsed = parse_config("comments: {enabled: 3, skip_when_all_flaky: false}\nthresholds: {similarity: 0.9}")
    assert parsed.config.comments.enabled is True
    assert parsed.config.comments.skip_when_all_flaky is False
    assert parsed.config.thresholds.similarity == 0.9
    assert parsed.errors == (ConfigError("comments.enabled", "must be true or false, got an integer (3)"),)


def test_single_values_are_accepted_for_lists() -> None:
    parsed = parse_config("notifications: {email: a@example.com}\nquarantine: tests/test_x.py::*")
    assert parsed.config.notifications.email == ("a@example.com",)
    assert parsed.config.quarantined("tests/test_x.py::test_one")


def test_size_cap_and_encoding() -> None:
    too_big = "# " + "x" * MAX_BYTES
    assert "is 65538 bytes, over the limit of 65536; defaults used" in str(parse_config(too_big).errors[0])
    assert "not UTF-8" in str(parse_config(b"\xff\xfe comments: 1").errors[0])
    assert parse_config("\ufeffcomments: {enabled: false}".encode()).config.comments.enabled is False


def test_unsafe_yaml_tags_are_rejected() -> None:
    parsed = parse_config("comments: !!python/object/apply:os.system ['true']")
    assert parsed.errors and "invalid YAML" in str(parsed.errors[0])


def test_exact_ids_with_brackets_match_themselves() -> None:
    config = parse_config("quarantine: ['tests/test_a.py::test_x[1-2]']\nignore: {jobs: ['build [linux]']}").config
    assert config.quarantined("tests/test_a.py::test_x[1-2]")
    assert not config.quarantined("tests/test_a.py::test_x1")
    assert config.ignore.job("build [linux]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Conclusion()),  # only new failures fail the check run
        ("conclusion: strict", Conclusion("failure", "failure", "failure", "failure", "failure")),  # any failure
        ("conclusion: default", Conclusion()),
        ("conclusion: {pre-existing: failure, infra: action_required}",
         Conclusion(pre_existing="failure", infra="action_required")),
        ("conclusion: {known: failure}", Conclusion(pre_existing="failure")),  # the old name of pre-existing
    ],
)
def test_conclusion_modes_and_per_verdict_values(text: str, expected: Conclusion) -> None:
    parsed = parse_config(text)
    assert parsed.errors == () and parsed.config.conclusion == expected
