"""A panic under ``go test -json`` (test2json wraps what -v prints, line by line, in output events keyed by the
test): the panic is the test's message and its goroutine dump its frames, as under -v, whatever failed before."""

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
