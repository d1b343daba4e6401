"""JavaScript/TypeScript tools as CI runs them, each read back through its own structured report.

jest (``--json --outputFile``, same run), vitest (``--reporter=json``, same run), mocha (``--reporter json``),
tsc (``--pretty false``, its documented ``file(line,col): error TSnnnn: msg`` form), eslint (``-f json``),
prettier (``--check``'s ``[warn] file`` report), npm (``--json`` error object). Tools live in
``.corpus-tools/node`` (npm); each project links it as its ``node_modules``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..model import Step
from ..runner import TOOLS, Ran, run
from ._engine import Finding, Options, ToolFn, ToolRun

NODE_MODULES = TOOLS / "node" / "node_modules"
BIN = NODE_MODULES / ".bin"
HOME = str(Path.home())
PATH_MAP = ((str(NODE_MODULES), "{workspace}/node_modules"), (HOME + "/", "/home/runner/"))
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def plain(text: str) -> str:
    return _ANSI.sub("", text)


def link_node_modules(root: Path) -> None:
    (root / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)


def _run(argv: list[str], root: Path, env: dict[str, str] | None = None) -> Ran:
    return run(argv, root, env={"FORCE_COLOR": "1", **(env or {})}, path=[BIN])


def _step(command: str, ran: Ran) -> Step:
    return Step(name=f"Run {command}", command=command, output=ran.output, exit_code=ran.exit_code)


def _rel(root: Path, path: str) -> str:
    path = path.removeprefix("file://")
    p = Path(path)
    return str(p.relative_to(root)) if p.is_absolute() and p.is_relative_to(root) else path


def _frame_in(root: Path, stack: str, test_file: str) -> int | None:
    """The line of the first stack frame in the test file (absolute, file:// or relative path)."""
    paths = "|".join(re.escape(p) for p in (str(root / test_file), test_file))
    match = re.search(r"(^|[\s(/])(" + paths + r"):(\d+):\d+", stack, re.MULTILINE)
    return int(match.group(3)) if match else None


def _diff_lines(message: str) -> list[str]:
    """The first changed lines of an expected/received diff (what tells two snapshot failures apart)."""
    rows = plain(message).splitlines()
    minus = [
        r.strip()
        for r in rows
        if r.startswith("- ") and not r.startswith("- Snapshot") and not r.startswith("- Expected")
    ]
    plus = [r.strip() for r in rows if r.startswith("+ ") and not r.startswith("+ Received")]
    return [x for x in (minus[:1] + plus[:1]) if len(x) > 2]


# --- jest, vitest, mocha ----------------------------------------------------------------------------------


def jest_tool() -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        flags = ["--verbose"] if options.verbose else []
        if options.order_seed is not None:
            flags += ["--randomize", f"--seed={options.order_seed}"]
        command = ["npx", "jest", "--ci", *flags, "--json", "--outputFile=reports/jest.json"]
        (root / "reports").mkdir(exist_ok=True)
        ran = _run([str(BIN / "jest"), *command[2:]], root)
        report = json.loads((root / "reports" / "jest.json").read_text())
        findings = []
        for suite in report["testResults"]:
            test_file = _rel(root, suite["name"])
            if not suite["assertionResults"] and suite.get("message"):  # the suite failed to run
                message = plain(suite["message"]).strip()
                first = next((ln.strip() for ln in message.splitlines() if ln.strip().startswith("Cannot find")), "")
                first = first or next(ln.strip() for ln in message.splitlines() if ln.strip())
                findings.append(Finding(None, test_file, None, None, first, (first, "● Test suite failed to run")))
                continue
            for test in suite["assertionResults"]:
                if test["status"] != "failed":
                    continue
                message = "\n".join(test["failureMessages"])
                text = plain(message)
                first = text.strip().splitlines()[0].removeprefix("Error: ")
                header = "● " + " \u203a ".join([*test["ancestorTitles"], test["title"]])
                evidence = [header, first, *_diff_lines(message)]
                snap = re.search(r"Snapshot name: `[^`]*`", text)
                if snap:
                    evidence.append(snap.group(0))
                findings.append(
                    Finding(test["fullName"], test_file, _frame_in(root, text, test_file), None, first, tuple(evidence))
                )
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


def vitest_tool() -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        flags = ["--reporter=verbose"] if options.verbose else ["--reporter=default"]
        if options.order_seed is not None:
            flags += ["--sequence.shuffle", f"--sequence.seed={options.order_seed}"]
        command = ["npx", "vitest", "run", *flags, "--reporter=json", "--outputFile.json=reports/vitest.json"]
        ran = _run([str(BIN / "vitest"), *command[2:]], root)
        report = json.loads((root / "reports" / "vitest.json").read_text())
        findings = []
        for suite in report["testResults"]:
            test_file = _rel(root, suite["name"])
            for test in suite["assertionResults"]:
                if test["status"] != "failed":
                    continue
                message = "\n".join(test["failureMessages"])
                first = plain(message).strip().splitlines()[0]
                header = " > ".join([test_file, *test["ancestorTitles"], test["title"]])
                line = _frame_in(root, message, test_file)
                evidence = [header, first, *_diff_lines(message)]
                if line:
                    evidence.append(f"{test_file}:{line}:")
                findings.append(Finding(test["fullName"], test_file, line, None, first, tuple(evidence)))
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


def mocha_tool() -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        flags = ["--reporter", "spec"] if options.verbose else []
        command = ["npx", "mocha", *flags]
        ran = _run([str(BIN / "mocha"), *flags], root)
        report = json.loads(_run([str(BIN / "mocha"), "--reporter", "json", "--no-color"], root).output)
        findings = []
        for failure in report["failures"]:
            err = failure["err"]
            test_file = _rel(root, failure["file"])
            stack = err.get("stack", "")
            first = plain(stack or err.get("message", "")).splitlines()[0]
            line = _frame_in(root, stack, test_file)
            evidence = [first, failure["title"] + ":"]
            if line:
                evidence.append(f"{test_file}:{line}:")
            findings.append(Finding(failure["fullTitle"], test_file, line, None, first, tuple(evidence)))
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


# --- tsc, eslint, prettier --------------------------------------------------------------------------------

_TSC = re.compile(r"^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$")


def tsc_tool() -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        flags = ["--pretty"] if options.verbose else []
        command = ["npx", "tsc", "--noEmit", *flags]
        ran = _run([str(BIN / "tsc"), "--noEmit", *flags], root)
        report = _run([str(BIN / "tsc"), "--noEmit", "--pretty", "false"], root)
        findings = []
        for row in report.output.splitlines():
            match = _TSC.match(row)
            if not match:
                continue
            file, line, col, code, message = match.groups()
            shown = f"{file}:{line}:{col} - error {code}: {message}" if options.verbose else row
            findings.append(Finding(None, file, int(line), code, message, (shown,)))
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


def eslint_tool() -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        command = ["npx", "eslint", "."]
        ran = _run([str(BIN / "eslint"), "."], root)
        report = json.loads(_run([str(BIN / "eslint"), "-f", "json", "."], root, {"FORCE_COLOR": "0"}).output)
        findings = []
        for result in report:
            rel = _rel(root, result["filePath"])
            for item in result["messages"]:
                if item.get("severity") != 2:
                    continue
                shown = re.sub(r"([^ ])\.$", r"\1", item["message"])  # stylish drops a final period
                findings.append(Finding(None, rel, item.get("line"), item.get("ruleId"), item["message"], (shown,)))
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


def prettier_tool() -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        command = ["npx", "prettier", "--check", "."]
        ran = _run([str(BIN / "prettier"), "--check", "."], root)
        findings = []
        for line in plain(ran.output).splitlines():
            if line.startswith("[warn] ") and not line.startswith("[warn] Code style issues"):
                rel = line.removeprefix("[warn] ").strip()
                findings.append(Finding(None, rel, None, None, line, (line,)))
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


def npm_install_tool() -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        flags = ["--loglevel", "verbose"] if options.verbose else []
        command = ["npm", "install", "--no-audit", "--no-fund", *flags]
        argv = ["npm", "install", "--dry-run", "--no-audit", "--no-fund", "--package-lock=false", "--ignore-scripts"]
        (root / "node_modules").unlink(missing_ok=True)
        ran = _run([*argv, *flags], root, {"FORCE_COLOR": "0"})
        report = _run([*argv, "--json"], root, {"FORCE_COLOR": "0"})
        start = report.output.find("{")
        # stderr's "npm error" lines come first; the object may be followed by more text
        error = json.JSONDecoder().raw_decode(report.output[start:])[0].get("error", {}) if start >= 0 else {}
        findings = []
        if error:
            summary = error.get("summary", "").strip()
            first = summary.splitlines()[0] if summary else error.get("code", "")
            code_line = f"npm error code {error['code']}" if error.get("code") else first
            detail = [ln.strip() for ln in error.get("detail", "").splitlines()]
            causes = [ln for ln in detail if ln.startswith(("Found: ", "peer ", "Could not resolve"))]
            evidence = (code_line, first, *causes[:3])
            findings.append(Finding(None, "package.json", None, error.get("code"), first, evidence))
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go
