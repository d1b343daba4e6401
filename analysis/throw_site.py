"""Where a failing test's exception was thrown: the deepest frame inside the repository, by function and file.

A test that ends in an exception rather than an assertion (``NullPointerException``, ``KeyError``, ``TypeError:
x is not a function``, a Go or Rust panic) fails the same way whichever statement of the code under test threw:
the test's name and the exception's class are the test's, the frame that threw is the fault's. Every runtime
prints its stack in a documented form, read by the frame rules (``analysis.rules.FRAMES``, the same the scanner
locates failures with): JVM ``at com.acme.Foo.bar(Foo.java:42)`` and JUnit Platform's frames without ``at``,
Python's ``File "x.py", line N, in func``, node's ``at fn (file:line:col)``, Ruby's ``file:N:in 'method'``,
PHPUnit's ``file:N``, ExUnit's ``lib/x.ex:13: X.f/1``, Go's ``\\tfile.go:N +0x1d`` under ``main.fn(...)``,
Rust's backtrace ``  3: crate::f`` then ``at src/x.rs:N:C``. ``pick`` chooses the deepest frame inside the
repository, as it does for the failure's location; its line is left out (an edit above moves it).
"""

from __future__ import annotations

from collections.abc import Sequence

from .lines import clean
from .locations import Frame, pick
from .regex import compile_linear
from .rules import FRAMES
from .scanner import frame_fields

# A new stack inside one failure's lines: Python's chained tracebacks, a JVM cause; the last one printed is
# where the exception started (``pick`` takes the last block).
_NEW_TRACE = compile_linear(r"^\s*(?:Traceback \(most recent call last\)|Caused by:|During handling of)")
# Another failure's heading after this one's frames: JUnit Platform ``JUnit Jupiter:Class:method()``, Maven
# Surefire ``[ERROR] m -- Time elapsed: ... <<< ERROR!``, JUnit 4 ``2) name(Class)``.
_NEXT_FAILURE = compile_linear(r"^\s*(?:JUnit (?:Jupiter|Vintage):|\[ERROR\] \S.*<<< (?:ERROR|FAILURE)!|\d{1,4}\) \S)")
# Go names a frame's function on the line above its file (``main.parse(...)``, ``pkg.(*T).M(0x1)``), Rust's
# backtrace too (``   3: crate::grid::at``)
_GO_FUNC = compile_linear(r"^\s{0,8}([\w./*()-]{1,300})\([^()\n]{0,300}\)\s*$")
_RUST_FUNC = compile_linear(r"^\s*\d+: (\S+)")
# Error types that are an assertion's, not an exception's: where they are thrown is the test's own assertion.
# pytest's long tracebacks (its default): each frame's source from its ``def`` line, then ``path:N: in func``; the
# innermost ends ``path:N: KeyError`` instead, its function named only by the ``def`` above it; ``_ _ _`` parts them.
_PYTEST_RAISED = compile_linear(r"^([^\s:'\"()\[\]]+\.py):(\d+): [A-Za-z_][\w.]*$")
_PYTEST_DEF = compile_linear(r"^\s{4}(?:async\s+)?def (\w+)\(")
_PYTEST_SEPARATOR = compile_linear(r"^(?:_ ){10}")
_ASSERTION = compile_linear(r"(?i)assert|comparison|expectation|^expect\.")
_PANIC = compile_linear(r"^panic: |\bpanicked at\b")  # Go's and Rust's
_FRAME_RULES = tuple(r for r in FRAMES if r.name != "mix.generated")


def frames(lines: Sequence[str]) -> list[Frame]:
    """The stack frames among ``lines`` (one failure's), in printed order, blocks counted as the scanner does."""
    found: list[Frame] = []
    block = 0
    defined = ""  # the function whose source pytest's long traceback shows
    for index, raw in enumerate(lines[:400]):
        line = clean(raw)
        if _NEW_TRACE.match(line):
            block += 1
            continue
        if found and _NEXT_FAILURE.match(line):
            break
        if _PYTEST_SEPARATOR.match(line):
            defined = ""
            continue
        named = _PYTEST_DEF.match(line)
        if named:
            defined = named.group(1)
            continue
        raised = _PYTEST_RAISED.match(line)
        if raised:
            found.append(Frame(raised.group(1), int(raised.group(2)), False, block, defined))
            continue
        for rule in _FRAME_RULES:
            m = rule.pattern.search(line)
            if not m:
                continue
            fields = frame_fields(rule, m)
            if fields is None:
                break
            file, number, innermost_first, func, _app = fields
            if not func and file.endswith(".py"):
                func = defined
            if not func and index:
                above = clean(lines[index - 1])
                reader = _GO_FUNC if file.endswith(".go") else _RUST_FUNC if file.endswith(".rs") else None
                hit = reader.match(above) if reader else None
                func = hit.group(1) if hit else ""
            found.append(Frame(file, number, innermost_first, block, func))
            break
    return found


def thrown_identifiers(
    error_type: str, lines: Sequence[str], *, message: str = "", repo_name: str | None = None
) -> tuple[str, ...]:
    """``thrown:<function>@<file>`` of the deepest frame inside the repository in ``lines`` (a failing test's own
    lines of the log), for an exception (``error_type`` names its class) or a panic; nothing for an assertion's
    failure (its frame is the test's own) or when no frame is printed."""
    exception = bool(error_type) and not _ASSERTION.search(error_type)
    if not lines or not (exception or error_type == "panic" or _PANIC.search(message[:300])):
        return ()
    fault, _test = pick(frames(lines), repo_name=repo_name)
    if fault is None:
        return ()
    func = fault.func.strip()
    return (f"thrown:{func}@{fault.file}",)
