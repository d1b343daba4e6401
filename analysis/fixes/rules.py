"""The rule table: every rule reads a failed job's log and proposes fixes. Order is only presentation;
the caller ranks by confidence and past outcomes."""

from __future__ import annotations

from collections.abc import Callable

from .dependencies import dependency_proposals
from .formatters import formatter_proposals
from .snapshots import snapshot_proposals
from .types import Proposal

FixRule = Callable[..., list[Proposal]]  # not analysis.rules.Rule (a log-matching rule)

# Each rule with substrings one of which every log it can act on contains: a C-speed scan that spares the
# line-by-line parse of a 10 MB log that holds no diff, no snapshot and no missing module.
RULES: tuple[tuple[tuple[str, ...], FixRule], ...] = (
    (("@@ -", "Diff in "), formatter_proposals),
    (("napshot",), snapshot_proposals),
    (("No module named", "Cannot find module", "Cannot find package"), dependency_proposals),
)


def rule_proposals(log_text: str, *, fingerprint: str | None = None) -> list[Proposal]:
    proposals: list[Proposal] = []
    for triggers, rule in RULES:
        if any(trigger in log_text for trigger in triggers):
            proposals.extend(rule(log_text, fingerprint=fingerprint))
    return proposals
