"""The contract between an ecosystem's generator and the corpus builder.

An ecosystem module (``benchmarks/corpus/ecosystems/<name>.py``) exposes
``cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]``: it writes its small projects under
``workdir``, injects each fault by a switch in the project's template, runs the *real* tools, and yields what
they printed together with the truth known from the injection (never from our extractor). The builder renders
each case as a GitHub Actions job log (BOM, timestamps, groups, ``##[error]``, runner set-up and post-job
lines, workspace ``/home/runner/work/<repo>/<repo>/``) and writes ``<case>.log`` beside ``<case>.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["test", "compile", "type", "lint", "dependency", "infra", "crash", "timeout", "config"]
Variant = Literal[
    "base",  # first occurrence of a root cause
    "timestamps",  # the same run at another time
    "shifted",  # an unrelated edit above moves the fault's lines
    "data",  # other data values (numbers, strings) in the same fault
    "matrix",  # another matrix entry: OS, language version, paths
    "verbose",  # verbose / quiet flags of the tool
    "order",  # test order randomised
    "extra",  # an extra unrelated failure in the same log
    "negative",  # a hard negative: looks like another root cause, is not
]
HardNegative = Literal[
    "same-test-other-reason",
    "same-message-other-place",
    "same-code-other-symbol",
    "other-missing-module",
    "other-pinned-version",
    "snapshot-other-diff",
    "sibling-subtest",
]


@dataclass(frozen=True)
class Step:
    """One step of the job as the runner ran it."""

    name: str  # e.g. "Run pytest -q"
    command: str  # the shell command the step ran (shown under ##[group]Run ...)
    output: str  # what the tool printed (stdout and stderr interleaved as run), ANSI kept where emitted
    exit_code: int  # 0 for a passing step


@dataclass(frozen=True)
class TruthFailure:
    """One fault in the log, known from the injection and the tool's structured report."""

    root_cause: str  # stable id, e.g. "py-inventory/keyerror-sku": equal ids = the same fix makes both pass
    tool: str  # e.g. "pytest", "cargo-test", "tsc", "eslint"
    kind: Kind
    test_id: str | None = None  # as the tool's structured report names it (JUnit XML, --json, go test -json)
    fault_file: str | None = None  # repository-relative path where the generator broke the code
    fault_line: int | None = None
    test_file: str | None = None  # the test's assertion site, from the structured report
    test_line: int | None = None
    message: str | None = None  # the tool's own message for this failure (structured report)
    # 1-based line numbers *in the rendered job log* a developer must read; the builder fills these by
    # locating ``evidence_text`` (substrings of the tool's output) in the rendered log.
    evidence_text: tuple[str, ...] = ()
    evidence_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class RawCase:
    project: str  # e.g. "py-inventory"; the dev/held-out split is by project
    case: str  # unique within the project, e.g. "keyerror-sku--shifted"
    ecosystem: str  # e.g. "python", "node", "rust"
    job_name: str  # e.g. "test (3.11)", "lint"
    steps: tuple[Step, ...]  # passing steps too; the failing one(s) end with a non-zero exit code
    failures: tuple[TruthFailure, ...]
    variant: Variant = "base"
    hard_negative: HardNegative | None = None  # with variant="negative": which kind
    negative_of: str | None = None  # the root cause it must NOT be matched with
    project_files: tuple[str, ...] = field(default=())  # repository-relative paths of the project's tree
    repo: str = ""  # GitHub repo name used in the workspace path; defaults to the project name
    runner_os: Literal["ubuntu", "windows", "macos"] = "ubuntu"
    # Added by i15a (additive, defaults keep older generators valid):
    # the project's checkout on the generating machine; the builder replaces it by the runner's workspace
    # (``/home/runner/work/<repo>/<repo>``, or the Windows/macOS one). Empty: ``<workdir>/<project>``.
    source_root: str = ""
    # further (generator path, runner path) replacements, longest first, e.g. a private tool folder ->
    # ``{workspace}/node_modules``; ``{workspace}`` in the runner path is replaced by the workspace.
    path_map: tuple[tuple[str, str], ...] = ()
    # job-level env shown under each ``Run`` step's group, e.g. (("FORCE_COLOR", "1"),)
    env: tuple[tuple[str, str], ...] = ()
    # version shown by the setup action (``actions/setup-python`` 3.12.8, ``actions/setup-node`` 20.18.1...)
    toolchain_version: str = ""
