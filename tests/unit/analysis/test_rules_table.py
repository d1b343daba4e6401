"""The rule table's shape: ecosystem groups in one stated order, and behaviour declared on the rules."""

from __future__ import annotations

from analysis import rules
from analysis.refine import Draft, npm_code, yamllint
from analysis.regex import compile_linear
from analysis.rules import RULES, Role
from analysis.types import FailureKind

_GROUPS = (
    "RUNNER",
    "FRAMES",
    "RESOURCES",
    "PYTEST",
    "PYTHON",
    "JAVASCRIPT",
    "GO",
    "RUST",
    "COMPILERS_AND_LINTERS",
    "FORMATTERS",
    "JVM",
    "REPOSITORY_LINTERS",
    "LINK_CHECKERS",
    "DOTNET",
    "NUMBERED_LISTS",
    "PACKAGE_MANAGERS",
    "DOCKER",
    "SHELL_AND_CI",
    "FALLBACKS",
)


def test_rules_are_the_groups_in_their_stated_order() -> None:
    groups = [getattr(rules, name) for name in _GROUPS]
    assert all(groups)
    assert RULES == tuple(rule for group in groups for rule in group)
    assert len({rule.name for rule in RULES}) == len(RULES)


def test_the_fallbacks_come_last() -> None:
    generic = [i for i, rule in enumerate(RULES) if rule.name.startswith("generic.error_")]
    assert generic == [len(RULES) - 2, len(RULES) - 1]


def test_behaviour_sits_on_rules_of_the_role_that_uses_it() -> None:
    for rule in RULES:
        if rule.refine is not None or rule.message is not None or rule.kind_from_message or rule.heading:
            assert rule.role is Role.FAILURE, rule.name
        if rule.verdict:
            assert rule.role is Role.EXIT, rule.name
        if rule.opens_alone is not None or rule.waits_for_test or not rule.says_why or rule.whole_line or rule.joins:
            assert rule.role is Role.DETAIL, rule.name
        if rule.describe is not None:  # a detail, or a failure that attaches to an open one (C assert in CTest)
            assert rule.role in (Role.DETAIL, Role.FAILURE), rule.name
        if rule.jvm_class or rule.project_apps_only:
            assert rule.role is Role.FRAME, rule.name
        if rule.records is not None:
            assert rule.role is Role.COMMAND, rule.name
        if rule.chains_causes or rule.script_died or rule.takes_over_test_log:
            assert rule.role is Role.DETAIL, rule.name
        if rule.test_log is not None:  # kept for its test until its fail line: what it logged, its stack
            assert rule.role in (Role.DETAIL, Role.FRAME), rule.name
        if rule.kept_for_summary:
            assert rule.role is Role.LOCATION, rule.name
        if rule.rust_func_above:
            assert rule.role is Role.FRAME, rule.name
        failure_only = (
            rule.invocation_above,
            rule.class_colons,
            rule.output_below,
            rule.detail_in_output,
            rule.line_from_diff,
            rule.takes_panic,
            rule.panic_of_test,
            rule.located_below,
            rule.locates_above,
            rule.from_requirements,
            rule.testdox_title,
            rule.test_below is not None,
            rule.finds_docker_step,
            rule.adopts_test_log,
            rule.adopts_kept_location,
            rule.numbered,
            rule.repeated_by_file,
            rule.keeps_merged_id,
            rule.names_merged_tool,
            rule.yields_to is not None,
        )
        if any(failure_only):
            assert rule.role is Role.FAILURE, rule.name


def _draft(command: str, lines: dict[int, str], message: str) -> Draft:
    return Draft(10, command, lines.get, FailureKind.LINT, "yamllint", message, False, None, None, "3")


def test_a_hook_reads_the_next_line_and_the_command() -> None:
    npm = next(rule for rule in RULES if rule.refine is npm_code)
    line = "npm error code ENOTFOUND"
    draft = _draft("Run npm ci", {11: "npm error network request to https://registry failed"}, line)
    assert npm.refine is not None and npm.refine(draft, npm.pattern.search(line))
    assert (draft.kind, draft.message) == (FailureKind.INFRA, "ENOTFOUND: network request to https://registry failed")


def test_a_hook_can_say_the_line_opens_nothing() -> None:
    line = "##[warning]3:1 [document-start] missing document start"
    match = compile_linear(r"^##\[(?P<sev>error|warning)\](?P<msg>.*)$").search(line)
    assert match is not None
    assert not yamllint(_draft("Run yamllint .", {}, "missing document start"), match)
    warned = _draft("Run yamllint --strict .", {9: "##[group]ci.yml"}, "missing document start")
    assert yamllint(warned, match) and warned.file == "ci.yml"
