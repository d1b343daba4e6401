"""The one sticky PR comment: found again by its hidden marker and edited in place on every run.

GitHub rejects comment bodies over 65,536 characters (facts.json ``issue_comment_body_max_chars``); the
builder keeps whole sections and says what it left out. Log content is fenced so it can neither close the
fence, render HTML nor mention anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.fixes.verify import short_hash, shown_whole
from analysis.regex import compile_linear

from . import evidence as ev
from . import markdown as md
from .cleaning import clean_excerpt
from .common import (
    VERDICT_ICON,
    VERDICT_LABEL,
    Grouped,
    counts,
    date,
    failure_name,
    group,
    headline_of,
    jobs_phrase,
    kind_label,
    location,
    plural,
    test_location,
    where,
)
from .entries import Entry, entries
from .model import PassingReport, Resolution, RunInfo, TriagedFailure, TriageReport, Verdict
from .verdicts import broken_since_md, evidence_md, new_count, wording

MARKER = "<!-- ci-triage:sticky -->"
COMMENT_MAX = 65_536
FORMAT_VERSION = 1
_STATE = compile_linear(r"<!-- ci-triage:state v=(\d+) run=(\d+) attempt=(\d+) status=(\w+) -->")
# The comment is read in seconds: it stays under COMMENT_TARGET for any run (a suggested fix's diff, shown whole
# so it can be approved, may add to it); the check run carries the detail up to GitHub's limits.
COMMENT_TARGET = 10_000
DETAILED_ENTRIES = 4  # entries shown with an excerpt; the rest without
EXCERPT_CHARS = 1_000
EXCERPT_LINES = 15
LISTED = 5  # files or tests named per entry; the rest are on the dashboard


@dataclass(frozen=True)
class CommentPolicy:
    enabled: bool = True
    # Noise budget: no new comment when every failure is a known flake (an existing comment is still updated).
    skip_when_all_flaky: bool = True
    update_on_success: bool = True


@dataclass(frozen=True)
class StickyState:
    version: int
    run_id: int
    attempt: int
    status: str  # failing | passing


def state_marker(run: RunInfo, status: str) -> str:
    state = f"v={FORMAT_VERSION} run={run.run_id} attempt={run.attempt} status={status}"
    return f"{MARKER}\n<!-- ci-triage:state {state} -->"


def parse_state(body: str) -> StickyState | None:
    match = _STATE.search(body)
    if not match:
        return None
    return StickyState(int(match[1]), int(match[2]), int(match[3]), match[4])


def is_sticky(body: str | None) -> bool:
    return bool(body) and MARKER in body  # type: ignore[operator]


def find_sticky(comments: Iterable[Mapping[str, Any]], *, bot_login: str | None = None) -> Mapping[str, Any] | None:
    """The oldest comment carrying our marker, written by us (a user quoting the marker does not count)."""
    for comment in comments:
        if not is_sticky(comment.get("body")):
            continue
        author = (comment.get("user") or {}).get("login")
        if bot_login is not None and author != bot_login:
            continue
        if bot_login is None and (comment.get("user") or {}).get("type") not in (None, "Bot"):
            continue
        return comment
    return None


def should_comment(report: TriageReport, policy: CommentPolicy = CommentPolicy()) -> bool:
    """Whether a failing run deserves a new comment. Updating an existing one is always allowed."""
    if not policy.enabled:
        return False
    if (
        policy.skip_when_all_flaky
        and report.failures
        and all(f.verdict is Verdict.FLAKY or f.quarantined for f in report.failures)
    ):
        return False
    return True


def _resolution_md(r: Resolution | None) -> str:
    if r is None:
        return "—"
    parts = []
    if r.pr_number:
        parts.append(f"#{r.pr_number}")
    if r.commit_sha:
        parts.append(md.inline_code(r.commit_sha[:7], in_table=True))
    if r.changed_files:
        files = ", ".join(md.inline_code(p, limit=60, in_table=True) for p in r.changed_files[:3])
        more = f" +{len(r.changed_files) - 3}" if len(r.changed_files) > 3 else ""
        parts.append(f"changed {files}{more}")
    if r.commits_between:
        parts.append(f"{plural(r.commits_between, 'commit')} later")
    if r.note:
        parts.append(md.table_cell(r.note, limit=120))
    return " ".join(parts) or "—"


def _header(report: TriageReport, groups: Sequence[Grouped]) -> str:
    run = report.run
    c = counts(groups)
    if groups:
        icon = "❌" if new_count(groups) else "⚠️"
        parts = [f"{VERDICT_ICON[v]} {c[v]} `{VERDICT_LABEL[v]}`" for v in Verdict if c[v]]
        headline = f"## {icon} CI Triage: {plural(len(groups), 'failure')} ({', '.join(parts)})"
    else:
        headline = "## ❌ CI Triage: the run failed"
    label = f"#{run.run_number}" if run.run_number else str(run.run_id)
    name = f"{md.escape_text(run.workflow_name)} {label}"
    link = f"[{name}]({run.html_url})" if run.html_url else name
    attempt = f" (attempt {run.attempt})" if run.attempt > 1 else ""
    state = "is failing (other jobs still running)" if report.in_progress else "failed"
    where = f" at {md.inline_code(run.head_sha[:7])}"
    check = f" · [check run]({report.check_run_url})" if report.check_run_url else ""
    if _linkable(report.dashboard_url):
        check += f" · [dashboard]({report.dashboard_url})"
    lead = f"\n\n{wording(report).counts_line(groups)}" if groups else ""
    broken = broken_since_md(report, groups)
    tail = f"\n\n{broken}" if broken else ""
    return f"{headline}{lead}\n\n{link}{attempt} {state}{where}{check}{tail}"


def _badge(item: TriagedFailure) -> str:
    badge = f"{VERDICT_ICON[item.verdict]} `{VERDICT_LABEL[item.verdict]}`"
    return badge + (" (quarantined)" if item.quarantined else "")


def _excerpt_md(item: TriagedFailure) -> str | None:
    """The excerpt, cleaned of escape codes and runner boilerplate, short enough to read here."""
    cleaned = clean_excerpt(item.excerpt)
    if not cleaned:
        return None
    kept, dropped = md.trim_lines(cleaned[:EXCERPT_LINES], max_chars=EXCERPT_CHARS, line_limit=200)
    dropped += max(0, len(cleaned) - EXCERPT_LINES)
    if dropped:
        kept.append(f"… {dropped} more lines (see the check run)")
    return md.details("Log excerpt", md.code_block("\n".join(kept)))


def _failure_block(g: Grouped, *, detailed: bool, repo_name: str | None) -> str:
    item = g.item
    f = item.failure
    name = md.inline_code(failure_name(item), limit=200)
    at = ""
    if f.file and f.test_id:
        at = " at " + md.inline_code(location(f, repo_name), limit=160)
        test_where = test_location(f, repo_name)
        if test_where:
            at += ", test " + md.inline_code(test_where, limit=160)
    jobs = f" {md.escape_text(jobs_phrase(g.jobs))}" if g.jobs else ""
    line = f"{_badge(item)} {md.escape_text(kind_label(f))}: {name}{at}{jobs}"
    if item.verdict is Verdict.FLAKY and item.history is not None and item.history.flake_rate is not None:
        line += f" · fails in {item.history.flake_rate:.0%} of runs"
    message = headline_of(item)
    if message and message != failure_name(item):
        line += f"\n{md.inline_code(message, limit=300)}"
    own = ev.same_change_md(item.same_change)
    if own:
        line += f"\n{own}"
    kept = ev.apart_md(item.apart)
    if kept:
        line += f"\n{kept}"
    evidence = evidence_md(item)
    if evidence:
        line += f"\n\n{evidence}"
    excerpt = _excerpt_md(item) if detailed else None
    return line + (f"\n\n{excerpt}" if excerpt else "")


def _listing(names: Sequence[str], *, shown: int, more: str, total: int | None = None) -> str:
    """The first ``shown`` names, then how many more (of ``total``, when more exist than ``names`` holds)."""
    listed = ", ".join(md.inline_code(n, limit=120) for n in names[:shown])
    rest = max(len(names), total or 0) - min(shown, len(names))
    return listed + (f" and {rest} more{more}" if rest > 0 else "")


def _entry_block(entry: Entry, *, detailed: bool, report: TriageReport) -> str:
    """One pattern: what, how many, where (the first few files or tests), one message and one excerpt."""
    if len(entry.members) == 1 and entry.occurrences == 1:
        return _failure_block(entry.first, detailed=detailed, repo_name=report.run.repo_name)
    repo_name = report.run.repo_name
    item = entry.first.item
    jobs = f" {md.escape_text(jobs_phrase(entry.jobs))}" if entry.jobs else ""
    line = f"{_badge(item)} **{md.escape_text(entry.title(repo_name))}**{jobs}"
    elsewhere = f" ([all on the dashboard]({report.dashboard_url}))" if _linkable(report.dashboard_url) else ""
    tests, files = entry.tests(), entry.files(repo_name)
    if tests:
        line += "\n\nTests: " + _listing(tests, shown=LISTED, more=elsewhere)
    elif files:
        names = [f"{path} ({n})" if n > 1 else path for path, n in files]
        total, _ = entry.file_count(repo_name)
        line += "\n\nFiles: " + _listing(names, shown=LISTED, more=elsewhere, total=total)
    message = headline_of(item)
    if message:
        at = where(item.failure, repo_name)
        first = f"{at}: {message}" if at and at not in message else message
        line += f"\n\nFirst: {md.inline_code(first, limit=300)}"
    evidence = evidence_md(item)
    if evidence:
        line += f"\n\n{evidence}"
    excerpt = _excerpt_md(item) if detailed else None
    return line + (f"\n\n{excerpt}" if excerpt else "")


def _linkable(url: str | None) -> bool:
    return url is not None and url.startswith(("https://", "http://")) and not any(c in url for c in " ()<>\n\"'")


def _verdict_sections(report: TriageReport, groups: Sequence[Grouped]) -> list[str]:
    """One entry per pattern, grouped by verdict, ``new`` first, each with its evidence."""
    words = wording(report)
    blocks: list[str] = []
    index = 0
    for verdict in Verdict:  # declaration order: new, pre-existing, flaky, infra
        members = [g for g in groups if g.item.verdict is verdict]
        if not members:
            continue
        heading = f"### {VERDICT_ICON[verdict]} `{VERDICT_LABEL[verdict]}`: {words.friendly(verdict)} ({len(members)})"
        if verdict is Verdict.INFRA:
            heading += "\n\nThis looks transient: comment `/triage retry` to run the failed jobs again."
        blocks.append(heading)
        for entry in entries(members):
            blocks.append(_entry_block(entry, detailed=index < DETAILED_ENTRIES, report=report))
            index += 1
    return blocks


def _seen_before(groups: Sequence[Grouped]) -> str | None:
    """Each "seen before" with its evidence: why it matched, the earlier runs (linked), how it was fixed."""
    rows = []
    for entry in entries(groups):
        known = [g for g in entry.members if g.item.history is not None]
        if entry.verdict is Verdict.FLAKY or not known:
            continue
        item, h = known[0].item, known[0].item.history
        assert h is not None
        name = failure_name(item) if len(entry.members) == 1 else entry.title(None)
        rows.append(
            f"| {md.inline_code(name, limit=120, in_table=True)} | {ev.why_cell(item)} | "
            f"{ev.earlier_cell(item)} | {h.occurrences} | {_resolution_md(h.resolution)} |"
        )
    if not rows:
        return None
    head = (
        "### 🔁 Seen before\n\n"
        "| failure | why it matched | earlier runs | runs | fixed last time by |\n"
        "|---|---|---|---|---|"
    )
    return head + "\n" + "\n".join(rows)


def _flaky(groups: Sequence[Grouped]) -> str | None:
    rows = []
    for g in groups:
        if not g.item.quarantined or g.item.verdict is Verdict.FLAKY:  # flaky ones have their verdict section
            continue
        h = g.item.history
        facts = []
        if h is not None and h.flake_rate is not None:
            facts.append(f"fails in {h.flake_rate:.0%} of runs")
        if h is not None:
            facts.append(f"seen {plural(h.occurrences, 'time')} since {date(h.first_seen)}")
        if g.item.quarantined:
            facts.append("quarantined")
        rows.append(f"- {md.inline_code(failure_name(g.item), limit=160)}" + (f": {', '.join(facts)}" if facts else ""))
    if not rows:
        return None
    return "### 🎲 Quarantined\n\n" + "\n".join(rows) + "\n\nReported as flaky: they never fail the check run."


def _recommended(report: TriageReport) -> str | None:
    if not report.recommended_tests:
        return None
    risk = f" (risk: {md.escape_text(report.risk_level)})" if report.risk_level else ""
    rows = [
        f"| {md.inline_code(t.name, limit=160, in_table=True)} | {md.table_cell(t.reason, limit=200)} | "
        f"{t.confidence:.0%} |"
        for t in report.recommended_tests[:20]
    ]
    more = len(report.recommended_tests) - 20
    tail = f"\n\n_{more} more in the check run._" if more > 0 else ""
    return f"### 🧪 Recommended tests{risk}\n\n| test | why | confidence |\n|---|---|---|\n" + "\n".join(rows) + tail


def _fixes(report: TriageReport) -> str | None:
    if not report.fixes:
        return None
    blocks = ["### 🛠️ Suggested fixes"]
    source_names = {"history": "seen before", "rule": "rule", "llm": "language model"}
    for fix in report.fixes:
        facts = []
        if fix.source:
            facts.append(md.escape_text(source_names.get(fix.source, fix.source)))
        if fix.confidence is not None:
            facts.append(f"confidence {fix.confidence:.0%}")
        suffix = f" ({', '.join(facts)})" if facts else ""
        block = f"**Fix {md.inline_code(fix.id, limit=40)}: {md.escape_text(md.shorten(fix.title, 200))}**{suffix}"
        if fix.explanation.strip():
            block += "\n\n" + md.escape_text(md.shorten(fix.explanation, 1_000))
        reject = md.inline_code(f"/triage reject {fix.id}", limit=80)
        if fix.diff and shown_whole(fix.diff):
            # Offered only with its whole diff shown; the command names the diff by its hash.
            digest = short_hash(fix.diff)
            block += "\n\n" + md.details(f"Diff {digest}", md.code_block(fix.diff, lang="diff"))
            approve = md.inline_code(f"/triage approve {fix.id} {digest}", limit=80)
            block += f"\n\nComment {approve} to commit it to this branch, or {reject} to dismiss it."
        else:
            size = f" ({len(fix.diff):,} characters)" if fix.diff else ""
            block += (
                f"\n\nIts diff{size} is too large to show here whole, so it is not offered for approval; "
                f"{reject} dismisses it."
            )
        blocks.append(block)
    return "\n\n".join(blocks)


def _problems(report: TriageReport) -> str | None:
    items = [*report.problems]
    if report.config_errors:
        items.extend(f".github/ci-triage.yml: {e}" for e in report.config_errors)
    if not items:
        return None
    return "> [!WARNING]\n" + "\n".join(f"> - {md.escape_text(p)}" for p in items)


def _footer() -> str:
    return (
        # Code spans show "<" literally (an entity there would show as "&lt;").
        "<sub>Edited in place on every run. Commands: `/triage retry`, `/triage explain`, "
        "`/triage approve <fix-id> <hash>`, `/triage reject <fix-id>`.</sub>"
    )


def _assemble(top: str, middle: list[str], bottom: str, *, limit: int, elsewhere: str = "the check run has") -> str:
    budget = max(limit - len(top) - len(bottom) - 4, 0)
    body = md.fit_blocks(
        middle,
        limit=budget,
        note="_{omitted} more sections left out (comment size limit); " + elsewhere + " them all._",
    )
    return "\n\n".join(part for part in (top, body, bottom) if part)


def sticky_comment(report: TriageReport, *, limit: int = COMMENT_TARGET) -> str:
    """The comment, under ``limit`` for any run except by a suggested fix's diff: the fixes are kept whole (an
    approval names the diff shown), within GitHub's own limit."""
    groups = group(report.failures)
    top = state_marker(report.run, "failing") + "\n" + _header(report, groups)
    middle: list[str] = []
    problems = _problems(report)
    if problems:
        middle.append(problems)
    if groups:
        middle.extend(_verdict_sections(report, groups))
    else:
        middle.append("No failure could be extracted from the logs; see the run for details.")
    for section in (_seen_before(groups), _flaky(groups)):
        if section:
            middle.append(section)
    if report.snapshot_markdown:
        middle.append(report.snapshot_markdown)
    recommended = _recommended(report)
    if recommended:
        middle.append(recommended)
    fixes = _fixes(report)
    bottom = f"{fixes}\n\n{_footer()}" if fixes else _footer()
    if len(top) + len(bottom) > COMMENT_MAX - 200:  # a diff too large even for GitHub's limit: the fixes go
        bottom = _footer()
    elsewhere = "the check run has"
    if _linkable(report.dashboard_url):
        elsewhere = f"the check run and the [dashboard]({report.dashboard_url}) have"
    return _assemble(top, middle, bottom, limit=max(limit, len(top) + len(bottom) + 200), elsewhere=elsewhere)


def passing_comment(report: PassingReport, *, limit: int = COMMENT_MAX) -> str:
    run = report.run
    label = f"#{run.run_number}" if run.run_number else str(run.run_id)
    name = f"{md.escape_text(run.workflow_name)} {label}"
    link = f"[{name}]({run.html_url})" if run.html_url else name
    top = (
        state_marker(run, "passing") + "\n## ✅ CI Triage: passing now\n\n"
        f"{link} passed at {md.inline_code(run.head_sha[:7])}."
    )
    middle: list[str] = []
    if report.previously_failing:
        intro = "Fixed since the last failing run"
        if report.previous_run_url:
            intro = f"Fixed since the [last failing run]({report.previous_run_url})"
        items = "\n".join(f"- ~~{md.inline_code(name, limit=160)}~~" for name in report.previously_failing[:50])
        more = len(report.previously_failing) - 50
        middle.append(intro + ":\n\n" + items + (f"\n- … and {more} more" if more > 0 else ""))
    if report.flaky:
        middle.append(_passed_on_rerun(report))
    return _assemble(top, middle, _footer(), limit=limit)


def _passed_on_rerun(report: PassingReport) -> str:
    """Failures of an earlier attempt that passed on this one: ``flaky``."""
    failed = f"attempt {report.failed_attempt}" if report.failed_attempt else "an earlier attempt"
    rows = "\n".join(
        f"- {VERDICT_ICON[Verdict.FLAKY]} `{VERDICT_LABEL[Verdict.FLAKY]}` {md.inline_code(name, limit=160)}: "
        f"failed on {failed}, passed on attempt {report.run.attempt} of the same commit"
        for name in report.flaky[:50]
    )
    return f"### {VERDICT_ICON[Verdict.FLAKY]} `flaky`: failed and passed on the same code\n\n{rows}"
