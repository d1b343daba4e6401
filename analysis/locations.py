"""Where a failure broke: repository-relative paths, stack frames, the fault and the test's own line.

Tools print paths as they ran them: absolute inside the runner's workspace (``/home/runner/work/<r>/<r>/``,
``D:\\a\\<r>\\<r>\\``, ``/__w/<r>/<r>/`` in containers, ``/github/workspace/`` in Docker actions), relative to
the working directory, or as a JVM class name. ``repo_path`` turns any of them into a repository-relative
path, or None when it points outside the repository (interpreters, installed packages, toolchains), so an
annotation never points at a file the repository does not have.

A failure's frames (Python tracebacks, pytest's ``path:line:`` frames, ``at ...`` lines of node, JVM, .NET
and Rust backtraces, Go goroutine dumps, RSpec's ``# ./spec/x_spec.rb:12``) are collected while it is open;
``pick`` chooses the fault (the deepest frame inside the repository) and the test's line (the deepest frame
in a test file).
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from .regex import compile_linear

# Workspace roots of GitHub-hosted, container, Docker-action and self-hosted runners; other CIs' too.
_WORKSPACE = compile_linear(
    r"^(?:/home/runner/work/[^/]+/[^/]+/|/Users/runner/work/[^/]+/[^/]+/|[A-Za-z]:/a/[^/]+/[^/]+/"
    r"|[A-Za-z]:/Users/runneradmin/(?:work|_work|a)/[^/]+/[^/]+/|/__w/[^/]+/[^/]+/|/github/workspace/"
    r"|(?:[A-Za-z]:)?/(?:[^/]+/)*_work/[^/]+/[^/]+/|/home/travis/build/[^/]+/[^/]+/|/builds/[^/]+/[^/]+/"
    r"|/home/circleci/project/|/var/lib/jenkins/workspace/[^/]+/)"
)
# Installed or generated code, toolchains and interpreters: never the repository's own sources.
_OUTSIDE = compile_linear(
    r"(?:^|/)(?:site-packages|dist-packages|node_modules|\.venv|venv|\.tox|\.nox|__pycache__|\.cargo|\.rustup"
    r"|hostedtoolcache|pkg/mod|\.m2|\.gradle|target/debug/build|_virtualenv)/"
    r"|^(?:rustc/|library/(?:std|core|alloc|test)/|node:|_testmain\.go/)"  # go test's generated main
)
_DRIVE_URL = compile_linear(r"^/[A-Za-z]:/")  # file:///D:/a/...
_DRIVE = compile_linear(r"^[A-Za-z]:/")
_SCHEME = compile_linear(r"^(?:file://|webpack:///|webpack-internal:///(?:\./)?)")


def repo_path(raw: str | None, *, repo_name: str | None = None) -> str | None:
    """The repository-relative form of a path a tool printed, or None when it is outside the repository.

    ``repo_name`` (without owner) also strips ``.../<name>/<name>/`` for runners with unusual roots."""
    if not raw:
        return None
    text = raw.strip().strip("'\"")
    if not text or "\x00" in text or text.startswith(("<", "[")) or len(text) > 500:  # "<frozen ...>", "[eval]"
        return None
    path = _SCHEME.sub("", text.replace("\\", "/"), count=1)
    if _DRIVE_URL.match(path):  # file:///D:/a/...
        path = path[1:]
    found = _WORKSPACE.match(path)
    if found:
        path = path[found.end() :]
    elif repo_name and f"/{repo_name}/{repo_name}/" in path:
        path = path.split(f"/{repo_name}/{repo_name}/", 1)[1]
    elif path.startswith(("/", "~")) or _DRIVE.match(path):
        return None  # absolute but outside any workspace we know: the interpreter, the toolchain, /tmp
    normalized = posixpath.normpath(path)
    if normalized in (".", "") or normalized.startswith(("../", "/")) or normalized == "..":
        return None
    if _OUTSIDE.search(normalized + "/"):
        return None
    return normalized


def in_tree(path: str | None, tree: Collection[str] | None) -> str | None:
    """``path`` when the repository has it; else the one tree path it is a suffix of (tools print paths
    relative to a sub-project, JVM frames name only the package); else None. No tree: ``path`` unchecked."""
    if path is None or tree is None:
        return path
    if path in tree:
        return path
    suffix = "/" + path
    found = [p for p in tree if p.endswith(suffix)]
    return found[0] if len(found) == 1 else None


_TEST_PATH = compile_linear(
    r"(?:^|/)(?:tests?|__tests__|specs?|testing|src/test|androidTest|integration_tests?)/"
    r"|(?:^|/)test_[^/]*\.py$|_tests?\.(?:py|go|exs|rs|c|cc|cpp)$|[._-](?:test|spec)\.[cm]?[jt]sx?$"
    r"|Tests?\.(?:java|kt|scala|groovy|cs|swift|php)$|IT\.(?:java|kt)$|Spec\.(?:scala|groovy|kt)$|_spec\.rb$"
    r"|(?:^|/)conftest\.py$|(?:^|/)t/[^/]+\.t$"  # Perl: prove runs t/*.t
)


def is_test_path(path: str) -> bool:
    return _TEST_PATH.search(path) is not None


def _is_test_frame(path: str, func: str) -> bool:
    """A test file's frame, or a Rust unit test's (``crate::tests::name`` inside ``src/``)."""
    return is_test_path(path) or "::tests::" in func or func.startswith("tests::")


# JVM classes of the platform and of test and build frameworks: their frames are never the repository's.
_JVM_LIBRARY = compile_linear(
    r"^(?:java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|groovy|org\.junit|junit|org\.opentest4j"
    r"|org\.apache\.maven|org\.gradle|org\.assertj|org\.hamcrest|org\.mockito|org\.testng|org\.spockframework"
    r"|org\.codehaus|worker\.org\.gradle|io\.kotest|org\.springframework|net\.bytebuddy)\."
)
_JVM_TEST_CLASS = compile_linear(r"(?:Tests?|IT|TestCase|Spec)$")


def jvm_path(cls: str, file: str) -> str | None:
    """``com.example.ShapesTest`` in ``ShapesTest.java`` -> ``src/test/java/com/example/ShapesTest.java``
    (Maven/Gradle layout; a known tree corrects the prefix by suffix). Library classes -> None."""
    if _JVM_LIBRARY.match(cls):
        return None
    package, _, name = cls.rpartition(".")
    outer = name.split("$", 1)[0]
    suffix = file.rsplit(".", 1)[-1]
    language = {"kt": "kotlin", "java": "java", "scala": "scala", "groovy": "groovy"}.get(suffix)
    if language is None:
        return None
    kind = "test" if _JVM_TEST_CLASS.search(outer) or _JVM_TEST_CLASS.search(file.rsplit(".", 1)[0]) else "main"
    directory = package.replace(".", "/")
    return f"src/{kind}/{language}/{directory + '/' if directory else ''}{file}"


@dataclass(frozen=True)
class Frame:
    file: str  # as printed (or, for JVM frames, the conventional source path)
    line: int
    deepest_first: bool  # the stack's order: node, JVM, Go, Rust, .NET, Ruby print the innermost call first
    block: int  # frames of one printed stack share a block; a later block (a chained cause) says more
    func: str = ""  # the function, when the format names it


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    func: str = ""


def pick(
    frames: Sequence[Frame], *, repo_name: str | None = None, tree: Collection[str] | None = None
) -> tuple[Location | None, Location | None]:
    """(fault, test): the deepest frame inside the repository and the deepest one in a test file.

    The last stack printed wins (a chained exception's cause, the traceback under a test's section)."""
    resolved = [(f, in_tree(repo_path(f.file, repo_name=repo_name), tree)) for f in frames]
    inside = [(f, p) for f, p in resolved if p is not None]
    if not inside:
        return None, None
    last_block = inside[-1][0].block
    stack = [(f, p) for f, p in inside if f.block == last_block]
    ordered = _innermost_first(stack)
    fault_frame, fault_path = ordered[0]
    fault = Location(fault_path, fault_frame.line, fault_frame.func)
    test = next((Location(p, f.line, f.func) for f, p in ordered if _is_test_frame(p, f.func)), None)
    if test is None:  # the test itself may have printed in an earlier block (pytest's sections)
        earlier = _innermost_first(inside)
        test = next((Location(p, f.line, f.func) for f, p in earlier if _is_test_frame(p, f.func)), None)
    return fault, test


_TEST_FUNCTION = compile_linear(r"^(?:test\w*|Test\w+)$")


def test_frame(
    frames: Sequence[Frame], *, repo_name: str | None = None, tree: Collection[str] | None = None
) -> Location | None:
    """The innermost frame of a test function (``test_x`` in a test file): the test a crash happened in."""
    for frame in _innermost_first((f, "") for f in frames):
        f = frame[0]
        if _TEST_FUNCTION.match(f.func):
            path = in_tree(repo_path(f.file, repo_name=repo_name), tree)
            if path is not None and is_test_path(path):
                return Location(path, f.line, f.func)
    return None


def _innermost_first(frames: Iterable[tuple[Frame, str]]) -> list[tuple[Frame, str]]:
    items = list(frames)
    if items and not items[0][0].deepest_first:
        items.reverse()
    return items
