"""The rule table: every rule reads a failed job's log and proposes fixes. Order is only presentation;
the caller ranks by confidence and past outcomes."""

from __future__ import annotations

from collections.abc import Callable

from .dependencies import dependency_proposals
from .formatters import formatter_proposals
from .snapshots import snapshot_proposals
from .types import Proposal

Rule = Callable[..., list[Proposal]]

RULES: tuple[Rule, ...] = (formatter_proposals, snapshot_proposals, dependency_proposals)


def rule_proposals(log_text: str, *, fingerprint: str | None = None) -> list[Proposal]:
    proposals: list[Proposal] = []
    for rule in RULES:
        proposals.extend(rule(log_text, fingerprint=fingerprint))
    return proposals
