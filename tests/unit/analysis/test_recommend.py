"""Recommended tests and risk for a constructed PR."""

from __future__ import annotations

import pytest

from analysis.recommend import (
    CoFailure,
    Risk,
    TestMapError,
    co_failures,
    parse_test_map,
    recommend_tests,
    risk_level,
    subject_stem,
)

KNOWN = [
    "tests/test_billing.py::test_invoice_total",
    "tests/test_billing.py::test_refund",
    "tests/test_auth.py::test_login",
    "web/src/cart.test.ts",
    "tests/test_search.py::test_query",
]


@pytest.mark.parametrize(
    ("path", "stem"),
    [
        ("src/billing.py", "billing"),
        ("tests/test_billing.py", "billing"),  # test_ prefix
        ("pkg/billing_test.go", "billing"),  # _test suffix
        ("web/src/cart.test.ts", "cart"),  # .test. infix
        ("src/Cart.spec.tsx", "cart"),
        ("src/test/java/BillingTest.java", "billing"),  # JUnit naming
    ],
)
def test_subject_stem(path: str, stem: str) -> None:
    assert subject_stem(path) == stem


def test_recommendations_for_a_constructed_pr() -> None:
    changed = ["src/billing.py", "web/src/cart.ts", "tests/test_new_feature.py", "README.md"]
    history = [
        # src/billing.py changed twice before and test_refund failed both times; test_query once with src/.
        (["src/billing.py"], ["tests/test_billing.py::test_refund"]),
        (["src/billing.py", "src/other.py"], ["tests/test_billing.py::test_refund"]),
        (["src/unrelated.py"], ["tests/test_search.py::test_query"]),
    ]
    co = co_failures(history, changed)
    assert CoFailure("src/billing.py", "tests/test_billing.py::test_refund", 2) in co
    assert CoFailure("src/", "tests/test_search.py::test_query", 1) in co
    test_map = parse_test_map({"features": {"auth": {"paths": ["web/**"], "tests": ["tests/test_auth.py"]}}})
    recs = recommend_tests(
        changed,
        known_tests=KNOWN,
        co_failures=co,
        test_map=test_map,
        pattern_tests={"tests/test_search.py::test_query": 0.93},
    )
    by_name = {r.test_name: r for r in recs}
    top = recs[0]
    # Failed twice when this very file changed, and tests it by name: the strongest.
    assert top.test_name == "tests/test_billing.py::test_refund"
    assert "failed 2x before when src/billing.py changed" in top.reason and "by name" in top.reason
    assert by_name["tests/test_billing.py::test_invoice_total"].reason == "tests billing.py by name"
    assert by_name["web/src/cart.test.ts"].confidence >= 0.7
    assert by_name["tests/test_new_feature.py"].reason == "test file changed in this PR"
    assert "test map: feature 'auth'" in by_name["tests/test_auth.py::test_login"].reason
    assert "similar failure pattern" in by_name["tests/test_search.py::test_query"].reason
    assert all(0 < r.confidence < 1 for r in recs)
    assert [r.confidence for r in recs] == sorted((r.confidence for r in recs), reverse=True)
    assert recs[0].as_json().keys() == {"testName", "reason", "confidenceScore"}


def test_unrelated_change_recommends_nothing() -> None:
    assert recommend_tests(["docs/guide.md"], known_tests=KNOWN) == []


@pytest.mark.parametrize(
    ("changed", "risk"),
    [
        (["README.md", "docs/setup.md"], Risk.LOW),
        (["tests/test_auth.py"], Risk.LOW),
        (["src/auth.py"], Risk.MEDIUM),
        (["src/auth.py", ".github/workflows/ci.yml"], Risk.HIGH),
        (["requirements.txt"], Risk.HIGH),
        ([f"src/m{i}.py" for i in range(40)], Risk.HIGH),
        ([], Risk.LOW),
    ],
)
def test_risk_level(changed: list[str], risk: Risk) -> None:
    assert risk_level(changed)[0] is risk


def test_risk_is_high_where_tests_failed_repeatedly() -> None:
    co = [CoFailure("src/", "t", 3)]
    level, reason = risk_level(["src/auth.py"], co_failures=co)
    assert level is Risk.HIGH and "src/auth.py" in reason


def test_bad_test_map_is_a_clear_error() -> None:
    with pytest.raises(TestMapError, match="features"):
        parse_test_map({"billing": ["x"]})
    with pytest.raises(TestMapError, match="'billing'"):
        parse_test_map({"features": {"billing": {"paths": [1]}}})
