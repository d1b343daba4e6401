"""Python tools as CI runs them, each read back through its own structured report.

pytest (JUnit XML, ``junit_family=xunit1`` for file/line), unittest (its ``TestResult``), mypy (``-O json``),
pyright (``--outputjson``), ruff (``--output-format=json``), flake8 (a ``--format`` of its documented fields),
black (its ``would reformat`` report), pip (its ``ERROR:`` lines; the requirement is known from injection).
Tools live in ``.corpus-tools/py`` (pip) and ``.corpus-tools/node`` (pyright, from npm).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ..model import Step
from ..runner import TOOLS, Ran, run
from ._engine import Finding, Options, ToolFn, ToolRun

PY = TOOLS / "py" / "bin"
NODE_BIN = TOOLS / "node" / "node_modules" / ".bin"
SITE = TOOLS / "py" / "lib" / "python3.11" / "site-packages"
RUNNER_SITE = "/opt/hostedtoolcache/Python/3.11.7/x64/lib/python3.11/site-packages"
PATH_MAP = (
    (str(SITE), RUNNER_SITE),
    (str(PY / "python"), "/opt/hostedtoolcache/Python/3.11.7/x64/bin/python"),
    (str(PY), "/opt/hostedtoolcache/Python/3.11.7/x64/bin"),
    (str(TOOLS / "node" / "node_modules"), "/home/runner/work/_tool/node_modules"),
)
PY_ENV = {"PYTHONDONTWRITEBYTECODE": "1", "PIP_CONFIG_FILE": "/dev/null", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _run(argv: list[str], root: Path, env: dict[str, str] | None = None) -> Ran:
    return run(argv, root, env={**PY_ENV, **(env or {})}, path=[PY, NODE_BIN])


def _rel(root: Path, path: str) -> str:
    p = Path(path)
    return str(p.relative_to(root)) if p.is_absolute() and p.is_relative_to(root) else path


def _step(command: str, ran: Ran) -> Step:
    return Step(name=f"Run {command}", command=command, output=ran.output, exit_code=ran.exit_code)


# --- pytest -----------------------------------------------------------------------------------------------

_LOCATION = re.compile(r"^([\w./-]+\.py):(\d+): (\w*)")


def pytest_tool(targets: tuple[str, ...] = ("tests",)) -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        files = list(targets)
        if options.order_seed is not None:
            files = sorted((str(p.relative_to(root)) for p in (root / "tests").glob("test_*.py")), reverse=True)
        flags = ["-v"] if options.verbose else []
        command = [
            "python",
            "-m",
            "pytest",
            *flags,
            "--junitxml=reports/junit.xml",
            "-o",
            "junit_family=xunit1",
            *files,
        ]
        ran = _run([str(PY / "python"), *command[1:], "-p", "no:cacheprovider"], root)
        if options.runner_os != "ubuntu":  # the header names the platform the runner had
            shown = {"windows": "platform win32", "macos": "platform darwin"}[options.runner_os]
            ran = Ran(ran.output.replace("platform linux", shown, 1), ran.exit_code)
        return ToolRun(_step(" ".join(command), ran), tuple(_junit(root / "reports" / "junit.xml")))

    return go


def _junit(report: Path) -> list[Finding]:
    findings: list[Finding] = []
    for case in ET.parse(report).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            continue
        text = problem.text or ""
        message = problem.get("message", "")
        file = case.get("file") or ""
        name = case.get("name", "")
        if not case.get("classname") and problem.tag == "error":  # a collection error: no test ran
            module = name.replace(".", "/") + ".py"
            error = next((ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")), message)
            findings.append(Finding(None, module, None, None, error, (error, f"ERROR collecting {module}")))
            continue
        module = file[:-3].replace("/", ".")
        inner = case.get("classname", "")[len(module) + 1 :]
        test_id = "::".join(x for x in (file, *inner.split("."), name) if x)
        sites = [(m.group(1), int(m.group(2)), m.group(3)) for m in map(_LOCATION.match, text.splitlines()) if m]
        in_test = [s for s in sites if s[0] == file]
        line = in_test[-1][1] if in_test else None
        last = sites[-1] if sites else None
        first_error = next((ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")), message)
        evidence = [first_error]
        if last:
            evidence.append(f"{last[0]}:{last[1]}: {last[2]}")
        evidence.append(f"FAILED {test_id}")
        findings.append(Finding(test_id, file, line, None, message.split("\n")[0], tuple(evidence)))
    return findings


# --- unittest ---------------------------------------------------------------------------------------------

_HARNESS = r"""
import json, sys, unittest
suite = unittest.defaultTestLoader.discover("tests", top_level_dir=".")
result = unittest.TestResult()
suite.run(result)
print(json.dumps([[t.id(), tb] for t, tb in result.failures + result.errors]))
"""
_FRAME = re.compile(r'^  File "([^"]+)", line (\d+), in (\w+)')


def unittest_tool(root_package: str = "tests") -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        flags = ["-v"] if options.verbose else []
        command = ["python", "-m", "unittest", "discover", *flags, "-s", root_package, "-t", "."]
        ran = _run([str(PY / "python"), *command[1:]], root, env={"PYTHONPATH": "src"})
        report = _run([str(PY / "python"), "-c", _HARNESS], root, env={"PYTHONPATH": "src"})
        findings = []
        for test_id, tb in json.loads(report.output.strip().splitlines()[-1]):
            frames = [(m.group(1), int(m.group(2))) for m in map(_FRAME.match, tb.splitlines()) if m]
            in_tests = [(f, n) for f, n in frames if "/tests/" in f]
            file, line = (_rel(root, in_tests[-1][0]), in_tests[-1][1]) if in_tests else (None, None)
            rows = tb.rstrip().splitlines()
            frame_rows = [i for i, row in enumerate(rows) if _FRAME.match(row)]
            # the exception text follows the last frame and its indented code/caret lines
            after = [row for row in rows[frame_rows[-1] + 1 :] if row and not row.startswith(" ")] if frame_rows else []
            message = after[0] if after else rows[-1]
            base_id = test_id.split(" ", 1)[0]
            method = base_id.rsplit(".", 1)[-1]
            findings.append(Finding(test_id, file, line, None, message, (message, f"{method} ({base_id})")))
        return ToolRun(_step(" ".join(command), Ran(ran.output, ran.exit_code)), tuple(findings))

    return go


# --- mypy, pyright ----------------------------------------------------------------------------------------


def mypy_tool(target: str = "src") -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        flags = ["-v"] if options.verbose else []
        command = ["mypy", *flags, target]
        ran = _run([str(PY / "mypy"), "--no-incremental", *flags, target], root)
        report = _run([str(PY / "mypy"), "--no-incremental", "-O", "json", target], root)
        findings = []
        for row in report.output.splitlines():
            if not row.startswith("{"):
                continue
            item = json.loads(row)
            if item["severity"] != "error":
                continue
            text = f"{item['file']}:{item['line']}: error: {item['message']}"
            findings.append(Finding(None, item["file"], item["line"], item["code"], item["message"], (text,)))
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


def pyright_tool() -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        flags = ["--verbose"] if options.verbose else []
        command = ["npx", "pyright", *flags]
        env = {"PYRIGHT_PYTHON": str(PY / "python")}
        ran = _run([str(NODE_BIN / "pyright"), *flags], root, env)
        report = json.loads(_run([str(NODE_BIN / "pyright"), "--outputjson"], root, env).output)
        findings = []
        for item in report["generalDiagnostics"]:
            if item["severity"] != "error":
                continue
            start = item["range"]["start"]
            first = item["message"].split("\n")[0]
            where = f"{item['file']}:{start['line'] + 1}:{start['character'] + 1} - error: {first}"
            findings.append(
                Finding(None, _rel(root, item["file"]), start["line"] + 1, item.get("rule"), item["message"], (where,))
            )
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


# --- ruff, flake8, black ----------------------------------------------------------------------------------


def ruff_tool() -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        fmt = "full" if options.verbose else "github"
        command = ["ruff", "check", f"--output-format={fmt}", "."]
        ran = _run([str(PY / "ruff"), "check", "--no-cache", f"--output-format={fmt}", "."], root)
        report = json.loads(_run([str(PY / "ruff"), "check", "--no-cache", "--output-format=json", "."], root).output)
        findings = []
        for item in report:
            rel = _rel(root, item["filename"])
            where = f"{rel}:{item['location']['row']}:{item['location']['column']}"
            findings.append(
                Finding(None, rel, item["location"]["row"], item["code"], item["message"], (where, item["message"]))
            )
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


def flake8_tool(targets: tuple[str, ...] = ("src", "tests")) -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        flags = ["--show-source"] if options.verbose else []
        command = ["flake8", *flags, *targets]
        ran = _run([str(PY / "flake8"), *flags, *targets], root)
        fields = "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"
        report = _run([str(PY / "flake8"), f"--format={fields}", *targets], root)
        findings = []
        for row in report.output.splitlines():
            path, line, col, code, text = row.split("\t", 4)
            shown = f"{path}:{line}:{col}: {code} {text}"
            findings.append(Finding(None, path, int(line), code, text, (shown,)))
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


def black_tool() -> ToolFn:
    def go(root: Path, options: Options) -> ToolRun:
        flags = ["--diff"] if options.verbose else []
        command = ["black", "--check", *flags, "."]
        ran = _run([str(PY / "black"), "--check", *flags, "."], root)
        findings = []
        for line in ran.output.splitlines():
            if line.startswith("would reformat "):
                path = line.removeprefix("would reformat ").strip()
                findings.append(Finding(None, _rel(root, path), None, None, line, (line,)))
        return ToolRun(_step(" ".join(command), ran), tuple(findings))

    return go


# --- pip --------------------------------------------------------------------------------------------------


def pip_tool(index: Path) -> ToolFn:
    """``pip install -r requirements.txt`` against a folder of wheels (the runner's private index)."""

    def go(root: Path, options: Options) -> ToolRun:
        flags = ["-v"] if options.verbose else []
        command = ["python", "-m", "pip", "install", *flags, "-r", "requirements.txt"]
        argv = [
            str(PY / "python"), "-m", "pip", "install", "--isolated", "--no-cache-dir", "--dry-run",
            "--no-index", "--find-links", str(index), *flags, "-r", "requirements.txt",
        ]  # fmt: skip
        ran = _run(argv, root)
        lines = ran.output.splitlines()
        errors = [ln for ln in lines if ln.startswith("ERROR: ")]
        causes = [ln for ln in lines if " depends on " in ln or ln.startswith("The user requested")]
        if not errors:
            return ToolRun(_step(" ".join(command), ran), ())
        finding = Finding(None, "requirements.txt", None, None, errors[0][7:], (*errors, *causes))
        return ToolRun(_step(" ".join(command), ran), (finding,))

    return go
