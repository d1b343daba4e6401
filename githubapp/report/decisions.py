"""What the sticky PR comment and the check run say once a suggested fix is decided (approved and committed, or
rejected): the fix's offer to `/triage approve` is replaced by who decided what, when, and the commit; the check
run loses the fix's "Apply fix" button and leads with the same line. Pure: the I/O is in
``githubapp.web.fix_publish``.

The comment's offer is the paragraph ``comment._fixes`` writes for the fix (the one naming
``/triage approve <id> <hash>`` or ``/triage reject <id>``); it is found by that text, so a comment written by
another version, or edited by hand, is left as it is (None)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import markdown as md
from .check_run import ACTION_APPROVE_PREFIX

SUMMARY_MAX = 65_535


@dataclass(frozen=True)
class FixDecision:
    fix_id: str
    decision: str  # approve | reject
    status: str | None  # the fix's status afterwards: applied, suggested_in_review, rejected, failed, ...
    by: str
    via: str  # dashboard | api | comment
    at: datetime
    commit_sha: str | None = None
    reason: str | None = None


def decision_line(d: FixDecision, *, commit_url: str | None = None) -> str:
    """One Markdown line: "✅ Fix `f1` was approved by @alice in the dashboard on 2026-12-06 and committed as
    abc1234." (untrusted parts escaped)."""
    who = md.escape_text("@" + d.by) if not d.by.startswith("api-key:") else md.inline_code(d.by, limit=40)
    where = {"dashboard": " in the dashboard", "api": " through the API"}.get(d.via, "")
    when = d.at.strftime("%Y-%m-%d %H:%M UTC")
    fix = md.inline_code(d.fix_id, limit=40)
    if d.decision == "reject":
        said = f" Reason: {md.escape_text(md.shorten(d.reason, 300))}" if d.reason else ""
        return f"🚫 Fix {fix} was rejected by {who}{where} on {when}.{said}"
    if d.status == "applied" and d.commit_sha:
        sha = md.inline_code(d.commit_sha[:7], limit=10)
        commit = f"[{sha}]({commit_url})" if commit_url else sha
        return f"✅ Fix {fix} was approved by {who}{where} on {when} and committed as {commit}."
    if d.status == "suggested_in_review":
        return f"✅ Fix {fix} was approved by {who}{where} on {when} and offered as review suggestions."
    return f"⚠️ Fix {fix} was approved by {who}{where} on {when}, but applying it failed; see the pull request."


def _offers(paragraph: str, fix_id: str) -> bool:
    return f"/triage approve {fix_id} " in paragraph or f"/triage reject {fix_id}" in paragraph


def comment_after_decision(body: str, fix_id: str, line: str) -> str | None:
    """``body`` with the paragraph offering ``fix_id``'s commands replaced by ``line``; None when no paragraph
    offers them (nothing to change)."""
    paragraphs = body.split("\n\n")
    changed = False
    for i, paragraph in enumerate(paragraphs):
        if _offers(paragraph, fix_id) and "<details>" not in paragraph and not paragraph.startswith("<sub>"):
            paragraphs[i] = line
            changed = True
    return "\n\n".join(paragraphs) if changed else None


def _is_fix_button(action: Mapping[str, Any], fix_id: str) -> bool:
    return str(action.get("identifier") or "").startswith(f"{ACTION_APPROVE_PREFIX}{fix_id}@")


def check_run_after_decision(
    check_run: Mapping[str, Any], fix_id: str, line: str, *, default_actions: Sequence[Mapping[str, str]]
) -> dict[str, Any] | None:
    """The PATCH body for a check run (as GitHub returns it) after ``fix_id`` was decided: the decision leads the
    summary and the fix's button is gone. ``default_actions``: the buttons to keep when GitHub does not return
    the run's actions (its REST representation omits them). None when the check run has no output to amend."""
    output = check_run.get("output") or {}
    title, summary = output.get("title"), output.get("summary")
    if not title or summary is None:
        return None
    if line in summary:
        return None  # already said
    actions = check_run.get("actions")
    present = actions if isinstance(actions, list) else default_actions
    kept = [dict(a) for a in present if not _is_fix_button(a, fix_id)]
    new_output: dict[str, Any] = {"title": title, "summary": f"{line}\n\n{summary}"[:SUMMARY_MAX]}
    if output.get("text"):
        new_output["text"] = output["text"]
    return {"output": new_output, "actions": kept}
