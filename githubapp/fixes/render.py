"""Markdown for a suggested fix, for the sticky PR comment and the check run (pure).

A fix is offered only with its whole diff shown and the diff's short hash beside it; the approve command
and button carry that hash. A diff too large to show whole is reported, not offered.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.fixes.verify import MAX_SHOWN_DIFF_CHARS, short_hash, shown_whole
from storage.fixes import FixRow

from .. import escaping
from ..commands.parser import CommandName, check_run_action

SOURCE_NAMES = {"history": "seen before", "rule": "rule", "llm": "language model"}


def fix_markdown(fix: FixRow, *, max_diff_chars: int = MAX_SHOWN_DIFF_CHARS) -> str:
    links = "".join(f" [earlier fix]({link})" for link in fix.links[:1] if link.startswith("https://"))
    head = (
        f"**Fix {escaping.code_span(fix.id)}: {escaping.markdown_text(fix.title, limit=200)}** "
        f"({SOURCE_NAMES.get(fix.source, fix.source)}, confidence {fix.score:.0%}){links}\n\n"
        f"{escaping.markdown_text(fix.explanation, limit=1_000)}\n\n"
    )
    if not shown_whole(fix.diff, limit=max_diff_chars):
        return head + (
            f"Its diff ({len(fix.diff):,} characters) is too large to show here whole, so it is not offered "
            "for approval."
        )
    digest = short_hash(fix.diff)
    return head + (
        f"<details><summary>Diff {digest}</summary>\n\n{escaping.code_block(fix.diff, lang='diff')}\n</details>\n\n"
        f"Reply `/triage approve {fix.id} {digest}` to commit it to this branch, or "
        f"`/triage reject {fix.id} <reason>`."
    )


def fixes_markdown(fixes: Sequence[FixRow]) -> str:
    if not fixes:
        return ""
    return "### Suggested fixes\n\n" + "\n\n---\n\n".join(fix_markdown(f) for f in fixes)


def approve_button(fix: FixRow) -> dict[str, str] | None:
    """A check-run action (at most 3 per check run) that approves ``fix`` and names its diff; None when the
    diff is too large to be shown, hence offered."""
    if not shown_whole(fix.diff):
        return None
    return check_run_action(
        f"Apply fix {fix.id}", fix.title, CommandName.APPROVE, fix.id, short_hash(fix.diff)
    )
