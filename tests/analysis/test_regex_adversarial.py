"""Every pattern that sees log or other untrusted text runs in linear time (issue 19).

Three parts: a scan that fails when a module reading logs compiles a pattern other than through
``analysis.regex.compile_linear``; every registered pattern run on generated adversarial texts (100 KB runs of
the pattern's own literals and metacharacters, and the same at ``FAST_CHARS``, where Python's engine runs)
within a time budget; and the two attacks of the issue, reproduced through the public entry points.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import analysis
from analysis.regex import FAST_CHARS, REGISTRY, LinearPattern, NotLinear, compile_linear

ROOT = Path(__file__).resolve().parents[2]
# Modules that read logs, comments, payloads or repository files: all of analysis/, and githubapp's readers.
SCANNED = (
    "analysis",
    "githubapp/report",
    "githubapp/commands",
    "githubapp/fixes",
    "githubapp/pipeline",
    "githubapp/web/api/ingest.py",
    "githubapp/escaping.py",
    "githubapp/observability/logs.py",
    "githubapp/cli/analyze.py",
)
REGEX_MODULES = {"re", "regex", "re2", "sre_compile", "sre_parse"}
LONG_CHARS = 100_000
FAST_BUDGET_S = 0.005  # one call on FAST_CHARS characters; a backtracking pattern takes 10-1000x this
LONG_BUDGET_S = 0.05  # one call on 100 KB through RE2


def _scanned_files() -> Iterator[Path]:
    for entry in SCANNED:
        path = ROOT / entry
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _regex_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{path}:{node.lineno}: import {a.name}" for a in node.names if a.name in REGEX_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in REGEX_MODULES:
            found.append(f"{path}:{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            found.append(f"{path}:{node.lineno}: __import__")
    return found


def test_no_module_compiles_a_pattern_outside_compile_linear() -> None:
    offenders = [hit for path in _scanned_files() if path.name != "regex.py" for hit in _regex_imports(path)]
    assert not offenders, "use analysis.regex.compile_linear instead:\n" + "\n".join(offenders)


def test_the_scan_sees_a_module_that_imports_re(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from re import compile as c\nimport re2\n")
    assert len(_regex_imports(sneaky)) == 2


def _load_every_scanned_module() -> None:
    for info in pkgutil.walk_packages(analysis.__path__, "analysis."):
        importlib.import_module(info.name)
    for path in _scanned_files():
        relative = path.relative_to(ROOT).with_suffix("")
        if relative.parts[0] == "githubapp":
            importlib.import_module(".".join(p for p in relative.parts if p != "__init__"))


# -- adversarial texts ------------------------------------------------------------------------------------

_SAMPLES = {  # a character each class or escape stands for
    "\\d": "7",
    "\\w": "a",
    "\\s": " ",
    "\\S": "x",
    "\\W": "!",
    "\\D": "z",
    "\\b": " ",
    ".": ".",
}


def _units(pattern: str) -> set[str]:
    """The pattern's literal runs, its single literal characters and samples of its metacharacters: what
    an attacker repeats to make a backtracking engine try every split."""
    units: set[str] = set()
    literal = ""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escape = pattern[i : i + 2]
            if escape in _SAMPLES:
                units.add(_SAMPLES[escape])
                literal += _SAMPLES[escape]
            elif pattern[i + 1] in "xuU":
                literal = ""
            else:
                literal += pattern[i + 1]
                units.add(pattern[i + 1])
            i += 2
            continue
        if char.isalnum() or char in " :/-_=@#'\"`,;<>!%&~":
            literal += char
            units.add(char)
        else:
            if len(literal) > 1:
                units.add(literal)
            literal = ""
            if char == ".":
                units.update(("a", "."))
        i += 1
    if len(literal) > 1:
        units.add(literal)
    units.add(re.sub(r"\\.|[^\w ]", "", pattern)[:40] or "a")  # the letters of the whole pattern in order
    return {u for u in units if u}


def _texts(pattern: str, length: int) -> Iterator[str]:
    for unit in sorted(_units(pattern)):
        run = (unit * (length // len(unit) + 1))[: length - 1]
        yield run
        yield run + "\u2603"  # a run that fails at its very end: the worst case for a backtracking engine
        yield "a " + run + "\n"


def _seconds(method: Callable[[str], object], text: str) -> float:
    started = time.thread_time()
    method(text)
    return time.thread_time() - started


def _slowest(compiled: LinearPattern, length: int, budget: float) -> tuple[float, str]:
    """The slowest call (seconds) and its text, each timed twice and the faster taken (RE2 builds its DFA's
    states lazily: a first call on a new text pays a one-off cost bounded by the DFA, not by the text, which
    scaled to 100 KB below looks like a slow pattern; a superlinear one is slow on every call). Lengths grow
    towards ``length`` (on the engine that length takes) and stop at the first one over its share of the
    budget, so a cubic pattern fails in milliseconds rather than hours."""
    worst, worst_text = 0.0, ""
    floor = compiled.fast_chars + 2 if length > compiled.fast_chars else 1  # runs are size - 1 long
    for size in sorted({max(floor, min(length, n)) for n in (250, 1000, 10_000, length)}):
        allowed = budget * size / length
        for text in _texts(compiled.pattern, size):
            for method in (compiled.search, compiled.match):
                elapsed = min(_seconds(method, text) for _ in range(2))
                if elapsed > worst:
                    worst, worst_text = elapsed, text
                if elapsed > allowed:
                    return elapsed * length / size, text  # scaled linearly: a lower bound at full length
    return worst, worst_text


def _over_budget(compiled: LinearPattern, length: int, budget: float) -> str | None:
    """A description of the slowest adversarial text when it is over budget three times (a loaded machine
    may stall one call), else None."""
    for _ in range(3):
        worst, text = _slowest(compiled, length, budget)
        if worst <= budget:
            return None
    return f"{compiled!r} at {compiled.origin}: {worst * 1000:.1f} ms on {text[:30]!r}... ({len(text)} chars)"


def test_every_pattern_is_fast_on_adversarial_texts() -> None:
    _load_every_scanned_module()
    assert len(REGISTRY) > 300  # the rule table alone has ~200
    # the same budget per character on the Python path, at each pattern's own length limit
    slow_fast_path = [
        p for p in (_over_budget(c, c.fast_chars, FAST_BUDGET_S * c.fast_chars / FAST_CHARS) for c in REGISTRY) if p
    ]
    slow_long_path = [p for p in (_over_budget(c, LONG_CHARS, LONG_BUDGET_S) for c in REGISTRY) if p]
    assert not slow_fast_path, "backtracking on Python's engine:\n" + "\n".join(slow_fast_path)
    assert not slow_long_path, "slow on RE2:\n" + "\n".join(slow_long_path)


def test_the_budget_catches_a_backtracking_pattern() -> None:
    # the precommit rule as it was: ``\S.*?`` and ``\.{3,}`` both take the dots, every split is tried
    old_precommit = compile_linear(r"^(?P<hook>\S.*?)\.{3,}(?:\(no files to check\))?Failed$", register=False)
    assert _over_budget(old_precommit, FAST_CHARS, FAST_BUDGET_S) is not None
    assert _over_budget(old_precommit, LONG_CHARS, LONG_BUDGET_S) is None  # RE2 is linear whatever the pattern


@pytest.mark.parametrize(
    "pattern",
    [r"(a)\1", r"foo(?=bar)", r"(?<!x)y", r"(?>a+)b", r"a++", r"(?P<n>a)(?P=n)"],
)
def test_backtracking_constructs_are_refused(pattern: str) -> None:
    with pytest.raises(NotLinear):
        compile_linear(pattern, register=False)


@pytest.mark.parametrize("text", ["", "x", "Snapshot `a` mismatched", "é€ 漢字 Snapshot `ü` mismatched"])
@pytest.mark.parametrize("repeat", [1, 3000])  # below and above FAST_CHARS: both engines, same answers
def test_both_engines_agree(text: str, repeat: int) -> None:
    compiled = compile_linear(r"(?:Error: )?Snapshot `(?P<name>[^`]+)` mismatched", register=False)
    long = "lead " * repeat + text
    expected = re.search(compiled.pattern, long, re.ASCII)
    found = compiled.search(long)
    assert (found is None) == (expected is None)
    if found and expected:
        assert found.span() == expected.span() and found.group("name") == expected.group("name")
    assert compiled.sub(lambda m: "<" + m.group("name") + ">", long) == re.sub(
        compiled.pattern, lambda m: "<" + m.group("name") + ">", long, flags=re.ASCII
    )


# -- the attacks of issue 19, through the public entry points -----------------------------------------------


def test_snapshot_fix_rule_on_a_long_line_of_snapshot_backticks() -> None:
    from analysis.fixes.rules import rule_proposals

    log = "FAIL src/a.test.js\n" + "Snapshot `" * 8_000 + "\n  - Snapshot\n  + Received\n"  # an 80 KB line
    started = time.process_time()
    rule_proposals(log)
    assert time.process_time() - started < 1.0  # 4.4 s before


def test_code_frame_pattern_on_a_line_of_spaces() -> None:
    from analysis.fixes.rules import rule_proposals

    diff = "FAIL src/a.test.js\n  ● t\n\n    Snapshot name: `t 1`\n\n    - Snapshot  - 1\n    + Received  + 1\n\n"
    log = diff + "    - a\n" + " " * 8_000 + "x\n"  # an 8 KB line inside the diff: 1.9 s before
    started = time.process_time()
    rule_proposals(log * 5)
    assert time.process_time() - started < 1.0


def test_precommit_rule_on_lines_of_dots() -> None:
    from analysis.engine import analyze_text
    from analysis.scanner import classify

    log = "\n".join(["." * 2_000 + "xFailed"] * 200)  # 0.4 MB: ~80 ms a line before, 16 s in all
    started = time.process_time()
    analyze_text(log)
    assert time.process_time() - started < 2.0
    # what the rule is for still reads the same
    assert classify("black....................................................Failed") == "precommit.failed"
    assert classify("check yaml...(no files to check)Failed") == "precommit.failed"
