"""``/triage ...`` commands in PR comments and check-run button identifiers. Pure: text in, values out.

A command counts only where a reader sees it as one: at the start of a line (up to three spaces of
indentation), outside block quotes, fenced or indented code blocks and HTML comments. Anything else that
merely mentions ``/triage`` (a quoted reply, an example in a code block) is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from analysis.regex import IGNORECASE, compile_linear

MAX_COMMENT_CHARS = 65_536  # GitHub's own limit on a comment body
MAX_COMMANDS = 5
MAX_ARGUMENT_CHARS = 500
MAX_QUARANTINE_DAYS = 90
DEFAULT_QUARANTINE_DAYS = 14
FIX_ID = compile_linear(r"^[0-9a-f]{8}$")

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
    test_id: str | None = None
    reason: str | None = None
    failure: str | None = None
    days: int | None = None
    line: int = 0  # 1-based line of the comment; 0 for a button

    def describe(self) -> str:
        """Short canonical form for replies and the audit log."""
        parts = ["/triage", self.name.value]
        for value in (self.fix_id, self.test_id, self.failure):
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
| `/triage approve <fix-id>` | commit the suggested fix to the pull request branch |
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
    for number, raw in enumerate(body.split("\n"), 1):
        line = raw.rstrip("\r")
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]} and len(line) - len(line.lstrip()) < 4:
                fence = None
            continue
        if in_html_comment:
            if "-->" in line:
                in_html_comment = False
            continue
        opened = _FENCE_OPEN.match(line)
        if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
            fence = opened.group(1)
            continue
        if line.lstrip().startswith("<!--"):
            in_html_comment = "-->" not in line.split("<!--", 1)[1]
            continue
        if _COMMAND_LINE.match(line):
            found.append((number, line.strip()))
    return found


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
        return Command(CommandName.APPROVE, fix_id=_fix_id(args, verb), line=line)
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
    raise CommandSyntaxError(f"unknown command `{verb[:40]}`; `/triage help` lists the commands")


def _fix_id(value: str, verb: str) -> str:
    value = _unquote(value.strip()).lower()
    if not value:
        raise CommandSyntaxError(f"`/triage {verb}` needs a fix id, e.g. `/triage {verb} 1a2b3c4d`")
    if not FIX_ID.match(value):
        raise CommandSyntaxError(f"`{value[:40]}` is not a fix id (8 hexadecimal characters, e.g. 1a2b3c4d)")
    return value


def _test_id(value: str, verb: str) -> str:
    value = _unquote(value.strip())
    if not value:
        raise CommandSyntaxError(
            f"`/triage {verb}` needs a test id, e.g. `/triage {verb} tests/test_api.py::test_login`"
        )
    return value


def _days(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_QUARANTINE_DAYS:
        raise CommandSyntaxError(f"--days must be a whole number from 1 to {MAX_QUARANTINE_DAYS}, got `{raw[:20]}`")
    return int(raw)


def _unquote(value: str) -> str:
    for quote in ("`", '"', "'"):
        if len(value) >= 2 and value.startswith(quote) and value.endswith(quote):
            return value[1:-1].strip()
    return value


# Check-run buttons: identifiers are at most 20 characters (GitHub), so only short forms exist.
ACTION_IDENTIFIER_MAX = 20


def action_identifier(name: CommandName, fix_id: str | None = None) -> str:
    identifier = f"{name.value}:{fix_id}" if fix_id else name.value
    if len(identifier) > ACTION_IDENTIFIER_MAX:
        raise ValueError(f"check-run action identifier {identifier!r} is longer than {ACTION_IDENTIFIER_MAX}")
    return identifier


def parse_action_identifier(identifier: str) -> Command:
    """A button's identifier: ``approve:<id>``, ``reject:<id>``, ``retry``, ``explain``, ``help``."""
    verb, _, argument = identifier.strip().partition(":")
    verb = verb.lower()
    if verb in ("approve", "reject"):
        return Command(CommandName(verb), fix_id=_fix_id(argument, verb))
    if verb in ("retry", "explain", "help") and not argument:
        return Command(CommandName(verb))
    raise CommandSyntaxError(f"unknown button `{identifier[:40]}`")


def check_run_action(label: str, description: str, name: CommandName, fix_id: str | None = None) -> dict[str, str]:
    """One entry of a check run's ``actions`` (label ≤ 20, description ≤ 40 characters)."""
    return {
        "label": label[:20],
        "description": description[:40],
        "identifier": action_identifier(name, fix_id),
    }
