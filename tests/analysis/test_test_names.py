"""Failing tests named as the tools' structured reports name them (JUnit XML ``Class.method``, ExUnit's
``Module.test name``), read from each tool's documented console output."""

from __future__ import annotations

from analysis.engine import analyze_text

JUNIT_PLATFORM = """\
$ java -jar junit-platform-console-standalone.jar -cp build --select-class com.acme.InvoiceTest
Failures (2):
  JUnit Jupiter:InvoiceTest:taxIsRounded()
    MethodSource [className = 'com.acme.InvoiceTest', methodName = 'taxIsRounded', methodParameterTypes = '']
    => org.opentest4j.AssertionFailedError: expected: <3.8> but was: <3.79>
       org.junit.jupiter.api.Assertions.assertEquals(Assertions.java:1011)
       com.acme.InvoiceTest.taxIsRounded(InvoiceTest.java:21)
       java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
  JUnit Jupiter:InvoiceTest:formatsCents(long, String):[3] 123456 cents
    MethodSource [className = 'com.acme.InvoiceTest', methodName = 'formatsCents', methodParameterTypes = 'long']
    => org.opentest4j.AssertionFailedError: expected: <1,234.56> but was: <1234.56>
       com.acme.InvoiceTest.formatsCents(InvoiceTest.java:39)

[         2 tests failed          ]
"""


def test_junit_platform_console_names_class_method_and_the_parametrized_invocation() -> None:
    failures = analyze_text(JUNIT_PLATFORM).failures
    names = [f.test_id for f in failures]
    assert names == ["com.acme.InvoiceTest.taxIsRounded", "com.acme.InvoiceTest.formatsCents[3]"]
    assert [(f.test_file, f.test_line) for f in failures] == [
        ("src/test/java/com/acme/InvoiceTest.java", 21),
        ("src/test/java/com/acme/InvoiceTest.java", 39),
    ]


def test_junitcore_names_class_method() -> None:
    log = (
        "$ java org.junit.runner.JUnitCore com.acme.TaxTableTest\n"
        "JUnit version 4.13.2\n.E\nTime: 0.01\nThere was 1 failure:\n"
        "1) germanRate(com.acme.TaxTableTest)\n"
        "java.lang.AssertionError: expected:<0.19> but was:<0.16>\n"
        "\tat org.junit.Assert.fail(Assert.java:89)\n"
        "\tat com.acme.TaxTableTest.germanRate(TaxTableTest.java:10)\n"
        "\nFAILURES!!!\nTests run: 2,  Failures: 1\n"
    )
    (failure,) = analyze_text(log).failures
    assert failure.test_id == "com.acme.TaxTableTest.germanRate"
    assert (failure.test_file, failure.test_line) == ("src/test/java/com/acme/TaxTableTest.java", 10)


def test_exunit_names_module_and_test() -> None:
    log = (
        "$ mix test\n"
        "  1) test add/3 creates a missing sku (ShelfTest)\n"
        "     test/shelf_test.exs:10\n"
        "     Assertion with == failed\n"
        "     code:  assert Shelf.add(%{}, :a, 1) == %{a: 1}\n"
        "\nFinished in 0.03 seconds\n3 tests, 1 failure\n"
    )
    (failure,) = analyze_text(log).failures
    assert failure.test_id == "ShelfTest.test add/3 creates a missing sku"
    assert (failure.test_file, failure.test_line) == ("test/shelf_test.exs", 10)


def test_phpunit_keeps_the_data_set_that_failed() -> None:
    log = (
        "$ phpunit tests\nThere was 1 failure:\n\n"
        '1) MoneyTest::testAllocate with data set "thirds"\n'
        "Failed asserting that two arrays are identical.\n\n"
        "/home/runner/work/money/money/tests/MoneyTest.php:29\n\nFAILURES!\nTests: 5, Assertions: 5, Failures: 1.\n"
    )
    (failure,) = analyze_text(log).failures
    assert failure.test_id == 'MoneyTest::testAllocate with data set "thirds"'


def test_a_c_assert_names_the_test_function_only_in_a_test_file() -> None:
    in_test = "$ make check\nt: tests/test_ringbuf.c:25: test_wrap: Assertion `v == 4' failed.\nmake: *** Aborted\n"
    (failure,) = analyze_text(in_test).failures
    assert (failure.test_id, failure.test_file, failure.test_line) == ("test_wrap", "tests/test_ringbuf.c", 25)
    in_library = "$ make check\nt: src/ringbuf.c:34: rb_pop: Assertion `rb->n > 0' failed.\nmake: *** Aborted\n"
    (failure,) = analyze_text(in_library).failures
    assert (failure.test_id, failure.file, failure.line) == (None, "src/ringbuf.c", 34)


def test_exunit_stacktrace_gives_the_assertion_line_and_the_fault_in_lib() -> None:
    log = (
        "$ mix test\n"
        "  1) test total/1 sums every sku (ShelfTest)\n"
        "     test/shelf_test.exs:24\n"
        "     ** (ArithmeticError) bad argument in arithmetic expression\n"
        "     stacktrace:\n"
        "       (elixir 1.15.7) lib/enum.ex:2510: Enum.sum/1\n"
        "       lib/shelf.ex:13: Shelf.total/1\n"
        "       test/shelf_test.exs:25: (test)\n"
        "\nFinished in 0.1 seconds\n5 tests, 1 failure\n"
    )
    (failure,) = analyze_text(log).failures
    assert (failure.file, failure.line) == ("lib/shelf.ex", 13)
    assert (failure.test_file, failure.test_line) == ("test/shelf_test.exs", 25)


def test_prove_names_the_failed_test_at_its_line() -> None:
    log = (
        "$ prove -l t\n"
        "t/parse.t .. 1/?\n"
        "#   Failed test 'parses quoted fields'\n"
        "#   at t/parse.t line 14.\n"
        "#          got: 'a'\n"
        "#     expected: 'a,b'\n"
        "# Looks like you failed 1 test of 3.\n"
        "t/parse.t .. Dubious, test returned 1 (wstat 256, 0x100)\n"
        "Failed 1/3 subtests\n"
        "Result: FAIL\n"
    )
    (failure,) = analyze_text(log).failures
    assert failure.test_id == "parses quoted fields"
    assert (failure.test_file, failure.test_line) == ("t/parse.t", 14)


def test_ctest_names_the_failed_test_once() -> None:
    log = (
        "$ ctest --output-on-failure\n"
        "1/2 Test #1: matrix_test ......................***Failed    0.01 sec\n"
        "2/2 Test #2: vec_test .........................   Passed    0.01 sec\n"
        "\n50% tests passed, 1 tests failed out of 2\n\n"
        "The following tests FAILED:\n"
        "\t  1 - matrix_test (Failed)\n"
        "Errors while running CTest\n"
    )
    failures = analyze_text(log).failures
    assert [f.test_id for f in failures] == ["matrix_test"]


def test_gotestsum_and_go_test_json_name_the_failed_test() -> None:
    gotestsum = (
        "$ gotestsum ./...\n"
        "=== FAIL: ./limiter TestAllowBurst (0.00s)\n"
        "    limiter_test.go:21: got 3 allowed, want 5\n"
        "\nDONE 4 tests, 1 failure in 0.412s\n"
    )
    (failure,) = analyze_text(gotestsum).failures
    assert failure.test_id == "TestAllowBurst"
    as_json = (
        "$ go test -json ./...\n"
        '{"Time":"2026-01-02T10:00:00Z","Action":"run","Package":"example.com/rl","Test":"TestAllow"}\n'
        '{"Time":"2026-01-02T10:00:00Z","Action":"fail","Package":"example.com/rl","Test":"TestAllow","Elapsed":0}\n'
        '{"Time":"2026-01-02T10:00:00Z","Action":"fail","Package":"example.com/rl","Elapsed":0.01}\n'
    )
    (failure,) = analyze_text(as_json).failures
    assert (failure.test_id, failure.message) == ("TestAllow", "--- FAIL: TestAllow (example.com/rl)")
