"""Projects with faults as switches, and the recurrences and hard negatives made from them.

A :class:`Project` is a template tree that passes every tool. A :class:`Fault` is a switch: replace ``find``
by ``replace`` in ``file`` (the fault's line is the first line of ``replace`` in the written file). A
:class:`Tool` runs one real command on the written tree and reads the tool's own structured report into
:class:`Finding` s. :func:`project_cases` writes the tree per case, runs the job, and attributes each finding to
the injected fault that explains it (a finding no injected fault explains stops the build: the template is
broken, the truth would be wrong).
"""

from __future__ import annotations

import random
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..additive import clean, wanted
from ..model import HardNegative, Kind, RawCase, Step, TruthFailure, Variant


@dataclass(frozen=True)
class Finding:
    """One failure as the tool's structured report gives it."""

    test_id: str | None = None
    file: str | None = None  # repository-relative: the test file (tests) or the diagnostic's file (lint/type)
    line: int | None = None
    code: str | None = None  # rule / error code (F401, TS2322, arg-type) when the tool has one
    message: str = ""
    evidence: tuple[str, ...] = ()  # substrings of the tool's console output a developer must read


@dataclass(frozen=True)
class Options:
    """What a recurrence changes in how the tool is run."""

    verbose: bool = False
    order_seed: int | None = None  # randomised test order where the tool supports it
    runner_os: str = "ubuntu"


@dataclass(frozen=True)
class ToolRun:
    step: Step
    findings: tuple[Finding, ...]


ToolFn = Callable[[Path, Options], ToolRun]


@dataclass(frozen=True)
class Tool:
    name: str  # as in the truth: "pytest", "mypy", "jest"...
    kind: Kind
    job: str  # job name, e.g. "test (3.12)"
    run: ToolFn
    variants: tuple[Variant, ...] = ("timestamps", "shifted", "matrix")  # what recurrences make sense
    test_tool: bool = False  # findings are tests (matched to faults by test id) rather than diagnostics


@dataclass(frozen=True)
class Fault:
    id: str  # root-cause id within the project
    tool: str
    file: str
    find: str
    replace: str
    expect: tuple[str, ...] = ()  # test-id substrings this fault fails (test tools); diagnostics: by location
    data: str | None = None  # another ``replace`` with other values, same root cause ("data" variant)
    negative: tuple[HardNegative, str] | None = None  # (kind, id of the fault it must not be matched with)
    kind: Kind | None = None  # default: the tool's kind
    shift_with: str = "# note: kept for compatibility\n"  # an unrelated line inserted above (shifted variant)
    extra: str | None = None  # id of another fault of the same tool to add in the "extra" variant
    variants: tuple[Variant, ...] = ()  # overrides the tool's recurrences


@dataclass(frozen=True)
class Project:
    name: str
    ecosystem: str
    files: dict[str, str]
    tools: dict[str, Tool]
    faults: tuple[Fault, ...]
    prepare: Callable[[Path], None] | None = None  # e.g. link the private node_modules into the tree
    preamble: Callable[[Path, Options], Step] | None = None  # a passing step before the tool's
    path_map: tuple[tuple[str, str], ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    versions: tuple[str, ...] = ("3.12.8",)  # toolchain versions the matrix variant picks from
    extra_files: tuple[str, ...] = field(default=())  # files the tools create that count as the project's


@dataclass(frozen=True)
class Injected:
    fault: Fault
    text: str  # the replacement used
    file: str
    line: int


def _line_of(text: str, needle: str, original: str) -> int:
    """The first line of ``needle`` in ``text`` that differs from ``original`` (the text it replaced)."""
    index = text.index(needle)
    same = 0
    for new, old in zip(needle.split("\n"), original.split("\n"), strict=False):
        if new != old:
            break
        same += 1
    return text.count("\n", 0, index) + 1 + same


def write_project(project: Project, root: Path, faults: Sequence[tuple[Fault, str]], shift: int) -> list[Injected]:
    """Write the tree with ``faults`` switched on; ``shift`` unrelated lines above each fault's file."""
    files, injected = faulted_files(project, faults, shift)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for rel, body in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    if project.prepare:
        project.prepare(root)
    return injected


def faulted_files(
    project: Project, faults: Sequence[tuple[Fault, str]], shift: int
) -> tuple[dict[str, str], list[Injected]]:
    """The project's files with ``faults`` switched on (``shift`` unrelated lines above each fault), and where
    each fault landed."""
    files = dict(project.files)
    injected: list[Injected] = []
    for fault, text in faults:
        source = files[fault.file]
        if fault.find not in source:
            raise ValueError(f"{project.name}/{fault.id}: {fault.find!r} not in {fault.file}")
        files[fault.file] = source.replace(fault.find, text, 1)
    if shift:
        for fault, _ in faults:
            body = files[fault.file]
            files[fault.file] = _insert_after_header(body, fault.shift_with * shift)
    for fault, text in faults:
        injected.append(Injected(fault, text, fault.file, _line_of(files[fault.file], text, fault.find)))
    return files, injected


def _insert_after_header(body: str, lines: str) -> str:
    """Insert below a shebang / leading comment block so the file stays valid."""
    head = 0
    rows = body.split("\n")
    while head < len(rows) and (rows[head].startswith("#!") or rows[head].startswith("// @ts")):
        head += 1
    return "\n".join([*rows[:head], lines.rstrip("\n"), *rows[head:]])


def attribute(findings: Sequence[Finding], injected: Sequence[Injected], tool: Tool) -> list[tuple[Injected, Finding]]:
    """Which injected fault explains each finding; raises on a finding none explains."""
    pairs: list[tuple[Injected, Finding]] = []
    for finding in findings:
        owner = None
        for item in injected:
            if item.fault.tool != tool.name:
                continue
            if tool.test_tool:
                if any(e in (finding.test_id or finding.file or "") for e in item.fault.expect):
                    owner = item
            elif item.fault.expect and finding.code is not None:
                if any(e == finding.code or e in finding.message for e in item.fault.expect) and (
                    finding.file in (None, item.file)
                ):
                    owner = item
            elif finding.file in (None, item.file) and (
                finding.line is None or abs(finding.line - item.line) <= max(3, item.text.count("\n") + 1)
            ):
                owner = item
        if owner is None:
            raise ValueError(f"{tool.name}: a finding no injected fault explains: {finding}")
        pairs.append((owner, finding))
    return pairs


def _truth(project: Project, tool: Tool, owner: Injected, finding: Finding) -> TruthFailure:
    return TruthFailure(
        root_cause=f"{project.name}/{owner.fault.id}",
        tool=tool.name,
        kind=owner.fault.kind or tool.kind,
        test_id=finding.test_id,
        fault_file=owner.file,
        fault_line=owner.line,
        test_file=finding.file if tool.test_tool else None,
        test_line=finding.line if tool.test_tool else None,
        message=finding.message or None,
        evidence_text=finding.evidence,
    )


def run_case(
    project: Project,
    root: Path,
    faults: Sequence[tuple[Fault, str]],
    *,
    shift: int = 0,
    options: Options = Options(),
) -> tuple[tuple[Step, ...], tuple[TruthFailure, ...]]:
    injected = write_project(project, root, faults, shift)
    steps: list[Step] = []
    if project.preamble:
        steps.append(project.preamble(root, options))
    truths: list[TruthFailure] = []
    for tool_name in dict.fromkeys(f.tool for f, _ in faults):
        tool = project.tools[tool_name]
        ran = tool.run(root, options)
        if ran.step.exit_code == 0:
            raise ValueError(f"{project.name}: {tool_name} passed with {[f.id for f, _ in faults]} injected")
        if not ran.findings:
            raise ValueError(f"{project.name}: {tool_name} failed without a structured finding")
        steps.append(ran.step)
        truths += [_truth(project, tool, owner, finding) for owner, finding in attribute(ran.findings, injected, tool)]
    missing = {f.id for f, _ in faults} - {t.root_cause.split("/", 1)[1] for t in truths}
    if missing:
        raise ValueError(f"{project.name}: injected {sorted(missing)} but the tool reported nothing for it")
    return tuple(steps), tuple(truths)


def project_cases(project: Project, workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    """Every fault's first occurrence (its base case, or its hard-negative case) and three recurrences."""
    clean(project.name, lambda: faulted_files(project, [], 0)[0])
    root = workdir / project.name
    by_id = {f.id: f for f in project.faults}
    files = tuple(sorted({*project.files, *project.extra_files}))

    def case(
        name: str, fault: Fault, variant: Variant, faults: list[tuple[Fault, str]], **kw: object
    ) -> RawCase | None:
        shift_of = kw.get("shift", 0)
        assert isinstance(shift_of, int)
        if not wanted(project.name, name, lambda: faulted_files(project, faults, shift_of)[0]):
            # committed already (an additive build), or a planning or source pass: the random draws above were
            # taken all the same
            return None
        options = kw.pop("options", Options())
        assert isinstance(options, Options)
        shift = kw.pop("shift", 0)
        assert isinstance(shift, int)
        steps, truths = run_case(project, root, faults, shift=shift, options=options)
        tool = project.tools[fault.tool]
        version = str(kw.pop("version", project.versions[0]))
        return RawCase(
            project=project.name,
            case=name,
            ecosystem=project.ecosystem,
            job_name=tool.job.format(version=version.rsplit(".", 1)[0], os=options.runner_os),
            steps=steps,
            failures=truths,
            variant=variant,
            project_files=files,
            source_root=str(root),
            path_map=project.path_map,
            env=project.env,
            toolchain_version=version,
            runner_os=options.runner_os,  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )

    for fault in project.faults:
        try:
            yield from (made for made in _fault_cases(case, project, fault, rng, by_id) if made is not None)
        except (ValueError, OSError, KeyError) as exc:  # one broken switch must not lose the others
            print(f"  ! {project.name}/{fault.id}: skipped: {exc}", file=sys.stderr)


def _fault_cases(
    case: Callable[..., RawCase | None],
    project: Project,
    fault: Fault,
    rng: random.Random,
    by_id: dict[str, Fault],
) -> Iterator[RawCase | None]:
    tool = project.tools[fault.tool]
    if fault.negative:
        kind, other = fault.negative
        if other not in by_id:
            raise ValueError(f"{project.name}/{fault.id}: negative of unknown fault {other}")
        yield case(
            f"{fault.id}--negative",
            fault,
            "negative",
            [(fault, fault.replace)],
            hard_negative=kind,
            negative_of=f"{project.name}/{other}",
        )
    else:
        yield case(f"{fault.id}--base", fault, "base", [(fault, fault.replace)])
    choices = list(fault.variants or tool.variants)
    if fault.data is not None and "data" not in choices:
        choices.append("data")
    if fault.extra and "extra" not in choices:
        choices.append("extra")
    rng.shuffle(choices)
    for variant in sorted(choices[:2], key=lambda v: ("data", "extra").count(v)):
        yield _recurrence(case, project, fault, variant, rng, by_id)
    # The third recurrence (issue 15: at least 3 per root cause) came later: it draws from a stream of its own,
    # seeded by the root cause, so the two above, and every case after them, stay as committed.
    more = random.Random(f"{project.name}/{fault.id}/more")
    for variant in _top_up(choices, MIN_RECURRENCES - 2):
        yield _recurrence(case, project, fault, variant, more, by_id)


MIN_RECURRENCES = 3
_FALLBACK: tuple[Variant, ...] = ("timestamps", "verbose", "shifted")


def _top_up(choices: Sequence[Variant], count: int) -> list[Variant]:
    """The next ``count`` recurrences of the shuffled ``choices`` after the first two (then the fallbacks)."""
    rest = [*choices[2:], *(v for v in _FALLBACK if v not in choices)]
    return rest[:count]


def _recurrence(
    case: Callable[..., RawCase | None],
    project: Project,
    fault: Fault,
    variant: Variant,
    rng: random.Random,
    by_id: dict[str, Fault],
) -> RawCase | None:
    name = f"{fault.id}--{variant}"
    plain = [(fault, fault.replace)]
    if variant == "shifted":
        return case(name, fault, variant, plain, shift=rng.randint(2, 9))
    if variant == "data":
        return case(name, fault, variant, [(fault, fault.data or fault.replace)])
    if variant == "matrix":
        runner_os = rng.choice(["windows", "macos"])
        return case(
            name, fault, variant, plain, options=Options(runner_os=runner_os), version=rng.choice(project.versions)
        )
    if variant == "verbose":
        return case(name, fault, variant, plain, options=Options(verbose=True))
    if variant == "order":
        return case(name, fault, variant, plain, options=Options(order_seed=rng.randint(1, 99999)))
    if variant == "extra":
        other = by_id[fault.extra] if fault.extra else None
        if other is None:
            raise ValueError(f"{project.name}/{fault.id}: extra variant without an extra fault")
        return case(name, fault, variant, [*plain, (other, other.replace)])
    return case(name, fault, "timestamps", plain)


def replace_fault(fault: Fault, **changes: object) -> Fault:
    return replace(fault, **changes)  # type: ignore[arg-type]
