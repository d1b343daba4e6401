"""The symbol a line of a repository file belongs to: the subject of a compile, type or lint error.

A compiler or linter names the file and the line, rarely the function (gcc's ``In function 'x':`` is the
exception). The line is volatile (an edit above moves it), the function is not: ``fmt.Errorf format %d``
in ``Config.Load`` and in ``Config.Save`` are two faults, and the first one moved three lines down is still
the first one. ``symbol_at(path, text, line)`` answers from the file's text at the run's commit:

- **code**: the innermost definitions whose body holds the line, outermost first, joined by ``.``
  (``Invoice.total``, ``Config.Load`` for a Go method, ``tests.parses`` for a Rust ``mod``). Language
  agnostic: a line's enclosing blocks are the lines above it with less indentation (the way formatted code
  reads in every language), and a block is a definition when its header matches the definition forms of
  the file's language family (Python ``def``/``class``; Go ``func``, with its receiver's type; JS/TS
  ``function``, ``class``, methods and arrow functions assigned to a name; Java/Kotlin/C#/PHP classes and
  methods; C/C++ function definitions; Rust ``fn``/``impl``/``mod``; Ruby ``def``/``class``/``module``;
  Elixir ``def``/``defp``/``defmodule``; Perl ``sub``; shell ``name() {``). In brace languages a header
  must open a block (``{`` at its end or on the next line, its parentheses balanced), so a call continued
  over lines (``return foo(``) is no definition;
- **YAML**: the key path of the line (``services.web.ports[]``: list items masked as ``[]``);
- **Makefiles**: the rule's target.

None when unsure: an unknown language, a line outside the file, a line at the top level, a blank line.
Pure (text in, name out); every pattern is linear (``analysis.regex.compile_linear``), run on lines cut to
``MAX_LINE_CHARS``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .regex import IGNORECASE, LinearPattern, compile_linear
from .signature import enclosing_symbol
from .types import Failure, FailureKind

MAX_LINE_CHARS = 400  # of a line or a joined header: definitions are short, minified code is not read
HEADER_LINES = 8  # a definition's header (signature) spread over at most this many lines
MAX_SYMBOL_CHARS = 200
TAB = 4


@dataclass(frozen=True)
class _Definition:
    pattern: LinearPattern
    name: Callable[[Sequence[str | None]], str | None]  # the match's groups -> the definition's name


@dataclass(frozen=True)
class _Family:
    definitions: tuple[_Definition, ...]
    braces: bool  # blocks are braces (a header must open one); else indentation alone
    closers: tuple[str, ...]  # a line starting with one of these ends a block (it belongs to the block)
    comments: tuple[str, ...]  # line-comment (and preprocessor) prefixes: such lines are not structure
    strings: tuple[str, ...] = ()  # delimiters of strings that span lines (their lines are text, not structure)
    heredoc: LinearPattern | None = None  # a heredoc's start, its terminator in a group


def _first(groups: Sequence[str | None]) -> str | None:
    return next((g for g in groups if g), None)


def _joined(groups: Sequence[str | None]) -> str | None:
    found = [g for g in groups if g]
    return ".".join(found) if found else None


def _definition(pattern: str, name: Callable[[Sequence[str | None]], str | None] = _first) -> _Definition:
    return _Definition(compile_linear(pattern), name)


# Words that start a control statement or an expression: never a definition's first word, nor its name.
_CONTROL = frozenset(
    "if elif else for foreach while until unless do switch case catch try finally with return throw throws "
    "new delete typeof sizeof await yield assert match loop when using lock fixed synchronized select go "
    "defer guard in of is as and or not static_assert decltype alignof".split()
)
_NOT_NAMES = _CONTROL | {"function", "func", "fn", "def", "lambda", "async", "super", "this"}
_MODIFIERS = (
    r"(?:(?:@[\w.]+(?:\([^()]{0,200}\))?|public|protected|private|internal|static|final|abstract|synchronized"
    r"|native|default|override|virtual|async|sealed|extern|unsafe|partial|readonly|open|suspend|inline"
    r"|operator|const|constexpr|export|get|set)\s+)*"
)

_PYTHON = _Family(
    (_definition(r"^(?:async\s+)?def\s+([A-Za-z_]\w*)"), _definition(r"^class\s+([A-Za-z_]\w*)")),
    braces=False,
    closers=(")", "]", "}"),
    comments=("#",),
    strings=('"""', "'''"),
)
_GO = _Family(
    (
        _definition(r"^func\s*\(\s*(?:\w+\s+)?\*?\s*(\w+)(?:\[[^\]]{0,100}\])?\s*\)\s*(\w+)", _joined),
        _definition(r"^func\s+(\w+)"),
        _definition(r"^type\s+(\w+)\s+(?:struct|interface)\b"),
    ),
    braces=True,
    closers=("}", ")"),
    comments=("//", "/*", "*"),
    strings=("`",),
)
_JS = _Family(
    (
        _definition(r"^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([$\w]+)"),
        _definition(
            r"^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:class|interface|enum)\s+([$\w]+)"
        ),
        _definition(r"^(?:export\s+)?(?:declare\s+)?namespace\s+([$\w.]+)"),
        # const name = (...) => {, const name = async x => {, const name = function (...) {
        _definition(
            r"^(?:export\s+)?(?:const|let|var)\s+([$\w]+)\s*(?::[^=]{0,200})?=\s*(?:async\s+)?"
            r"(?:function\b|\([^()]{0,300}\)\s*(?::[^=]{0,200})?=>|[$\w]+\s*=>)"
        ),
        # a property or class field holding a function: name: (...) => {, name = async () => {
        _definition(
            r"^" + _MODIFIERS + r"(#?[$\w]+)\s*[:=]\s*(?:async\s+)?"
            r"(?:function\b|\([^()]{0,300}\)\s*(?::[^=]{0,200})?=>|[$\w]+\s*=>)"
        ),
        # a method: name(...) {, async *name<T>(...): T {
        _definition(r"^" + _MODIFIERS + r"\*?(#?[$\w]+)\s*(?:<[^()]{0,200}>)?\s*\("),
    ),
    braces=True,
    closers=("}", ")", "]"),
    comments=("//", "/*", "*"),
    strings=("`",),
)
_OBJECTS = _Family(  # Java, Kotlin, C#, PHP, Scala, Swift, Dart, Groovy
    (
        _definition(
            r"^" + _MODIFIERS + r"(?:data\s+|enum\s+|sealed\s+|inner\s+|value\s+|case\s+|companion\s+)*"
            r"(?:class|interface|enum|record|object|struct|trait|namespace)\s+([A-Za-z_][\w.]*)"
        ),
        _definition(r"^" + _MODIFIERS + r"fun\s+(?:<[^()]{0,200}>\s*)?(?:[\w.]+\.)?(\w+)\s*\("),
        _definition(r"^" + _MODIFIERS + r"function\s+&?(\w+)\s*\("),
        _definition(r"^" + _MODIFIERS + r"(?:def|func)\s+(\w+)"),
        # a method or constructor: [modifiers] [Type] name(...) [throws X] {
        _definition(
            r"^" + _MODIFIERS + r"(?:<[^()]{0,200}>\s+)?(?:[\w.$]+(?:<[^()]{0,200}>)?(?:\[\])*\??\s+)?"
            r"([A-Za-z_$][\w$]*)\s*\("
        ),
    ),
    braces=True,
    closers=("}", ")"),
    comments=("//", "/*", "*", "#"),
    strings=('"""',),  # Kotlin, Swift, Scala, Java text blocks
    heredoc=compile_linear(r"<<<\s*(?:\"(\w+)\"|'(\w+)'|([A-Za-z_]\w*))"),  # PHP
)
_C = _Family(
    (
        _definition(r"^(?:template\s*<[^{};]{0,200}>\s*)?(?:class|struct|union|namespace)\s+([A-Za-z_][\w:]*)"),
        # a function definition: [return type] [Class::]name(...) [const] {: the name is the last word before
        # the first parenthesis, after nothing but a type's characters (``_c_function``)
        _definition(r"^(?:template\s*<[^{};()]{0,200}>\s*)?([\w:<>,*&~ \t]{1,300})\(", lambda g: _c_function(g[0])),
    ),
    braces=True,
    closers=("}", ")"),
    comments=("//", "/*", "*", "#"),
)


def _c_function(head: str | None) -> str | None:
    """``[type] [Class::]name`` -> ``[Class::]name`` (the head of a C/C++ definition before its ``(``)."""
    text = (head or "").rstrip()
    start = len(text)
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_:~"):
        start -= 1
    name = text[start:].lstrip(":")
    if not name or not (name[0].isalpha() or name[0] in "_~") or name.endswith(":"):
        return None
    return name


_RUST = _Family(
    (
        _definition(
            r"^(?:pub(?:\([^()]{0,50}\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+\"\w+\"\s+)?fn\s+(\w+)"
        ),
        _definition(r"^(?:unsafe\s+)?impl\b(?:\s*<[^{]{0,200}?>)?\s+(?:[^{]{0,200}?\s+for\s+)?&?(?:\w+::)*(\w+)"),
        _definition(r"^(?:pub(?:\([^()]{0,50}\))?\s+)?(?:mod|trait|struct|enum|union)\s+(\w+)"),
    ),
    braces=True,
    closers=("}", ")"),
    comments=("//", "/*", "*", "#"),
)
_RUBY = _Family(
    (
        _definition(r"^def\s+(?:self\.)?([\w?!=\[\]<>+\-*/%~]+)"),
        _definition(r"^(?:class|module)\s+([A-Z][\w:]*)"),
    ),
    braces=False,
    closers=("end", "}", ")", "]"),
    comments=("#", "=begin", "=end"),
    heredoc=compile_linear(r"<<[-~]?(?:\"(\w+)\"|'(\w+)'|([A-Z_][A-Z0-9_]*))"),
)
_ELIXIR = _Family(
    (
        _definition(r"^def(?:p|macro|macrop|guard|guardp|delegate)?\s+([\w?!]+)"),
        _definition(r"^defmodule\s+([\w.]+)"),
        _definition(r"^defprotocol\s+([\w.]+)"),
        _definition(r"^defimpl\s+([\w.]+)"),
    ),
    braces=False,
    closers=("end", "}", ")", "]"),
    comments=("#",),
    strings=('"""', "'''"),
)
_PERL = _Family(
    (_definition(r"^sub\s+([\w:]+)"), _definition(r"^package\s+([\w:]+)\s*\{")),
    braces=True,
    closers=("}", ")"),
    comments=("#", "="),
    heredoc=compile_linear(r"<<~?(?:\"(\w+)\"|'(\w+)'|([A-Z_][A-Z0-9_]*))"),
)
_SHELL = _Family(
    (_definition(r"^function\s+([\w.:-]+)"), _definition(r"^([\w.:-]+)\s*\(\s*\)")),
    braces=True,
    closers=("}", ")", "fi", "done", "esac"),
    comments=("#",),
    heredoc=compile_linear(r"<<-?\s*(?:\"(\w+)\"|'(\w+)'|\\?([A-Za-z_]\w*))"),
)

_BY_EXTENSION: dict[str, _Family] = {
    **dict.fromkeys(("py", "pyi", "pyw"), _PYTHON),
    "go": _GO,
    **dict.fromkeys(("js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "vue", "svelte"), _JS),
    **dict.fromkeys(("java", "kt", "kts", "cs", "php", "scala", "swift", "dart", "groovy", "gradle"), _OBJECTS),
    **dict.fromkeys(("c", "h", "cc", "cpp", "cxx", "c++", "hpp", "hh", "hxx", "h++", "ino", "m", "mm"), _C),
    "rs": _RUST,
    **dict.fromkeys(("rb", "rake", "gemspec", "ru"), _RUBY),
    **dict.fromkeys(("ex", "exs"), _ELIXIR),
    **dict.fromkeys(("pl", "pm", "t"), _PERL),
    **dict.fromkeys(("sh", "bash", "zsh", "ksh", "bats"), _SHELL),
}
_BY_NAME: dict[str, _Family] = {
    **dict.fromkeys(("Rakefile", "Gemfile", "Guardfile", "Vagrantfile"), _RUBY),
}
_MAKEFILES = frozenset({"Makefile", "makefile", "GNUmakefile"})


# Kinds whose subject is the file and the symbol (a failing test is its own subject, the test).
SYMBOL_KINDS = frozenset({FailureKind.COMPILE, FailureKind.TYPE, FailureKind.LINT})


# A formatter judges a whole file (``would reformat x``; the line a ``--diff`` run gives is its first hunk, where
# a change starts, not what is wrong): its fault is the file, whether or not the run printed a diff.
_FORMATTERS = frozenset(
    "black ruff-format gofmt goimports rustfmt prettier clang-format shfmt ktfmt scalafmt swiftformat yapf "
    "autopep8 isort dprint mix-format".split()
)
_FORMAT_VERDICT = compile_linear(r"\bwould reformat\b|\bnot formatted\b|\bcode style issues\b", IGNORECASE)


def wants_symbol(failure: Failure) -> bool:
    """Whether the failure's signature needs the symbol from the source: a compile, type or lint error at a
    file and line whose log does not name its function (gcc's ``In function 'x':`` does); not a formatter's
    verdict on a whole file."""
    return (
        failure.kind in SYMBOL_KINDS
        and not failure.test_id
        and bool(failure.file)
        and bool(failure.line)
        and (failure.tool or "").lower() not in _FORMATTERS
        and not _FORMAT_VERDICT.search(failure.message[:MAX_LINE_CHARS])
        and enclosing_symbol(failure.message) is None
    )


def symbol_at(path: str, text: str, line: int) -> str | None:
    """The symbol ``line`` (1-based) of the file ``path`` with contents ``text`` belongs to, or None."""
    return SourceFile(path, text).symbol_at(line)


class SourceFile:
    """One file's text, split once, for the symbols (and texts) of many of its lines (a linter's errors in one
    file)."""

    def __init__(self, path: str, text: str) -> None:
        self.name = path.replace("\\", "/").rsplit("/", 1)[-1]
        self.lines = text.splitlines()
        extension = self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""
        self.yaml = extension in ("yml", "yaml")
        self.make = self.name in _MAKEFILES or extension == "mk"
        self.family = None if self.yaml or self.make else _BY_NAME.get(self.name) or _BY_EXTENSION.get(extension)
        self._inert: set[int] | None = None

    def line_at(self, line: int) -> str | None:
        """The text of ``line`` (1-based), cut to ``MAX_LINE_CHARS``: the offending code of an error at it when
        the log prints none (``analysis.source_line``). None outside the file, on a blank line, and in YAML: a
        YAML line is a key, which the symbol's key path already names, and a value, which is the data."""
        if self.yaml or not 1 <= line <= len(self.lines) or not self.lines[line - 1].strip():
            return None
        return self.lines[line - 1][:MAX_LINE_CHARS]

    def symbol_at(self, line: int) -> str | None:
        if not 1 <= line <= len(self.lines):
            return None
        if self.yaml:
            found = yaml_key_path(self.lines, line - 1)
        elif self.make:
            found = make_target(self.lines, line - 1)
        elif self.family is not None:
            if self._inert is None:
                self._inert = _inert_lines(self.lines, self.family)
            found = _enclosing(self.lines, line - 1, self.family, self._inert)
        else:
            found = None
        return found[:MAX_SYMBOL_CHARS] if found else None


# --- code ---------------------------------------------------------------------------------------------------


def _indent(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += TAB
        else:
            break
    return width


def _enclosing(lines: Sequence[str], index: int, family: _Family, inert: set[int]) -> str | None:
    """The definitions around ``lines[index]`` (0-based), outermost first, joined by ``.`` (``inert``: the lines
    inside multi-line strings and heredocs)."""
    target = lines[index]
    stripped = target.strip()
    if not stripped:
        return None
    names: list[str] = []
    own = _header_at(lines, index, family)
    if own:
        names.append(own)
    current = _indent(target)
    if _starts_with(stripped, family.closers):
        current += 1  # a block's closing line (Go reports "missing return" there) belongs to its block
    for i in range(index - 1, -1, -1):
        if current == 0:
            break
        row = lines[i]
        text = row.strip()
        if not text or i in inert or _starts_with(text, family.comments):
            continue
        indent = _indent(row)
        if indent >= current:
            continue
        if not family.braces and _starts_with(text, family.closers):
            continue  # Python's ``):`` closing a multi-line signature: the header is further up
        if family.braces and _LABEL.match(text[:MAX_LINE_CHARS]):
            continue  # C++'s ``public:``, a ``case x:`` or a label: outdented, yet inside the block
        current = indent
        found = _header_at(lines, i, family)
        if found:
            names.append(found)
    return ".".join(reversed(names)) if names else None


_LABEL = compile_linear(r"^(?:case\s[^:]{0,200}|[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)?)\s*:$")


def _starts_with(text: str, prefixes: Sequence[str]) -> bool:
    for prefix in prefixes:
        if not text.startswith(prefix):
            continue
        after = text[len(prefix) : len(prefix) + 1]
        if prefix[-1] in "#/*={}()[]" or not after or not (after.isalnum() or after == "_"):
            return True  # a word (``end``, ``fi``) only as a whole word
    return False


def _header_at(lines: Sequence[str], index: int, family: _Family) -> str | None:
    """The name a definition whose header is at (or, for ``{`` or ``) ... {`` lines, ends at) ``index``
    defines, or None."""
    if not family.braces:
        return _defined(lines[index].strip(), family)
    text = lines[index].strip()
    if text.startswith(("{", ")")):
        # Allman braces or the end of a multi-line signature: the header starts further up
        start = _header_start(lines, index)
        if start is None:
            return None
        header = _join(lines[start : index + 1])
        return _defined(header, family) if _opens_block(header) else None
    end = index
    header = _join(lines[index : index + 1])
    while _depth(header) > 0 and end + 1 < len(lines) and end - index < HEADER_LINES:
        end += 1
        header = _join(lines[index : end + 1])
    if not _opens_block(header):
        following = next((x.strip() for x in lines[end + 1 : end + 3] if x.strip()), "")
        if not (following.startswith("{") and _depth(header) == 0):
            return None
    return _defined(header, family)


def _header_start(lines: Sequence[str], index: int) -> int | None:
    """Where the header ending at ``index`` starts: back over unbalanced parentheses, and over the line
    before a lone ``{``."""
    depth = -_depth(_join(lines[index : index + 1]))
    i = index
    if lines[index].strip().startswith("{") and depth <= 0:
        i = next((j for j in range(index - 1, max(-1, index - 3), -1) if lines[j].strip()), -1)
        if i < 0:
            return None
        depth = -_depth(_join(lines[i : index + 1]))
    while depth > 0 and i > 0 and index - i < HEADER_LINES:
        i -= 1
        depth = -_depth(_join(lines[i : index + 1]))
    return i if depth <= 0 else None


def _join(rows: Sequence[str]) -> str:
    return " ".join(_code(r).strip() for r in rows)[:MAX_LINE_CHARS]


def _code(row: str) -> str:
    """A line without its trailing ``//`` comment (a URL's ``://`` stays)."""
    at = row.find("//")
    while at > 0 and row[at - 1] == ":":
        at = row.find("//", at + 2)
    return row if at < 0 else row[:at]


def _depth(text: str) -> int:
    """Open parentheses left unclosed in ``text`` (negative: more closed than opened)."""
    return text.count("(") - text.count(")")


def _opens_block(header: str) -> bool:
    text = header.rstrip()
    if text.endswith("*/"):
        text = text[: text.rfind("/*")].rstrip()
    return text.endswith("{") and _depth(text) == 0


def _defined(header: str, family: _Family) -> str | None:
    text = header[:MAX_LINE_CHARS]
    for definition in family.definitions:
        m = definition.pattern.match(text)
        if m is None:
            continue
        name = definition.name(m.groups())
        if not name or name in _NOT_NAMES or _leading_word(text) in _CONTROL:
            continue
        return name
    return None


def _leading_word(text: str) -> str:
    word = ""
    for char in text:
        if char.isalnum() or char == "_":
            word += char
        else:
            break
    return word


def _inert_lines(lines: Sequence[str], family: _Family) -> set[int]:
    """Lines inside strings that span lines (Python's triple quotes, JS/Go backticks) and heredocs: their
    indentation is text, not structure."""
    inert: set[int] = set()
    delimiter: str | None = None  # the open string's delimiter, or a heredoc's terminator
    heredoc = False
    for index, row in enumerate(lines):
        if delimiter is not None:
            inert.add(index)
            if heredoc:
                if row.strip() == delimiter:
                    delimiter, heredoc = None, False
            elif row.count(delimiter) % 2 == 1:
                delimiter = None
            continue
        delimiter = next((quote for quote in family.strings if row.count(quote) % 2 == 1), None)
        if delimiter is None and family.heredoc is not None:
            m = family.heredoc.search(row[:MAX_LINE_CHARS])
            delimiter = _first(m.groups()) if m else None
            heredoc = delimiter is not None
    return inert


# --- YAML ---------------------------------------------------------------------------------------------------

_YAML_KEY = compile_linear(r"^(\"[^\"]{0,200}\"|'[^']{0,200}'|[^\s#'\"\[\]{},:?!&*|>%@`-][^:#]{0,200}?)\s*:(?:\s|$)")


def _yaml_elements(row: str) -> tuple[list[tuple[int, str]], bool]:
    """A YAML line's structure: (column, label) of each list item (``[]``) and of its key; and whether the
    line ends with its key (``ports:``: the value is the block below)."""
    elements: list[tuple[int, str]] = []
    column = _indent(row)
    rest = row[column:]
    while rest.startswith("-") and (len(rest) == 1 or rest[1] in " \t"):
        elements.append((column, "[]"))
        after = rest[1:]
        skipped = len(after) - len(after.lstrip(" \t"))
        column += 1 + skipped
        rest = after[skipped:]
    m = _YAML_KEY.match(rest[:MAX_LINE_CHARS])
    if m is None:
        return elements, False
    elements.append((column, m.group(1).strip().strip("'\"")))
    value = rest[m.end() :].strip()
    return elements, not value or value.startswith(("#", "|", ">", "&"))


def yaml_key_path(lines: Sequence[str], index: int) -> str | None:
    """The key path of ``lines[index]`` (0-based): its ancestors' keys and its own, list items as ``[]``."""
    text = lines[index].strip()
    own = _yaml_elements(lines[index])[0] if text and not text.startswith("#") else []
    if not own:
        return None
    path = [label for _, label in own]
    current, item = own[0]
    for i in range(index - 1, -1, -1):
        if current == 0 and item != "[]":
            break
        row = lines[i]
        text = row.strip()
        if text.startswith(("---", "...")) and _indent(row) == 0:
            break  # another document
        if not text or text.startswith("#"):
            continue
        elements, opens = _yaml_elements(row)
        # a list may stand at its key's column ("ports:" then "- 80" below it)
        under_key = item == "[]" and opens and elements[-1][0] == current
        above = [(c, label) for c, label in elements if c < current or (under_key and (c, label) == elements[-1])]
        if not above:
            if _indent(row) < current:
                return None  # a less indented line that is neither a key nor a list item: unsure
            continue
        path[:0] = [label for _, label in above]
        current, item = above[0]
    return _yaml_join(path)


def _yaml_join(labels: Sequence[str]) -> str:
    out = ""
    for label in labels:
        out += label if label == "[]" or not out else "." + label
    return out


# --- Makefiles ----------------------------------------------------------------------------------------------

_MAKE_RULE = compile_linear(r"^([^\s:=#][^:=#]{0,200}?)\s*::?(?:[^=:]|$)")


def make_target(lines: Sequence[str], index: int) -> str | None:
    """The target of the rule ``lines[index]`` (0-based) is in: its own line, or the rule above its recipe."""
    for i in range(index, -1, -1):
        row = lines[i]
        if row.startswith("\t") or (i < index and not row.strip()) or (i < index and row.lstrip().startswith("#")):
            continue  # a recipe line (or a blank or comment inside a recipe)
        m = _MAKE_RULE.match(row[:MAX_LINE_CHARS])
        if m is None or row.startswith((".PHONY", "export ", "include ", "define ")):
            return None
        return m.group(1).split()[0]
    return None
