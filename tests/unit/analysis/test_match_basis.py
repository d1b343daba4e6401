"""What a match by signature rests on: said in words, and "thin" when the log cannot tell the test's faults apart."""

from __future__ import annotations

from analysis.match_basis import match_basis
from analysis.signature import FailureSignature


def _sig(
    kind: str, subject: str, identifiers: tuple[str, ...] = (), refinements: tuple[str, ...] = ()
) -> FailureSignature:
    return FailureSignature("go", kind, subject, "", identifiers, "t", refinements=refinements)


def test_a_test_whose_log_shows_what_the_code_did_is_a_full_match() -> None:
    seen = ("asserted:Total()", "expected:14250")
    basis = match_basis(_sig("test", "test:TestTotals", ("actual:12750",), seen))
    assert basis == match_basis(_sig("test", "test:TestTotals", ("actual:12750",), seen[::-1]))
    assert not basis.thin
    assert basis.words == "same test, same assertion, same expected value, same value got"
    thrown = match_basis(_sig("test", "test:TestSummary", (), ("thrown:Summary@invoice/invoice.go",)))
    assert not thrown.thin and "thrown at the same place" in thrown.words


def test_a_test_whose_log_shows_only_fixed_words_or_one_bit_is_thin() -> None:
    for identifiers in ((), ("actual:nil",), ("actual:false",), ("actual:''",)):
        basis = match_basis(_sig("test", "test:TestCoupon", identifiers))
        assert basis.thin, identifiers
        assert basis.words == "only the same test and message: nothing in the log tells its faults apart"
    assert match_basis(_sig("test", "test:TestCoupon", (), ("asserted:err != nil",))).words.startswith(
        "only the same test and assertion"
    )


def test_a_compile_error_says_where_it_matched() -> None:
    subject = "file:src/ledger.rs#Ledger.total"
    sig = FailureSignature("rustc", "compile", subject, "E0425", (), "t", refinements=("code:x",))
    assert match_basis(sig).words == "same E0425, in the same function, on the same code"
    dependency = FailureSignature("pytest", "dependency", "", "ModuleNotFoundError", ("module:yaml",), "t")
    assert match_basis(dependency).words == "same ModuleNotFoundError, same module yaml"


def test_the_same_change_makes_a_thin_match_one_fault_and_says_where() -> None:
    thin = _sig("test", "test:TestCoupon", ("actual:nil",))
    basis = match_basis(thin, ["invoice/coupon.go#lookup"])
    assert not basis.thin
    assert basis.words == "only the same test and message in the log, and the change touched the same code: " + (
        "invoice/coupon.go#lookup"
    )
    full = match_basis(_sig("test", "test:TestTotals", ("actual:12750",)), ["a.go#f", "b.go#g", "c.go#h", "d.go#i"])
    assert full.words == "same test, same value got, and the change touched the same code: a.go#f, b.go#g, c.go#h …"
    whole = match_basis(thin, ["src/app.py"])
    assert whole.words.endswith("and the change touched the same file: src/app.py")
    # joined by the same edit on other data: what the code got differs, and the words say so
    other = match_basis(_sig("test", "test:TestTotals", ("actual:12750",)), ["a.go#f"], other_value=True)
    assert other.words == "same test, another value got, and the change touched the same code: a.go#f"
