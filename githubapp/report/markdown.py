"""Markdown helpers for text that comes from logs and users: nothing in it may break out of its place.

GitHub renders check-run summaries and PR comments as GitHub-flavoured Markdown with some HTML. Log content is
untrusted: it may hold backtick runs that would close our fence, ``@name`` mentions that would notify people,
HTML that would render, or ``|`` that would break a table. Every helper here returns text that stays inert.
"""

from __future__ import annotations

from analysis.regex import compile_linear

_BACKTICKS = compile_linear(r"`+")
_FENCE_RUN = compile_linear(r"`{3,}")
_MD_INLINE_SPECIAL = compile_linear(r"([\\`*_\[\]|~])")

_ANSI = compile_linear(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# Control characters other than tab and newline render as garbage or are rejected.
_CONTROL = compile_linear(r"[\x00-\x08\x0b-\x1f\x7f]")
# GitHub Actions log line prefix: optional BOM, then an ISO timestamp with 7 fractional digits.
_GHA_TIMESTAMP = compile_linear(r"^\ufeff?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?")
_MENTION = compile_linear(r"(^|[^\w`])@([A-Za-z0-9])")
# Characters that carry meaning in Markdown prose or HTML.
_MD_SPECIAL = compile_linear(r"([\\`*_\[\]<>|~])")
_ZWSP = "\u200b"


def clean_log_line(line: str) -> str:
    """One log line as a reader wants it: no BOM, timestamp, colour codes or control characters."""
    line = _GHA_TIMESTAMP.sub("", line.rstrip("\r\n"))
    line = _ANSI.sub("", line)
    return _CONTROL.sub("", line.replace("\ufeff", ""))


def neutralize_mentions(text: str) -> str:
    """``@user`` → ``@\u200buser``: GitHub then neither links nor notifies."""
    return _MENTION.sub(lambda m: f"{m.group(1)}@{_ZWSP}{m.group(2)}", text)


def escape_text(text: str) -> str:
    """Untrusted text placed in Markdown prose: one line, literal, no mentions, no HTML."""
    one_line = " ".join(_CONTROL.sub(" ", text).split())
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line).replace("&", "&amp;")
    return neutralize_mentions(escaped)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + "…"


def inline_code(text: str, *, limit: int = 200, in_table: bool = False) -> str:
    """Untrusted text as a code span: delimiters longer than any backtick run inside, one line."""
    one_line = shorten(" ".join(_CONTROL.sub(" ", text).split()), limit)
    if not one_line:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(one_line)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    span = f"{ticks}{pad}{one_line}{pad}{ticks}"
    # In GFM tables a pipe ends the cell even inside a code span unless escaped.
    return span.replace("|", "\\|") if in_table else span


def table_cell(text: str, *, limit: int = 200) -> str:
    """Untrusted text in a table cell: escaped prose, no pipes, no newlines."""
    return shorten(escape_text(text), limit)


def fence_for(text: str) -> str:
    """A backtick fence longer than any backtick run in ``text``, so the content can never close it."""
    longest = max((len(run) for run in _FENCE_RUN.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def code_block(text: str, *, lang: str = "") -> str:
    """A fenced code block that ``text`` cannot escape. Code spans are not scanned for mentions or HTML."""
    body = _CONTROL.sub("", text).rstrip("\n")
    fence = fence_for(body)
    return f"{fence}{lang}\n{body}\n{fence}"


def details(summary: str, body: str, *, open_: bool = False) -> str:
    """A collapsible block. ``summary`` must already be safe HTML text; ``body`` is Markdown.

    Blank lines around the body let GitHub render Markdown inside the HTML block.
    """
    attr = " open" if open_ else ""
    return f"<details{attr}><summary>{summary}</summary>\n\n{body}\n\n</details>"


def html_text(text: str, *, limit: int = 200) -> str:
    """Untrusted text inside an HTML element such as ``<summary>``."""
    one_line = shorten(" ".join(_CONTROL.sub(" ", text).split()), limit)
    escaped = one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Markdown still applies inside <summary>; keep emphasis and code markers literal.
    escaped = _MD_INLINE_SPECIAL.sub(r"\\\1", escaped)
    return neutralize_mentions(escaped)


def trim_lines(lines: list[str], *, max_chars: int, line_limit: int = 400) -> tuple[list[str], int]:
    """Keep whole lines (each cut to ``line_limit``) while they fit in ``max_chars``; return kept, dropped."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        line = shorten(line, line_limit)
        if used + len(line) + 1 > max_chars:
            return kept, len(lines) - index
        kept.append(line)
        used += len(line) + 1
    return kept, 0


def fit_blocks(blocks: list[str], *, limit: int, note: str, separator: str = "\n\n") -> str:
    """Join whole blocks while they fit in ``limit`` characters; when some must go, end with ``note``.

    ``note`` may contain ``{omitted}`` (how many blocks were dropped). Blocks are kept whole, so no fence
    or ``<details>`` is ever left open.
    """
    joined = separator.join(blocks)
    if len(joined) <= limit:
        return joined
    kept: list[str] = []
    used = 0
    for index, block in enumerate(blocks):
        remaining = len(blocks) - index
        tail = separator + note.format(omitted=remaining)
        cost = len(block) + (len(separator) if kept else 0)
        if used + cost + len(tail) > limit:
            out = separator.join(kept)
            final = note.format(omitted=remaining)
            return (out + separator + final) if out else shorten(final, limit)
        kept.append(block)
        used += cost
    return separator.join(kept)  # pragma: no cover - the full join fitted above
