"""Stream chunks of a log through the rule tables; collect scored hits and the failures they describe.

One Aho-Corasick pass over each lowercased chunk finds the lines worth a look (every rule's needles at once, in
C); only those lines are cleaned and tried against the rules their needles point to. State carried from line to
line is small and bounded: the open failure (details and locations attach to it), the current step, a count of
each message seen (echoes of a cascade score lower than its first line) and a capped list of hits.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import ahocorasick

from .lines import Chunk, clean
from .normalize import echo_key, fingerprint
from .rules import EXCLUSIONS, RULES, Role, Rule, kind_from_text
from .types import Failure, FailureKind, LineRange

MAX_HITS = 20_000  # pruned to half, keeping the best, when reached
MAX_FAILURES = 500
ATTACH_DISTANCE = 80  # a detail further than this from its failure's last line starts afresh
MAX_MESSAGE = 500

ECHO_PENALTY = 45
STEP_BONUS = 12  # hits inside the step that failed
OTHER_STEP_PENALTY = 15  # hits in steps that passed, once we know which one failed


def _build_automaton() -> tuple[ahocorasick.Automaton, list[int]]:
    needles: dict[str, int] = {}
    for index, rule in enumerate(RULES):
        for needle in rule.needles:
            needles[needle] = needles.get(needle, 0) | (1 << index)
    # A needle containing a shorter needle fires with it anyway: fold it in, fewer matches to walk.
    for needle in sorted(needles, key=len, reverse=True):
        inner = [other for other in needles if other != needle and other in needle]
        if inner:
            shortest = min(inner, key=len)
            needles[shortest] |= needles.pop(needle)
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    masks: list[int] = []
    for needle, mask in needles.items():
        automaton.add_word(needle, len(masks))
        masks.append(mask)
    automaton.make_automaton()
    return automaton, masks


_AUTOMATON, _MASKS = _build_automaton()

# Tools that print the same format; the command that ran tells them apart.
_TOOL_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "ruff": ("flake8", "ruff", "pycodestyle", "pyflakes"),
    "gcc": ("clang", "gcc", "g++", "cc", "javac", "swiftc", "nvcc"),
    "jest": ("vitest", "jest"),
    "black": ("black", "ruff"),
    "numbered": ("mocha", "rspec", "phpunit", "karma", "jasmine"),
    "node": ("mocha", "jest", "vitest", "node"),
    "generic": ("pytest", "jest", "mocha", "rspec", "phpunit", "go test", "cargo", "npm", "pnpm", "yarn"),
}
_TOOL_NAMES = {"go test": "go", "g++": "gcc", "cc": "gcc", "pycodestyle": "flake8", "pyflakes": "flake8"}


@dataclass
class Hit:
    line: int
    rule: Rule
    score: int
    text: str
    step: int
    after: int
    before: int


@dataclass
class _Open:
    kind: FailureKind
    tool: str
    message: str
    test_id: str | None
    file: str | None
    line: int | None
    step: int
    first: int
    last: int
    score: int
    evidence: list[list[int]] = field(default_factory=list)
    details: int = 0
    count: int = 1

    def add_evidence(self, start: int, end: int) -> None:
        if self.evidence and start <= self.evidence[-1][1] + 1:
            self.evidence[-1][1] = max(self.evidence[-1][1], end)
        elif len(self.evidence) < 12:
            self.evidence.append([start, end])
        self.last = max(self.last, end)


def _group(match: re.Match[str], *names: str) -> str | None:
    groups = match.groupdict()
    for name in names:
        value = groups.get(name)
        if value:
            return value
    return None


def _workflow_props(props: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (props or "").split(","):
        key, _, value = part.partition("=")
        if value:
            out[key.strip()] = value.strip()
    return out


def _unescape_command(text: str) -> str:
    return (
        text.replace("%0D", "")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


class Scanner:
    """Feed chunks in order, then ``finish`` once; holds bounded state only."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.failures: list[_Open] = []
        self._by_fp: dict[str, _Open] = {}
        self.steps: list[str] = [""]
        self.failed_steps: set[int] = set()
        self._echo: Counter[str] = Counter()
        self._rule_count: Counter[tuple[str, int]] = Counter()
        self._open: _Open | None = None
        self._docker: dict[str, tuple[int, str]] = {}
        self.total_lines = 0

    # -- streaming --------------------------------------------------------------------------------------
    def feed(self, chunk: Chunk) -> None:
        text = chunk.text
        lower = text.lower()
        lines: list[str] | None = None
        masks: dict[int, int] = {}
        index = 0
        last = 0
        for end, needle in _AUTOMATON.iter(lower):
            index += lower.count("\n", last, end)
            last = end
            masks[index] = masks.get(index, 0) | _MASKS[needle]
        if masks:
            lines = text.split("\n")
            for index, mask in masks.items():
                self._line(chunk.first + index, lines[index], mask)
        self.total_lines = chunk.first + text.count("\n")

    def _line(self, number: int, raw: str, mask: int) -> None:
        line = clean(raw)
        if not line.strip():
            return
        excluded: bool | None = None
        while mask:
            low = mask & -mask
            mask ^= low
            if low & _GENERIC_MASK:
                # exclusions guard the fallbacks only: specific rules carry their own ``unless``
                if excluded is None:
                    excluded = EXCLUSIONS.search(line) is not None
                if excluded:
                    return
            rule = RULES[low.bit_length() - 1]
            match = rule.pattern.search(line)
            if match is None or (rule.unless is not None and rule.unless.search(line)):
                continue
            self._apply(number, line, rule, match)
            return

    # -- one matched line -------------------------------------------------------------------------------
    def _apply(self, number: int, line: str, rule: Rule, match: re.Match[str]) -> None:
        role = rule.role
        step = len(self.steps) - 1
        if role is Role.STEP:
            cmd = (_group(match, "cmd") or "").strip()
            self.steps.append(cmd[:200])
            self._open = None
            return
        if role is Role.DOCKER_STEP:
            n = _group(match, "n") or ""
            if len(self._docker) > 5000:
                self._docker.clear()
            self._docker[n] = (number, line)
            return
        score = rule.score
        key = echo_key(line)
        seen = self._echo[key]
        if len(self._echo) < 200_000 or seen:
            self._echo[key] = seen + 1
        if seen:
            score -= ECHO_PENALTY
        count = self._rule_count[(rule.name, step)]
        self._rule_count[(rule.name, step)] = count + 1
        score -= min(24, 3 * count)
        hit = Hit(number, rule, score, line, step, rule.after, rule.before)
        if role is Role.FAILURE:
            self._failure(hit, match)
        elif role in (Role.DETAIL, Role.LOCATION):
            self._detail(hit, match)
        elif role is Role.EXIT:
            self.failed_steps.add(step)
            self._open = None
        self._add(hit)

    def _add(self, hit: Hit) -> None:
        self.hits.append(hit)
        if len(self.hits) >= MAX_HITS:
            keep = sorted(self.hits, key=lambda h: (-h.score, h.line))[: MAX_HITS // 2]
            self.hits = sorted(keep, key=lambda h: h.line)

    def _tool(self, rule: Rule, step: int) -> str:
        alternatives = _TOOL_ALTERNATIVES.get(rule.tool)
        if alternatives:
            command = self.steps[step].lower()
            for name in alternatives:
                if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", command):
                    return _TOOL_NAMES.get(name, name)
        return rule.tool

    def _failure(self, hit: Hit, match: re.Match[str]) -> None:
        rule = hit.rule
        test = _group(match, "test", "test2")
        cls = _group(match, "cls", "cls2")
        if test and cls:
            test = f"{cls}::{test}" if rule.tool == "phpunit" else f"{cls}.{test}"
        message = _group(match, "msg") or hit.text.strip()
        file = _group(match, "file")
        line_s = _group(match, "line", "line2")
        kind = rule.kind or FailureKind.UNKNOWN
        tool = self._tool(rule, hit.step)
        if rule.name == "actions.workflow_error":
            props = _workflow_props(_group(match, "props"))
            file = props.get("file") or file
            line_s = props.get("line") or line_s
            message = _unescape_command(message)
            kind = kind_from_text(message, FailureKind.UNKNOWN)
            tool = props.get("title", "").split(" ")[0].lower() or "actions"
        elif rule.name in ("maven.goal", "git.fatal", "docker.failed_to_solve", "docker.legacy", "npm.code"):
            kind = kind_from_text(message, kind)
        elif rule.name == "pytest.section" and test and test.startswith("ERROR collecting "):
            file, test = test.removeprefix("ERROR collecting ").strip(), None
            message = "collection error"
        if rule.name == "pytest.summary_failed" and test:
            merged = self._merge_pytest(test, message, hit)
            if merged:
                return
        if rule.name.startswith("docker.") and self._docker:
            self._docker_evidence(message)
        if test:
            test = test.strip()[:300]
        message = message.strip()[:MAX_MESSAGE]
        line_no = int(line_s) if line_s and line_s.isdigit() else None
        fp = fingerprint(tool, kind.value, test, message if not test else "", file if not test else None)
        existing = self._by_fp.get(fp)
        if existing is not None:
            existing.count += 1
            existing.add_evidence(hit.line, hit.line + hit.after)
            self._open = existing
            hit.score -= ECHO_PENALTY // 2
            return
        if len(self.failures) >= MAX_FAILURES:
            self._open = None
            return
        opened = _Open(kind, tool, message, test, file, line_no, hit.step, hit.line, hit.line, hit.score)
        opened.add_evidence(hit.line, hit.line + hit.after)
        self.failures.append(opened)
        self._by_fp[fp] = opened
        self._open = opened

    def _merge_pytest(self, nodeid: str, message: str, hit: Hit) -> bool:
        """``FAILED path::Class::test - msg`` repeats a section ``Class.test`` seen earlier: one failure."""
        short = nodeid.split("::", 1)[-1]
        for failure in reversed(self.failures):
            if failure.tool != "pytest" or not failure.test_id:
                continue
            if failure.test_id == nodeid or failure.test_id.replace(".", "::") == short:
                failure.test_id = nodeid
                if not failure.message or failure.message == failure.test_id:
                    failure.message = message[:MAX_MESSAGE]
                failure.add_evidence(hit.line, hit.line)
                failure.count += 1
                return True
        return False

    def _docker_evidence(self, message: str) -> None:
        """Point at the BuildKit step whose command failed: ``#12 [stage 3/7] RUN make``."""
        failed = _DOCKER_PROCESS.search(message)
        wanted = failed.group(1)[:20] if failed else None
        step = len(self.steps) - 1
        for number, text in reversed(list(self._docker.values())):
            command = text.split("] ", 1)[-1].removeprefix("RUN ").strip()
            if wanted and command.startswith(wanted):
                self._add(Hit(number, _DOCKER_STEP_RULE, 88, text, step, 0, 0))
                return
        number, text = next(reversed(self._docker.values()))
        self._add(Hit(number, _DOCKER_STEP_RULE, 66, text, step, 0, 0))

    def _detail(self, hit: Hit, match: re.Match[str]) -> None:
        rule = hit.rule
        current = self._open
        if rule.name == "docker.step_error":
            found = self._docker.get(_group(match, "n") or "")
            if found:
                self._add(Hit(found[0], _DOCKER_STEP_RULE, 88, found[1], hit.step, 0, 0))
        if current is None or hit.line - current.last > ATTACH_DISTANCE:
            if rule.name in ("python.exception", "java.exception", "node.error", "rust.panic"):
                message = hit.text.strip()
                kind = kind_from_text(
                    message, FailureKind.CRASH if rule.name == "rust.panic" else FailureKind.UNKNOWN
                )
                tool = {"python.exception": "python", "java.exception": "java", "node.error": "node"}.get(
                    rule.name, "rust"
                )
                fp = fingerprint(tool, kind.value, None, message, None)
                existing = self._by_fp.get(fp)
                if existing is not None:
                    existing.count += 1
                    existing.add_evidence(hit.line, hit.line)
                    hit.score -= ECHO_PENALTY // 2
                elif len(self.failures) < MAX_FAILURES:
                    opened = _Open(
                        kind,
                        tool,
                        message[:MAX_MESSAGE],
                        None,
                        None,
                        None,
                        hit.step,
                        hit.line,
                        hit.line,
                        hit.score,
                    )
                    opened.add_evidence(hit.line, hit.line)
                    self.failures.append(opened)
                    self._by_fp[fp] = opened
            return
        if current.details >= 1 and rule.role is Role.DETAIL:
            hit.score -= 20 + min(20, 4 * current.details)
        current.add_evidence(hit.line, hit.line + hit.after)
        if rule.role is Role.LOCATION:
            if current.file is None:
                current.file = _group(match, "file")
                line_s = _group(match, "line")
                current.line = int(line_s) if line_s else None
            return
        current.details += 1
        msg = (_group(match, "msg") or hit.text).strip()
        if rule.name == "python.exception" or rule.name == "java.exception":
            msg = hit.text.strip()
        generic = current.message in ("", current.test_id, "collection error") or current.message.endswith(
            ":"
        )
        if generic and msg:
            current.message = msg[:MAX_MESSAGE]
        if current.file is None and _group(match, "file"):
            current.file = _group(match, "file")
            line_s = _group(match, "line")
            current.line = int(line_s) if line_s else None

    # -- end of input -----------------------------------------------------------------------------------
    def finish(self) -> tuple[list[Failure], list[Hit]]:
        """Score hits by step, fall back to a generic failure, and freeze the failures."""
        failing = set(self.failed_steps)
        for opened in self.failures:
            if opened.kind in (FailureKind.TIMEOUT, FailureKind.CRASH, FailureKind.INFRA):
                failing.add(opened.step)
        if failing:
            last_failing = max(failing)
            for hit in self.hits:
                if hit.step in failing:
                    hit.score += STEP_BONUS
                elif hit.step > last_failing or len(self.steps) > 2:
                    hit.score -= OTHER_STEP_PENALTY
        failures = [self._freeze(opened) for opened in self.failures]
        if not failures:
            fallback = self._fallback()
            if fallback is not None:
                failures.append(fallback)
        failures.sort(key=lambda f: f.evidence[0].start if f.evidence else 0)
        return failures, self.hits

    def _freeze(self, opened: _Open) -> Failure:
        step = self.steps[opened.step] if opened.step < len(self.steps) else ""
        message = opened.message or opened.test_id or opened.kind.value
        return Failure(
            kind=opened.kind,
            tool=opened.tool,
            message=message,
            test_id=opened.test_id,
            file=opened.file,
            line=opened.line,
            evidence=tuple(LineRange(s, e) for s, e in opened.evidence),
            fingerprint=fingerprint(opened.tool, opened.kind.value, opened.test_id, message, opened.file),
            step=step.removeprefix("Run ") or None,
        )

    def _fallback(self) -> Failure | None:
        """No tool recognised: the best error-looking line, its kind read from its words."""
        candidates = [
            h for h in self.hits if h.rule.role in (Role.GENERIC, Role.EXIT, Role.SUMMARY, Role.DETAIL)
        ]
        if not candidates:
            return None
        best = max(candidates, key=lambda h: (h.rule.role is not Role.EXIT, h.score, -h.line))
        message = best.text.strip().removeprefix("##[error]")[:MAX_MESSAGE]
        kind = kind_from_text(message)
        exit_code = re.search(r"exit(?:ed)? (?:with )?(?:code|status) (\d+)", message)
        if exit_code and exit_code.group(1) in ("137", "139"):
            kind = FailureKind.CRASH
        step = self.steps[best.step].removeprefix("Run ") or None
        return Failure(
            kind=kind,
            tool="generic",
            message=message,
            evidence=(LineRange(best.line, best.line),),
            fingerprint=fingerprint("generic", kind.value, None, message, None),
            step=step,
        )


_GENERIC_MASK = 0
for _i, _rule in enumerate(RULES):
    if _rule.role is Role.GENERIC:
        _GENERIC_MASK |= 1 << _i
_DOCKER_PROCESS = re.compile(r'process "(?:/bin/(?:ba)?sh -c )?(.*?)" did not complete')
_DOCKER_STEP_RULE = next(r for r in RULES if r.name == "docker.step")
