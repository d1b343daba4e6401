"""Fix machinery speed: diff parse+apply, the rule table over real CI logs, command parsing of big comments.

Each figure is reported with a baseline measured in the same run on the same input:
- applying a diff vs producing it with difflib (the stdlib's own cost for the same change);
- the rule table vs one case-insensitive ``error|fail`` regex pass (the naive grep baseline of the datasets);
- parsing a 64 KB comment vs splitting it into lines.

    python -m benchmarks.fixes [--quick]
"""

from __future__ import annotations

import difflib
import random
import re
import sys
import time
from collections.abc import Callable

from analysis.fixes.patch import apply_patch, parse_patch, split_lines, unified_diff
from analysis.fixes.rules import rule_proposals
from githubapp.commands.parser import parse_comment

from .datasets import BUNDLED


def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def patch_figures(lines: int, hunks: int, repeat: int) -> None:
    rng = random.Random(7)
    old = [f"line {i} {rng.randrange(10**6)}\n" for i in range(lines)]
    new = list(old)
    for at in sorted(rng.sample(range(lines), hunks), reverse=True):
        new[at] = f"changed {at}\n"
    old_text, new_text = "".join(old), "".join(new)
    diff = unified_diff(old_text, new_text, "f.txt")

    def apply() -> None:
        assert apply_patch(parse_patch(diff), {"f.txt": old_text})["f.txt"] == new_text

    def produce() -> None:
        "".join(difflib.unified_diff(split_lines(old_text), split_lines(new_text), "a/f.txt", "b/f.txt"))

    t_apply, t_base = best_of(apply, repeat), best_of(produce, repeat)
    print(
        f"patch  {lines:>6} lines {hunks:>4} hunks: parse+apply {t_apply * 1e3:7.2f} ms, "
        f"difflib produce {t_base * 1e3:7.2f} ms, ratio {t_apply / t_base:5.2f}"
    )


def rules_figures(quick: bool) -> None:
    root = BUNDLED
    logs = sorted((root / "logdx-dev").glob("*/raw.log")) + sorted((root / "cidiff" / "data").glob("**/fail.log"))
    if quick:
        logs = logs[:15]
    texts = [p.read_text(errors="replace") for p in logs]
    size = sum(len(t) for t in texts) / 1e6
    grep = re.compile(r"error|fail", re.IGNORECASE)
    t_rules = best_of(lambda: [rule_proposals(t) for t in texts], 1 if quick else 2)
    t_grep = best_of(lambda: [grep.findall(t) for t in texts], 1 if quick else 2)
    print(
        f"rules  {len(texts)} logs {size:.1f} MB: {size / t_rules:6.1f} MB/s ({t_rules:.2f} s), "
        f"grep baseline {size / t_grep:6.1f} MB/s, ratio {t_rules / t_grep:5.1f}"
    )


def parser_figures(repeat: int) -> None:
    body = "".join(f"> quoted /triage approve 1a2b3c4d line {i}\n" for i in range(1500))[:65_000]
    body += "\n/triage retry\n"
    t_parse = best_of(lambda: parse_comment(body), repeat)
    t_split = best_of(lambda: body.split("\n"), repeat)
    print(
        f"parser {len(body) // 1024} KB comment: {t_parse * 1e3:.3f} ms, split baseline {t_split * 1e3:.3f} ms, "
        f"ratio {t_parse / t_split:5.1f}"
    )


def main(options: list[str]) -> int:
    quick = "--quick" in options
    repeat = 3 if quick else 7
    for lines, hunks in ((1_000, 10), (20_000, 100)):
        patch_figures(lines, hunks, repeat)
    parser_figures(repeat * 10)
    rules_figures(quick)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
