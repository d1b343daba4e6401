"""Markdown helpers for text that comes from logs and users: nothing in it may break out of its place.

GitHub renders check-run summaries and PR comments as GitHub-flavoured Markdown with some HTML. Log content is
untrusted: it may hold backtick runs that would close our fence, ``@name`` mentions that would notify people,
HTML that would render, or ``|`` that would break a table. Every helper here returns text that stays inert;
the rules themselves live in ``githubapp.escaping``, the one policy for everything ci-triage sends out.
"""

from __future__ import annotations

from .. import escaping
from . import cleaning


def clean_log_line(line: str) -> str:
    """One log line as a reader wants it: no BOM, timestamp, escape codes (any notation) or control characters."""
    return cleaning.clean_line(line)


def escape_text(text: str) -> str:
    """Untrusted text placed in Markdown prose: one line, literal, no mentions, no HTML."""
    return escaping.markdown_text(text)


shorten = escaping.shorten


def inline_code(text: str, *, limit: int = 200, in_table: bool = False) -> str:
    """Untrusted text as a code span: delimiters longer than any backtick run inside, one line."""
    return escaping.code_span(text, limit=limit, in_table=in_table)


def table_cell(text: str, *, limit: int = 200) -> str:
    """Untrusted text in a table cell: escaped prose, no pipes, no newlines."""
    return escaping.markdown_text(text, limit=limit)


fence_for = escaping.fence_for


def code_block(text: str, *, lang: str = "") -> str:
    """A fenced code block that ``text`` cannot escape (``githubapp.escaping.code_block``)."""
    return escaping.code_block(text, lang=lang)


def details(summary: str, body: str, *, open_: bool = False) -> str:
    """A collapsible block. ``summary`` must already be safe HTML text; ``body`` is Markdown.

    Blank lines around the body let GitHub render Markdown inside the HTML block.
    """
    attr = " open" if open_ else ""
    return f"<details{attr}><summary>{summary}</summary>\n\n{body}\n\n</details>"


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
