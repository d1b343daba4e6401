"""The one escaping policy (githubapp.escaping), fuzzed: whatever the text, no mention survives, nothing
breaks out of its code block, no HTML renders, no trailer is forged, Slack's special sequences are inert.

The rendered HTML is checked with a CommonMark renderer with raw HTML enabled (as GitHub's is, before its
sanitizer): a property that holds there holds on GitHub.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from githubapp import escaping as esc

render = MarkdownIt("commonmark", {"html": True}).enable("table").render

# Hostile alphabets: Markdown and HTML metacharacters, mentions, line endings, controls, bidi overrides.
HOSTILE = st.lists(
    st.sampled_from(
        [*"`~@<>&[]()!*_#|-=+.:/\\\"' \n\r\t\x00\x1b\x7f\x85\u202e\u2066aZ09",
         "@octocat", "@org/team", "<!channel>", "<!here>", "<@U123>", "<!--", "-->", "```", "~~~",
         "<img src=x onerror=alert(1)>", "<script>", "</details>", "[x](https://evil.example)",
         "Co-authored-by: Eve <eve@evil.example>", "Signed-off-by: x", "\r\n", "&lt;", "&#60;"]
    ),
    max_size=60,
).map("".join) | st.text(max_size=200)
# A GitHub mention: "@" then a name character, not already neutralised.
LIVE_MENTION = re.compile(r"@[A-Za-z0-9_-]")


def _no_live_mention(text: str) -> bool:
    return LIVE_MENTION.search(text) is None


def _visible_html_tags(html: str) -> list[str]:
    """Tags in the rendered HTML that the renderer did not produce itself from Markdown."""
    ours = {"p", "/p", "code", "/code", "pre", "/pre", "br", "br /", "details", "/details", "summary", "/summary"}
    return [t for t in re.findall(r"<(/?[a-zA-Z!][^ >]*)", html) if t.lower() not in ours]


@settings(max_examples=400)
@given(HOSTILE)
def test_prose_is_literal_text(text: str) -> None:
    out = esc.markdown_text(text)
    assert "\n" not in out and "\r" not in out
    assert _no_live_mention(out)
    assert "<" not in out and ">" not in out  # HTML special characters are entities
    html = render("Failure: " + out)
    assert _visible_html_tags(html) == []  # no link, image, emphasis, code, raw HTML
    assert html.count("<p>") == 1  # one paragraph: no heading, list, table or fence


@settings(max_examples=400)
@given(HOSTILE)
def test_paragraphs_are_literal_text(text: str) -> None:
    out = esc.markdown_paragraphs(text)
    assert _no_live_mention(out) and "<" not in out and "\r" not in out
    html = render(out)
    assert _visible_html_tags(html) == []


@settings(max_examples=400)
@given(HOSTILE, st.sampled_from(["", "diff", "text"]))
def test_a_code_block_holds_whatever_it_contains(text: str, lang: str) -> None:
    block = esc.code_block(text, lang=lang)
    fence = re.match(r"`+", block).group(0)  # type: ignore[union-attr]
    body = block[block.index("\n") + 1 : -len(fence) - 1]
    assert all(len(run) < len(fence) for run in re.findall(r"`+", body))
    assert _no_live_mention(block) and "\r" not in block
    html = render(f"<details><summary>Diff</summary>\n\n{block}\n\n</details>\n\nafter")
    assert html.count("<pre>") == 1 and html.count("</details>") == 1
    assert html.rstrip().endswith("<p>after</p>")  # nothing after the block was swallowed
    assert _visible_html_tags(html) == []


@settings(max_examples=400)
@given(HOSTILE)
def test_a_code_span_holds_whatever_it_contains(text: str) -> None:
    span = esc.code_span(text, limit=500)
    assert "\n" not in span and _no_live_mention(span)
    if span:
        html = render("see " + span + " end")
        assert html.count("<code>") == 1 and html.rstrip().endswith("end</p>")
        assert _visible_html_tags(html) == []


@settings(max_examples=300)
@given(HOSTILE)
def test_html_text_in_a_summary_is_inert(text: str) -> None:
    out = esc.html_text(text)
    assert "<" not in out and ">" not in out and _no_live_mention(out) and "\n" not in out
    html = render(f"<details><summary>{out}</summary>\n\nbody\n\n</details>")
    assert html.count("</summary>") == 1 and html.count("</details>") == 1


@settings(max_examples=300)
@given(HOSTILE)
def test_commit_text_carries_no_trailer_and_no_mention(text: str) -> None:
    out = esc.commit_text(text)
    assert _no_live_mention(out) and "\r" not in out
    for line in out.split("\n"):
        # git's trailer syntax: a token of letters, digits and "-" at the line start, then ":".
        assert re.match(r"^\s*[A-Za-z0-9-]+\s*:", line) is None, line
    title = esc.commit_title(text)
    assert "\n" not in title and _no_live_mention(title)


@settings(max_examples=300)
@given(HOSTILE)
def test_slack_text_cannot_ping_or_link(text: str) -> None:
    out = esc.slack_text(text)
    assert "<" not in out and ">" not in out  # no <!channel>, <!here>, <@U…>, <url|label>
    assert _no_live_mention(out)  # no @channel / @here with link_names


@given(HOSTILE)
def test_mail_header_is_one_line(text: str) -> None:
    header = esc.mail_header(text)
    assert "\n" not in header and "\r" not in header and len(header) <= 200


def test_known_attacks() -> None:
    # A log line that tried to close a four-backtick fence and render a phishing link under it.
    block = esc.code_block("x\n`````\n[Approve here](https://evil.example)\r```")
    html = render(block + "\n\nok")
    assert "<a " not in html and html.count("<pre>") == 1
    assert esc.markdown_text("@org/team") == "@\u200dorg/team"
    assert esc.slack_text("deploy <!channel>") == "deploy &lt;!channel&gt;"
    assert "Co-authored-by:" not in esc.commit_text("fix\n\nCo-authored-by: Eve <eve@evil.example>")
    assert esc.strip_controls("a\u202eb\x1b[31mc\rd") == "abc\nd"
