"""A missing dependency: add it to the manifest (requirements.txt / pyproject.toml / package.json)."""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Iterable

from ..regex import compile_linear
from .logtext import clean_lines
from .types import FileEdit, FixSource, Proposal, Transform, rebuildable

_SEPARATORS = compile_linear(r"[-_.]+")
_DRIVE = compile_linear(r"^[A-Za-z]:")
_NPM_NAME = compile_linear(r"(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*")
_REQUIREMENT_END = compile_linear(r"[\s;=<>!~\[@]")
_PROJECT_DEPENDENCIES = compile_linear(r"(?ms)^\[project\]\s*$.*?^dependencies\s*=\s*\[(.*?)\]")
_FIRST_INDENT = compile_linear(r"\n([ \t]*)\S")
_QUOTED_INDENT = compile_linear(r'\n([ \t]+)"')

_PY_MISSING = compile_linear(r"""(?:ModuleNotFoundError|ImportError): No module named ['"]([A-Za-z_][\w.]*)['"]""")
_NODE_MISSING = compile_linear(r"""(?:Error: )?Cannot find (?:module|package) ['"]([^'"\s]+)['"]""")

# Import names whose distribution is named differently (the common cases; the rest import as named).
PYTHON_DISTRIBUTIONS = {
    "yaml": "PyYAML",
    "PIL": "Pillow",
    "cv2": "opencv-python",
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "attr": "attrs",
    "jwt": "PyJWT",
    "dotenv": "python-dotenv",
    "Crypto": "pycryptodome",
    "magic": "python-magic",
    "serial": "pyserial",
    "zmq": "pyzmq",
    "docx": "python-docx",
    "OpenSSL": "pyOpenSSL",
    "MySQLdb": "mysqlclient",
    "git": "GitPython",
    "fitz": "PyMuPDF",
    "google": "protobuf",
    "dns": "dnspython",
    "jose": "python-jose",
    "multipart": "python-multipart",
    "Levenshtein": "python-Levenshtein",
    "pkg_resources": "setuptools",
    "setuptools": "setuptools",
    "lxml": "lxml",
    "gi": "PyGObject",
    "websocket": "websocket-client",
    "slugify": "python-slugify",
    "typing_extensions": "typing-extensions",
}
_NODE_BUILTINS = frozenset(
    "assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns "
    "domain events fs http http2 https inspector module net os path perf_hooks process punycode querystring "
    "readline repl stream string_decoder sys timers tls trace_events tty url util v8 vm wasi worker_threads "
    "zlib test".split()
)


def _normalise(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


def missing_python_modules(lines: Iterable[str]) -> list[str]:
    found: list[str] = []
    for line in lines:
        for match in _PY_MISSING.finditer(line):
            top = match.group(1).split(".")[0]
            if top in sys.stdlib_module_names or top.startswith("_") or top in found:
                continue
            found.append(top)
    return found


def node_package_name(specifier: str) -> str | None:
    if specifier.startswith((".", "/", "~", "node:")) or _DRIVE.match(specifier):
        return None
    parts = specifier.split("/")
    name = "/".join(parts[:2]) if specifier.startswith("@") else parts[0]
    if name in _NODE_BUILTINS or not _NPM_NAME.fullmatch(name):
        return None
    return name


def missing_node_packages(lines: Iterable[str]) -> list[str]:
    found: list[str] = []
    for line in lines:
        for match in _NODE_MISSING.finditer(line):
            name = node_package_name(match.group(1))
            if name and name not in found:
                found.append(name)
    return found


@rebuildable
def add_to_requirements(distribution: str) -> Transform:
    def transform(path: str, content: str | None) -> str | None:
        if content is None:
            return None
        for line in content.split("\n"):
            requirement = _REQUIREMENT_END.split(line.strip(), maxsplit=1)[0]
            if requirement and _normalise(requirement) == _normalise(distribution):
                return None  # already listed: the failure has another cause
        if content and not content.endswith("\n"):
            content += "\n"
        return content + distribution + "\n"

    return transform


@rebuildable
def add_to_pyproject(distribution: str) -> Transform:
    """Insert into ``[project] dependencies`` keeping the file's own layout; checked by re-parsing."""

    def transform(path: str, content: str | None) -> str | None:
        if content is None:
            return None
        try:
            data = tomllib.loads(content)
        except tomllib.TOMLDecodeError:
            return None
        deps = data.get("project", {}).get("dependencies")
        if not isinstance(deps, list):
            return None
        if any(
            _normalise(_REQUIREMENT_END.split(d, maxsplit=1)[0]) == _normalise(distribution)
            for d in deps
            if isinstance(d, str)
        ):
            return None
        match = _PROJECT_DEPENDENCIES.search(content)
        if not match:
            return None
        inner = match.group(1)
        if "\n" in inner:  # one dependency per line: add one more line in the same indentation
            indent = _FIRST_INDENT.search(inner)
            pad = indent.group(1) if indent else "    "
            body = inner.rstrip()
            sep = "" if body.endswith(",") or not body.strip() else ","
            new_inner = f'{body}{sep}\n{pad}"{distribution}",\n'
        else:
            items = inner.strip().rstrip(",")
            new_inner = f'{items}, "{distribution}"' if items else f'"{distribution}"'
        updated = content[: match.start(1)] + new_inner + content[match.end(1) :]
        try:
            new_deps = tomllib.loads(updated).get("project", {}).get("dependencies")
        except tomllib.TOMLDecodeError:
            return None
        return updated if new_deps == [*deps, distribution] else None

    return transform


@rebuildable
def add_to_package_json(package: str) -> Transform:
    def transform(path: str, content: str | None) -> str | None:
        if content is None:
            return None
        try:
            data = json.loads(content)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
            section = data.get(key)
            if isinstance(section, dict) and package in section:
                return None
        indent_match = _QUOTED_INDENT.search(content)
        indent = indent_match.group(1) if indent_match else "  "
        deps = dict(data.get("dependencies") or {})
        deps[package] = "*"
        data["dependencies"] = dict(sorted(deps.items()))
        out = json.dumps(data, indent=indent, ensure_ascii=False)
        return out + ("\n" if content.endswith("\n") else "")

    return transform


def dependency_proposals(log_text: str, *, fingerprint: str | None = None) -> list[Proposal]:
    lines = clean_lines(log_text)
    proposals: list[Proposal] = []
    for module in missing_python_modules(lines)[:3]:
        dist = PYTHON_DISTRIBUTIONS.get(module, module)
        proposals.append(
            Proposal(
                source=FixSource.RULE,
                rule="missing-python-dependency",
                title=f"Add `{dist}` to the dependencies",
                explanation=(
                    f"The run failed with `ModuleNotFoundError: No module named '{module}'`: the package "
                    f"`{dist}` is imported but not installed. This adds it to the project's dependencies "
                    "(pin a version if the project pins the others)."
                ),
                confidence=0.55,
                edits=(
                    FileEdit(
                        ("requirements.txt", "pyproject.toml"),
                        add_python_dependency(dist),
                        name=f"add {dist}",
                    ),
                ),
                fingerprint=fingerprint,
            )
        )
    for package in missing_node_packages(lines)[:3]:
        proposals.append(
            Proposal(
                source=FixSource.RULE,
                rule="missing-node-dependency",
                title=f"Add `{package}` to package.json",
                explanation=(
                    f"The run failed with `Cannot find module '{package}'`: it is imported but not a "
                    "dependency. This adds it to `dependencies`; run `npm install` (or your package "
                    "manager) to pin the version in the lock file."
                ),
                confidence=0.45,
                edits=(FileEdit(("package.json",), add_to_package_json(package), name=f"add {package}"),),
                fingerprint=fingerprint,
            )
        )
    return proposals


@rebuildable
def add_python_dependency(distribution: str) -> Transform:
    """requirements.txt or pyproject.toml, each edited by the transform that understands it."""
    requirements, pyproject = add_to_requirements(distribution), add_to_pyproject(distribution)

    def transform(path: str, content: str | None) -> str | None:
        if path.endswith("pyproject.toml"):
            return pyproject(path, content)
        if path.endswith(".txt"):
            return requirements(path, content)
        return None

    return transform
