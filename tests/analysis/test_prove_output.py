"""Perl under prove, on output perl 5.36's Test::More printed (``prove -l t``): a subtest's failures are the
subtest's, and a module that does not compile is one compile failure, not a test failure of each script."""

from __future__ import annotations

from analysis.engine import analyze_bytes
from analysis.signature import signature
from analysis.types import Failure, FailureKind

SUBTEST = """\
##[group]Run prove -l t
prove -l t
##[endgroup]

    #   Failed test 'read back'
    #   at t/box.t line 9.
    #          got: '{got}'
    #     expected: '3'
    # Looks like you failed 1 test of 2.

#   Failed test 'dimensions'
#   at t/box.t line 10.
# Looks like you failed 1 test of 2.
t/box.t ..
Dubious, test returned 1 (wstat 256, 0x100)
Failed 1/2 subtests

Test Summary Report
-------------------
t/box.t (Wstat: 256 (exited 1) Tests: 2 Failed: 1)
  Failed test:  1
  Non-zero exit status: 1
Files=1, Tests=2,  0 wallclock secs ( 0.01 usr  0.01 sys +  0.03 cusr  0.00 csys =  0.05 CPU)
Result: FAIL
##[error]Process completed with exit code 1.
"""

ROOT = "/home/runner/work/box/box"
COMPILE = """\
##[group]Run prove -l t
prove -l t
##[endgroup]
{errors}Compilation failed in require at t/area.t line 4.
BEGIN failed--compilation aborted at t/area.t line 4.
t/area.t ..
Dubious, test returned 255 (wstat 65280, 0xff00)
No subtests run
{errors}Compilation failed in require at t/broken.t line 4.
BEGIN failed--compilation aborted at t/broken.t line 4.
t/broken.t ..
Dubious, test returned 255 (wstat 65280, 0xff00)
No subtests run

Test Summary Report
-------------------
t/area.t (Wstat: 65280 (exited 255) Tests: 0 Failed: 0)
  Non-zero exit status: 255
  Parse errors: No plan found in TAP output
t/broken.t (Wstat: 65280 (exited 255) Tests: 0 Failed: 0)
  Non-zero exit status: 255
  Parse errors: No plan found in TAP output
Files=2, Tests=0,  0 wallclock secs ( 0.01 usr  0.01 sys +  0.03 cusr  0.00 csys =  0.05 CPU)
Result: FAIL
##[error]Process completed with exit code 1.
"""
GLOBAL = (
    'Global symbol "$hh" requires explicit package name (did you forget to declare "my $hh"?) at '
    f"{ROOT}/lib/Broken.pm line 7.\n"
)
SYNTAX = (
    f'syntax error at {ROOT}/lib/Broken.pm line 7, near "$w *"\n'
    f'Global symbol "$h" requires explicit package name (did you forget to declare "my $h"?) at {ROOT}/lib/Broken.pm '
    "line 7.\n"
    f"Missing right curly or square bracket at {ROOT}/lib/Broken.pm line 10, at end of line\n"
)


def _as_printed(log: str) -> str:
    """prove ends its script and subtest-count lines with a blank, which this file's lines may not."""
    return log.replace(" ..\n", " .. \n").replace("subtests\n", "subtests \n").replace("run\n", "run \n")


def failures(log: str) -> list[Failure]:
    return list(analyze_bytes(_as_printed(log).encode()).failures)


def test_a_subtest_s_failure_is_the_subtest_s_with_the_assertion_inside_it() -> None:
    (only,) = failures(SUBTEST.format(got="undef"))
    assert (only.kind, only.tool, only.test_id) == (FailureKind.TEST, "prove", "dimensions")
    assert "'undef'" in only.message  # Test::More's got/expected, joined to it
    assert (only.file, only.line) == ("t/box.t", 9)  # the assertion inside, not the subtest's closing line
    sig = signature(only, detail=SUBTEST.format(got="undef"))
    assert [i for i in sig.identifiers if i.startswith("actual:'undef'")]


def test_the_subtest_failing_with_another_value_is_another_fault() -> None:
    def key(got: str) -> str:
        log = SUBTEST.format(got=got)
        return signature(failures(log)[0], detail=log).key

    assert key("undef") == key("undef")
    assert key("undef") != key("4")


def test_a_module_that_does_not_compile_is_one_compile_failure_at_its_first_error() -> None:
    (only,) = failures(COMPILE.format(errors=GLOBAL))
    assert (only.kind, only.tool, only.test_id) == (FailureKind.COMPILE, "perl", None)
    assert (only.file, only.line) == ("lib/Broken.pm", 7)
    assert only.message.startswith('Global symbol "$hh" requires explicit package name')


def test_a_syntax_error_s_cascade_is_evidence_of_the_first_error() -> None:
    (only,) = failures(COMPILE.format(errors=SYNTAX))
    assert (only.kind, only.message, only.file, only.line) == (FailureKind.COMPILE, "syntax error", "lib/Broken.pm", 7)
    assert len(only.evidence) >= 1


def test_a_missing_module_stays_a_dependency_not_a_compile_error() -> None:
    missing = (
        "Can't locate Text/Trim.pm in @INC (you may need to install the Text::Trim module) (@INC contains: "
        f"{ROOT}/lib /etc/perl /usr/share/perl5) at {ROOT}/lib/Broken.pm line 4.\n"
    )
    found = failures(COMPILE.format(errors=missing))
    assert found and all(f.kind is not FailureKind.COMPILE for f in found)


def test_perl_s_search_path_is_the_machine_s_not_the_fault_s() -> None:
    def template(inc: str) -> str:
        message = (
            "Can't locate Text/Trim.pm in @INC (you may need to install the Text::Trim module) "
            f"({inc}) at t/a.t line 3."
        )
        return signature(Failure(FailureKind.TEST, "prove", message, test_id="t/a.t")).template

    perl536 = "@INC contains: /home/runner/work/a/a/lib /etc/perl /usr/local/lib/x86_64-linux-gnu/perl/5.36.0"
    perl538 = "@INC entries checked: /home/runner/work/a/a/lib /etc/perl /usr/local/lib/x86_64-linux-gnu/perl/5.38.2"
    assert template(perl536) == template(perl538)
    assert "text/trim.pm" in template(perl536)
