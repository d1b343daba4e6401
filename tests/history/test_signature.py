"""Failure signatures on real tool output: each false-match cause of issue 17 gets different scopes (never
compared by similarity), and each re-run of one fault gets the same key."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.engine import analyze_bytes
from analysis.signature import FailureSignature, enclosing_symbol, is_generic, normalize_test_id, signature
from analysis.types import Failure, FailureKind

CASES = Path(__file__).parent / "cases"


def signatures(name: str) -> list[FailureSignature]:
    return [signature(f) for f in analyze_bytes((CASES / f"{name}.log").read_bytes()).failures]


def first(name: str) -> FailureSignature:
    return signatures(name)[0]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("mypy-a", "mypy-a-shifted"),  # the error moved down a line
        ("pytest-yaml", "pytest-yaml-shifted"),
        ("pip-widgets", "pip-widgets-2"),  # the same package, another pinned version
    ],
)
def test_a_rerun_of_one_fault_has_the_same_key(a: str, b: str) -> None:
    assert first(a).key == first(b).key


@pytest.mark.parametrize(("a", "b"), [("jest-discount", "jest-discount-data"), ("pytest-cart", "pytest-cart-data")])
def test_the_same_assertion_getting_another_value_is_another_key(a: str, b: str) -> None:
    """What the code under test returned is the fault's, not data (analysis.signature.assertion_identifiers):
    ``Received: 81`` and ``Received: 162`` at one assertion are two keys of one test, never compared."""
    sa, sb = first(a), first(b)
    assert (sa.subject, sa.error_type, sa.template) == (sb.subject, sb.error_type, sb.template)
    assert [i for i in sa.identifiers if i.startswith("actual:")] != [
        i for i in sb.identifiers if i.startswith("actual:")
    ]
    assert sa.key != sb.key and not sa.compatible(sb)


def _junit(actual: str) -> FailureSignature:
    message = f"org.opentest4j.AssertionFailedError: expected: <1000> but was: <{actual}>"
    return signature(Failure(FailureKind.TEST, "junit5", message, test_id="com.acme.QuoteTest.totalForBulk"))


def test_a_long_number_the_assertion_got_is_the_fault_s_not_noise() -> None:
    """``but was: <1250>`` and ``but was: <1500>``: what the code computed, kept however many digits it has;
    what a run prints differently every time (a timestamp, a duration, an address) is still masked."""
    assert "actual:1250" in _junit("1250").identifiers
    assert _junit("1250").key != _junit("1500").key
    assert _junit("1250").key == _junit("1250").key
    assert _junit("2026-03-01T10:00:00Z").key == _junit("2026-04-02T11:30:00Z").key
    assert _junit("Quote@0x7f3a21").key == _junit("Quote@0x55c0de").key
    assert _junit("took 1250ms").key == _junit("took 980ms").key


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("jest-discount", "jest-rounds-only", "two tests of one describe, both expect(received).toBe(expected)"),
        ("pytest-cart", "pytest-stock", "two pytest tests in other files, both assert x == y"),
        ("mypy-a", "mypy-b", "the same mypy message in another file"),
        ("gcc-codec", "gcc-parse", "'len' undeclared in another file"),
        ("cargo-render", "cargo-parse", "mismatched types in another file"),
        ("pytest-yaml", "pytest-dateutil", "No module named 'yaml' vs 'dateutil'"),
        ("pip-widgets", "pip-gadgets", "a pin of another package"),
        ("pytest-cart", "pytest-cart-keyerror", "the same test failing for another reason"),
    ],
)
def test_each_false_match_cause_is_another_scope(a: str, b: str, why: str) -> None:
    sa, sb = first(a), first(b)
    assert sa.scope != sb.scope, why
    assert not sa.compatible(sb) and sa.key != sb.key


def first_of_test(name: str, test: str) -> FailureSignature:
    return next(s for s in signatures(name) if s.subject.endswith(test))


def test_two_tests_of_one_describe_in_one_log_are_two_scopes() -> None:
    discount = first_of_test("jest-discount-rounds", "applies the discount once")
    rounds = first_of_test("jest-discount-rounds", "rounds to cents")
    assert discount.error_type == rounds.error_type == "expect.toBe"
    assert discount.template == rounds.template  # the messages look alike ...
    assert discount.scope != rounds.scope  # ... the tests do not
    assert discount.key == first("jest-discount").key


def test_sibling_parametrised_cases_are_two_subjects() -> None:
    ascii_case, unicode_case = signatures("pytest-siblings")
    assert ascii_case.subject.endswith("test_parse[ascii]") and unicode_case.subject.endswith("test_parse[unicode]")
    assert ascii_case.scope != unicode_case.scope


def test_key_identifiers_are_named() -> None:
    assert first("pytest-yaml").identifiers == ("module:yaml",)
    assert first("pytest-dateutil").identifiers == ("module:dateutil",)
    assert first("pip-gadgets").identifiers == ("package:gadgets",)
    assert first("gcc-codec").identifiers == ("symbol:len",)
    assert first("pytest-cart-keyerror").error_type == "KeyError"


def test_a_missing_module_crosses_tests_but_not_modules() -> None:
    yaml = first("pytest-yaml")
    elsewhere = signature(
        Failure(FailureKind.TEST, "pytest", "ModuleNotFoundError: No module named 'yaml'", file="tests/test_api.py")
    )
    assert elsewhere.subject != yaml.subject and elsewhere.compatible(yaml)
    assert not first("pytest-dateutil").compatible(yaml)


def test_an_infra_failure_crosses_tests_with_equal_hosts_only() -> None:
    def dns(host: str, test: str) -> FailureSignature:
        return signature(Failure(FailureKind.INFRA, "infra", f"curl: (6) Could not resolve host: {host}", test_id=test))

    assert dns("pypi.org", "a").compatible(dns("pypi.org", "b"))
    assert not dns("pypi.org", "a").compatible(dns("files.example.com", "a"))


def test_the_same_message_in_another_function_of_one_file() -> None:
    # gcc names the function above its error ("codec.c: In function 'decode':"): part of the subject.
    context = (CASES / "gcc-codec.log").read_text()
    assert enclosing_symbol(context) == "decode"
    message = "\u2018len\u2019 undeclared (first use in this function)"
    decode = signature(Failure(FailureKind.COMPILE, "gcc", message, file="codec.c", line=2), symbol="decode")
    encode = signature(Failure(FailureKind.COMPILE, "gcc", message, file="codec.c", line=9), symbol="encode")
    assert decode.subject == "file:codec.c#decode" and not decode.compatible(encode)


def test_line_numbers_are_never_part_of_it() -> None:
    a = Failure(FailureKind.TYPE, "mypy", 'Name "x" is not defined', file="src/a.py", line=3)
    b = Failure(FailureKind.TYPE, "mypy", 'Name "x" is not defined', file="src/a.py:7", line=7)
    assert signature(a).key == signature(b).key


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("tests/test_units.py::test_parse_size[10MB-10485760]", "tests/test_units.py::test_parse_size[<SIZE>-<N>]"),
        ("tests/test_a.py::test_case_2", "tests/test_a.py::test_case_2"),  # a name, not data
        ("tests/test_a.py::test_x['a b'-3]", "tests/test_a.py::test_x[<N>-<N>]"),
        ("TestParse/unicode", "TestParse/unicode"),
    ],
)
def test_parametrised_ids_keep_their_structure(raw: str, normalized: str) -> None:
    assert normalize_test_id(raw) == normalized


@pytest.mark.parametrize("name", ["generic-a", "generic-make"])
def test_bare_exit_codes_are_generic(name: str) -> None:
    assert first(name).generic


@pytest.mark.parametrize(
    ("message", "generic"),
    [
        ("Process completed with exit code 1.", True),
        ("Error: Process completed with exit code 2.", True),
        ("make: *** [Makefile:12: test] Error 2", True),
        ("exit status 1", True),
        ("checking... (Process completed with exit code 1)", True),
        ("Deployment rejected: environment staging is locked (Process completed with exit code 3)", False),
    ],
)
def test_generic_identity(message: str, generic: bool) -> None:
    assert is_generic(Failure(FailureKind.UNKNOWN, "generic", message)) is generic
    assert not is_generic(Failure(FailureKind.TEST, "pytest", message, test_id="t"))  # a test is an identity


def test_signature_round_trips_through_json() -> None:
    sig = first("pip-widgets")
    assert FailureSignature.from_json(sig.as_json()) == sig
    assert sig.as_json()["key"] == sig.key and sig.as_json()["scope"] == sig.scope
