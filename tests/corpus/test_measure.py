"""The corpus measure's "where it broke" target: a grep of the truth location in the log, never our extractor."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from benchmarks.corpus.measure import Answer, Case, Tally, pairs_by_tool, printed, score, where_it_broke

STAMP = "2026-03-04T09:15:02.0000000Z "


def _log(*lines: str) -> list[str]:
    return [f"{STAMP}{line}" for line in lines]


def test_printed_reads_each_tool_form_of_a_location() -> None:
    assert printed(_log("src/inventory/stock.py:7: KeyError"), "src/inventory/stock.py", 7)
    assert printed(_log('  File "/w/r/r/src/inventory/stock.py", line 7, in total'), "src/inventory/stock.py", 7)
    assert printed(_log("./scripts/release.sh: line 13: x: unbound variable"), "scripts/release.sh", 13)
    assert printed(_log("#   at t/split.t line 9."), "t/split.t", 9)
    assert printed(
        _log("Processing ./a-1.0-py3-none-any.whl (from -r requirements.txt (line 4))"), "requirements.txt", 4
    )
    assert printed(_log("src/cart.ts(12,5): error TS2322: no"), "src/cart.ts", 12)
    # a heading with "L:C" rows below it: eslint's stylish, yamllint's GitHub groups
    assert printed(
        _log("##[group]config/deploy.yaml", "##[error]9:3 [key-duplicates] duplication"), "config/deploy.yaml", 9
    )
    assert printed(
        _log("/w/r/r/src/cart.js", "  14:7  error  'x' is defined but never used  no-unused-vars"), "src/cart.js", 14
    )


def test_printed_is_not_fooled_by_a_longer_name_or_another_line() -> None:
    assert not printed(_log("tests/test_stock.py:21: AssertionError"), "src/stock.py", 21)
    assert not printed(_log("src/stock.py:210: AssertionError"), "src/stock.py", 21)
    assert not printed(
        _log("##[group]config/deploy.yaml", "##[error]3:16 [trailing-spaces] trailing spaces"), "config/deploy.yaml", 9
    )


def _failure(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "root_cause": "p/f",
        "tool": "pytest",
        "evidence_lines": [1],
        "fault_file": "src/inventory/pricing.py",
        "fault_line": 19,
        "test_file": None,
        "test_line": None,
    }
    base.update(fields)
    return base


def test_the_target_is_the_fault_when_printed_else_the_test_site_else_nothing() -> None:
    printed_fault = _log("src/inventory/pricing.py:19: ValueError")
    assert where_it_broke(_failure(), printed_fault) == ("src/inventory/pricing.py", 19)
    with_test = _failure(test_file="tests/test_pricing.py", test_line=22)
    assert where_it_broke(with_test, _log("tests/test_pricing.py:22: AssertionError")) == ("tests/test_pricing.py", 22)
    assert where_it_broke(_failure(), _log("make: *** No rule to make target 'x.o'.  Stop.")) is None


def test_score_counts_our_file_line_at_the_target_and_sets_unlocated_apart() -> None:
    lines = _log("tests/test_pricing.py:22: AssertionError")
    failure = _failure(test_file="tests/test_pricing.py", test_line=22)
    tallies: dict[str, dict[str, Tally]] = {w: defaultdict(Tally) for w in ("ours", "tail")}
    right = Answer({100: {1}, 30: {1}}, [{"file": "tests/test_pricing.py", "line": 22}])
    assert not any("where it broke" in m for m in score(failure, lines, right, tallies))
    wrong = Answer({100: {1}, 30: {1}}, [{"file": "tests/test_pricing.py", "line": 21}])
    assert any("where it broke" in m for m in score(failure, lines, wrong, tallies))
    assert (tallies["ours"]["where it broke"].hit, tallies["ours"]["where it broke"].total) == (1, 2)
    score(_failure(), _log("nothing located here"), right, tallies)
    assert tallies["ours"]["unlocated"].total == 1
    assert tallies["ours"]["where it broke"].total == 2


def _case(name: str, cause: str, tool: str, **truth: object) -> Case:
    return Case(Path(name), {"case": name, "failures": [{"root_cause": cause, "tool": tool}], **truth})


def test_false_pairs_are_counted_by_tool_and_by_the_hard_negative_kind_they_fall_under() -> None:
    cases = [
        _case("a", "p/port", "go-test"),
        _case("b", "p/host", "go-test", hard_negative="same-test-other-reason", negative_of="p/port"),
        _case("c", "p/vet", "go-vet"),
        _case("d", "p/port", "go-test"),
    ]
    sig = {"signature": {"tool": "go"}, "how": "signature"}
    found = [
        [{"pattern_id": 1, **sig}],
        [{"pattern_id": 1, **sig}],  # joined the cause it imitates: a false pair of that kind
        [{"pattern_id": 1, **sig}],  # joined two causes it has nothing to do with
        [{"pattern_id": 2, **sig}],  # the recurrence of a and the pair it misses
    ]
    errors = pairs_by_tool(cases, found)
    assert errors["false"] == {"go (signature)": 3}
    assert errors["false_kinds"] == {"unrelated": 2, "same-test-other-reason": 1}
    assert errors["missed"] == {"go-test": 1}
