"""Log text as a reader wants it: excerpts without escape codes (in any notation) or runner boilerplate, and a
headline that is the failure's own message rather than a package manager's help line or the runner's exit line.

Pure; every pattern here sees log text, so each is linear (``analysis.regex.compile_linear``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from analysis.regex import IGNORECASE, compile_linear

# A CSI or two-character escape sequence introduced by a real ESC or by any printed spelling of it: caret
# notation (``^[``, as `cat -v` and some CI log viewers show it), and the ``\x1b``, ``\033``, ``\u001b``,
# ``\e`` spellings of shell scripts and JSON-encoded logs.
_ESCAPE = compile_linear(
    r"(?:\x1b|\^\[|\\x1[bB]|\\033|\\u001[bB]|\\e)\[[0-9;?]*[ -/]*[@-~]"
    r"|\x1b[ -/]{0,3}[0-~]"  # a real ESC: any other sequence (charset, keypad, reset)
    r"|\^\[[()][0-9A-Za-z]"  # caret notation of a charset switch (``^[(B`` after colours)
)
# A terminal hyperlink or title (OSC ... BEL/ST) with a real ESC: the visible text stays, the payload goes.
_OSC = compile_linear(r"\x1b\][^\x07\x1b]{0,1000}(?:\x07|\x1b\\)")
# Control characters other than tab render as garbage or are rejected by GitHub.
_CONTROL = compile_linear(r"[\x00-\x08\x0a-\x1f\x7f]")
# The GitHub Actions line prefix: optional BOM, then an ISO timestamp (7 fractional digits in practice).
_TIMESTAMP = compile_linear(r"^\ufeff?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?")
# Workflow commands the runner prints (``##[group]Run yarn lint``): the marker goes, the words stay.
_MARKER = compile_linear(r"^##\[(?:group|endgroup|error|warning|notice|debug|command|section)\]")
_MARKER_ONLY = compile_linear(r"^##\[(?:endgroup|debug)\]")
# Lines that belong to the runner, never to the failure.
_RUNNER = compile_linear(
    r"^(?:##\[error\])?Process completed with exit code \d+\.?$"
    r"|^\[command\]\S*git(?:\.exe)? "
    r"|^Post job cleanup\.?$"
    r"|^Cleaning up orphan processes$"
    r"|^Temporarily overriding HOME="
    r"|^Adding repository directory to the temporary git global config"
    r"|^Evaluate and set (?:job outputs|environment url)$"
)
POST_JOB = compile_linear(r"^(?:##\[group\])?Post job cleanup\.?$|^(?:##\[group\])?Post Run \S")
# Help and wrapper lines of package managers and build drivers: they say a command failed, not why.
_WRAPPER = compile_linear(
    r"^info Visit https?://\S*yarnpkg\.com/"
    r"|^error Command failed with exit code \d+"
    r"|^npm (?:ERR!|error)\s+(?:A complete log of this run|code E?LIFECYCLE|errno |Lifecycle script|"
    r"Failed at the |This is probably not a problem with npm|command failed|command sh -c|path /|"
    r"workspace |location /|Exit status |\S*[/\\]_logs[/\\])"
    r"|^npm (?:ERR!|error)\s*$"
    r"|ELIFECYCLE\s+Command failed with exit code \d+"
    r"|^ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL "
    r"|^make(?:\[\d+\])?: \*\*\* \[[^\]]{0,500}\] Error \d+$"
    r"|^Error: Process completed with exit code \d+",
    IGNORECASE,
)
# A line that reads like an error, for a headline taken from the excerpt.
_ERRORISH = compile_linear(
    r"error|err!|fail|fatal|exception|panic|denied|refused|unable to|cannot|timed? ?out|\[warn\]|"
    + "\u2716|\u2717|\u00d7",
    IGNORECASE,
)


def clean_line(line: str) -> str:
    """One log line without its timestamp, escape codes (any notation), runner markers or control characters."""
    line = _TIMESTAMP.sub("", line.rstrip("\r\n").replace("\ufeff", ""))
    line = _OSC.sub("", line)
    line = _ESCAPE.sub("", line)
    line = _MARKER.sub("", line)
    return _CONTROL.sub("", line)


def is_runner_line(raw: str) -> bool:
    """The runner's own lines: its exit line, post-job ``git`` cleanup, bare group ends and debug output."""
    text = _TIMESTAMP.sub("", raw.strip().replace("\ufeff", ""))
    return bool(_MARKER_ONLY.search(text) or _RUNNER.search(clean_line(text).strip()))


def is_wrapper_line(line: str) -> bool:
    """A package manager's help line or a build driver's "command failed": never the failure's own words."""
    text = clean_line(line).strip()
    return bool(_RUNNER.search(text) or _WRAPPER.search(text))


def clean_excerpt(lines: Iterable[str]) -> list[str]:
    """An excerpt for a reader: cleaned lines, the runner's boilerplate and package managers' help lines
    dropped, nothing after post-job cleanup begins, and no leading, trailing or repeated blank lines."""
    out: list[str] = []
    for raw in lines:
        stripped = _TIMESTAMP.sub("", raw.strip().replace("\ufeff", ""))
        if POST_JOB.search(stripped):
            break  # what follows is the runner tidying up: checkout's git cleanup, cache saving
        if is_runner_line(raw) or is_wrapper_line(raw):
            continue
        line = clean_line(raw).rstrip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def headline(message: str, excerpt: Sequence[str] = ()) -> str:
    """The failure's own message in one line: the first line of the message that is not a wrapper's; when the
    message holds only wrapper lines, the first error-like line of the excerpt that is not one either."""
    lines = [clean_line(x).strip() for x in message.splitlines()]
    for line in lines:
        if line and not is_wrapper_line(line):
            return line
    cleaned = [x.strip() for x in clean_excerpt(excerpt)]
    for line in cleaned:
        if line and not is_wrapper_line(line) and _ERRORISH.search(line):
            return line
    return next((line for line in lines if line), "")
