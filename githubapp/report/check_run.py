"""The "CI Triage" check run: title, summary, details text, annotations, buttons and conclusion.

Limits from GitHub's Checks API (tests/data/github/facts.json ``check_runs``): summary and text at most 65,535
characters, at most 50 annotations per request (later updates append), annotation title at most 255
characters, message and raw_details at most 64 KB, at most 3 actions with label ≤ 20, description ≤ 40,
identifier ≤ 20.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analysis.fixes.verify import short_hash, shown_whole

from .. import escaping
from ..conclusions import CHECK_RUN_CONCLUSIONS as CONCLUSIONS
from . import evidence as ev
from . import markdown as md
from .cleaning import clean_excerpt
from .common import (
    VERDICT_ICON,
    VERDICT_LABEL,
    Grouped,
    date,
    failure_name,
    first_line,
    group,
    headline_of,
    jobs_phrase,
    kind_label,
    plural,
    test_location,
    where,
)
from .model import TriagedFailure, TriageReport, Verdict
from .paths import repo_relative
from .verdicts import Wording, broken_since_md, evidence_md, verdict_title, wording

CHECK_NAME = "CI Triage"
SUMMARY_MAX = 65_535
TEXT_MAX = 65_535
ANNOTATIONS_PER_REQUEST = 50
ANNOTATION_TITLE_MAX = 255
# 64 KB per field in bytes; a character is at most 4 bytes in UTF-8, so these character caps always fit.
ANNOTATION_MESSAGE_MAX_CHARS = 4_000
ANNOTATION_DETAILS_MAX_CHARS = 12_000
ACTIONS_MAX = 3
ACTION_LABEL_MAX = 20
ACTION_DESCRIPTION_MAX = 40
ACTION_IDENTIFIER_MAX = 20
# Check-run button identifiers, the same as the /triage commands' (githubapp.commands.parser):
# ``check_run.requested_action`` runs them for the person who clicked.
ACTION_RERUN = "retry"
ACTION_EXPLAIN = "explain"
ACTION_APPROVE_PREFIX = "fix:"  # fix:<id>@<diff hash>: the button names the diff the check run shows

_SEVERITY = {"success": 0, "neutral": 1, "action_required": 2, "failure": 3}


@dataclass(frozen=True)
class ConclusionPolicy:
    """The check run's conclusion for each kind of failure present; the most severe one wins."""

    new: str = "failure"  # only what the change caused fails the check run
    pre_existing: str = "neutral"
    flaky: str = "neutral"
    infra: str = "neutral"
    unidentified: str = "neutral"  # the run failed but no failure could be extracted (or logs are gone)

    def __post_init__(self) -> None:
        for name in ("new", "pre_existing", "flaky", "infra", "unidentified"):
            value = getattr(self, name)
            if value not in CONCLUSIONS:
                raise ValueError(f"conclusion for {name!r} must be one of {', '.join(CONCLUSIONS)}, got {value!r}")


@dataclass(frozen=True)
class CheckAction:
    label: str
    description: str
    identifier: str

    def __post_init__(self) -> None:
        for name, limit in (
            ("label", ACTION_LABEL_MAX),
            ("description", ACTION_DESCRIPTION_MAX),
            ("identifier", ACTION_IDENTIFIER_MAX),
        ):
            value = getattr(self, name)
            if not value or len(value) > limit:
                raise ValueError(f"check-run action {name} must be 1-{limit} characters, got {value!r}")

    def as_json(self) -> dict[str, str]:
        return {"label": self.label, "description": self.description, "identifier": self.identifier}


@dataclass(frozen=True)
class CheckRunOutput:
    title: str
    summary: str
    text: str
    conclusion: str
    annotations: tuple[dict[str, Any], ...]
    annotations_total: int  # before the cap
    actions: tuple[CheckAction, ...]
    images: tuple[dict[str, str], ...] = ()
    details_url: str | None = None  # the run's dashboard page: "Details" on GitHub leads there

    def batches(self, size: int = ANNOTATIONS_PER_REQUEST) -> list[list[dict[str, Any]]]:
        """Annotations in request-sized batches; always at least one (possibly empty) batch."""
        items = list(self.annotations)
        return [items[i : i + size] for i in range(0, len(items), size)] or [[]]

    def output(self, annotations: Sequence[dict[str, Any]] = (), *, images: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "summary": self.summary}
        if self.text:
            out["text"] = self.text
        if annotations:
            out["annotations"] = list(annotations)
        if images and self.images:
            out["images"] = [dict(i) for i in self.images]
        return out

    def requests(self, *, completed_at: str) -> list[dict[str, Any]]:
        """PATCH bodies, in order: the first completes the run; later ones append annotation batches."""
        batches = self.batches()
        first: dict[str, Any] = {
            "status": "completed",
            "conclusion": self.conclusion,
            "completed_at": completed_at,
            "output": self.output(batches[0], images=True),
            "actions": [a.as_json() for a in self.actions],
        }
        if self.details_url:
            first["details_url"] = self.details_url
        return [first, *({"output": self.output(batch)} for batch in batches[1:])]


def conclusion_for(report: TriageReport, policy: ConclusionPolicy = ConclusionPolicy()) -> str:
    if not report.failures:
        return policy.unidentified
    chosen = "success"
    for item in report.failures:
        verdict = Verdict.FLAKY if item.quarantined else item.verdict
        candidate = {
            Verdict.NEW: policy.new,
            Verdict.PRE_EXISTING: policy.pre_existing,
            Verdict.FLAKY: policy.flaky,
            Verdict.INFRA: policy.infra,
        }[verdict]
        if _SEVERITY[candidate] > _SEVERITY[chosen]:
            chosen = candidate
    return chosen


def title_for(report: TriageReport, groups: Sequence[Grouped]) -> str:
    if not groups:
        if report.problems:
            return "Failure could not be analysed"
        return "Could not identify the failure"
    title = verdict_title(report, groups)
    return title + (" (run still in progress)" if report.in_progress else "")


def _level(item: TriagedFailure) -> str:
    """Only what the change caused is a ``failure`` annotation; the rest are warnings."""
    if item.quarantined or item.verdict is not Verdict.NEW:
        return "warning"
    return "failure"


def _history_sentence(item: TriagedFailure, *, markdown: bool = False) -> str:
    """History facts of a failure: plain text for annotations; Markdown for the details, where the evidence's
    runs are links and everything else is escaped."""
    h = item.history
    own = (ev.same_change_md if markdown else ev.same_change_plain)(item.same_change)
    kept = (ev.apart_md if markdown else ev.apart_plain)(item.apart)
    own = " ".join(part for part in (kept, own) if part)
    if h is None:
        return own
    evidence = (ev.evidence_md if markdown else ev.evidence_plain)(item)
    facts = f"Seen in {plural(h.occurrences, 'run')} since {date(h.first_seen)}, last {date(h.last_seen)}."
    if h.flake_rate is not None and item.verdict is Verdict.FLAKY:
        facts += f" Flaky: fails {h.flake_rate:.0%} of runs."
    if h.resolution is not None:
        facts += " Last fixed by " + _resolution_plain(h.resolution) + "."
    if markdown:
        facts = md.escape_text(facts)
    return " ".join(part for part in (evidence, facts, own) if part)


def _resolution_plain(r: Any) -> str:
    parts = []
    if r.pr_number:
        parts.append(f"PR #{r.pr_number}")
    if r.commit_sha:
        parts.append(f"commit {r.commit_sha[:7]}")
    if r.changed_files:
        shown = ", ".join(r.changed_files[:3]) + (" …" if len(r.changed_files) > 3 else "")
        parts.append(f"changing {shown}")
    if r.note:
        parts.append(r.note)
    return " ".join(parts) or "an unrecorded change"


def annotations_for(
    groups: Sequence[Grouped], *, repo_name: str | None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Annotations at each failure's fault and at its test's line (one when they coincide), for locations
    inside the repository; (kept, total before the cap). A failure without a location gets none."""
    result: list[dict[str, Any]] = []
    seen: set[tuple[str, int, str]] = set()
    for g in groups:
        f = g.item.failure
        places = _places(f, repo_name)
        if not places:
            continue
        message = headline_of(g.item) or failure_name(g.item)
        if f.message.strip() and first_line(f.message) == message:
            message = f.message.strip()  # the whole message when it starts with its own words
        history = _history_sentence(g.item)
        if g.item.quarantined:
            history = ("Quarantined in .github/ci-triage.yml. " + history).strip()
        full_message = md.shorten(message + (f"\n\n{history}" if history else ""), ANNOTATION_MESSAGE_MAX_CHARS)
        title = f"{VERDICT_LABEL[g.item.verdict].capitalize()}, {kind_label(f)}: {failure_name(g.item)}"
        details = "\n".join(clean_excerpt(g.item.excerpt))
        for path, line, role in places:
            identity = (path, line, first_line(message))
            if identity in seen:
                continue
            seen.add(identity)
            suffix = {"fault": "", "test": " (the test's line)", "raised": " (where it was raised)"}[role]
            annotation: dict[str, Any] = {
                "path": path,
                "start_line": line,
                "end_line": line,
                "annotation_level": _level(g.item),
                "title": md.shorten(title + suffix, ANNOTATION_TITLE_MAX),
                "message": full_message,
            }
            if details:
                annotation["raw_details"] = md.shorten(details, ANNOTATION_DETAILS_MAX_CHARS)
            result.append(annotation)
    return result[:limit], len(result)


def _places(f: Any, repo_name: str | None) -> list[tuple[str, int, str]]:
    """(path, line, role) of the fault and of the test's line, repository-relative, without repeats."""
    fault = _place(f.file, f.line, repo_name)
    test = _place(f.test_file, f.test_line, repo_name)
    if fault and test and fault != test:
        return [(*fault, "raised"), (*test, "test")]
    found = fault or test
    return [(*found, "fault")] if found else []


def _place(file: str | None, line: int | None, repo_name: str | None) -> tuple[str, int] | None:
    if not file or not line or line < 1:
        return None
    path = repo_relative(file, repo_name=repo_name)
    return (path, line) if path else None


def actions_for(report: TriageReport, groups: Sequence[Grouped]) -> list[CheckAction]:
    actions: list[CheckAction] = []
    for fix in report.fixes:
        if not fix.diff or not shown_whole(fix.diff):
            continue  # offered only with its whole diff shown (text_for shows it)
        identifier = f"{ACTION_APPROVE_PREFIX}{fix.id}@{short_hash(fix.diff)}"
        if len(identifier) <= ACTION_IDENTIFIER_MAX:
            description = md.shorten(f"Commit: {fix.title}", ACTION_DESCRIPTION_MAX)
            actions.append(CheckAction("Apply fix", description, identifier))
            break  # one approve button: the best suggestion; the others are in the comment
    if groups or report.problems:
        actions.append(CheckAction("Re-run failed jobs", "Run the failed jobs of this run again", ACTION_RERUN))
    if groups:
        actions.append(CheckAction("Explain", "A longer explanation of the failure", ACTION_EXPLAIN))
    return actions[:ACTIONS_MAX]


def _summary_row(g: Grouped, repo_name: str | None) -> str:
    """verdict | what | where | message | job | why: each fact once (no name that repeats the location or the
    message)."""
    item = g.item
    f = item.failure
    at = where(f, repo_name)
    message = headline_of(item)
    what = kind_label(f)
    if f.test_id:
        what = md.table_cell(kind_label(f) + ":", limit=60) + " " + md.inline_code(f.test_id, limit=150, in_table=True)
    else:
        what = md.table_cell(what, limit=80)
    jobs = md.table_cell(jobs_phrase(g.jobs).removeprefix("in "), limit=120) if g.jobs else ""
    verdict = f"{VERDICT_ICON[item.verdict]} `{VERDICT_LABEL[item.verdict]}`"
    if item.quarantined:
        verdict += " (quarantined)"
    why = md.table_cell(item.reason, limit=200) if item.reason and item.reason != message else ""
    at_md = md.inline_code(at, limit=120, in_table=True) if at else ""
    if f.occurrences > 1:  # the analysis folded repeats of this message: say how many, and in how many files
        others = f" in {plural(f.file_count, 'file')}" if f.file_count > 1 else ""
        at_md += f" ({f.occurrences} times{others})"
    message_md = md.table_cell(message, limit=160) if message and message not in (at, f.test_id) else ""
    return f"| {verdict} | {what} | {at_md} | {message_md} | {jobs} | {why} |"


def _run_line(report: TriageReport) -> str:
    run = report.run
    label = f"#{run.run_number}" if run.run_number else f"{run.run_id}"
    link = (
        f"[{md.escape_text(run.workflow_name)} {label}]({run.html_url})"
        if run.html_url
        else (f"{md.escape_text(run.workflow_name)} {label}")
    )
    attempt = f" (attempt {run.attempt})" if run.attempt > 1 else ""
    state = "is failing" if report.in_progress else "failed"
    branch = f" on {md.inline_code(run.head_branch, limit=80)}" if run.head_branch else ""
    return f"{link}{attempt} {state}{branch} at {md.inline_code(run.head_sha[:7])}."


def summary_for(
    report: TriageReport, groups: Sequence[Grouped], *, annotations_shown: int, annotations_total: int
) -> str:
    head = [wording(report).counts_line(groups), _run_line(report)] if groups else [_run_line(report)]
    broken = broken_since_md(report, groups)
    if broken:
        head.append(broken)
    notes: list[str] = []
    for problem in report.problems:
        notes.append(f"> [!WARNING]\n> {md.escape_text(problem)}")
    if report.config_errors:
        listed = "\n".join(f"> - {md.escape_text(e)}" for e in report.config_errors)
        notes.append(
            f"> [!WARNING]\n> `.github/ci-triage.yml` has errors; defaults were used for those settings:\n{listed}"
        )
    if annotations_total > annotations_shown:
        notes.append(f"Showing {annotations_shown} of {annotations_total} line annotations; the rest are listed below.")
    if not groups:
        hint = "No failure could be extracted from the logs." if not report.problems else ""
        blocks = [*head, *notes, hint] if hint else [*head, *notes]
        return md.fit_blocks(blocks, limit=SUMMARY_MAX, note="…")
    if any(g.item.verdict is Verdict.INFRA for g in groups):
        notes.append("Infrastructure failures are usually transient: comment `/triage retry` on the pull request "
                     "(or use **Re-run failed jobs**) to run the failed jobs again.")
    table_head = "| | what | where | message | job | why |\n|---|---|---|---|---|---|"
    rows = [_summary_row(g, report.run.repo_name) for g in groups]
    fixed = "\n\n".join([*head, *notes, table_head])
    budget = SUMMARY_MAX - len(fixed) - 2
    note = "| | _{omitted} more not shown (summary size limit)_ | | | | |"
    table_rows = md.fit_blocks(rows, limit=budget, note=note, separator="\n")
    return f"{fixed}\n{table_rows}"


def _failure_details(g: Grouped, *, excerpt_chars: int, repo_name: str | None, wording_: Wording) -> str:
    item = g.item
    f = item.failure
    title = f"{VERDICT_ICON[item.verdict]} {md.escape_text(md.shorten(failure_name(item), 200))}"
    lines = [f"### {title}"]
    facts = [
        f"`{VERDICT_LABEL[item.verdict]}` ({wording_.friendly(item.verdict)})",
        md.escape_text(kind_label(f)),
    ]
    at = where(f, repo_name)
    if at and at != failure_name(item):
        facts.append(md.inline_code(at, limit=200))
    test_where = test_location(f, repo_name)
    if test_where and test_where != at:
        facts.append("test " + md.inline_code(test_where, limit=200))
    if g.jobs:
        facts.append(md.escape_text(jobs_phrase(g.jobs, shown=10)))
    lines.append(" · ".join(facts))
    evidence = evidence_md(item)
    if evidence:
        lines.append(evidence)
    history = _history_sentence(item, markdown=True)  # built from escaped parts, links kept
    if history:
        lines.append(history)
    if f.message.strip():
        lines.append(md.code_block(md.shorten(f.message.strip(), 2_000)))
    cleaned = clean_excerpt(item.excerpt)
    if cleaned:
        kept, dropped = md.trim_lines(cleaned, max_chars=excerpt_chars)
        if dropped:
            kept.append(f"… {dropped} more lines")
        lines.append(md.details("Log excerpt", md.code_block("\n".join(kept))))
    return "\n\n".join(lines)


def text_for(report: TriageReport, groups: Sequence[Grouped]) -> str:
    words = wording(report)
    blocks = [
        _failure_details(g, excerpt_chars=6_000, repo_name=report.run.repo_name, wording_=words) for g in groups
    ]
    if report.snapshot_summary:
        blocks.append(report.snapshot_summary)
    if report.recommended_tests:
        rows = "\n".join(
            f"- {md.inline_code(t.name, limit=200)}: {md.escape_text(md.shorten(t.reason, 200))} ({t.confidence:.0%})"
            for t in report.recommended_tests[:20]
        )
        risk = f" (risk: {md.escape_text(report.risk_level)})" if report.risk_level else ""
        blocks.append(f"### Recommended tests{risk}\n\n{rows}")
    if report.fixes:
        # First, so the size limit never drops it: the "Apply fix" button's diff is shown here whole.
        blocks.insert(0, _fixes_block(report))
    return md.fit_blocks(blocks, limit=TEXT_MAX, note="_{omitted} more sections not shown (size limit)._")


def _fixes_block(report: TriageReport) -> str:
    rows = "\n".join(
        f"- {md.inline_code(fix.id, limit=40)}: {md.escape_text(md.shorten(fix.title, 200))}" for fix in report.fixes
    )
    block = f"### Suggested fixes\n\n{rows}"
    shown = next((f for f in report.fixes if f.diff and shown_whole(f.diff)), None)
    if shown is not None and shown.diff:
        digest = short_hash(shown.diff)
        block += "\n\n" + md.details(
            f"Diff of {escaping.html_text(shown.id)} ({digest}), applied by the Apply fix button",
            md.code_block(shown.diff, lang="diff"),
        )
    return block + "\n\nApprove one with a PR comment `/triage approve <id> <hash>` (the hash beside its diff)."


def check_run_output(
    report: TriageReport, *, policy: ConclusionPolicy = ConclusionPolicy(), max_annotations: int = 100
) -> CheckRunOutput:
    groups = group(report.failures)
    annotations, total = annotations_for(groups, repo_name=report.run.repo_name, limit=max_annotations)
    return CheckRunOutput(
        title=title_for(report, groups),
        summary=summary_for(report, groups, annotations_shown=len(annotations), annotations_total=total),
        text=text_for(report, groups),
        conclusion=conclusion_for(report, policy),
        annotations=tuple(annotations),
        annotations_total=total,
        actions=tuple(actions_for(report, groups)),
        images=report.images,
        details_url=report.dashboard_url,
    )


def in_progress_output(run_name: str) -> dict[str, Any]:
    """Output shown while triage works (status ``in_progress``)."""
    return {
        "title": "Triaging…",
        "summary": f"Fetching the logs of {md.escape_text(run_name)} and analysing them.",
    }
