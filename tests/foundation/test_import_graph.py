"""The import graph of our packages: no cycles, and no imports hidden inside function bodies.

An import inside a function usually hides a cycle (the module could not import the other at the top), or
defers a heavy optional dependency. The first must be removed by moving the shared piece to where it
belongs; the second is listed below with its reason. Imports under ``if TYPE_CHECKING:`` are never run,
so they are not edges. The graph is read with ``ast``: nothing is imported to build it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("githubapp", "analysis", "storage", "snapshot")

_CLI = "CLI start-up: a subcommand's modules load when it runs (`ci-triage --help` reads 0.25 s of code, not 4 s)"

# (importing module, imported module or "*") -> why the import stays inside a function. Keep this list short.
ALLOWED_FUNCTION_LEVEL: dict[tuple[str, str], str] = {
    ("githubapp.cli.main", "*"): _CLI,
    ("githubapp.cli.apikeys", "*"): _CLI,
    ("githubapp.cli.deliveries", "*"): _CLI,
    ("githubapp.cli.history", "*"): _CLI,
    ("githubapp.fixes.llm", "openai"): "optional heavy dependency: only with an LLM endpoint configured",
    ("githubapp.history.service", "openai"): "optional heavy dependency: only with an embedding endpoint configured",
    ("storage.artifacts", "aiobotocore"): "optional heavy dependency: only with S3 configured",
    ("storage.artifacts", "botocore"): "optional heavy dependency: only with S3 configured",
    ("snapshot.browser", "playwright"): "heavy dependency: loaded when the first capture starts Chromium",
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str  # a module of ours when internal, else the top-level name imported
    line: int
    function_level: bool
    internal: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _walk(other, in_function)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function
        yield from _walk(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))


def _base(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    for node, in_function in _walk(tree, False):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = _base(name, is_package, node)
            for alias in node.names:  # ``from package import module`` imports the module itself
                child = f"{base}.{alias.name}"
                targets.append(child if child in modules else base)
        for target in dict.fromkeys(targets):
            internal = target.split(".")[0] in PACKAGES
            yield Import(name, target if internal else target.split(".")[0], node.lineno, in_function, internal)


def all_imports() -> list[Import]:
    modules = our_modules()
    return [found for name, path in modules.items() for found in imports_of(name, path, modules)]


def edges_of(found: Import) -> list[str]:
    """Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first: those are edges too, except to
    the importer's own packages (already being imported when it runs)."""
    parts = found.imported.split(".")
    own = {".".join(found.importer.split(".")[:n]) for n in range(1, found.importer.count(".") + 1)}
    targets = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return [t for t in targets if t not in own and t != found.importer]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (or a module importing itself), Tarjan."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    edges: dict[str, set[str]] = {}
    for found in all_imports():
        if found.internal:
            edges.setdefault(found.importer, set()).update(edges_of(found))
    assert cycles(edges) == []


def _allowed(found: Import) -> bool:
    return (found.importer, found.imported) in ALLOWED_FUNCTION_LEVEL or (found.importer, "*") in ALLOWED_FUNCTION_LEVEL


def test_no_function_level_imports_outside_the_allow_list() -> None:
    hidden = sorted(
        f"{f.importer}:{f.line} imports {f.imported}" for f in all_imports() if f.function_level and not _allowed(f)
    )
    assert hidden == []


def test_allow_list_is_current() -> None:
    present = {(f.importer, f.imported) for f in all_imports() if f.function_level}
    present |= {(importer, "*") for importer, _ in present}
    assert sorted(set(ALLOWED_FUNCTION_LEVEL) - present) == []


def test_triage_and_fixes_do_not_import_the_web_app() -> None:
    """``pipeline`` and ``fixes`` run in the worker: what they share with the dashboard (links, live updates)
    lives in ``report`` and ``notify``, never in ``web`` (the HTTP handlers)."""
    below = ("githubapp.pipeline", "githubapp.fixes")
    found = sorted(
        f"{f.importer}:{f.line} imports {f.imported}"
        for f in all_imports()
        if f.importer.startswith(below) and (f.imported == "githubapp.web" or f.imported.startswith("githubapp.web."))
    )
    assert found == []


def test_the_graph_is_read() -> None:
    """The walker sees both kinds of import and resolves relative ones (else the tests above prove nothing)."""
    found = {(f.importer, f.imported, f.function_level) for f in all_imports()}
    assert ("githubapp.runtime", "githubapp.deps", False) in found
    assert ("githubapp.cli.main", "githubapp.processes", True) in found
    assert ("snapshot.browser", "playwright", True) in found
    assert len(found) > 500
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert edges_of(Import("x.y.z", "x.a.b", 1, False, True)) == ["x.a", "x.a.b"]
