"""The one escaping policy for every text ci-triage sends out: GitHub (check runs, comments, replies, reviews,
commit messages), Slack and mail.

Logs, comments, branch names, commit messages and model answers are untrusted. Whatever they hold, what we
send must not ping anyone, render HTML or links the text did not show literally, break out of the code block
it was put in, or forge a commit trailer. The rules, applied by the helpers below:

* control characters go: C0 except tab and newline (``\\r`` too: CommonMark reads a lone ``\\r`` as a line
  end), DEL, C1, ANSI escape sequences and the bidirectional overrides that make text read differently
  from how it runs ("Trojan source");
* mentions are neutralised everywhere, code included: ``@name`` and ``@org/team`` become ``@``, a zero-width
  joiner, ``name`` (GitHub neither links nor notifies; it looks the same). Only ``verbatim`` code blocks keep
  them, for text that must stay byte-exact (a diff to ``git apply``): GitHub never notifies from code;
* prose is one paragraph of literal text: HTML special characters as entities, Markdown punctuation
  backslash-escaped (no links, images, emphasis, headings, tables);
* code spans and fenced blocks use delimiters longer than any backtick run in the text, so it cannot close
  them; inside code nothing else is needed, GitHub renders it literally;
* Slack: ``&``, ``<``, ``>`` as entities (that disarms ``<!channel>``, ``<!here>``, ``<@U…>`` and ``<url|label>``)
  and mentions neutralised (``@channel`` with ``link_names``);
* mail: headers one line; bodies plain text;
* commit messages: untrusted lines that read as a trailer (``Co-authored-by:``, ``Signed-off-by:`` ...) get a
  zero-width joiner before their colon, so neither git nor GitHub takes them for one.

Pure, linear-time (no backtracking patterns).
"""

from __future__ import annotations

from analysis.regex import compile_linear

ZWJ = "\u200d"  # zero-width joiner: invisible, and breaks @mentions and trailer tokens

_ANSI = compile_linear(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# C0 except \t and \n, DEL, C1, and the bidi embedding/override/isolate controls (U+202A-U+202E, U+2066-U+2069).
_CONTROL = compile_linear(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# "@" that starts a GitHub/Slack name. Neutralised wherever it stands: GitHub's own rule (not after a word
# character) is not ours to mirror exactly, and an extra invisible joiner costs nothing.
_MENTION = compile_linear(r"@([A-Za-z0-9_\-])")
# Characters with a meaning in Markdown prose, backslash-escaped (CommonMark allows it for any ASCII
# punctuation); "<", ">" and "&" become entities. A line starting like a list item or a setext underline
# ("- ", "+ ", "=", "1. ", "1) ") or a heading ("#") has that first character escaped too.
_MD_PUNCT = compile_linear(r"([\\`*_\[\]|~])")
_BLOCK_START = compile_linear(r"^(\d*)([-+=.)#])")
# In HTML elements (``<summary>``) Markdown may or may not apply: numeric entities read the same in both.
_HTML_PUNCT = {c: f"&#{ord(c)};" for c in "\\`*_[]{}#!|~"}
_BACKTICKS = compile_linear(r"`+")
_PARAGRAPH_BREAK = compile_linear(r"\n[ \t]*\n")
_NOT_LANG = compile_linear(r"[^A-Za-z0-9_+-]")  # a fence's info string keeps a language name only
# git's trailer token (letters, digits, "-") at the start of a line, then optional blanks and ":".
_TRAILER = compile_linear(r"^([ \t]*[A-Za-z0-9_-]+)([ \t]*:)")
_SLACK_MENTION = compile_linear(r"@([A-Za-z0-9_\-])")


def strip_controls(text: str, *, one_line: bool = False) -> str:
    """Without control characters and ANSI sequences; ``one_line`` also folds every whitespace run into a
    space (newlines included)."""
    cleaned = _CONTROL.sub("", _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    if one_line:
        return " ".join(cleaned.split())
    return cleaned


def neutralise_mentions(text: str) -> str:
    """``@user`` / ``@org/team`` → ``@\u200duser``: no link, no notification, same look."""
    return _MENTION.sub(lambda m: "@" + ZWJ + m.group(1), text)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + "…"


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_text(text: str, *, limit: int | None = None) -> str:
    """Untrusted text as Markdown prose: one line, literal (no HTML, links, emphasis), no mentions."""
    line = strip_controls(text, one_line=True)
    if limit is not None:
        line = shorten(line, limit)
    escaped = _BLOCK_START.sub(r"\1\\\2", _html_escape(_MD_PUNCT.sub(r"\\\1", line)))
    return neutralise_mentions(escaped)


def markdown_paragraphs(text: str, *, limit: int | None = None) -> str:
    """Untrusted multi-line prose (a model's explanation): paragraphs kept, every line literal text."""
    cleaned = strip_controls(text)
    if limit is not None:
        cleaned = shorten(cleaned, limit)
    paragraphs = [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(cleaned)]
    return "\n\n".join(markdown_text(p) for p in paragraphs if p)


def html_text(text: str, *, limit: int = 200) -> str:
    """Untrusted text inside an HTML element such as ``<summary>``: one line, entities only."""
    line = _html_escape(shorten(strip_controls(text, one_line=True), limit))
    return neutralise_mentions("".join(_HTML_PUNCT.get(c, c) for c in line))


def _ticks_for(text: str, minimum: int) -> str:
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    return "`" * max(minimum, longest + 1)


def code_span(text: str, *, limit: int = 200, in_table: bool = False) -> str:
    """Untrusted text as an inline code span: one line, delimiters longer than any backtick run inside."""
    line = neutralise_mentions(shorten(strip_controls(text, one_line=True), limit))
    if not line:
        return ""
    ticks = _ticks_for(line, 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    span = f"{ticks}{pad}{line}{pad}{ticks}"
    # In GFM tables a pipe ends the cell even inside a code span unless escaped.
    return span.replace("|", "\\|") if in_table else span


def fence_for(text: str) -> str:
    """A backtick fence longer than any backtick run in ``text``, so the content can never close it."""
    return _ticks_for(text, 3)


def code_block(text: str, *, lang: str = "", verbatim: bool = False) -> str:
    """A fenced code block ``text`` cannot escape. ``verbatim`` keeps ``@`` as it is (GitHub never notifies
    from code) for content that must stay byte-exact, such as a diff to ``git apply``."""
    body = strip_controls(text).rstrip("\n")
    if not verbatim:
        body = neutralise_mentions(body)
    fence = fence_for(body)
    info = _NOT_LANG.sub("", lang)[:20]
    return f"{fence}{info}\n{body}\n{fence}"


def slack_text(text: str, *, limit: int | None = None) -> str:
    """Untrusted text in a Slack ``text`` or mrkdwn field: no ``<!channel>``/``<!here>``/``<@U…>``, no
    ``<url|label>`` links, no ``@channel`` pings, no control characters."""
    cleaned = strip_controls(text)
    if limit is not None:
        cleaned = shorten(cleaned, limit)
    return _SLACK_MENTION.sub(lambda m: "@" + ZWJ + m.group(1), _html_escape(cleaned))


def mail_header(text: str, *, limit: int = 200) -> str:
    """A mail header value: one line (no header injection), no control characters."""
    return shorten(strip_controls(text, one_line=True), limit)


def mail_text(text: str) -> str:
    """A plain-text mail body line or block: no control characters, no mentions (mail may be bridged)."""
    return neutralise_mentions(strip_controls(text))


def commit_text(text: str, *, limit: int | None = None) -> str:
    """Untrusted text for a commit message body: no control characters, no mentions, no trailers."""
    cleaned = strip_controls(text)
    if limit is not None:
        cleaned = shorten(cleaned, limit)
    lines = [_TRAILER.sub(lambda m: m.group(1) + ZWJ + m.group(2), line) for line in cleaned.split("\n")]
    return neutralise_mentions("\n".join(lines))


def commit_title(text: str, *, limit: int = 120) -> str:
    """Untrusted text for a commit's first line."""
    return commit_text(shorten(strip_controls(text, one_line=True), limit))
