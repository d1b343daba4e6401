import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.fixes.llm import AnswerError, Budget, fix_messages, parse_answer
from analysis.fixes.ranking import adjusted_score
from analysis.fixes.suggestions import commentable_lines, suggestion_comments
from analysis.fixes.types import FixSource


def test_messages_respect_the_budget_and_skip_files_that_do_not_fit() -> None:
    budget = Budget(prompt_tokens=1_000, file_chars=1_000)
    files = {"small.py": "x = 1\n", "huge.py": "y = 2\n" * 1_000, "other.py": "z = 3\n"}
    messages = fix_messages("E   AssertionError\n" * 2_000, files, budget=budget)
    total = sum(len(m["content"]) for m in messages)
    assert total <= budget.prompt_chars + 200
    user = messages[1]["content"]
    assert "small.py" in user and "other.py" in user and "huge.py" not in user
    assert "[... cut ...]" in user


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("not json", "not JSON"),
        ("[1]", "not a JSON object"),
        (json.dumps({"explanation": "x", "confidence": "high", "diff": ""}), "numeric"),
        (json.dumps({"explanation": "x", "confidence": True, "diff": ""}), "numeric"),
        (json.dumps({"explanation": 1, "confidence": 0.5, "diff": ""}), "string"),
    ],
)
def test_malformed_answers_are_errors(raw: str, error: str) -> None:
    with pytest.raises(AnswerError, match=error):
        parse_answer(raw)


def test_answers_become_capped_proposals() -> None:
    assert parse_answer(json.dumps({"explanation": "nothing to do", "confidence": 0.1, "diff": "  "})) is None
    proposal = parse_answer(json.dumps({"explanation": "fix", "confidence": 7, "diff": "--- a/x\n+++ b/x"}))
    assert proposal is not None and proposal.source is FixSource.LLM
    assert proposal.confidence == 0.8  # clipped, and never above 0.8
    assert proposal.diff is not None and proposal.diff.endswith("\n")


def test_ranking_follows_outcomes() -> None:
    assert adjusted_score(0.9, 0, 0) == 0.9  # no history: the rule's own confidence
    assert adjusted_score(0.9, 0, 8) < 0.2  # a rule that keeps failing sinks
    assert adjusted_score(0.5, 8, 0) > 0.85  # one that works rises
    assert adjusted_score(0.9, 0, 0, diff_failed_before=True) < 0.25  # the same diff failed already


def test_commentable_lines_from_a_pr_patch() -> None:
    patch = "@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c\n@@ -10,2 +11,2 @@\n x\n+y"
    assert commentable_lines(patch) == {1, 2, 3, 4, 11, 12}


def test_suggestions_for_changed_lines_inside_the_pr_diff() -> None:
    old = "a\nb\nc\nd\n"
    new = "a\nB\nc\nd\ne\n"
    comments = suggestion_comments("f.py", old, new, {1, 2, 3, 4})
    assert comments == [
        {"path": "f.py", "line": 2, "side": "RIGHT", "body": "```suggestion\nB\n```"},
        {"path": "f.py", "line": 4, "side": "RIGHT", "body": "```suggestion\nd\ne\n```"},
    ]
    assert suggestion_comments("f.py", old, new, {1, 2}) is None  # line 4 is not in the PR diff


def test_suggestion_fences_outgrow_backticks_in_the_content() -> None:
    [comment] = suggestion_comments("README.md", "x\n", "```py\nx\n```\n", {1}) or []
    assert comment["body"].startswith("````suggestion\n")


@settings(max_examples=200, deadline=None)
@given(
    old=st.lists(st.sampled_from(["a", "b", "c", ""]), min_size=1, max_size=12),
    new=st.lists(st.sampled_from(["a", "b", "c", "d", ""]), max_size=12),
)
def test_suggestions_replayed_give_the_new_text(old: list[str], new: list[str]) -> None:
    a = "".join(x + "\n" for x in old)
    b = "".join(x + "\n" for x in new)
    comments = suggestion_comments("f", a, b, set(range(1, len(old) + 1)))
    if comments is None:
        return
    lines = a.splitlines(keepends=True)
    for c in sorted(comments, key=lambda c: -c["line"]):  # bottom-up keeps earlier line numbers valid
        start = c.get("start_line", c["line"])
        body = c["body"].split("\n", 1)[1].rsplit("```", 1)[0]
        lines[start - 1 : c["line"]] = body.splitlines(keepends=True)
    assert "".join(lines) == b
