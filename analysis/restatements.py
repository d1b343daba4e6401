"""Failures that only restate another: a runner's exit status, a build tool's "goal failed" wrapper.

``exit status 1``, ``npm ERR! code ELIFECYCLE`` or ``Could not compile `crate`.`` say *that* a step failed, never
*what* failed. Reported beside a specific failure they add a row to the report and, worse, a pattern that every
failing log of that tool shares: two unrelated faults would look "seen before" through their wrappers. So a
restatement is dropped when the same analysis holds a failure that says more; alone, it stays (it is then the
best account there is of the failure).
"""

from __future__ import annotations

from collections.abc import Sequence

from .regex import compile_linear
from .types import Failure

_RESTATEMENT = compile_linear(
    r"^(?:"
    r"exit status \d+"  # go test / go build
    r"|(?:Process completed|Command failed|exited) with exit code -?\d+\.?"
    r"|error Command failed with exit code \d+\.?"  # yarn
    r"|The command \".*\" (?:failed and )?exited with \d+\."  # Travis
    r"|npm ERR! (?:code ELIFECYCLE|errno -?\d+|Test failed\.\s+See above for more details\.)"
    r"|Error: will not run after-build due to previous exit code of \d+"
    r"|(?:error: )?[Cc]ould not compile `[^`]+`.*"  # cargo, after rustc's own errors
    r"|make(?:\[\d+\])?: \*\*\* \[[^\]]*\] Error \d+"
    r"|(?:\[ERROR\] )?Failed to execute goal \S+ \([^)]*\) on project \S+: "
    r"(?:There (?:are|were) test failures|Compilation failure|There are \d+ errors?)\b.*"
    r"|(?:Caused by: )?(?:[a-z]\w*\.)+(?:MojoExecutionException|MojoFailureException)(?:: wrap:.*)?"
    r"|(?:Caused by: )?java\.lang\.(?:RuntimeException|InterruptedException)"  # bare: no message of its own
    r")\s*$"
)


def is_restatement(failure: Failure) -> bool:
    """True when the failure's message only says that something failed."""
    if failure.test_id:
        return False
    first_line = failure.message.strip().split("\n", 1)[0]
    return bool(_RESTATEMENT.match(first_line))


def drop_restatements(failures: Sequence[Failure]) -> list[Failure]:
    """The failures without the restatements, unless restatements are all there is."""
    specific = [f for f in failures if not is_restatement(f)]
    return specific if specific else list(failures)
