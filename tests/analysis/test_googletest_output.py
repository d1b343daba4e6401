"""googletest under CTest (--output-on-failure), as googletest 1.12 prints it: an exception thrown in the test
body is the failure's message; EXPECT_NEAR's "evaluates to" lines say what the code computed."""

from __future__ import annotations

from analysis.engine import analyze_bytes
from analysis.signature import signature

ROOT = "/home/runner/work/textstats/textstats"


def _log(*output: str, test: str = "Report.ListsTopWords") -> bytes:
    lines = [
        "##[group]Run ctest --test-dir build --output-on-failure",
        "ctest --test-dir build --output-on-failure",
        "##[endgroup]",
        f"Test project {ROOT}/build",
        f"      Start  1: {test}",
        f" 1/1 Test  #1: {test} ..........***Failed    0.00 sec",
        "Running main() from ./googletest/src/gtest_main.cc",
        f"[ RUN      ] {test}",
        *output,
        f"[  FAILED  ] {test} (0 ms)",
        "",
        "0% tests passed, 1 tests failed out of 1",
        "The following tests FAILED:",
        f"\t  1 - {test} (Failed)",
        "##[error]Process completed with exit code 8.",
    ]
    return ("\n".join(lines) + "\n").encode()


def test_an_exception_thrown_in_the_test_body_is_the_failure_s_message() -> None:
    thrown = 'C++ exception with description "vector::_M_range_check: __n (which is 4) >= this->size() (which is 4)"'
    (only,) = analyze_bytes(_log("unknown file: Failure", thrown + " thrown in the test body.")).failures
    assert (only.test_id, only.message) == ("Report.ListsTopWords", thrown + " thrown in the test body.")


def test_expect_near_s_computed_value_tells_two_faults_apart() -> None:
    def near(got: str) -> str:
        data = _log(
            f"{ROOT}/tests/test_stats.cpp:34: Failure",
            "The difference between textstats::mean_length(words) and 2.3333 is 1.3333, which exceeds 1e-3, where",
            f"textstats::mean_length(words) evaluates to {got},",
            "2.3333 evaluates to 2.3332999999999999, and",
            "1e-3 evaluates to 0.001.",
            test="Stats.MeanLength",
        )
        (only,) = analyze_bytes(data).failures
        assert (only.file, only.line) == ("tests/test_stats.cpp", 34)
        return signature(only, detail=data.decode()).key

    assert near("1") == near("1")
    assert near("1") != near("1.75")


def test_a_parameterized_test_is_named_as_ctest_names_it_once() -> None:
    """gtest_discover_tests names a TEST_P by its parameter's value, blanks and quotes included; googletest's own
    ``[  FAILED  ]`` line under it names it by index: one failure, CTest's name."""
    test = 'Ratios/PercentTest.Formats/(1, "100.0%")'
    data = _log(
        f"{ROOT}/tests/test_format.cpp:14: Failure",
        "Expected equality of these values:",
        "  textstats::percent(ratio)",
        '    Which is: "100%"',
        "  expected",
        '    Which is: "100.0%"',
        test=test,
    )
    by_index = b'[  FAILED  ] Ratios/PercentTest.Formats/2, where GetParam() = (1, "100.0%")'
    data = data.replace(f"[  FAILED  ] {test} (0 ms)".encode(), by_index)
    (only,) = analyze_bytes(data).failures
    assert (only.test_id, only.file, only.line) == (test, "tests/test_format.cpp", 14)
