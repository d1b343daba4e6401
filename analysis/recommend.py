"""Which tests to run for a change, and how risky the change is. Pure: the caller gathers the history.

Signals, each with a reason and a confidence in 0..1; a test's confidence is the strongest signal plus a
small bonus per additional signal:

- *co-failure*: the test failed before on commits that changed these files (or their directories);
- *changed test*: the change edits the test file itself;
- *name/path proximity*: ``tests/test_foo.py`` or ``foo.test.ts`` for ``src/foo.py``/``src/foo.ts``;
- *similar pattern*: the test appears in a failure pattern similar to the current failures;
- *test map*: the repository's feature map (``test-map.json`` / ``test_map`` in ``.github/ci-triage.yml``)::

      {"features": {"billing": {"paths": ["src/billing/**"], "tests": ["tests/billing/**", "test_invoice"]}}}
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .regex import IGNORECASE, compile_linear


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Recommendation:
    test_name: str
    reason: str
    confidence: float

    def as_json(self) -> dict[str, Any]:
        return {
            "testName": self.test_name,
            "reason": self.reason,
            "confidenceScore": round(self.confidence, 3),
        }


@dataclass(frozen=True)
class CoFailure:
    """History: ``test_id`` failed ``count`` times on commits that changed ``path``."""

    path: str
    test_id: str
    count: int


@dataclass(frozen=True)
class Feature:
    name: str
    paths: tuple[str, ...]
    tests: tuple[str, ...]


class TestMapError(ValueError):
    __test__ = False


def parse_test_map(data: Mapping[str, Any] | None) -> list[Feature]:
    """``{"features": {name: {"paths": [globs], "tests": [globs or names]}}}``; a clear error otherwise."""
    if not data:
        return []
    features = data.get("features")
    if not isinstance(features, Mapping):
        raise TestMapError('test map: expected {"features": {"<name>": {"paths": [...], "tests": [...]}}}')
    out = []
    for name, spec in features.items():
        if not isinstance(spec, Mapping):
            raise TestMapError(f"test map: feature {name!r} must be an object with paths and tests")
        paths, tests = spec.get("paths", []), spec.get("tests", [])
        if isinstance(paths, str):
            paths = [paths]
        if isinstance(tests, str):
            tests = [tests]
        if not all(isinstance(p, str) for p in paths) or not all(isinstance(t, str) for t in tests):
            raise TestMapError(f"test map: feature {name!r}: paths and tests must be lists of strings")
        out.append(Feature(str(name), tuple(paths), tuple(tests)))
    return out


_TEST_FILE = compile_linear(
    r"(^|/)(tests?|__tests__|spec|specs)/|(^|/)test_[^/]+$|_test\.[^/]+$|\.(test|spec)\.[^/]+$|Tests?\.[^/]+$"
)
_STEM_AFFIXES = compile_linear(r"^(test_|tests_|test)|(_test|_tests|_spec|\.test|\.spec|tests|test|spec)$", IGNORECASE)


def is_test_path(path: str) -> bool:
    return bool(_TEST_FILE.search(path))


def test_file_of(test_id: str) -> str:
    """The file part of a test id: ``tests/test_a.py::TestX::test_y`` -> ``tests/test_a.py``."""
    return test_id.split("::", 1)[0].split(" ", 1)[0]


def subject_stem(path: str) -> str:
    """``src/foo.py`` -> ``foo``; ``tests/test_foo.py``, ``foo.test.ts``, ``FooTest.java`` -> ``foo``."""
    base = posixpath.basename(path)
    stem = base.split(".", 1)[0] if not base.startswith(".") else base
    for suffix in (".test", ".spec"):
        if suffix in base:
            stem = base.split(suffix, 1)[0]
    previous = None
    while previous != stem:
        previous = stem
        stem = _STEM_AFFIXES.sub("", stem)
    return stem.lower().replace("-", "_")


def _glob(pattern: str, path: str) -> bool:
    # fnmatch's "*" already spans "/", so "**/" may also match nothing (a file at the top).
    return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, pattern.replace("**/", ""))


def _dirs(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _combine(signals: list[tuple[float, str]]) -> tuple[float, str]:
    signals.sort(key=lambda s: -s[0])
    best, reason = signals[0]
    bonus = sum(0.3 * s for s, _ in signals[1:])
    reasons = "; ".join(dict.fromkeys(r for _, r in signals))
    return min(0.99, best + bonus * (1 - best)), reasons if len(signals) > 1 else reason


def recommend_tests(
    changed_paths: Sequence[str],
    *,
    known_tests: Iterable[str] = (),
    co_failures: Iterable[CoFailure] = (),
    pattern_tests: Mapping[str, float] | None = None,
    test_map: Sequence[Feature] = (),
    limit: int = 20,
) -> list[Recommendation]:
    """Rank tests for a change. ``pattern_tests``: test id -> similarity of the pattern it appeared in."""
    signals: dict[str, list[tuple[float, str]]] = defaultdict(list)
    changed = [p.strip("/") for p in changed_paths if p.strip("/")]
    known = sorted(set(known_tests))

    # Co-failure history: exact file stronger than its directory.
    by_path: dict[str, list[CoFailure]] = defaultdict(list)
    for cf in co_failures:
        by_path[cf.path].append(cf)
    for path in changed:
        for cf in by_path.get(path, []):
            conf = min(0.95, 0.7 + 0.1 * cf.count)
            signals[cf.test_id].append((conf, f"failed {cf.count}x before when {path} changed"))
        for depth, directory in enumerate(_dirs(path)):
            for cf in by_path.get(directory + "/", []):
                conf = min(0.8, 0.4 + 0.08 * cf.count) * (0.85**depth)
                signals[cf.test_id].append((conf, f"failed {cf.count}x before when {directory}/ changed"))

    # The change edits tests: run them.
    for path in changed:
        if is_test_path(path):
            signals[path].append((0.9, "test file changed in this PR"))

    # Name and path proximity against tests the history knows.
    stems: dict[str, list[str]] = defaultdict(list)
    for test in known:
        stems[subject_stem(test_file_of(test))].append(test)
    for path in changed:
        if is_test_path(path):
            continue
        stem = subject_stem(path)
        if len(stem) < 2:
            continue
        for test in stems.get(stem, []):
            shared = _shared_dirs(path, test_file_of(test))
            conf = 0.7 + min(0.15, 0.05 * shared)
            signals[test].append((conf, f"tests {posixpath.basename(path)} by name"))

    # Tests in failure patterns similar to the current failures.
    for test, similarity in (pattern_tests or {}).items():
        signals[test].append(
            (
                0.5 + 0.4 * max(0.0, min(1.0, similarity)),
                f"appears in a similar failure pattern (similarity {similarity:.2f})",
            )
        )

    # The repository's feature map.
    for feature in test_map:
        hits = [p for p in changed if any(_glob(g, p) for g in feature.paths)]
        if not hits:
            continue
        for spec in feature.tests:
            matched = [t for t in known if _glob(spec, test_file_of(t)) or _glob(spec, t) or t == spec]
            for test in matched or ([spec] if not any(c in spec for c in "*?[") else []):
                signals[test].append((0.75, f"test map: feature {feature.name!r} ({hits[0]} changed)"))

    ranked = []
    for test, items in signals.items():
        conf, reason = _combine(items)
        ranked.append(Recommendation(test, reason, conf))
    ranked.sort(key=lambda r: (-r.confidence, r.test_name))
    return ranked[:limit]


def _shared_dirs(a: str, b: str) -> int:
    da, db = a.split("/")[:-1], b.split("/")[:-1]
    return len(set(da) & set(db) - {"src", "lib", "tests", "test"})


_HIGH_RISK = compile_linear(
    r"(^|/)(\.github/workflows/|Dockerfile|docker-compose[^/]*$|Makefile$|setup\.py$|setup\.cfg$|pyproject\.toml$"
    r"|requirements[^/]*\.txt$|package\.json$|package-lock\.json$|yarn\.lock$|pnpm-lock\.yaml$|go\.(mod|sum)$"
    r"|Cargo\.(toml|lock)$|Gemfile(\.lock)?$|pom\.xml$|build\.gradle(\.kts)?$|.*\.sql$|migrations?/|\.env)"
)
_LOW_RISK = compile_linear(
    r"(\.(md|rst|txt|adoc)$|(^|/)docs?/|(^|/)LICENSE|(^|/)\.gitignore$|(^|/)CHANGELOG)", IGNORECASE
)


def risk_level(changed_paths: Sequence[str], *, co_failures: Iterable[CoFailure] = ()) -> tuple[Risk, str]:
    """Low: docs only (or tests only). High: build/CI/dependency/schema files, many files, or a history of
    failures on these paths. Medium otherwise."""
    paths = [p for p in changed_paths if p]
    if not paths:
        return Risk.LOW, "no files changed"
    high = [p for p in paths if _HIGH_RISK.search(p)]
    if high:
        return Risk.HIGH, f"changes build, CI, dependency or schema files ({', '.join(high[:3])})"
    if len(paths) > 30:
        return Risk.HIGH, f"large change ({len(paths)} files)"
    failing = {cf.path for cf in co_failures if cf.count >= 2}
    touched = [p for p in paths if p in failing or any(d + "/" in failing for d in _dirs(p))]
    if touched:
        return (
            Risk.HIGH,
            f"tests failed repeatedly before when these paths changed ({', '.join(touched[:3])})",
        )
    if all(_LOW_RISK.search(p) for p in paths):
        return Risk.LOW, "documentation only"
    if all(is_test_path(p) for p in paths):
        return Risk.LOW, "tests only"
    return Risk.MEDIUM, f"source changes in {len(paths)} file(s)"


def co_failures(
    changes: Iterable[tuple[Sequence[str], Sequence[str]]], changed_paths: Sequence[str]
) -> list[CoFailure]:
    """From (files changed, tests failed) per past commit: counts per changed file and per directory
    (``dir/``) of the current change. A commit that touched a huge number of files says little: skipped."""
    wanted = {p.strip("/") for p in changed_paths}
    wanted_dirs = {d + "/" for p in wanted for d in _dirs(p)}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for files, tests in changes:
        if len(files) > 100:
            continue
        keys = {f for f in files if f in wanted}
        keys |= {d + "/" for f in files for d in _dirs(f) if d + "/" in wanted_dirs}
        for key in keys:
            for test in set(tests):
                counts[(key, test)] += 1
    return [CoFailure(path, test, n) for (path, test), n in sorted(counts.items())]
