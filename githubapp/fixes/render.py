"""Markdown for a suggested fix, for the sticky PR comment and the check run (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from storage.fixes import FixRow

from ..commands.parser import CommandName, check_run_action

SOURCE_NAMES = {"history": "seen before", "rule": "rule", "llm": "language model"}
MAX_DIFF_CHARS = 6_000


def fix_markdown(fix: FixRow, *, max_diff_chars: int = MAX_DIFF_CHARS) -> str:
    diff = fix.diff if len(fix.diff) <= max_diff_chars else fix.diff[:max_diff_chars] + "\n[... diff cut ...]\n"
    fence = "````" if "```" in diff else "```"
    links = "".join(f" [earlier fix]({link})" for link in fix.links[:1])
    return (
        f"**Fix `{fix.id}`: {fix.title}** ({SOURCE_NAMES.get(fix.source, fix.source)}, "
        f"confidence {fix.score:.0%}){links}\n\n"
        f"{fix.explanation}\n\n"
        f"<details><summary>Diff</summary>\n\n{fence}diff\n{diff}{fence}\n</details>\n\n"
        f"Reply `/triage approve {fix.id}` to commit it to this branch, or `/triage reject {fix.id} <reason>`."
    )


def fixes_markdown(fixes: Sequence[FixRow]) -> str:
    if not fixes:
        return ""
    return "### Suggested fixes\n\n" + "\n\n---\n\n".join(fix_markdown(f) for f in fixes)


def approve_button(fix: FixRow) -> dict[str, str]:
    """A check-run action (at most 3 per check run) that approves ``fix``."""
    return check_run_action(f"Apply fix {fix.id}", fix.title, CommandName.APPROVE, fix.id)
