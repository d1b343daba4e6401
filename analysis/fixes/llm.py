"""LLM fix proposals, the pure half: the prompt (within a size budget) and checking the structured answer.

The caller redacts secrets from everything it passes in and talks to the endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .types import FixSource, Proposal

CHARS_PER_TOKEN = 4  # a conservative estimate for code and logs

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "explanation": {"type": "string", "description": "Why the run failed and what the change does."},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "diff": {"type": "string", "description": "A unified diff (---/+++ a/ b/ paths, @@ hunks) or empty."},
    },
    "required": ["explanation", "confidence", "diff"],
    "additionalProperties": False,
}

SYSTEM_PROMPT = """\
You fix failing CI runs. You get the failure excerpt of a GitHub Actions log and some files of the \
repository at the failing commit. Answer with JSON: `explanation` (at most 5 sentences: the cause and what \
your change does), `confidence` (0 to 1: how sure you are that the change makes the run pass) and `diff`: \
a minimal unified diff against the files shown, with `--- a/PATH` / `+++ b/PATH` headers and exact context \
lines, or an empty string when no safe change is possible from what you see. Never change files under \
.github/workflows, never touch paths outside the repository, never add secrets."""

EXPLAIN_PROMPT = """\
You explain failing CI runs to the developers of the repository. You get the failure excerpt of a GitHub \
Actions log. Explain in plain text (no Markdown, HTML or links: it is shown literally), in at most 12 \
sentences, what failed, the most likely cause and how \
to confirm and fix it. Do not invent file contents you were not shown."""


@dataclass(frozen=True)
class Budget:
    prompt_tokens: int = 6_000
    answer_tokens: int = 1_500
    file_chars: int = 12_000  # per file

    @property
    def prompt_chars(self) -> int:
        return self.prompt_tokens * CHARS_PER_TOKEN


def fix_messages(excerpt: str, files: Mapping[str, str], *, budget: Budget = Budget()) -> list[dict[str, str]]:
    """System + user messages; the excerpt first, then whole files in the given order while they fit."""
    remaining = budget.prompt_chars - len(SYSTEM_PROMPT)
    excerpt = _clip(excerpt, max(remaining // 2, 500))
    parts = [f"## Failure excerpt\n```\n{excerpt}\n```"]
    remaining -= len(parts[0])
    for path, content in files.items():
        if len(content) > budget.file_chars:
            continue  # a truncated file invites a diff that does not apply
        block = f"## File `{path}`\n```\n{content}\n```"
        if len(block) > remaining:
            continue
        parts.append(block)
        remaining -= len(block)
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n\n".join(parts)}]


def explain_messages(excerpt: str, question: str | None, *, budget: Budget = Budget()) -> list[dict[str, str]]:
    text = f"## Failure excerpt\n```\n{_clip(excerpt, budget.prompt_chars - len(EXPLAIN_PROMPT) - 500)}\n```"
    if question:
        text += f"\n\nThe developer asks about: {question[:300]}"
    return [{"role": "system", "content": EXPLAIN_PROMPT}, {"role": "user", "content": text}]


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return text[:half] + "\n[... cut ...]\n" + text[-half:]


class AnswerError(ValueError):
    pass


def parse_answer(raw: str, *, fingerprint: str | None = None) -> Proposal | None:
    """The model's JSON answer as a proposal; None when it proposes no change; AnswerError if malformed."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise AnswerError(f"the model's answer is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise AnswerError("the model's answer is not a JSON object")
    explanation, confidence, diff = data.get("explanation"), data.get("confidence"), data.get("diff")
    if not isinstance(explanation, str) or not isinstance(diff, str):
        raise AnswerError("the model's answer lacks a string `explanation` or `diff`")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise AnswerError("the model's answer lacks a numeric `confidence`")
    if not diff.strip():
        return None
    if not diff.endswith("\n"):
        diff += "\n"
    return Proposal(
        source=FixSource.LLM,
        rule="llm",
        title="Change suggested by the language model",
        explanation=explanation.strip()[:2_000] or "No explanation given.",
        confidence=min(max(float(confidence), 0.0), 1.0) * 0.8,  # models are overconfident: never above 0.8
        diff=diff,
        fingerprint=fingerprint,
    )
