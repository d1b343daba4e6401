"""Shared machinery for the ecosystem generators: templates with fault switches, real runs, truth location.

A project is a set of file templates holding ``{{SWITCH}}`` placeholders. Every switch has a good default;
a fault replaces one switch by its broken text, so the generator knows exactly which ``file:line`` it broke.
``{{SHIFT}}`` placeholders mark where an unrelated edit above the fault may add lines (the "shifted"
recurrence). Each ecosystem supplies how to run its tools on a rendered tree (``Runner``) and the fault's
evidence as patterns over the tool's own output; this module renders, runs, and turns the run into
``RawCase``s with their recurrences and hard negatives.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from benchmarks.corpus.additive import clean, wanted
from benchmarks.corpus.model import HardNegative, Kind, RawCase, Step, TruthFailure, Variant

_SWITCH = re.compile(r"\{\{([A-Z0-9_]+)\}\}")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
RECURRENCES: tuple[Variant, ...] = ("timestamps", "shifted", "data", "matrix", "verbose", "order", "extra")
MIN_RECURRENCES = 3  # per root cause, hard negatives included (issue 15)


def workspace(repo: str) -> str:
    """The checkout directory GitHub's hosted Ubuntu runner uses for ``repo``."""
    return f"/home/runner/work/{repo}/{repo}"


def tool_version(command: str, pattern: str = r"(\d+\.\d+(?:\.\d+)?)") -> str:
    """The installed toolchain's version (first match of ``pattern`` in ``command``'s output), or ""."""
    try:
        proc = subprocess.run(["bash", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    m = re.search(pattern, proc.stdout.decode("utf-8", "replace"))
    return m.group(1) if m else ""


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


@dataclass(frozen=True)
class Fault:
    """One injected fault: the switch it flips, what it breaks, and how its evidence reads in the output."""

    key: str  # root-cause id within the project
    file: str  # the template file holding the switch
    switch: str  # placeholder name in that file
    bad: tuple[str, ...]  # broken text; bad[1] (when given) is the "data" recurrence's other values
    tool: str
    kind: Kind
    evidence: tuple[str, ...]  # regexes over ANSI-free output lines, found in this order
    test_id: str | None = None
    test_loc: str | None = None  # regex with groups (?P<file>) (?P<line>) over the output: the assertion site
    message: str | None = None  # regex; the first matching evidence line is the tool's message
    line_offset: int = 0  # the broken line within ``bad`` (0 = the switch's own line)
    fault_at: tuple[str, int] | None = None  # (switch, offset) when the fault line is another switch's line
    negative_of: str | None = None  # key of the fault this one must not be matched with
    hard_negative: HardNegative | None = None
    matrix_tool: str | None = None  # the tool on the "matrix" entry when it differs (gcc -> clang)
    group: str = "main"  # faults of one group can appear together in a log ("extra" recurrence)
    variants: tuple[Variant, ...] = ()  # recurrences to make; empty = three chosen at random


@dataclass(frozen=True)
class Scenario:
    """One run: which faults are on and how the run differs from the first occurrence."""

    faults: tuple[Fault, ...]
    variant: Variant = "base"
    data: int = 0
    shift: int = 0
    verbose: bool = False
    seed: int | None = None  # test-order seed for the "order" recurrence
    matrix: bool = False


@dataclass(frozen=True)
class Project:
    name: str
    ecosystem: str
    files: dict[str, str]  # path -> template
    defaults: dict[str, str]  # switch -> good text
    faults: tuple[Fault, ...]
    comment: str = "#"  # line-comment marker, for the "shifted" edit
    job_name: str = "test"
    matrix_job_name: str = "test"
    executable: tuple[str, ...] = ()  # files to chmod +x
    supported: tuple[Variant, ...] = RECURRENCES
    env: tuple[tuple[str, str], ...] = ()  # job-level env the builder shows under each step
    toolchain_version: str = ""  # what the setup action reports, from the real toolchain (tool_version)
    shift_text: str = "helper notes for the next release; no code change"


Runner = Callable[[Path, Scenario], Sequence[Step]]


def render(project: Project, scenario: Scenario, mark: str | None = None) -> dict[str, str]:
    """The project's files with the scenario's faults switched on (``mark``: a NUL before that switch)."""
    values = dict(project.defaults)
    for fault in scenario.faults:
        values[fault.switch] = fault.bad[min(scenario.data, len(fault.bad) - 1)]
    if mark is not None:
        values[mark] = "\x00" + values[mark]
    out: dict[str, str] = {}
    for path, template in project.files.items():
        shifted = scenario.shift and any(f.file == path for f in scenario.faults)
        marker = comment_marker(path, project.comment)
        shift = "".join(f"{marker} {project.shift_text} ({i + 1})\n" for i in range(scenario.shift))
        text = template.replace("{{SHIFT}}\n", shift if shifted else "")
        out[path] = _SWITCH.sub(lambda m: values[m.group(1)], text)
    return out


def comment_marker(path: str, default: str) -> str:
    """The line-comment marker of ``path``'s language (build files differ from the project's sources)."""
    name = path.rsplit("/", 1)[-1]
    if name in ("Makefile", "CMakeLists.txt", "Gemfile", "Rakefile") or name.endswith(
            (".yml", ".yaml", ".sh", ".rb", ".pl", ".pm", ".t", ".py", ".toml", ".ex", ".exs", ".cmake")):
        return "#"
    return default


def switch_line(project: Project, scenario: Scenario, path: str, switch: str) -> int:
    """1-based line where ``switch`` starts in the rendered ``path``."""
    text = render(project, scenario, mark=switch)[path]
    return text[: text.index("\x00")].count("\n") + 1


def write_tree(root: Path, files: dict[str, str], executable: Sequence[str] = ()) -> None:
    if root.exists():
        shutil.rmtree(root)
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    for path in executable:
        (root / path).chmod(0o755)


def run(command: str, cwd: Path, repo: str, env: dict[str, str] | None = None, timeout: int = 300,
        name: str | None = None) -> Step:
    """Run ``command`` through bash as a workflow step; local paths become the runner's workspace paths."""
    # A runner's environment, not this machine's: only what a hosted runner would set.
    base = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    full_env = {**base, "LANG": "C.UTF-8", "CI": "true", "GITHUB_ACTIONS": "true", **(env or {})}
    proc = subprocess.run(["bash", "-e", "-c", command], cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout, check=False)
    output = proc.stdout.decode("utf-8", "replace")
    output = output.replace(str(cwd.resolve()), workspace(repo)).replace(str(cwd), workspace(repo))
    output = output.replace(str(Path.home()), "/home/runner")
    return Step(name=name or f"Run {command.splitlines()[0]}", command=command, output=output,
                exit_code=proc.returncode)


_WORKFLOW_COMMAND = re.compile(r"^::(error|warning|notice|debug)( [^:]*)?::")


def _readable(raw_line: str) -> str:
    """The part of an output line that reaches the job log as printed (ANSI codes included).

    A workflow command (``::error file=..::msg``) is consumed by the runner, which logs only its message.
    """
    line = raw_line.strip()
    command = _WORKFLOW_COMMAND.match(line)
    return line[command.end():] if command else line


def find_evidence(output: str, patterns: Sequence[str]) -> list[str]:
    return [text for text, _ in find_evidence_at(output, patterns)]


def find_evidence_at(output: str, patterns: Sequence[str]) -> list[tuple[str, int]]:
    """Each pattern's first matching output line, searched after the previous pattern's match."""
    raw_lines = output.splitlines()
    plain = [strip_ansi(line) for line in raw_lines]
    found: list[tuple[str, int]] = []
    start = 0
    for pattern in patterns:
        regex = re.compile(pattern)
        # After the previous match first (blocks repeat per failure); else anywhere, since some tools print
        # a failure's message before its header in one mode and after it in another (go test -v vs quiet).
        at = next((i for i in range(start, len(plain)) if regex.search(plain[i])), None)
        if at is None:
            at = next((i for i in range(start) if regex.search(plain[i])), None)
        if at is None:
            raise LookupError(f"evidence {pattern!r} not found in:\n{strip_ansi(output)}")
        found.append((_readable(raw_lines[at]), at))
        start = at + 1
    return found


def _event_output(line: str) -> str:
    """The text of a JSON test event (``go test -json``: its ``Output``), else the line itself."""
    if not line.startswith("{"):
        return line
    try:
        event = json.loads(line)
    except ValueError:
        return line
    output = event.get("Output") if isinstance(event, dict) else None
    return output.strip() if isinstance(output, str) and output.strip() else line


def project_path(project: Project, reported: str) -> str:
    """A file as a tool reported it, as a path of the project: stack frames often carry the base name only."""
    if reported in project.files:
        return reported
    matches = [path for path in project.files if path.endswith("/" + reported)]
    if len(matches) != 1:
        raise LookupError(f"{reported!r} names {len(matches)} files of {project.name}")
    return matches[0]


def truth_for(project: Project, scenario: Scenario, fault: Fault, output: str) -> TruthFailure:
    """The truth of one fault in one run: its location from the template, its evidence from the output."""
    located = find_evidence_at(output, fault.evidence)
    evidence = [text for text, _ in located]
    switch, offset = fault.fault_at or (fault.switch, fault.line_offset)
    test_file = test_line = None
    if fault.test_loc:
        # The assertion site printed after this failure's first evidence line, else anywhere (printed before).
        plain_lines = strip_ansi(output).split("\n")
        after = "\n".join(plain_lines[located[0][1]:])
        m = re.search(fault.test_loc, after, re.M) or re.search(fault.test_loc, strip_ansi(output), re.M)
        if m is None:
            raise LookupError(f"test location {fault.test_loc!r} not in output")
        test_file, test_line = project_path(project, m.group("file")), int(m.group("line"))
    plain = [_event_output(strip_ansi(e)) for e in evidence]
    message = plain[0]
    if fault.message:
        message = next((e for e in plain if re.search(fault.message, e)), plain[0])
    return TruthFailure(
        root_cause=f"{project.name}/{fault.key}",
        tool=fault.matrix_tool if scenario.matrix and fault.matrix_tool else fault.tool,
        kind=fault.kind,
        test_id=fault.test_id,
        fault_file=fault.file,
        fault_line=switch_line(project, scenario, fault.file, switch) + offset,
        test_file=test_file,
        test_line=test_line,
        message=message,
        evidence_text=tuple(evidence),
    )


@dataclass
class Generator:
    """Turns a project and its runner into cases: every fault's first occurrence, recurrences, negatives."""

    project: Project
    runner: Runner
    workdir: Path
    rng: random.Random
    check: Callable[[Scenario, Sequence[Step]], None] | None = None  # cross-check with structured reports
    made: list[str] = field(default_factory=list)

    def case(self, scenario: Scenario, suffix: str, negative: Fault | None = None) -> RawCase:
        files = render(self.project, scenario)
        root = self.workdir / self.project.name / suffix
        write_tree(root, files, self.project.executable)
        steps = tuple(self.runner(root, scenario))
        if self.check:
            self.check(scenario, steps)
        output = "\n".join(s.output for s in steps if s.exit_code != 0) or steps[-1].output
        failures = tuple(truth_for(self.project, scenario, f, output) for f in scenario.faults)
        self.made.append(suffix)
        return RawCase(
            project=self.project.name,
            case=suffix,
            ecosystem=self.project.ecosystem,
            job_name=self.project.matrix_job_name if scenario.matrix else self.project.job_name,
            steps=steps,
            failures=failures,
            variant=scenario.variant,
            hard_negative=negative.hard_negative if negative else None,
            negative_of=f"{self.project.name}/{negative.negative_of}" if negative else None,
            project_files=tuple(sorted(files)),
            repo=self.project.name,
            source_root=str(root),
            env=self.project.env,
            toolchain_version=self.project.toolchain_version,
        )

    def cases(self) -> Iterator[RawCase]:
        clean(self.project.name, self._files(Scenario(())))
        for fault in self.project.faults:
            if fault.negative_of:
                # A hard negative is a root cause of its own: it recurs too (never beside another fault).
                negative = Scenario((fault,), variant="negative")
                if wanted(self.project.name, f"{fault.key}--negative", self._files(negative)):
                    yield self.case(negative, f"{fault.key}--negative", negative=fault)
                yield from self._recur(fault, self.recurrences(fault, count=2, exclude=("extra",)), ("extra",))
                continue
            if wanted(self.project.name, fault.key, self._files(Scenario((fault,)))):
                yield self.case(Scenario((fault,)), fault.key)
            yield from self._recur(fault, self.recurrences(fault), ())

    def _files(self, scenario: Scenario) -> Callable[[], dict[str, str]]:
        """The scenario's files, rendered when asked (a source pass, ``additive.sources``)."""
        return lambda: render(self.project, scenario)

    def _recur(self, fault: Fault, variants: tuple[Variant, ...], exclude: tuple[Variant, ...]) -> Iterator[RawCase]:
        """The recurrences ``variants`` of ``fault``, then more until it has ``MIN_RECURRENCES``.

        The first draws come from the ecosystem's random stream (as the committed builds made them); the
        top-up has a stream of its own, seeded by the root cause, so adding it left the earlier draws, and
        every case made from them, unchanged.
        """
        made: list[Variant] = []
        for variant in variants:
            scenario = self.scenario(fault, variant)
            if scenario is not None:
                made.append(variant)
                if wanted(self.project.name, f"{fault.key}--{variant}", self._files(scenario)):
                    yield self.case(scenario, f"{fault.key}--{variant}")
        more = random.Random(f"{self.project.name}/{fault.key}/more")
        pool: list[Variant] = [v for v in self.project.supported
                               if v not in made and v not in exclude and v != "timestamps" and self.applies(fault, v)]
        if "timestamps" not in made:
            pool.append("timestamps")  # last: the weakest recurrence, only when nothing else is left
        for variant in self._top_up(pool, MIN_RECURRENCES - len(made), more):
            scenario = self.scenario(fault, variant, more)
            if scenario is not None and wanted(self.project.name, f"{fault.key}--{variant}", self._files(scenario)):
                yield self.case(scenario, f"{fault.key}--{variant}")

    @staticmethod
    def _top_up(pool: list[Variant], count: int, rng: random.Random) -> list[Variant]:
        if count <= 0:
            return []
        stronger = [v for v in pool if v != "timestamps"]
        chosen = rng.sample(stronger, k=min(count, len(stronger)))
        return chosen + [v for v in pool if v == "timestamps"][: count - len(chosen)]

    def recurrences(self, fault: Fault, count: int = 3, exclude: tuple[Variant, ...] = ()) -> tuple[Variant, ...]:
        """``count`` recurrence variants for ``fault``: its own list, else drawn from what the project supports
        (timestamps fills in when too few others apply)."""
        if fault.variants:
            return fault.variants
        pool = [v for v in self.project.supported
                if v not in exclude and v != "timestamps" and self.scenario(fault, v) is not None]
        chosen = self.rng.sample(pool, k=min(count, len(pool)))
        return tuple(chosen) if len(chosen) == count else (*chosen, "timestamps")

    def applies(self, fault: Fault, variant: Variant) -> bool:
        """Whether ``variant`` can recur ``fault`` (what ``scenario`` answers, without a random draw)."""
        if variant not in self.project.supported and variant != "timestamps":
            return False
        if variant == "data":
            return len(fault.bad) > 1
        if variant == "order":
            return fault.kind == "test"  # test order only changes a test run
        if variant == "extra":
            return any(f.switch != fault.switch and not f.negative_of and f.group == fault.group
                       for f in self.project.faults)
        return True

    def scenario(self, fault: Fault, variant: Variant, rng: random.Random | None = None) -> Scenario | None:
        rng = rng or self.rng
        if not self.applies(fault, variant):
            return None
        base = Scenario((fault,), variant=variant)
        if variant == "shifted":
            return replace(base, shift=rng.randint(2, 6))
        if variant == "data":
            return replace(base, data=1)
        if variant == "verbose":
            return replace(base, verbose=True)
        if variant == "order":
            return replace(base, seed=rng.randint(1, 99999))
        if variant == "matrix":
            return replace(base, matrix=True)
        if variant == "extra":
            others = [f for f in self.project.faults
                      if f.switch != fault.switch and not f.negative_of and f.group == fault.group]
            return replace(base, faults=(fault, rng.choice(others)))
        return base


OTHER_ECOSYSTEMS = ("rust", "go", "cfamily", "shell", "jvm", "ruby", "php", "perl", "elixir")


def apt_packages() -> tuple[str, ...]:
    """The Debian packages the generators in OTHER_ECOSYSTEMS need (Rust comes from rustup, with clippy)."""
    import importlib  # here: the ecosystem modules import this one

    packages: list[str] = []
    for name in OTHER_ECOSYSTEMS:
        module = importlib.import_module(f"benchmarks.corpus.ecosystems.{name}")
        packages += [p for p in module.APT if p not in packages]
    return tuple(packages)


if __name__ == "__main__":
    print(" ".join(apt_packages()))
