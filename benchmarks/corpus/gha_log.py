"""Render a :class:`RawCase` as GitHub serves a job log (``GET /repos/{o}/{r}/actions/jobs/{id}/logs``).

The format (shared/github/facts.json ``logs_download.line_format``): a UTF-8 BOM, every line prefixed by
``YYYY-MM-DDTHH:MM:SS.fffffffZ `` (UTC, 7 fractional digits); runner set-up groups; per step
``##[group]Run <command>`` with the command, ``shell:`` and ``env:`` lines, ``##[endgroup]``, the output;
``##[error]Process completed with exit code N.`` after a failed step; post-job cleanup. Workflow commands a
tool printed (``::error file=a.py,line=3::msg``) are shown as the runner shows them (``##[error]msg``).
Generator paths become the runner's workspace (``/home/runner/work/<repo>/<repo>``, ``D:\\a\\<repo>\\<repo>``,
``/Users/runner/work/<repo>/<repo>``).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .model import RawCase

ORG = "acme-labs"

_WORKSPACE = {
    "ubuntu": "/home/runner/work/{repo}/{repo}",
    "macos": "/Users/runner/work/{repo}/{repo}",
    "windows": "D:\\a\\{repo}\\{repo}",
}
_TEMP = {"ubuntu": "/home/runner/work/_temp", "macos": "/Users/runner/work/_temp", "windows": "D:\\a\\_temp"}
_HOME = {"ubuntu": "/home/runner", "macos": "/Users/runner", "windows": "C:\\Users\\runneradmin"}
_SHELL = {
    "ubuntu": "/usr/bin/bash -e {0}",
    "macos": "/bin/bash -e {0}",
    "windows": "C:\\Program Files\\PowerShell\\7\\pwsh.EXE -command \". '{0}'\"",
}
_IMAGE = {
    "ubuntu": ("Ubuntu", "24.04.1", "LTS", "ubuntu-24.04", "20251208.1.0", "ubuntu24"),
    "macos": ("macOS", "14.7.1", "23H222", "macos-14-arm64", "20251209.1245", "macos-14-arm64"),
    "windows": ("Microsoft Windows Server 2022", "10.0.20348", "Datacenter", "windows-2022", "20251208.1.0", "win22"),
}

# ecosystem -> (setup action, its ``with:`` input, the toolchain's default version, install-path template)
_SETUP: dict[str, tuple[str, str, str, str]] = {
    "python": ("actions/setup-python@v5", "python-version", "3.12.8", "/opt/hostedtoolcache/Python/{v}/x64"),
    "node": ("actions/setup-node@v4", "node-version", "20.18.1", "/opt/hostedtoolcache/node/{v}/x64"),
    "rust": ("dtolnay/rust-toolchain@stable", "toolchain", "1.83.0", "/home/runner/.cargo"),
    "go": ("actions/setup-go@v5", "go-version", "1.23.4", "/opt/hostedtoolcache/go/{v}/x64"),
    "jvm": (
        "actions/setup-java@v4",
        "java-version",
        "17.0.13",
        "/opt/hostedtoolcache/Java_Temurin-Hotspot_jdk/{v}/x64",
    ),
    "ruby": ("ruby/setup-ruby@v1", "ruby-version", "3.3.6", "/opt/hostedtoolcache/Ruby/{v}/x64"),
    "php": ("shivammathur/setup-php@v2", "php-version", "8.3.14", "/usr/bin/php"),
    "elixir": ("erlef/setup-beam@v1", "elixir-version", "1.17.3", "/home/runner/work/_temp/.setup-beam"),
}

_STAMP_FMT = "%Y-%m-%dT%H:%M:%S."


def stamp(at: datetime) -> str:
    return at.strftime(_STAMP_FMT) + f"{at.microsecond:06d}" + f"{at.microsecond % 7}Z"


def workspace_for(case: RawCase) -> str:
    repo = case.repo or case.project
    return _WORKSPACE[case.runner_os].format(repo=repo)


def case_rng(case: RawCase) -> random.Random:
    """A generator seeded by the case id alone: the same case renders the same log on every build."""
    return random.Random(hashlib.sha256(f"{case.project}/{case.case}".encode()).hexdigest())


@dataclass
class PathMapper:
    """Generator paths -> runner paths, longest first; on Windows the workspace's paths take backslashes."""

    pairs: list[tuple[str, str]]
    windows_root: str | None

    def __call__(self, text: str) -> str:
        for old, new in self.pairs:
            if old and old in text:
                text = text.replace(old, new)
        if self.windows_root and self.windows_root in text:
            # one path token after the root: [/\w.-]* is a single character class, linear
            text = re.sub(re.escape(self.windows_root) + r"[/\w.\-]*", _backslashes, text)
        return text


def _backslashes(match: re.Match[str]) -> str:
    return match.group(0).replace("/", "\\")


def path_mapper(case: RawCase, workdir: str) -> PathMapper:
    workspace = workspace_for(case)
    source_root = (case.source_root or f"{workdir.rstrip('/')}/{case.project}").rstrip("/")
    pairs = [(old, new.replace("{workspace}", workspace)) for old, new in case.path_map]
    pairs += [(source_root, workspace), (workdir.rstrip("/"), _TEMP[case.runner_os])]
    pairs.sort(key=lambda p: len(p[0]), reverse=True)
    return PathMapper(pairs, workspace if case.runner_os == "windows" else None)


# --- workflow commands, as the runner shows them ---------------------------------------------------------

_COMMAND = re.compile(r"^::([a-zA-Z-]+)( [^:]*)?::(.*)$")
_SHOWN = {"error": "##[error]", "warning": "##[warning]", "notice": "##[notice]", "group": "##[group]"}


def _unescape_data(value: str) -> str:
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def runner_lines(line: str) -> list[str]:
    """What the runner shows for one line the step printed (workflow commands are case-insensitive)."""
    match = _COMMAND.match(line)
    if match is None:
        return [line]
    command, message = match.group(1).lower(), _unescape_data(match.group(3))
    if command == "endgroup":
        return ["##[endgroup]"]
    if command in _SHOWN:
        first, *rest = message.split("\n")
        return [_SHOWN[command] + first, *rest]
    if command in {"debug", "add-mask", "stop-commands", "echo", "save-state", "set-output"}:
        return []  # not shown (debug only with step debug logging on)
    return [line]


# --- the log -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedLog:
    text: str  # without the BOM
    lines: tuple[str, ...]  # each line as written, timestamp included (line n is lines[n - 1])
    step_starts: tuple[int, ...]  # 1-based line of each step's ``##[group]Run``
    mapper: PathMapper

    def encoded(self) -> bytes:
        return ("\ufeff" + self.text).encode()

    def content(self, number: int) -> str:
        """Line ``number`` (1-based) without its timestamp."""
        return self.lines[number - 1].split(" ", 1)[1] if " " in self.lines[number - 1] else ""


class _Clock:
    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.at = start
        self.lines: list[str] = []

    def tick(self, low_ms: float, high_ms: float) -> None:
        self.at += timedelta(microseconds=int(self.rng.uniform(low_ms, high_ms) * 1000))

    def emit(self, text: str, *, low_ms: float = 0.05, high_ms: float = 3.0) -> None:
        self.tick(low_ms, high_ms)
        self.lines.append(f"{stamp(self.at)} {text}")


def render(case: RawCase, workdir: str) -> RenderedLog:
    rng = case_rng(case)
    start = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(
        days=rng.randrange(330), hours=rng.randrange(24), minutes=rng.randrange(60), seconds=rng.randrange(60)
    )
    clock = _Clock(rng, start)
    mapper = path_mapper(case, workdir)
    repo = case.repo or case.project
    workspace = workspace_for(case)
    os_name = case.runner_os
    setup = _SETUP.get(case.ecosystem)
    version = case.toolchain_version or (setup[2] if setup else "")
    _setup_lines(clock, case, repo, workspace, setup, version)
    step_starts: list[int] = []
    env_lines = _env_lines(case, setup, version)
    for step in case.steps:
        clock.tick(300, 4000)
        command_lines = step.command.split("\n")
        step_starts.append(len(clock.lines) + 1)
        clock.emit(f"##[group]Run {command_lines[0]}")
        for line in command_lines:
            clock.emit(f"\x1b[36;1m{line}\x1b[0m")
        clock.emit(f"shell: {_SHELL[os_name]}")
        for line in env_lines:
            clock.emit(line)
        clock.emit("##[endgroup]")
        clock.tick(200, 1500)
        for raw in _output_lines(step.output):
            for shown in runner_lines(mapper(raw)):
                clock.emit(shown, low_ms=0.02, high_ms=rng.choice((0.5, 2.0, 40.0)))
        if step.exit_code:
            clock.emit(f"##[error]Process completed with exit code {step.exit_code}.")
    _post_job(clock, workspace, setup, os_name)
    text = "\n".join(clock.lines) + "\n"
    return RenderedLog(text, tuple(clock.lines), tuple(step_starts), mapper)


def _output_lines(output: str) -> list[str]:
    lines = output.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _env_lines(case: RawCase, setup: tuple[str, str, str, str] | None, version: str) -> list[str]:
    env: list[tuple[str, str]] = []
    if case.ecosystem == "python" and setup:
        location = setup[3].format(v=version)
        env += [
            ("pythonLocation", location),
            ("PKG_CONFIG_PATH", f"{location}/lib/pkgconfig"),
            ("Python_ROOT_DIR", location),
            ("Python2_ROOT_DIR", location),
            ("Python3_ROOT_DIR", location),
            ("LD_LIBRARY_PATH", f"{location}/lib"),
        ]
    env += list(case.env)
    if not env:
        return []
    return ["env:", *(f"  {name}: {value}" for name, value in env)]


def _setup_lines(
    clock: _Clock,
    case: RawCase,
    repo: str,
    workspace: str,
    setup: tuple[str, str, str, str] | None,
    version: str,
) -> None:
    emit = clock.emit
    name, release, edition, image, image_version, tag = _IMAGE[case.runner_os]
    emit("Current runner version: '2.321.0'")
    emit("##[group]Operating System")
    for part in (name, release, edition):
        emit(part)
    emit("##[endgroup]")
    emit("##[group]Runner Image")
    emit(f"Image: {image}")
    emit(f"Version: {image_version}")
    emit(f"Included Software: https://github.com/actions/runner-images/blob/{tag}/{image_version}/images/README.md")
    emit(f"Image Release: https://github.com/actions/runner-images/releases/tag/{tag}%2F{image_version}")
    emit("##[endgroup]")
    emit("##[group]Runner Image Provisioner")
    emit("2.0.384.1")
    emit("##[endgroup]")
    emit("##[group]GITHUB_TOKEN Permissions")
    emit("Contents: read")
    emit("Metadata: read")
    emit("##[endgroup]")
    emit("Secret source: Actions")
    emit("Prepare workflow directory")
    emit("Prepare all required actions")
    emit("Getting action download info", low_ms=100, high_ms=600)
    emit("Download action repository 'actions/checkout@v4' (SHA:11bd71901bbe5b1630ceea73d27597364c9af683)")
    if setup:
        sha = hashlib.sha1(setup[0].encode()).hexdigest()
        emit(f"Download action repository '{setup[0]}' (SHA:{sha})")
    emit(f"Complete job name: {case.job_name}", low_ms=200, high_ms=900)
    emit("##[group]Run actions/checkout@v4")
    emit("with:")
    for line in (
        f"repository: {ORG}/{repo}",
        "token: ***",
        "ssh-strict: true",
        "ssh-user: git",
        "persist-credentials: true",
        "clean: true",
        "sparse-checkout-cone-mode: true",
        "fetch-depth: 1",
        "fetch-tags: false",
        "show-progress: true",
        "lfs: false",
        "submodules: false",
        "set-safe-directory: true",
    ):
        emit(f"  {line}")
    emit("##[endgroup]")
    emit(f"Syncing repository: {ORG}/{repo}")
    emit("##[group]Getting Git version info")
    emit(f"Working directory is '{workspace}'")
    emit("[command]/usr/bin/git version")
    emit("git version 2.47.1", low_ms=5, high_ms=30)
    emit("##[endgroup]")
    emit(f"Deleting the contents of '{workspace}'")
    emit("##[group]Initializing the repository")
    emit(f"[command]/usr/bin/git init {workspace}")
    emit(f"Initialized empty Git repository in {workspace}/.git/")
    emit(f"[command]/usr/bin/git remote add origin https://github.com/{ORG}/{repo}")
    emit("##[endgroup]")
    sha = hashlib.sha1(f"{case.project}/{case.case}".encode()).hexdigest()
    emit("##[group]Fetching the repository")
    emit(
        "[command]/usr/bin/git -c protocol.version=2 fetch --no-tags --prune --no-recurse-submodules --depth=1 "
        f"origin +{sha}:refs/remotes/origin/main"
    )
    emit(f" * [new ref]         {sha} -> origin/main", low_ms=300, high_ms=1500)
    emit("##[endgroup]")
    emit("##[group]Checking out the ref")
    emit("[command]/usr/bin/git checkout --progress --force -B main refs/remotes/origin/main")
    emit("Switched to a new branch 'main'")
    emit("branch 'main' set up to track 'origin/main'.")
    emit("##[endgroup]")
    emit("[command]/usr/bin/git log -1 --format=%H")
    emit(sha)
    if setup is None:
        return
    action, key, _default, location = setup
    emit(f"##[group]Run {action}", low_ms=50, high_ms=400)
    emit("with:")
    emit(f"  {key}: {version}")
    emit("  check-latest: false")
    emit("  token: ***")
    emit("##[endgroup]")
    emit(f"Attempting to resolve version {version} from manifest...", low_ms=100, high_ms=900)
    emit(f"Found in cache @ {location.format(v=version)}")
    if case.ecosystem == "python":
        emit("##[group]Installed versions")
        emit(f"Successfully set up CPython ({version})")
        emit("##[endgroup]")
    elif case.ecosystem == "node":
        emit("##[group]Environment details")
        emit(f"node: v{version}")
        emit("npm: 10.8.2")
        emit("yarn: 1.22.22")
        emit("##[endgroup]")


def _post_job(clock: _Clock, workspace: str, setup: tuple[str, str, str, str] | None, os_name: str) -> None:
    emit = clock.emit
    clock.tick(200, 900)
    emit("Post job cleanup.")
    emit("[command]/usr/bin/git version")
    emit("git version 2.47.1")
    temp = _TEMP[os_name]
    emit(
        f"Temporarily overriding HOME='{temp}/6c5a8bd2-4f3e-4c1a-9a8e-2f5d3b1c7e90' "
        "before making global git config changes"
    )
    emit("Adding repository directory to the temporary git global config as a safe directory")
    emit(f"[command]/usr/bin/git config --global --add safe.directory {workspace}")
    emit("[command]/usr/bin/git config --local --name-only --get-regexp core\\.sshCommand")
    emit(
        '[command]/usr/bin/git submodule foreach --recursive sh -c "git config --local --name-only --get-regexp '
        "'core\\.sshCommand' && git config --local --unset-all 'core\\.sshCommand' || :\""
    )
    emit(
        "[command]/usr/bin/git config --local --name-only --get-regexp "
        "http\\.https\\:\\/\\/github\\.com\\/\\.extraheader"
    )
    emit("http.https://github.com/.extraheader")
    emit("[command]/usr/bin/git config --local --unset-all http.https://github.com/.extraheader")
    emit("Cleaning up orphan processes", low_ms=100, high_ms=800)


# --- evidence ---------------------------------------------------------------------------------------------


class EvidenceNotFound(ValueError):
    pass


def locate(rendered: RenderedLog, texts: Sequence[str], *, strip: Callable[[str], str] | None = None) -> list[int]:
    """The 1-based log lines holding each evidence text (after path mapping), searched from the first step.

    A text spanning several lines is located line by line, each after the previous one. Raises when a text is
    not in the log: the truth must point at what the tool really printed.
    """
    plain = strip or _strip_ansi
    contents = [plain(rendered.content(n)) for n in range(1, len(rendered.lines) + 1)]
    first = rendered.step_starts[0] if rendered.step_starts else 1
    found: list[int] = []
    for text in texts:
        cursor = first
        for part in (p for p in plain(rendered.mapper(text)).split("\n") if p.strip()):
            hit = next((n for n in range(cursor, len(contents) + 1) if part in contents[n - 1]), None)
            if hit is None:
                hit = next((n for n in range(first, len(contents) + 1) if part in contents[n - 1]), None)
            if hit is None:
                raise EvidenceNotFound(f"evidence not in the log: {part!r}")
            found.append(hit)
            cursor = hit
    return sorted(set(found))


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)
