"""Untrusted log text stays inert in Markdown: fences hold, mentions and HTML do nothing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from githubapp.report import markdown as md

render = MarkdownIt("commonmark", {"html": True}).enable("table").render


@given(st.text(alphabet=st.sampled_from(["`", "~", "a", "\n", " ", "@", "<", ">"]), max_size=200))
def test_code_block_cannot_be_closed_by_its_content(text: str) -> None:
    # CommonMark: a fence closes only on a run at least as long as the opening one.
    block = md.code_block(text)
    fence = block.split("\n", 1)[0]
    body = block[len(fence) + 1 : -len(fence) - 1]
    assert all(len(run) < len(fence) for run in re.findall(r"`+", body))
    html = render(block)
    assert html.count("<pre>") == 1 and html.rstrip().endswith("</code></pre>")


def test_html_and_mentions_inside_an_excerpt_render_as_text() -> None:
    hostile = "```\n</details><img src=x onerror=alert(1)> @octocat\n````"
    html = render(md.details("Log excerpt", md.code_block(hostile)))
    assert "<img" not in html and "&lt;img" in html
    assert html.count("</details>") == 1  # our own closing tag only


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ping @octocat now", "ping @\u200doctocat now"),  # a mention is broken by a zero-width joiner
        ("mail a@b.com", "mail a@\u200db.com"),  # every "@name" is neutralised, e-mail addresses too
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),  # HTML is shown, not rendered
        ("a|b", "a\\|b"),  # a pipe cannot split a table cell
        ("line1\nline2", "line1 line2"),  # one line
    ],
)
def test_escape_text(text: str, expected: str) -> None:
    assert md.escape_text(text) == expected


def test_escaped_text_renders_literally() -> None:
    html = render("x " + md.escape_text("*bold* <b>html</b> [link](http://e.x) `code`"))
    assert "<em>" not in html and "<b>" not in html and "<a " not in html and "<code>" not in html


def test_inline_code_uses_longer_delimiters_than_its_content() -> None:
    assert md.inline_code("a ``b`` c") == "```a ``b`` c```"
    assert md.inline_code("`x`") == "`` `x` ``"
    assert md.inline_code("a|b", in_table=True) == "`a\\|b`"


def test_clean_log_line_strips_bom_timestamp_and_colours() -> None:
    raw = "\ufeff2026-11-24T10:00:00.1234567Z \x1b[31mFAILED\x1b[0m tests/test_a.py::test_x\r\n"
    assert md.clean_log_line(raw) == "FAILED tests/test_a.py::test_x"


def test_fit_blocks_keeps_whole_blocks_and_says_how_many_were_left_out() -> None:
    blocks = ["a" * 40, "```\n" + "b" * 40 + "\n```", "c" * 40]
    out = md.fit_blocks(blocks, limit=100, note="({omitted} omitted)")
    assert len(out) <= 100
    assert out == "a" * 40 + "\n\n(2 omitted)"
    assert md.fit_blocks(blocks, limit=1000, note="x") == "\n\n".join(blocks)


def test_trim_lines_cuts_long_lines_and_counts_dropped() -> None:
    kept, dropped = md.trim_lines(["x" * 1000, "y", "z"], max_chars=404, line_limit=400)
    assert kept == ["x" * 399 + "…", "y"] and dropped == 1
