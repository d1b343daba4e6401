"""Extraction and matching quality on the real-tool corpus, dev and held-out parts, beside naive baselines.

``python -m benchmarks.corpus.measure [--part dev|held-out] [--json PATH] [--no-replay] [--misses] [--false-pairs]
[--missed-pairs] [--threshold T]``

Per log (``logs/<project>/<case>.log`` with its truth ``<case>.json``), what ``ci-triage analyze --json``
computes (the CLI's own code path, in-process) at 100 and 30 lines is scored against the truth:

- **evidence@N**: a truth failure counts when at least one of its evidence lines is in the excerpt.
- **tests named**: a truth failure with a test id counts when one of our failures names that test.
- **fault file:line**: our failures include the fault's file (suffix match) and line.
- **test file:line**: our failures include the test's assertion file and line (``test_file``/``test_line``
  when the extractor gives them, else ``file``/``line``).
- **where it broke**: our ``file``/``line`` (the fault slot: "the deepest stack frame inside the repository")
  equals the place the log lets a reader find. That is the injected fault's ``file:line`` when the log prints
  it (``mentions``: a grep of the truth location, never our extractor), else the test's assertion site
  (``test_file``/``test_line`` from the tool's own report: the deepest in-repository location it gives for an
  assertion that failed in the test while the bug sits in the code), else the fault's location again (the
  only one known; linters that print it their own way, eslint's stylish, reach it). **fault file:line** asks
  for the injected line whether or not it was printed, so its ceiling is how often it is printed; the
  ceilings of both (``... as text``: the target printed as ``name:line`` anywhere in the log) are reported
  beside them.
- **paths in tree**: of the paths our failures name (``file``, ``test_file``), how many the project's file
  list (``project.json``, what the git trees API lists) has, exactly or as the one path they end; the pipeline
  drops the others, so an annotation never points at a missing file.
- **same root cause** (pairwise P/R/F1): all logs of a part replayed through ``ci-triage replay`` (the same
  code, a temporary PostgreSQL) in the logs' time order, as one repository's history; two logs are predicted
  "same" when any of their failures share a pattern, truly "same" when any of their root causes are equal.

Baselines on the same logs: **tail** (the last N lines: evidence@N; a test / a ``file:line`` counts as named
when it appears in those lines) and, for matching, **hash** (the hash of a log's error lines with digits, hex
and paths masked: equal hashes = same).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .split import part_of

if TYPE_CHECKING:
    from githubapp.cli.history import ChangeProvider, SourceProvider

HERE = Path(__file__).resolve().parent
LOGS = HERE / "logs"
RESULTS = HERE.parent / "results" / "corpus-quality.json"
BUDGETS = (100, 30)
_STAMP = re.compile(r"^\ufeff?\d{4}-\d\d-\d\dT[\d:.]+Z ")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ERRORISH = re.compile(r"error|fail|exception|panic|fatal|traceback", re.IGNORECASE)
_MASKS = (
    (re.compile(r"[A-Za-z]:\\[^\s'\"]*|/[^\s'\":]*"), "<path>"),
    (re.compile(r"0x[0-9a-fA-F]+|\b[0-9a-f]{7,40}\b"), "<hex>"),
    (re.compile(r"\d+"), "<n>"),
)
_PARAMS = re.compile(r"\[[^\]]*\]$")


@dataclass
class Case:
    log: Path
    truth: dict[str, Any]

    @property
    def project(self) -> str:
        return str(self.truth["project"])

    @property
    def failures(self) -> list[dict[str, Any]]:
        return list(self.truth["failures"])


def load(root: Path = LOGS) -> list[Case]:
    cases = []
    for truth_path in sorted(root.glob("*/*.json")):
        if truth_path.name == "project.json":
            continue
        cases.append(Case(truth_path.with_suffix(".log"), json.loads(truth_path.read_text())))
    return cases


def log_lines(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def content(line: str) -> str:
    return _ANSI.sub("", _STAMP.sub("", line))


# --- ours and the tail baseline, per log -----------------------------------------------------------------


@dataclass
class Answer:
    chosen: dict[int, set[int]] = field(default_factory=dict)  # budget -> excerpt lines
    failures: list[dict[str, Any]] = field(default_factory=list)


def ours(case: Case) -> Answer:
    from analysis import render
    from githubapp.cli.analyze import analyze_path

    answer = Answer()
    for budget in BUDGETS:
        document = render.to_dict(analyze_path(case.log, budget=budget))
        chosen: set[int] = set()
        for start, end, *_ in document["excerpt"]:
            chosen.update(range(start, end + 1))
        answer.chosen[budget] = chosen
        if budget == BUDGETS[0]:
            answer.failures = list(document["failures"])
    return answer


def _norm_test(name: str) -> str:
    return name.replace(" \u203a ", " ").replace(" > ", " ").replace("::", " ").strip()


def same_test(label: str, named: str) -> bool:
    """A truth id names the test; ours may add the file, the suite or the parametrization, or drop them."""
    if not named:
        return False
    norm = _norm_test(label)
    for x in {_norm_test(named), _norm_test(_PARAMS.sub("", named))}:
        if x and (norm == x or norm.endswith(" " + x) or x.endswith(" " + norm) or x.endswith(norm)):
            return True
    return False


def _suffix(a: str, b: str) -> bool:
    a, b = a.replace("\\", "/"), b.replace("\\", "/")
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def found_location(failures: Iterable[dict[str, Any]], file: str, line: int, *, test: bool) -> bool:
    for f in failures:
        pairs = [(f.get("file"), f.get("line"))]
        if test:
            pairs.insert(0, (f.get("test_file"), f.get("test_line")))
        if any(p and n == line and _suffix(str(p), file) for p, n in pairs):
            return True
    return False


def _tree_figure(tally: Tally) -> dict[str, Any]:
    return {"ratio": tally.ratio, "paths": tally.total}


def project_tree(folder: Path) -> frozenset[str]:
    """The project's repository-relative files (``project.json``), as the git trees API would list them."""
    meta = folder / "project.json"
    return frozenset(json.loads(meta.read_text()).get("files", [])) if meta.exists() else frozenset()


def our_paths(answer: Answer) -> list[str]:
    return [str(p) for f in answer.failures for p in (f.get("file"), f.get("test_file")) if p]


def in_tree(path: str, tree: frozenset[str]) -> str | None:
    from analysis.locations import in_tree as resolve

    return resolve(path, tree)


def mentions(lines: Sequence[str], needle: str) -> bool:
    """``needle`` (``name`` or ``file:line``) as a whole token: not ``test_stock.py:21`` for ``stock.py:2``."""
    pattern = re.compile(r"(^|[^\w.-])" + re.escape(needle) + r"(\D|$)")
    return any(pattern.search(content(line)) for line in lines)


def tail_mentions(lines: Sequence[str], budget: int, needle: str) -> bool:
    return mentions(lines[-budget:], needle)


# --- scoring ---------------------------------------------------------------------------------------------


@dataclass
class Tally:
    hit: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.hit += int(ok)
        self.total += 1

    @property
    def ratio(self) -> float | None:
        return round(self.hit / self.total, 4) if self.total else None


MEASURES = (
    "evidence@100",
    "evidence@30",
    "tests named",
    "fault file:line",
    "test file:line",
    "fault file:line as text",  # the fault printed as `file:line` anywhere in the log (tsc, stylish print it otherwise)
    "where it broke",  # our file:line at the fault when the log prints it, else at the test's assertion site
    "where it broke as text",  # that target printed as `file:line` anywhere in the log: the measure's ceiling
)


def _needle(file: str, line: int) -> str:
    return f"{file.rsplit('/', 1)[-1]}:{line}"


def printed(lines: Sequence[str], file: str, line: int) -> bool:
    """Whether the log shows ``file:line`` in any of the forms tools print locations in (a grep of the truth
    location, not our extractor): ``name:N`` (``mentions``), Python's ``name", line N``, bash's ``name: line N``,
    Perl's ``name line N``, pip's ``name (line N)``, tsc's ``name(N,C)``, or the file as a heading (eslint's
    stylish, yamllint's and shellcheck's groups) with a line starting ``N:C`` below it."""
    name = re.escape(file.rsplit("/", 1)[-1])
    inline = re.compile(rf"(^|[^\w.-]){name}(?::{line}(?:\D|$)|(?:\"?,|:)? \(?line {line}\b|\({line}[,)])")
    heading = re.compile(rf"(^|[/\\\s\]]){name}\s*$")
    row = re.compile(rf"^\s*(?:##\[\w+\])?{line}:\d+")
    texts = [content(x) for x in lines]
    for index, text in enumerate(texts):
        if inline.search(text):
            return True
        if heading.search(text) and any(row.match(t) for t in texts[index + 1 : index + 60]):
            return True
    return False


def where_it_broke(failure: dict[str, Any], lines: Sequence[str]) -> tuple[str, int] | None:
    """The location a reader of this log can be shown: the injected fault when the log prints it (any form,
    ``printed``), else the test's assertion site (the tool's report), else None: the log locates nothing (a
    make rule with no line, a package the index lacks, an expected exception never thrown), and no location
    is the right answer."""
    fault = (str(failure["fault_file"]), int(failure["fault_line"]))
    if printed(lines, *fault):
        return fault
    if failure.get("test_file") and failure.get("test_line"):
        return str(failure["test_file"]), int(failure["test_line"])
    return None


def score(
    failure: dict[str, Any], lines: Sequence[str], answer: Answer, tallies: dict[str, dict[str, Tally]]
) -> list[str]:
    """Add one truth failure's items to ``tallies[who][measure]`` (who: ours, tail); return what we missed."""
    misses: list[str] = []
    evidence = set(failure["evidence_lines"])
    for budget in BUDGETS:
        key = f"evidence@{budget}"
        ok = bool(evidence & answer.chosen[budget])
        tallies["ours"][key].add(ok)
        tallies["tail"][key].add(bool(evidence & set(range(len(lines) - budget + 1, len(lines) + 1))))
        if not ok:
            misses.append(f"{key} {failure['root_cause']} lines {sorted(evidence)}")
    if failure.get("test_id"):
        ok = any(same_test(failure["test_id"], str(f.get("test_id") or "")) for f in answer.failures)
        tallies["ours"]["tests named"].add(ok)
        name = failure["test_id"].split("::")[-1].split(" ")[-1]
        tallies["tail"]["tests named"].add(tail_mentions(lines, BUDGETS[0], _PARAMS.sub("", name)))
        if not ok:
            misses.append(f"tests named {failure['test_id']!r}")
    if failure.get("fault_file") and failure.get("fault_line"):
        ok = found_location(answer.failures, failure["fault_file"], failure["fault_line"], test=False)
        tallies["ours"]["fault file:line"].add(ok)
        needle = _needle(failure["fault_file"], failure["fault_line"])
        tallies["tail"]["fault file:line"].add(tail_mentions(lines, BUDGETS[0], needle))
        tallies["ours"]["fault file:line as text"].add(mentions(lines, needle))
        tallies["tail"]["fault file:line as text"].add(mentions(lines, needle))
        if not ok:
            misses.append(f"fault {failure['fault_file']}:{failure['fault_line']}")
    if failure.get("test_file") and failure.get("test_line"):
        ok = found_location(answer.failures, failure["test_file"], failure["test_line"], test=True)
        tallies["ours"]["test file:line"].add(ok)
        needle = _needle(failure["test_file"], failure["test_line"])
        tallies["tail"]["test file:line"].add(tail_mentions(lines, BUDGETS[0], needle))
        if not ok:
            misses.append(f"test {failure['test_file']}:{failure['test_line']}")
    target = where_it_broke(failure, lines)
    if target is None:
        tallies["ours"]["unlocated"].add(True)
        return misses
    ok = found_location(answer.failures, *target, test=False)
    tallies["ours"]["where it broke"].add(ok)
    tallies["tail"]["where it broke"].add(tail_mentions(lines, BUDGETS[0], _needle(*target)))
    tallies["ours"]["where it broke as text"].add(mentions(lines, _needle(*target)))
    tallies["tail"]["where it broke as text"].add(mentions(lines, _needle(*target)))
    if not ok:
        ours_at = sorted({f"{f.get('file')}:{f.get('line')}" for f in answer.failures})
        misses.append(f"where it broke {target[0]}:{target[1]} (ours {', '.join(ours_at)[:200]})")
    return misses


# --- matching --------------------------------------------------------------------------------------------


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def as_json(self) -> dict[str, Any]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def pairwise(cases: Sequence[Case], predicted: Sequence[set[Any]]) -> tuple[Counts, dict[str, Any]]:
    """All pairs' counts, and how many hard-negative pairs (a negative log with a log of the root cause it must
    not match) were wrongly predicted "same"."""
    counts = Counts()
    hard, wrong = 0, 0
    causes = [{f["root_cause"] for f in c.failures} for c in cases]
    for a, b in itertools.combinations(range(len(cases)), 2):
        same = bool(causes[a] & causes[b])
        guess = bool(predicted[a] & predicted[b])
        if not same and any(c.truth.get("negative_of") in causes[o] for c, o in ((cases[a], b), (cases[b], a))):
            hard += 1
            wrong += int(guess)
        if guess and same:
            counts.tp += 1
        elif guess:
            counts.fp += 1
        elif same:
            counts.fn += 1
    rate = round(wrong / hard, 4) if hard else None
    return counts, {"pairs": hard, "wrongly_matched": wrong, "rate": rate}


def masked_hash(path: Path) -> str:
    rows = []
    for line in log_lines(path):
        text = content(line)
        if _ERRORISH.search(text):
            for pattern, mask in _MASKS:
                text = pattern.sub(mask, text)
            rows.append(text.strip())
    return hashlib.sha256("\n".join(sorted(set(rows))).encode()).hexdigest()


def _first_stamp(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.readline().decode("utf-8", "replace").lstrip("\ufeff")[:28]


async def replayed(
    cases: Sequence[Case], threshold: float | None = None, *, source: bool = True
) -> list[list[dict[str, Any]]]:
    """Each log's replayed failures (pattern id, how it matched, signature, message). ``source``: each log
    replayed with its case's files at that commit (``sources.faulted_trees``), as the pipeline reads a run's
    source for the symbols of compile, type and lint errors."""
    from githubapp.cli.history import replay

    provider: SourceProvider | None = None
    changes: ChangeProvider | None = None
    if source:
        provider, changes = case_sources(cases)
    results = await replay([c.log for c in cases], threshold=threshold, source=provider, changes=changes)
    return [list(r.failures) for r in results]


def case_sources(cases: Sequence[Case]) -> tuple[SourceProvider, ChangeProvider]:
    """A replay's source and change providers: a log -> its case's files (the project's file list, the generated
    texts), and the lines its change touched against the project's fault-free files (a pull request's diff)."""
    from githubapp.pipeline.source import MappingSource

    from .sources import changed_lines, clean_trees, faulted_trees

    trees = faulted_trees()
    clean = clean_trees()
    by_log: dict[Path, MappingSource] = {}
    changed: dict[Path, dict[str, frozenset[int]]] = {}
    listed: dict[Path, frozenset[str]] = {}
    for case in cases:
        files = trees.get((case.project, case.log.stem))
        if files is None:
            continue  # no generator here for its ecosystem: replayed without a source, as a run GitHub could not give
        tree = listed.setdefault(case.log.parent, project_tree(case.log.parent))
        by_log[case.log] = MappingSource(files, paths=tree | files.keys())
        if case.project in clean:
            changed[case.log] = changed_lines(files, clean[case.project])
    return by_log.get, changed.get


def false_pairs(cases: Sequence[Case], replayed_failures: Sequence[list[dict[str, Any]]]) -> list[str]:
    """Pairs predicted "same" whose root causes differ, with the failures that shared a pattern, grouped by
    the two root causes: what to read to see which part of the signature should have told them apart."""
    causes = [{f["root_cause"] for f in c.failures} for c in cases]
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a, b in itertools.combinations(range(len(cases)), 2):
        if causes[a] & causes[b]:
            continue
        by_pattern = {int(f["pattern_id"]): f for f in replayed_failures[a]}
        for other in replayed_failures[b]:
            mine = by_pattern.get(int(other["pattern_id"]))
            if mine is None:
                continue
            group = tuple(sorted(("/".join(sorted(causes[a])), "/".join(sorted(causes[b])))))
            rows = [f"  {cases[a].project}/{cases[a].truth['case']} x {cases[b].project}/{cases[b].truth['case']}"]
            for case, f in ((cases[a], mine), (cases[b], other)):
                sig = f.get("signature") or {}
                fields = {k: sig.get(k) for k in ("tool", "kind", "subject", "error_type", "identifiers")}
                rows.append(f"    {case.truth['case']}: how={f['how']} sim={f.get('similarity')} {fields}")
                rows.append(f"      template: {sig.get('template', '')[:200]!r}")
                rows.append(f"      message:  {str(f['message'])[:200]!r}")
            grouped[(group[0], group[1])].append("\n".join(rows))
            break
    out: list[str] = []
    for (one, two), items in sorted(grouped.items(), key=lambda kv: -len(kv[1])):
        out.append(f"{len(items)} pair(s): {one}  vs  {two}")
        out.extend(items)
    return out


def missed_pairs(cases: Sequence[Case], replayed_failures: Sequence[list[dict[str, Any]]]) -> list[str]:
    """Pairs of one root cause predicted apart, grouped by that root cause, each log's failures of it (those whose
    message the truth's message or test names) with their signatures: what to read to see which part of the
    signature should have stayed the same."""
    causes = [{f["root_cause"] for f in c.failures} for c in cases]
    grouped: dict[str, list[str]] = defaultdict(list)
    for a, b in itertools.combinations(range(len(cases)), 2):
        shared = causes[a] & causes[b]
        if not shared or {int(f["pattern_id"]) for f in replayed_failures[a]} & {
            int(f["pattern_id"]) for f in replayed_failures[b]
        }:
            continue
        rows = [f"  {cases[a].truth['case']} x {cases[b].truth['case']}"]
        for case, found in ((cases[a], replayed_failures[a]), (cases[b], replayed_failures[b])):
            for f in found[:4]:
                sig = f.get("signature") or {}
                fields = {k: sig.get(k) for k in ("tool", "kind", "subject", "error_type", "identifiers")}
                rows.append(f"    {case.truth['case']}: how={f['how']} {fields}")
                rows.append(f"      template: {sig.get('template', '')[:200]!r}")
        grouped["/".join(sorted(shared))].append("\n".join(rows))
    out: list[str] = []
    for cause, items in sorted(grouped.items(), key=lambda kv: -len(kv[1])):
        out.append(f"{len(items)} missed pair(s): {cause}")
        out.extend(items)
    return out


def pairs_by_tool(cases: Sequence[Case], replayed_failures: Sequence[list[dict[str, Any]]]) -> dict[str, Any]:
    """Where the pairwise errors are, as counts only: a false pair under the tool its shared pattern's signature
    names and how the later log joined it (``signature`` or ``similarity``), a missed pair under its root cause's
    tool in the truth. What a part's figures come from, without reading its logs."""
    causes = [{f["root_cause"] for f in c.failures} for c in cases]
    tools = [{f["root_cause"]: f["tool"] for f in c.failures} for c in cases]
    negatives = {  # a hard negative's root cause -> (its kind, the root cause it must not match)
        f["root_cause"]: (c.truth["hard_negative"], c.truth["negative_of"])
        for c in cases
        if c.truth.get("hard_negative")
        for f in c.failures
    }
    false: dict[str, int] = defaultdict(int)
    false_kinds: dict[str, int] = defaultdict(int)
    missed: dict[str, int] = defaultdict(int)
    for a, b in itertools.combinations(range(len(cases)), 2):
        shared = causes[a] & causes[b]
        mine = {int(f["pattern_id"]): f for f in replayed_failures[a]}
        joined = [(mine[int(f["pattern_id"])], f) for f in replayed_failures[b] if int(f["pattern_id"]) in mine]
        if joined and not shared:
            first, later = joined[0]
            tool = (first.get("signature") or {}).get("tool") or "?"
            how = "signature" if later["how"] == "signature" or first["how"] == "signature" else str(later["how"])
            false[f"{tool} ({how})"] += 1
            false_kinds[_negative_kind(causes[a], causes[b], negatives)] += 1
        elif shared and not joined:
            missed[tools[a][sorted(shared)[0]]] += 1
    return {
        "false": dict(sorted(false.items(), key=lambda kv: -kv[1])),
        "missed": dict(sorted(missed.items(), key=lambda kv: -kv[1])),
        "false_kinds": dict(sorted(false_kinds.items(), key=lambda kv: -kv[1])),
    }


def _negative_kind(first: set[str], second: set[str], negatives: dict[str, tuple[str, str]]) -> str:
    """The hard-negative kind a false pair falls under (a negative joined the cause it imitates), else
    ``unrelated``."""
    for mine, theirs in ((first, second), (second, first)):
        for cause in mine:
            kind, negative_of = negatives.get(cause, ("", ""))
            if negative_of in theirs:
                return kind
    return "unrelated"


# --- report ----------------------------------------------------------------------------------------------


def measure(
    cases: Sequence[Case],
    *,
    replay: bool,
    misses: bool,
    wrong_pairs: bool = False,
    lost_pairs: bool = False,
    threshold: float | None = None,
    source: bool = True,
) -> dict[str, Any]:
    tallies: dict[str, dict[str, Tally]] = {w: defaultdict(Tally) for w in ("ours", "tail")}
    by_tool: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    missed: list[str] = []
    trees: dict[str, frozenset[str]] = {}
    for case in cases:
        answer = ours(case)
        lines = log_lines(case.log)
        tree = trees.setdefault(case.project, project_tree(case.log.parent))
        for path in our_paths(answer):
            ok = in_tree(path, tree) is not None
            tallies["ours"]["paths in tree"].add(ok)
            if not ok:
                missed.append(f"{case.project}/{case.truth['case']}: path not in tree {path}")
        for failure in case.failures:
            mine: dict[str, dict[str, Tally]] = {"ours": by_tool[failure["tool"]], "tail": defaultdict(Tally)}
            problems = score(failure, lines, answer, mine)
            missed += [f"{case.project}/{case.truth['case']}: {p}" for p in problems]
            score(failure, lines, answer, tallies)
    report: dict[str, Any] = {
        "logs": len(cases),
        "failures": sum(len(c.failures) for c in cases),
        "ours": {k: tallies["ours"][k].ratio for k in MEASURES},
        "tail": {k: tallies["tail"][k].ratio for k in MEASURES},
        "items": {k: tallies["ours"][k].total for k in MEASURES},
        "unlocated": tallies["ours"]["unlocated"].total,  # failures the log locates nowhere: not in "where it broke"
        # of the paths we report (file, test_file), how many the project's tree has: the pipeline drops the others
        "paths in tree": _tree_figure(tallies["ours"]["paths in tree"]),
        "by_tool": {t: {k: v.ratio for k, v in sorted(m.items())} for t, m in sorted(by_tool.items())},
    }
    ordered = sorted(cases, key=lambda c: _first_stamp(c.log))
    hashes = [{masked_hash(c.log)} for c in ordered]
    all_pairs, negative_pairs = pairwise(ordered, hashes)
    report["matching_hash"] = {"pairs": all_pairs.as_json(), "hard_negative_pairs": negative_pairs}
    if replay:
        failures = asyncio.run(replayed(ordered, threshold, source=source))
        predicted = [{int(f["pattern_id"]) for f in fs} for fs in failures]
        if wrong_pairs:
            report["false_pairs"] = false_pairs(ordered, failures)
        if lost_pairs:
            report["missed_pairs"] = missed_pairs(ordered, failures)
        all_pairs, negative_pairs = pairwise(ordered, predicted)
        report["matching_ours"] = {
            "pairs": all_pairs.as_json(),
            "hard_negative_pairs": negative_pairs,
            "errors_by_tool": pairs_by_tool(ordered, failures),
            # failures whose signature has a symbol read from the case's files (compile/type/lint errors)
            "symbols_from_source": sum(1 for found in failures for f in found if f.get("symbol")),
            # and whose line's text was read there (the offending code when the log prints none)
            "lines_from_source": sum(1 for found in failures for f in found if f.get("code_line")),
        }
    if misses:
        report["misses"] = missed
    return report


def _cell(value: float | None) -> str:
    return f"{value:>7.3f}" if value is not None else f"{'-':>7}"


_SHORT = {  # the per-tool table's column heads
    "evidence@100": "evid@100",
    "evidence@30": "evid@30",
    "tests named": "tests",
    "fault file:line": "fault",
    "test file:line": "test loc",
    "fault file:line as text": "fault text",
    "where it broke": "broke",
    "where it broke as text": "broke text",
}


def print_table(name: str, report: dict[str, Any]) -> None:
    print(f"\n{name}: {report['logs']} logs, {report['failures']} failures")
    print(f"{'measure':<22} {'items':>6} {'ours':>7} {'tail':>7}")
    for key in MEASURES:
        print(f"{key:<22} {report['items'][key]:>6} {_cell(report['ours'][key])} {_cell(report['tail'][key])}")
    print(f"{'(unlocated, not counted)':<22} {report['unlocated']:>6}")
    in_tree_figure = report["paths in tree"]
    print(f"{'paths in tree':<22} {in_tree_figure['paths']:>6} {_cell(in_tree_figure['ratio'])}")
    mine, base = report.get("matching_ours"), report["matching_hash"]
    pairs = mine["pairs"] if mine else None
    mine_text = f"P {pairs['precision']:.3f} R {pairs['recall']:.3f} F1 {pairs['f1']:.3f}" if pairs else "(no replay)"
    pairs = base["pairs"]
    base_text = f"P {pairs['precision']:.3f} R {pairs['recall']:.3f} F1 {pairs['f1']:.3f}"
    print(f"{'same root cause':<22} ours {mine_text}   hash {base_text}")
    hard = base["hard_negative_pairs"]
    mine_hard = mine["hard_negative_pairs"]["wrongly_matched"] if mine else "-"
    print(
        f"{'hard-negative pairs':<22} {hard['pairs']}, wrongly matched: "
        f"ours {mine_hard}, hash {hard['wrongly_matched']}"
    )
    if mine:
        errors = mine["errors_by_tool"]
        print(f"{'false pairs by tool':<22} " + ", ".join(f"{k} {v}" for k, v in errors["false"].items()))
        print(f"{'false pairs by kind':<22} " + ", ".join(f"{k} {v}" for k, v in errors["false_kinds"].items()))
        print(f"{'missed pairs by tool':<22} " + ", ".join(f"{k} {v}" for k, v in errors["missed"].items()))
        print(f"{'symbols from source':<22} {mine.get('symbols_from_source', 0)} failures")
        print(f"{'lines from source':<22} {mine.get('lines_from_source', 0)} failures")
    print(f"{'per tool (ours)':<22} " + " ".join(f"{_SHORT[k]:>11}" for k in MEASURES))
    for tool, values in report["by_tool"].items():
        print(f"  {tool:<20} " + " ".join(f"{_cell(values.get(k)):>11}" for k in MEASURES))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus.measure", description=__doc__)
    parser.add_argument("--part", action="append", choices=["dev", "held-out"], help="default: both")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"default: {RESULTS}")
    parser.add_argument("--no-replay", action="store_true", help="skip the replay (it starts a PostgreSQL)")
    parser.add_argument("--misses", action="store_true", help="list what we missed (dev part only)")
    parser.add_argument(
        "--false-pairs", action="store_true", help="list pairs wrongly predicted same, by cause (dev part only)"
    )
    parser.add_argument(
        "--missed-pairs", action="store_true", help="list pairs of one root cause predicted apart (dev part only)"
    )
    parser.add_argument(
        "--threshold", type=float, default=None, help="similarity threshold of the replay (default: the service's)"
    )
    parser.add_argument(
        "--no-source",
        action="store_true",
        help="replay the logs alone, without each case's files (no symbols for compile/type/lint errors)",
    )
    parser.add_argument("--logs", type=Path, default=LOGS, help=f"default: {LOGS}")
    args = parser.parse_args(argv)
    cases = load(args.logs)
    if not cases:
        print(f"no corpus at {LOGS}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    out: dict[str, Any] = {}
    for part in args.part or ["dev", "held-out"]:
        members = [c for c in cases if part_of(c.project) == part]
        dev = part == "dev"
        report = measure(
            members,
            replay=not args.no_replay,
            misses=args.misses and dev,
            wrong_pairs=args.false_pairs and dev,
            lost_pairs=args.missed_pairs and dev,
            threshold=args.threshold,
            source=not args.no_source,
        )
        out[part] = report
        print_table(part, report)
        for miss in report.get("misses", []):
            print(f"  miss {miss}")
        for row in report.get("false_pairs", []):
            print(row)
        for row in report.get("missed_pairs", []):
            print(row)
    out["seconds"] = round(time.perf_counter() - started, 1)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=1) + "\n")
    print(f"\n({out['seconds']} s; written {args.json})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
