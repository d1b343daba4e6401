"""go test's output: a panic under ``-json`` (test2json wraps what -v prints, line by line, in output events keyed
by the test) is the test's message and its goroutine dump its frames, as under -v; a timeout names the test it
stopped (go 1.21+ lists it, -v's last ``=== RUN`` started it), never the generated ``_testmain.go``."""

from __future__ import annotations

import json

from analysis.engine import analyze_bytes

ROOT = "/home/runner/work/invoice/invoice"
PKG = "example.com/invoice/invoice"


def _event(test: str, output: str | None = None, action: str = "output") -> str:
    event = {"Time": "2026-12-06T14:07:41.840349136Z", "Action": action, "Package": PKG, "Test": test}
    if output is not None:
        event["Output"] = output
    return json.dumps(event, separators=(",", ":"))


def _log(*, dump: bool = True) -> bytes:
    lines = [
        "##[group]Run go test -json ./...",
        "go test -json ./...",
        "##[endgroup]",
        _event("TestTotals", "=== RUN   TestTotals\n"),
        _event("TestTotals", "    invoice_test.go:21: Total() = 12750, want 14250\n"),
        _event("TestTotals", "--- FAIL: TestTotals (0.00s)\n"),
        _event("TestTotals", action="fail"),
        _event("TestSummary", "=== RUN   TestSummary\n"),
        _event("TestSummary", "--- FAIL: TestSummary (0.00s)\n"),
        _event("TestSummary", "panic: assignment to entry in nil map [recovered]\n"),
        _event("TestSummary", "\tpanic: assignment to entry in nil map\n"),
        _event("TestSummary", "\n"),
        _event("TestSummary", "goroutine 8 [running]:\n"),
    ]
    if dump:
        lines += [
            _event("TestSummary", "testing.tRunner.func1.2({0x50f3a0, 0x559d80})\n"),
            _event("TestSummary", "\t/usr/lib/go-1.19/src/testing/testing.go:1396 +0x24e\n"),
            _event("TestSummary", "example.com/invoice/invoice.(*Invoice).Summary(...)\n"),
            _event("TestSummary", f"\t{ROOT}/invoice/invoice.go:56\n"),
            _event("TestSummary", "example.com/invoice/invoice.TestSummary(0xc0000a01a0)\n"),
            _event("TestSummary", f"\t{ROOT}/invoice/invoice_test.go:47 +0x1e5\n"),
        ]
    lines += [_event("TestSummary", action="fail"), "##[error]Process completed with exit code 1."]
    return ("\n".join(lines) + "\n").encode()


def test_the_panic_is_the_test_s_message_and_its_dump_its_frames() -> None:
    failures = {f.test_id: f for f in analyze_bytes(_log()).failures}
    assert failures["TestTotals"].message == "Total() = 12750, want 14250"
    summary = failures["TestSummary"]
    assert summary.message == "assignment to entry in nil map"  # as -v reads it, " [recovered]" aside
    assert (summary.file, summary.line) == ("invoice/invoice.go", 56)
    assert (summary.test_file, summary.test_line) == ("invoice/invoice_test.go", 47)
    assert (failures["TestTotals"].file, failures["TestTotals"].line) != ("invoice/invoice.go", 56)


def test_without_its_dump_the_panic_is_still_its_message() -> None:
    summary = {f.test_id: f for f in analyze_bytes(_log(dump=False)).failures}["TestSummary"]
    assert summary.message == "assignment to entry in nil map"


TIMEOUT_DUMP = [
    "goroutine 1 [chan receive]:",
    "testing.(*T).Run(0x9c942d0, {0x8160e7b, 0x8}, 0x816b5a4)",
    "\t/usr/lib/go-1.19/src/testing/testing.go:1494 +0x393",
    "main.main()",
    "\t_testmain.go:47 +0x185",
    "goroutine 18 [semacquire]:",
    "sync.(*Mutex).Lock(0x9c9c050)",
    "\t/usr/lib/go-1.19/src/sync/mutex.go:90 +0x4c",
    "example.com/invoice/seq.(*Registry).Issued(0x9c9c050)",
    f"\t{ROOT}/seq/seq.go:30 +0x3d",
    "example.com/invoice/seq.TestNext(0x9c94690)",
    f"\t{ROOT}/seq/seq_test.go:7 +0x5e",
]


def _timeout(head: list[str]) -> bytes:
    lines = ["##[group]Run go test -v ./...", "go test -v ./...", "##[endgroup]", *head, *TIMEOUT_DUMP]
    lines += ["FAIL\texample.com/invoice/seq\t10.012s", "##[error]Process completed with exit code 1."]
    return ("\n".join(lines) + "\n").encode()


def test_a_timeout_names_the_test_the_last_run_line_started() -> None:
    head = ["=== RUN   TestIssued", "--- PASS: TestIssued (0.00s)", "=== RUN   TestNext"]
    head.append("panic: test timed out after 10s")
    (only,) = analyze_bytes(_timeout(head)).failures
    assert (only.kind.value, only.test_id, only.message) == ("timeout", "TestNext", "test timed out after 10s")
    assert (only.file, only.line) == ("seq/seq.go", 30)  # not go test's generated _testmain.go


def test_a_timeout_names_the_test_go_lists_as_running() -> None:
    head = ["panic: test timed out after 10s", "\trunning tests:", "\t\tTestNext (10s)", ""]
    (only,) = analyze_bytes(_timeout(head)).failures
    assert only.test_id == "TestNext"


def test_without_v_a_timeout_names_the_test_function_in_its_goroutine_dump() -> None:
    (only,) = analyze_bytes(_timeout(["panic: test timed out after 10s"])).failures
    assert only.test_id == "TestNext"
