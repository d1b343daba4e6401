"""What a "seen before" by signature rests on, in words, so the report says how strong the claim is.

Two failures with one signature share everything in it; which parts it has depends on what the log printed. A
test failure whose log shows what the code under test did (the value its assertion got, the frame that threw)
is told apart from another fault of that test; one whose log shows only the test and the runner's or the test's
fixed words (``expected error, got nil``, ``Failed test 'x'``) is not: every fault of that assertion reads the
same, so the report says so (``thin``) instead of claiming more than the log does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .signature import FailureSignature, by_role

# A value an assertion got that any fault of it gets alike: one bit, or nothing at all.
_ONE_BIT = frozenset({"nil", "<nil>", "null", "none", "undefined", "true", "false", "''", '""', "[]", "{}", "()"})


@dataclass(frozen=True)
class Basis:
    words: str  # "same test, same assertion, same value got"
    thin: bool  # the log shows nothing that tells two faults of that test (or place) apart


def match_basis(sig: FailureSignature, same_change: Sequence[str] = (), *, other_value: bool = False) -> Basis:
    """The parts of ``sig`` a match on it rests on, most telling first; ``same_change``: the places
    (``analysis.change_loci``) this failure's change and the pattern's earlier ones both touched, evidence beyond
    the log that makes even a thin match one fault; ``other_value``: the pattern's members got another value
    (matched by the place alone, the same assertion on other data)."""
    basis = _from_log(sig, other_value=other_value)
    if not same_change:
        return basis
    # a symbol (path#symbol) is code the change touched; a whole file is only the same file
    where = "code" if any("#" in place for place in same_change) else "file"
    touched = f"the change touched the same {where}: " + ", ".join(same_change[:3])
    touched += " …" if len(same_change) > 3 else ""
    if basis.thin:
        what = basis.words.split(":", 1)[0]  # "only the same test and message"
        return Basis(f"{what} in the log, and {touched}", False)
    return Basis(f"{basis.words}, and {touched}", False)


def _from_log(sig: FailureSignature, *, other_value: bool = False) -> Basis:
    refined = by_role(sig.refinements)
    named = by_role(sig.identifiers)
    if sig.kind == "test" and sig.subject.startswith("test:"):
        parts = ["same test"]
        if "thrown" in refined:
            parts.append("thrown at the same place")
        if "asserted" in refined:
            parts.append("same assertion")
        if "expected" in refined:
            parts.append("same expected value")
        actual = named.get("actual")
        if actual is not None and other_value:
            parts.append("another value got")
        elif actual is not None and actual.strip().lower() not in _ONE_BIT:
            parts.append("same value got")
        elif "thrown" not in refined:
            what = "test and assertion" if "asserted" in refined else "test and message"
            return Basis(f"only the same {what}: nothing in the log tells its faults apart", True)
        return Basis(", ".join(parts), False)
    parts = [f"same {sig.error_type}" if sig.error_type else "same message"]
    if sig.subject.startswith("file:"):
        parts.append("in the same function" if "#" in sig.subject else "in the same file")
    if "code" in refined:
        parts.append("on the same code")
    for role in ("module", "package", "requirement", "host", "config", "service"):
        if role in named:
            parts.append(f"same {role} {named[role]}")
            break
    return Basis(", ".join(parts), False)
