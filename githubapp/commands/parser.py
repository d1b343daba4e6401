"""``/triage ...`` commands in PR comments and check-run button identifiers. Pure: text in, values out.

A command counts only where a reader sees it as one: at the start of a line (up to three spaces of
indentation), outside block quotes, fenced or indented code blocks and HTML comments. Anything else that
merely mentions ``/triage`` (a quoted reply, an example in a code block) is ignored. An HTML comment hides
everything from its ``<!--`` wherever it opens (mid-line too) to its ``-->``: when in doubt, a command that
might not be shown does not run. Lines end at ``\r\n``, ``\r`` or ``\n``, as CommonMark reads them.

``approve`` carries the short hash of the diff it approves (``/triage approve <id> <hash>`` or
``<id>@<hash>``), as shown next to the diff: what runs is what the approver saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from analysis.regex import IGNORECASE, compile_linear

from ..escaping import code_span

MAX_COMMENT_CHARS = 65_536  # GitHub's own limit on a comment body
MAX_COMMANDS = 5
MAX_ARGUMENT_CHARS = 500
MAX_QUARANTINE_DAYS = 90
DEFAULT_QUARANTINE_DAYS = 14
FIX_ID = compile_linear(r"^[0-9a-f]{8}$")
DIFF_HASH_CHARS = 7  # the short hash shown beside a diff (a prefix of its sha256)
DIFF_HASH = compile_linear(r"^[0-9a-f]{7,64}$")
_LINE_END = compile_linear(r"\r\n|\r|\n")

_COMMAND_LINE = compile_linear(r"^ {0,3}/triage(|\s.*)$", IGNORECASE)
_FENCE_OPEN = compile_linear(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_DAYS = compile_linear(r"(?:^|\s)--days(?:=|\s+)(\S+)", IGNORECASE)


class CommandName(StrEnum):
    HELP = "help"
    APPROVE = "approve"
    REJECT = "reject"
    RETRY = "retry"
    EXPLAIN = "explain"
    QUARANTINE = "quarantine"
    UNQUARANTINE = "unquarantine"


@dataclass(frozen=True)
class Command:
    name: CommandName
    fix_id: str | None = None
    diff_hash: str | None = None  # approve: the short hash of the diff the approver saw
    test_id: str | None = None
    reason: str | None = None
    failure: str | None = None
    days: int | None = None
    line: int = 0  # 1-based line of the comment; 0 for a button

    def describe(self) -> str:
        """Short canonical form for replies and the audit log."""
        parts = ["/triage", self.name.value]
        for value in (self.fix_id, self.diff_hash, self.test_id, self.failure):
            if value:
                parts.append(value)
        if self.days is not None:
            parts.append(f"--days {self.days}")
        return " ".join(parts)


@dataclass(frozen=True)
class CommandError:
    message: str
    line: int = 0
    text: str = ""


@dataclass(frozen=True)
class Parsed:
    commands: tuple[Command, ...] = ()
    errors: tuple[CommandError, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.commands and not self.errors


HELP_TEXT = """\
**ci-triage commands** (people with write, maintain or admin permission on this repository; one per line, \
at the start of the line):

| command | what it does |
|---|---|
| `/triage help` | this list |
| `/triage approve <fix-id> <hash>` | commit the suggested fix to the pull request branch (`<hash>`: the diff's \
short hash, shown beside it) |
| `/triage reject <fix-id> [reason]` | dismiss a suggested fix (the reason is recorded) |
| `/triage retry` | re-run the failed jobs of the pull request's latest failed run |
| `/triage explain [failure]` | a longer explanation of a failure (number or test id; default: the first) |
| `/triage quarantine <test-id> [--days N]` | mark a test as quarantined (default 14 days, at most 90) |
| `/triage unquarantine <test-id>` | end a quarantine |
"""


def command_lines(body: str) -> list[tuple[int, str]]:
    """(line number, text) of the lines that read as ``/triage`` commands, skipping quotes and code."""
    found: list[tuple[int, str]] = []
    fence: str | None = None
    in_html_comment = False
    for number, line in enumerate(_LINE_END.split(body), 1):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]} and len(line) - len(line.lstrip()) < 4:
                fence = None
            continue
        if in_html_comment:
            in_html_comment = _comment_open_after(line, True)
            continue  # text after "-->" on that line does not start a line
        opened = _FENCE_OPEN.match(line)
        if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
            fence = opened.group(1)
            continue
        if "<!--" in line:
            # Wherever it opens: "LGTM <!--" hides the lines below as well as a comment at a line start.
            in_html_comment = _comment_open_after(line, False)
            visible = line[: line.index("<!--")]
            if not in_html_comment and _COMMAND_LINE.match(visible):
                found.append((number, visible.strip()))  # "/triage help <!-- a note -->"
            continue
        if _COMMAND_LINE.match(line):
            found.append((number, line.strip()))
    return found


def _comment_open_after(line: str, open_before: bool) -> bool:
    """Whether an HTML comment is still open at the end of ``line`` (comments do not nest)."""
    pos, is_open = 0, open_before
    while True:
        found = line.find("-->" if is_open else "<!--", pos)
        if found < 0:
            return is_open
        pos, is_open = found + (3 if is_open else 4), not is_open


def parse_comment(body: str, *, max_chars: int = MAX_COMMENT_CHARS, max_commands: int = MAX_COMMANDS) -> Parsed:
    if "/triage" not in body.lower():
        return Parsed()
    if len(body) > max_chars:
        return Parsed(
            errors=(
                CommandError(
                    f"this comment is {len(body):,} characters long; commands are read only from comments "
                    f"of at most {max_chars:,} characters, so nothing was done"
                ),
            )
        )
    lines = command_lines(body)
    commands: list[Command] = []
    errors: list[CommandError] = []
    for number, text in lines[:max_commands]:
        try:
            commands.append(parse_command_line(text, line=number))
        except CommandSyntaxError as exc:
            errors.append(CommandError(str(exc), number, text[:200]))
    if len(lines) > max_commands:
        errors.append(
            CommandError(
                f"only the first {max_commands} commands of a comment are run",
                lines[max_commands][0],
                lines[max_commands][1][:200],
            )
        )
    return Parsed(tuple(commands), tuple(errors))


class CommandSyntaxError(ValueError):
    pass


def parse_command_line(text: str, *, line: int = 0) -> Command:
    match = _COMMAND_LINE.match(text)
    if not match:
        raise CommandSyntaxError("not a /triage command")
    rest = match.group(1).strip()
    if len(rest) > MAX_ARGUMENT_CHARS:
        raise CommandSyntaxError(f"the command is longer than {MAX_ARGUMENT_CHARS} characters")
    verb, _, args = rest.partition(" ")
    verb = verb.lower()
    args = args.strip()
    if verb in ("", "help"):
        return Command(CommandName.HELP, line=line)
    if verb == "approve":
        fix, diff_hash = _fix_and_hash(args)
        return Command(CommandName.APPROVE, fix_id=fix, diff_hash=diff_hash, line=line)
    if verb == "reject":
        fix, _, reason = args.partition(" ")
        return Command(CommandName.REJECT, fix_id=_fix_id(fix, verb), reason=reason.strip() or None, line=line)
    if verb == "retry":
        if args:
            raise CommandSyntaxError("`/triage retry` takes no arguments")
        return Command(CommandName.RETRY, line=line)
    if verb == "explain":
        return Command(CommandName.EXPLAIN, failure=_unquote(args) or None, line=line)
    if verb == "quarantine":
        days = DEFAULT_QUARANTINE_DAYS
        option = _DAYS.search(args)
        if option:
            days = _days(option.group(1))
            args = (args[: option.start()] + " " + args[option.end() :]).strip()
        return Command(CommandName.QUARANTINE, test_id=_test_id(args, verb), days=days, line=line)
    if verb == "unquarantine":
        return Command(CommandName.UNQUARANTINE, test_id=_test_id(args, verb), line=line)
    raise CommandSyntaxError(f"unknown command {code_span(verb, limit=40)}; `/triage help` lists the commands")


def _fix_id(value: str, verb: str) -> str:
    value = _unquote(value.strip()).lower()
    if not value:
        raise CommandSyntaxError(f"`/triage {verb}` needs a fix id, e.g. `/triage {verb} 1a2b3c4d`")
    if not FIX_ID.match(value):
        raise CommandSyntaxError(
            f"{code_span(value, limit=40)} is not a fix id (8 hexadecimal characters, e.g. 1a2b3c4d)"
        )
    return value


def _fix_and_hash(args: str) -> tuple[str, str]:
    """``<id> <hash>`` or ``<id>@<hash>``: the fix and the short hash of the diff the approver saw."""
    words = _unquote(args.strip()).replace("@", " ").split()
    fix_id = _fix_id(words[0] if words else "", "approve")
    if len(words) < 2:
        raise CommandSyntaxError(
            f"`/triage approve` needs the diff's hash too, as shown beside the diff: "
            f"`/triage approve {fix_id} <hash>`; nothing was done"
        )
    diff_hash = words[1].lower()
    if len(words) > 2 or not DIFF_HASH.match(diff_hash):
        raise CommandSyntaxError(
            f"{code_span(' '.join(words[1:]), limit=40)} is not a diff hash (at least {DIFF_HASH_CHARS} "
            "hexadecimal characters, as shown beside the diff)"
        )
    return fix_id, diff_hash


def _test_id(value: str, verb: str) -> str:
    value = _unquote(value.strip())
    if not value:
        raise CommandSyntaxError(
            f"`/triage {verb}` needs a test id, e.g. `/triage {verb} tests/test_api.py::test_login`"
        )
    return value


def _days(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_QUARANTINE_DAYS:
        raise CommandSyntaxError(
            f"--days must be a whole number from 1 to {MAX_QUARANTINE_DAYS}, got {code_span(raw, limit=20)}"
        )
    return int(raw)


def _unquote(value: str) -> str:
    for quote in ("`", '"', "'"):
        if len(value) >= 2 and value.startswith(quote) and value.endswith(quote):
            return value[1:-1].strip()
    return value


# Check-run buttons: identifiers are at most 20 characters (GitHub), so only short forms exist. Approving
# is ``fix:<id>@<hash>`` (4 + 8 + 1 + 7 = 20): the button carries the hash of the diff the check run shows.
ACTION_IDENTIFIER_MAX = 20
APPROVE_ACTION = "fix"


def action_identifier(name: CommandName, fix_id: str | None = None, diff_hash: str | None = None) -> str:
    if name is CommandName.APPROVE:
        if not fix_id or not diff_hash:
            raise ValueError("an approve button needs the fix id and the diff's hash")
        identifier = f"{APPROVE_ACTION}:{fix_id}@{diff_hash[:DIFF_HASH_CHARS]}"
    else:
        identifier = f"{name.value}:{fix_id}" if fix_id else name.value
    if len(identifier) > ACTION_IDENTIFIER_MAX:
        raise ValueError(f"check-run action identifier {identifier!r} is longer than {ACTION_IDENTIFIER_MAX}")
    return identifier


def parse_action_identifier(identifier: str) -> Command:
    """A button's identifier: ``fix:<id>@<hash>`` (approve), ``reject:<id>``, ``retry``, ``explain``, ``help``."""
    verb, _, argument = identifier.strip().partition(":")
    verb = verb.lower()
    if verb == APPROVE_ACTION:
        fix_id, diff_hash = _fix_and_hash(argument)
        return Command(CommandName.APPROVE, fix_id=fix_id, diff_hash=diff_hash)
    if verb == "approve":  # buttons of reports made before approvals carried the diff's hash
        raise CommandSyntaxError(
            "this button predates approvals that name the diff they approve; comment "
            "`/triage approve <id> <hash>` as shown beside the diff instead. Nothing was done"
        )
    if verb == "reject":
        return Command(CommandName.REJECT, fix_id=_fix_id(argument, verb))
    if verb in ("retry", "explain", "help") and not argument:
        return Command(CommandName(verb))
    raise CommandSyntaxError(f"unknown button {code_span(identifier, limit=40)}")


def check_run_action(
    label: str, description: str, name: CommandName, fix_id: str | None = None, diff_hash: str | None = None
) -> dict[str, str]:
    """One entry of a check run's ``actions`` (label ≤ 20, description ≤ 40 characters)."""
    return {
        "label": label[:20],
        "description": description[:40],
        "identifier": action_identifier(name, fix_id, diff_hash),
    }
