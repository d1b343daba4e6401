"""The evidence behind "seen before", in words: why the failure matched (the same signature, or a similarity
with a compatible pattern) and the earlier runs it matched, each linked; and, apart, this PR's own earlier runs
("also in this PR's run #N"), which are never history. Pure; shared by the check run and the PR comment."""

from __future__ import annotations

from collections.abc import Sequence

from . import markdown as md
from .common import date
from .model import Apart, Evidence, Sighting, TriagedFailure


def why(evidence: Evidence) -> str:
    """How the failure matched, in a few words: by similarity, or by signature and what that rests on (a thin
    one, a test whose log shows nothing that tells its faults apart, says so)."""
    if evidence.how == "similar":
        return f"similarity {evidence.similarity:.2f} with a compatible pattern"
    return f"same signature: {evidence.basis}" if evidence.basis else "same signature"


def _run_label(s: Sighting) -> str:
    label = f"run #{s.run_number}" if s.run_number else (f"run {s.run_id}" if s.run_id else "a run")
    return label + (f" (attempt {s.run_attempt})" if s.run_attempt > 1 else "")


def _where_plain(s: Sighting) -> str:
    if s.other_repository:
        return "in another repository"
    if s.pr_number:
        return f"on PR #{s.pr_number}"
    if s.branch:
        return f"on {s.branch}"
    return ""


def sighting_plain(s: Sighting) -> str:
    parts = [_run_label(s), _where_plain(s), date(s.seen_at) if s.seen_at else ""]
    return " ".join(p for p in parts if p)


def sighting_md(s: Sighting, *, in_table: bool = False) -> str:
    label = md.escape_text(_run_label(s))
    run = f"[{label}]({s.run_url})" if s.run_url else label
    if s.other_repository:
        where = "in another repository"
    elif s.pr_number:
        where = f"on [PR #{s.pr_number}]({s.pr_url})" if s.pr_url else f"on PR #{s.pr_number}"
    elif s.branch:
        where = "on " + md.inline_code(s.branch, limit=60, in_table=in_table)
    else:
        where = ""
    parts = [run, where, date(s.seen_at) if s.seen_at else ""]
    return " ".join(p for p in parts if p)


def evidence_plain(item: TriagedFailure) -> str:
    """For annotations (plain text): why it matched and where it was seen."""
    h = item.history
    if h is None or h.evidence is None:
        return ""
    e = h.evidence
    text = f"Seen before ({why(e)})"
    if e.earlier:
        text += ": " + "; ".join(sighting_plain(s) for s in e.earlier)
    return text + "."


def evidence_md(item: TriagedFailure) -> str:
    """For the check run's details: why it matched and the earlier runs, linked."""
    h = item.history
    if h is None or h.evidence is None:
        return ""
    e = h.evidence
    text = f"Seen before ({md.escape_text(why(e))})"
    if e.earlier:
        text += ": " + "; ".join(sighting_md(s) for s in e.earlier)
    return text + "."


def earlier_cell(item: TriagedFailure) -> str:
    """The comment table's "earlier runs" cell."""
    h = item.history
    if h is None or h.evidence is None or not h.evidence.earlier:
        return "—"
    return "<br>".join(sighting_md(s, in_table=True) for s in h.evidence.earlier)


def why_cell(item: TriagedFailure) -> str:
    h = item.history
    if h is None or h.evidence is None:
        return "—"
    return md.table_cell(why(h.evidence), limit=110)


def _own(runs: Sequence[Sighting]) -> str:
    return "this PR's" if runs[0].pr_number else "this branch's"


def same_change_plain(runs: Sequence[Sighting]) -> str:
    if not runs:
        return ""
    return f"Also in {_own(runs)} " + ", ".join(_run_label(s) for s in runs) + "."


def same_change_md(runs: Sequence[Sighting]) -> str:
    """ "Also in this PR's run #N": the change's own earlier runs, apart from history."""
    if not runs:
        return ""
    links = ", ".join(
        f"[{md.escape_text(_run_label(s))}]({s.run_url})" if s.run_url else md.escape_text(_run_label(s)) for s in runs
    )
    return f"Also in {_own(runs)} {links}."


def _elsewhere(places: Sequence[str]) -> str:
    shown = ", ".join(places[:3]) + (" …" if len(places) > 3 else "")
    return f"after a change to other code ({shown})" if shown else "after a change to other code"


def apart_plain(apart: Apart | None) -> str:
    """The same failure kept apart by where the changes touched the code, for annotations (plain text)."""
    if apart is None or not apart.earlier:
        return ""
    runs = "; ".join(sighting_plain(s) for s in apart.earlier)
    return (
        f"Not seen before: this test failed the same way in {runs}, {_elsewhere(apart.places)}; "
        "this change touched other code."
    )


def apart_md(apart: Apart | None) -> str:
    """The same, for the check run's details and the PR comment: the runs linked, the places escaped."""
    if apart is None or not apart.earlier:
        return ""
    runs = "; ".join(sighting_md(s) for s in apart.earlier)
    return (
        f"Not seen before: this test failed the same way in {runs}, "
        f"{md.escape_text(_elsewhere(apart.places))}; this change touched other code."
    )
