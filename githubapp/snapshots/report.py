"""Pure builders of the snapshot parts of the PR comment and the check run (markdown, no I/O)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from .. import escaping
from .service import RouteOutcome

LINK_LABELS = (("screenshot", "screenshot"), ("html", "HTML"), ("har", "HAR"), ("console", "console"))
MAX_LISTED = 5
MAX_TEXT = 200


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    """One line of untrusted page text, safe inside inline code (githubapp.escaping: no controls, no pings)."""
    text = escaping.neutralise_mentions(escaping.strip_controls(str(value), one_line=True)).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _alt(value: str) -> str:
    return _text(value, 80).replace("[", "(").replace("]", ")")


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def _pixels(outcome: RouteOutcome) -> str:
    if outcome.diff is None:
        return "no green baseline" if outcome.ok else "—"
    pixels = outcome.diff.get("pixels")
    if not pixels:
        return "—"
    share = f"{pixels['changed_share'] * 100:.2f} %"
    return share + (" (size changed)" if pixels.get("size_changed") else "")


def _new(outcome: RouteOutcome, key: str) -> str:
    if outcome.diff is None:
        return str(
            outcome.counts.get(
                {"new_console_errors": "console_errors", "new_failed_requests": "failed_requests"}[key], 0
            )
        )
    return str(len(outcome.diff.get(key) or []))


def _links(links: Mapping[str, str]) -> str:
    return " · ".join(f"[{label}]({links[kind]})" for kind, label in LINK_LABELS if kind in links) or "—"


def _status(outcome: RouteOutcome) -> str:
    if outcome.ok:
        return str(outcome.http_status or "ok")
    return "⚠️ " + _text(outcome.error or "failed", 80)


def _table(outcomes: Sequence[RouteOutcome]) -> list[str]:
    compared = any(o.diff is not None for o in outcomes)
    errors_head, requests_head = (
        ("new console errors", "new failed requests") if compared else ("console errors", "failed requests")
    )
    lines = [
        f"| route | page | pixels changed | {errors_head} | {requests_head} | artifacts |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        lines.append(
            "| "
            + " | ".join(
                _cell(c)
                for c in (
                    f"`{_text(o.route, 80)}`",
                    _status(o),
                    _pixels(o),
                    _new(o, "new_console_errors"),
                    _new(o, "new_failed_requests"),
                    _links(o.links),
                )
            )
            + " |"
        )
    return lines


def _more(items: Sequence[Any]) -> list[str]:
    return [f"- … and {len(items) - MAX_LISTED} more"] if len(items) > MAX_LISTED else []


def _details(outcome: RouteOutcome) -> list[str]:
    """Blocks separated by blank lines (a line right after a list item would join that item)."""
    blocks: list[list[str]] = []
    route = f"`{_text(outcome.route, 80)}`"
    diff = outcome.diff or {}
    errors = diff.get("new_console_errors") or []
    if errors:
        block = [f"New console errors on {route}:"]
        for m in errors[:MAX_LISTED]:
            where = f" at `{_text(m.get('url') or '', 100)}:{m.get('line')}`" if m.get("url") else ""
            block.append(f"- `{_text(m.get('text', ''))}`{where}")
        blocks.append(block + _more(errors))
    page_errors = diff.get("new_page_errors") or []
    if page_errors:
        block = [f"New uncaught errors on {route}:"]
        block += [f"- `{_text(e.get('message', ''))}`" for e in page_errors[:MAX_LISTED]]
        blocks.append(block + _more(page_errors))
    failed = diff.get("new_failed_requests") or []
    if failed:
        block = [f"New failed requests on {route}:"]
        for r in failed[:MAX_LISTED]:
            result = r.get("status") or r.get("failure") or "failed"
            block.append(f"- `{r.get('method', 'GET')} {_text(r.get('url', ''), 150)}` → `{_text(result, 60)}`")
        blocks.append(block + _more(failed))
    if outcome.counts.get("blocked"):
        blocks.append(
            [f"{outcome.counts['blocked']} request(s) from {route} to private or internal addresses were blocked."]
        )
    lines: list[str] = []
    for block in blocks:
        lines += ["", *block]
    return lines


def _intro(outcomes: Sequence[RouteOutcome], preview_url: str | None) -> str:
    if preview_url is None and outcomes:
        parts = urlsplit(outcomes[0].url)
        preview_url = f"{parts.scheme}://{parts.netloc}"
    where = f" of <{preview_url}>" if preview_url else ""
    baseline = next((o.baseline for o in outcomes if o.baseline), None)
    if baseline:
        sha = str(baseline.get("head_sha") or "")[:7]
        return f"Captured the preview{where}, compared with the last green capture (`{sha}`)."
    return f"Captured the preview{where}; there is no green capture to compare with yet."


def snapshot_comment_section(
    outcomes: Sequence[RouteOutcome], *, preview_url: str | None = None, heading: str = "### Preview snapshot"
) -> str:
    """The PR comment's snapshot section: table, changes, and each screenshot behind a fold. Empty if none."""
    if not outcomes:
        return ""
    lines = [heading, "", _intro(outcomes, preview_url), "", *_table(outcomes)]
    for outcome in outcomes:
        lines += _details(outcome)
    for outcome in outcomes:
        if "screenshot" in outcome.links:
            lines += [
                "",
                f"<details><summary>Screenshot of <code>{html.escape(_text(outcome.route, 80))}</code></summary>",
                "",
                f"![screenshot of {_alt(outcome.route)}]({outcome.links['screenshot']})",
                "",
                "</details>",
            ]
    return "\n".join(lines) + "\n"


def snapshot_check_summary(outcomes: Sequence[RouteOutcome], *, preview_url: str | None = None) -> str:
    """The check run summary's snapshot part: the table and the changes, no images (see ``check_run_images``)."""
    if not outcomes:
        return ""
    lines = ["## Preview snapshot", "", _intro(outcomes, preview_url), "", *_table(outcomes)]
    for outcome in outcomes:
        lines += _details(outcome)
    return "\n".join(lines) + "\n"


def check_run_images(outcomes: Sequence[RouteOutcome]) -> list[dict[str, str]]:
    """``output.images`` entries for the check run: one screenshot per route."""
    images = []
    for outcome in outcomes:
        if "screenshot" in outcome.links:
            route = _text(outcome.route, 80)
            caption = f"{route}: {_pixels(outcome)} pixels changed" if outcome.diff else route
            images.append(
                {
                    "alt": f"screenshot of {_text(outcome.route, 80)}",
                    "image_url": outcome.links["screenshot"],
                    "caption": _text(caption, 120),
                }
            )
    return images
