import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from githubapp.commands.parser import (
    Command,
    CommandName,
    CommandSyntaxError,
    action_identifier,
    check_run_action,
    parse_action_identifier,
    parse_comment,
)


def only(body: str) -> Command:
    parsed = parse_comment(body)
    assert not parsed.errors, parsed.errors
    assert len(parsed.commands) == 1, parsed.commands
    return parsed.commands[0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/triage help", Command(CommandName.HELP, line=1)),
        ("/triage", Command(CommandName.HELP, line=1)),  # bare word is help
        (  # any case
            "/TRIAGE Approve 1A2B3C4D ABCDEF0",
            Command(CommandName.APPROVE, fix_id="1a2b3c4d", diff_hash="abcdef0", line=1),
        ),
        (  # the hash after an "@"
            "thanks!\n\n/triage approve 1a2b3c4d@abcdef0\n",
            Command(CommandName.APPROVE, fix_id="1a2b3c4d", diff_hash="abcdef0", line=3),
        ),
        (  # a longer hash prefix is fine too
            "/triage approve 1a2b3c4d " + "ab" * 20,
            Command(CommandName.APPROVE, fix_id="1a2b3c4d", diff_hash="ab" * 20, line=1),
        ),
        (  # a command before an HTML comment that closes on its line still counts
            "/triage help <!-- the list -->",
            Command(CommandName.HELP, line=1),
        ),
        ("   /triage retry", Command(CommandName.RETRY, line=1)),  # up to 3 spaces of indentation
        (
            "/triage reject 1a2b3c4d not what we want",
            Command(CommandName.REJECT, fix_id="1a2b3c4d", reason="not what we want", line=1),
        ),
        ("/triage reject 1a2b3c4d", Command(CommandName.REJECT, fix_id="1a2b3c4d", line=1)),
        ("/triage explain", Command(CommandName.EXPLAIN, line=1)),
        (
            "/triage explain tests/a.py::test_b",
            Command(CommandName.EXPLAIN, failure="tests/a.py::test_b", line=1),
        ),
        (
            "/triage quarantine tests/a.py::test_b[x y]",
            Command(CommandName.QUARANTINE, test_id="tests/a.py::test_b[x y]", days=14, line=1),
        ),
        (
            "/triage quarantine `tests/a.py::test_b` --days 3",
            Command(CommandName.QUARANTINE, test_id="tests/a.py::test_b", days=3, line=1),
        ),
        (
            "/triage quarantine --days=30 Suite.testCase",
            Command(CommandName.QUARANTINE, test_id="Suite.testCase", days=30, line=1),
        ),
        (
            "/triage unquarantine Suite.testCase",
            Command(CommandName.UNQUARANTINE, test_id="Suite.testCase", line=1),
        ),
        (  # CRLF
            "/triage approve 1a2b3c4d abcdef0\r\n",
            Command(CommandName.APPROVE, fix_id="1a2b3c4d", diff_hash="abcdef0", line=1),
        ),
        ("x\r/triage retry", Command(CommandName.RETRY, line=2)),  # a lone CR ends a line, as in CommonMark
    ],
)
def test_commands(body: str, expected: Command) -> None:
    assert only(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "> /triage approve 1a2b3c4d",  # quoted reply
        ">> /triage approve 1a2b3c4d",  # nested quote
        "```\n/triage approve 1a2b3c4d\n```",  # fenced code
        "~~~sh\n/triage approve 1a2b3c4d\n~~~",  # tilde fence with info string
        "````\n```\n/triage approve 1a2b3c4d\n````",  # a shorter fence does not close a longer one
        "```\nnever closed\n/triage approve 1a2b3c4d",  # unclosed fence runs to the end
        "    /triage approve 1a2b3c4d",  # indented code block
        "\t/triage approve 1a2b3c4d",  # tab-indented code
        "please run `/triage approve 1a2b3c4d`",  # inline, not at line start
        "- /triage approve 1a2b3c4d",  # inside a list item
        "<!--\n/triage approve 1a2b3c4d\n-->",  # hidden in an HTML comment
        "<!-- /triage approve 1a2b3c4d -->",
        # An HTML comment opened mid-line hides the lines below it just the same (issue 19).
        "LGTM <!--\n/triage approve 1a2b3c4d abcdef0\n-->",
        "LGTM <!-- a --> and <!-- b\n/triage approve 1a2b3c4d abcdef0\n-->",
        "ok --> <!--\n/triage approve 1a2b3c4d abcdef0",  # a stray "-->" then an opening
        "x <!--\n\n/triage approve 1a2b3c4d abcdef0\n\n-->",  # blank lines do not end it for us
        "/triaged the failure already",  # another word
        "no command here",
    ],
)
def test_hidden_or_absent_commands_are_ignored(body: str) -> None:
    assert parse_comment(body).empty


def test_text_after_a_closed_fence_counts_again() -> None:
    assert only("```\ncode\n```\n/triage retry").name is CommandName.RETRY


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("/triage approve", "needs a fix id"),
        ("/triage approve 123", "not a fix id"),
        ("/triage approve 1a2b3c4d", "needs the diff's hash"),
        ("/triage approve 1a2b3c4d extra", "not a diff hash"),
        ("/triage approve 1a2b3c4d abc", "not a diff hash"),  # too short to name a diff
        ("/triage approve 1a2b3c4d abcdef0 more", "not a diff hash"),
        ("/triage retry now", "takes no arguments"),
        ("/triage quarantine", "needs a test id"),
        ("/triage quarantine t --days 0", "--days"),
        ("/triage quarantine t --days 91", "--days"),
        ("/triage quarantine t --days many", "--days"),
        ("/triage frobnicate", "unknown command"),
        ("/triage approve " + "a" * 600, "longer than"),
    ],
)
def test_bad_commands_say_why(body: str, message: str) -> None:
    parsed = parse_comment(body)
    assert not parsed.commands
    assert len(parsed.errors) == 1 and message in parsed.errors[0].message


def test_a_huge_comment_is_refused_without_parsing() -> None:
    body = "/triage approve 1a2b3c4d\n" + "x" * 1_000_000
    parsed = parse_comment(body)
    assert not parsed.commands
    assert "characters long" in parsed.errors[0].message


def test_at_most_five_commands_per_comment() -> None:
    parsed = parse_comment("\n".join(["/triage retry"] * 7))
    assert len(parsed.commands) == 5
    assert "first 5" in parsed.errors[0].message


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("fix:1a2b3c4d@abcdef0", Command(CommandName.APPROVE, fix_id="1a2b3c4d", diff_hash="abcdef0")),
        ("reject:1a2b3c4d", Command(CommandName.REJECT, fix_id="1a2b3c4d")),
        ("retry", Command(CommandName.RETRY)),
        ("explain", Command(CommandName.EXPLAIN)),
    ],
)
def test_button_identifiers(identifier: str, expected: Command) -> None:
    assert parse_action_identifier(identifier) == expected
    assert action_identifier(expected.name, expected.fix_id, expected.diff_hash) == identifier


# "approve:<id>": a button of a report made before approvals named their diff; "fix:<id>": no hash.
@pytest.mark.parametrize(
    "identifier", ["approve", "approve:zz", "approve:1a2b3c4d", "fix:1a2b3c4d", "retry:1", "rm -rf", ""]
)
def test_bad_button_identifiers(identifier: str) -> None:
    with pytest.raises(CommandSyntaxError):
        parse_action_identifier(identifier)


def test_check_run_action_fits_github_limits() -> None:
    action = check_run_action(
        "Approve fix 1a2b3c4d now",
        "Commit the suggested fix to the PR branch please",
        CommandName.APPROVE,
        "1a2b3c4d",
        "abcdef0123456789",
    )
    assert action["identifier"] == "fix:1a2b3c4d@abcdef0"
    assert len(action["label"]) <= 20 and len(action["description"]) <= 40
    assert len(action["identifier"]) <= 20


_prefixes = st.sampled_from(["> ", "    ", "\t", "- ", "`", "* ", "> > "])


@settings(max_examples=300, deadline=None)
@given(prefix=_prefixes, tail=st.text(max_size=40), lead=st.text(max_size=200))
def test_quoted_or_indented_commands_never_run(prefix: str, tail: str, lead: str) -> None:
    # Whatever surrounds it, a /triage line with a quote or code prefix never yields a command.
    body = lead + "\n" + prefix + "/triage approve 1a2b3c4d" + tail.replace("\n", " ")
    hidden_line = len(re.split(r"\r\n|\r|\n", body))  # lines end as CommonMark reads them
    assert all(c.line != hidden_line for c in parse_comment(body).commands)


@settings(max_examples=300, deadline=None)
@given(body=st.text(max_size=500))
def test_parser_never_crashes(body: str) -> None:
    parsed = parse_comment(body)
    assert len(parsed.commands) <= 5
