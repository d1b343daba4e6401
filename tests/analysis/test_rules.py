"""Each rule of the table on one line of its tool's real output, exclusions included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.rules import _EXCLUSION_PARTS, RULES, is_excluded
from analysis.scanner import classify

# (line as the tool prints it, rule expected to claim it); every rule of the table appears at least once
CASES: list[tuple[str, str | None]] = [
    ("##[group]Run pytest -q", "actions.step"),
    (
        "##[error]The job running on runner GitHub Actions 3 has exceeded the maximum execution time of 360 minutes.",
        "actions.timeout",
    ),
    ("##[error]The operation was canceled.", "actions.cancelled"),
    ("##[error]The runner has received a shutdown signal.", "actions.runner_lost"),
    ("##[error]Process completed with exit code 1.", "actions.exit"),
    ("::error file=app.py,line=3,title=lint::bad thing%0Aon two lines", "actions.workflow_error"),
    ("##[error]Unable to locate executable file: tox.", "actions.error"),
    ("No output has been received in the last 10m0s, this potentially indicates a stalled build", "travis.stalled"),
    ("panic: test timed out after 10m0s", "go.timeout"),
    ('  thrown: "Exceeded timeout of 5000 ms for a test.', "timeout.generic"),
    ("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", "oom.killed"),
    ("Segmentation fault (core dumped)", "crash.segfault"),
    ("OSError: [Errno 28] No space left on device", "infra.disk"),
    ("curl: (6) Could not resolve host: example.com", "infra.network"),
    ("FAILED tests/test_a.py::test_x[1-2] - AssertionError: boom", "pytest.summary_failed"),
    ("_________________________ test_parse[10MB-10485760] _________________________", "pytest.section"),
    ("E       AssertionError: assert 3 == 4", "pytest.assert"),
    ("tests/test_units.py:12: AssertionError", "pytest.location"),
    ("========================= 1 failed, 1 error in 2.31s =========================", "pytest.tally"),
    ("!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!!", "pytest.interrupted"),
    ("=================================== FAILURES ===================================", "pytest.section_header"),
    ("FAIL: test_divide (test_calc.CalcTest.test_divide)", "unittest.fail"),
    ("FAILED (failures=1, errors=1)", "unittest.tally"),
    ("Traceback (most recent call last):", "python.traceback"),
    ("FileNotFoundError: [Errno 2] No such file or directory: 'x.json'", "python.exception"),
    ("  ● cart total \u203a applies the discount once", "jest.test"),
    (" FAIL  src/date.test.ts > formatDate > pads the month", "vitest.fail"),
    (" \u276f src/date.test.ts:8:33", "vitest.location"),
    ("FAIL src/cart/total.test.ts", "jest.file"),
    ("    ✕ applies the discount once (5 ms)", "jest.failed_test"),
    ("    expect(received).toBe(expected) // Object.is equality", "jest.matcher"),
    ("    Expected: 90", "jest.expect"),
    ("No tests found, exiting with code 1", "jest.no_tests"),
    ("Tests:       1 failed, 7 passed, 8 total", "jest.tally"),
    ("examples/a.test.tsx failed to pass within 2 retries", "jest.retries"),
    ("  1 failing", "mocha.tally"),
    ("      AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:", "node.error"),
    ("--- FAIL: TestParse (0.00s)", "go.test"),
    ('    parse_test.go:41: Parse("x") = "", want "x"', "go.assert"),
    ("FAIL\tgithub.com/acme/tmpl/parse\t0.015s", "go.pkg_fail"),
    ("panic: runtime error: index out of range [3] with length 3", "go.panic"),
    ("error[E0308]: mismatched types", "rustc.error"),
    ("  --> src/render.rs:42:16", "rustc.location"),
    ("test tests::rejects_empty ... FAILED", "cargo.test"),
    ("---- tests::rejects_empty stdout ----", "cargo.stdout"),
    ("thread 'tests::rejects_empty' panicked at src/lib.rs:88:9:", "rust.panic"),
    ("        FAIL [   0.014s] widgets::parse tests::rejects_empty", "nextest.fail"),
    ("test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out", "cargo.tally"),
    ("error: could not compile `widgets` (lib) due to 2 previous errors", "rustc.abort"),
    ("src/api/client.ts(14,7): error TS2322: Type 'string' is not assignable to type 'number'.", "tsc.error"),
    ("src/Parser.cs(57,24): error CS1061: 'string' does not contain a definition for 'Trimm'", "dotnet.compile"),
    ('src/core.py:57: error: Argument 1 has incompatible type "str | None"  [arg-type]', "mypy.error"),
    ("[ERROR] /w/src/main/java/a/Parser.java:[57,24] cannot find symbol", "maven.compile"),
    ("src/codec.c:88:12: error: 'len' undeclared (first use in this function)", "gcc.error"),
    ("src/registry.js:640 Replace `\"grim\"` with `'grim'` (prettier/prettier)", "eslint.unix"),
    ("e: file:///w/app/src/main/kotlin/Main.kt:12:17 Unresolved reference: prinltn", "kotlin.error"),
    ("[error] /w/src/main/scala/a/Parser.scala:31:7: not found: value x", "scala.error"),
    ("codec_test.cpp:(.text+0x5a): undefined reference to `codec::decode()'", "linker.error"),
    ("collect2: error: ld returned 1 exit status", "linker.exit"),
    ("CMake Error at CMakeLists.txt:23 (find_package):", "cmake.error"),
    ("src/widgets/io.py:3:8: F401 [*] `os` imported but unused", "ruff.error"),
    ("F401 [*] `os` imported but unused", "ruff.concise"),
    ("src/core.py:57:4: W0612: Unused variable 'tmp' (unused-variable)", "pylint.error"),
    ("Your code has been rated at 8.75/10 (previous run: 9.10/10, -0.35)", "pylint.score"),
    ("render/render.go:44:2: printf: Sprintf format %d has arg of wrong type (govet)", "golint.error"),
    ("render/render.go:27:9: undefined: escapeHTML", "go.build"),
    ("  14:7   error    'retries' is assigned a value but never used  no-unused-vars", "eslint.error"),
    ("✖ 3 problems (2 errors, 1 warning)", "eslint.tally"),
    (' 105:12  ✖  Expected newline after ","   selector-list-comma-newline-after', "stylelint.error"),
    ("Found 2 errors in 2 files (checked 14 source files)", "typecheck.tally"),
    ("would reformat /w/src/widgets/core.py", "black.would_reformat"),
    ("Would reformat: src/widgets/core.py", "ruff.would_reformat"),
    ("1 file would be reformatted, 23 files would be left unchanged.", "format.tally"),
    ("[warn] src/components/Cart.tsx", "prettier.file"),
    ("diff -u render/render.go.orig render/render.go", "gofmt.diff"),
    ("[ERROR] com.acme.ParserTest.parsesQuotedField -- Time elapsed: 0.012 s <<< FAILURE!", "surefire.test"),
    (
        "[ERROR] Tests run: 4, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.08 s <<< FAILURE! -- in a.B",
        "surefire.class",
    ),
    ("[ERROR]   ParserTest.parsesQuotedField:31 expected: <a,b> but was: <a>", "surefire.list"),
    ("[ERROR] Tests run: 10, Failures: 1, Errors: 0, Skipped: 0", "surefire.tally"),
    ("[INFO] BUILD FAILURE", "maven.build_failure"),
    (
        "[ERROR] Failed to execute goal on project x: Could not resolve dependencies for project a:b:jar:1",
        "maven.dependency",
    ),
    ("[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.2.5:test (t) on x", "maven.goal"),
    ("[ERROR] COMPILATION ERROR : ", "maven.compilation"),
    ("ParserTest > parsesQuotedField() FAILED", "gradle.test"),
    ("* What went wrong:", "gradle.what_went_wrong"),
    ("> Task :test FAILED", "gradle.task_failed"),
    ("10 tests completed, 1 failed", "gradle.tally"),
    ("FAILURE: Build failed with an exception.", "gradle.build_failed"),
    ("Caused by: java.lang.IllegalStateException: not ready", "java.exception"),
    ("java.lang.IllegalArgumentException: n > 0 required but it was 0", "java.exception"),
    ("org.junit.ComparisonFailure: expected:<[a]> but was:<[b]>", "java.exception"),
    ("[info] - parses quoted fields *** FAILED ***", "scalatest.failed"),
    ("[  FAILED  ] CodecTest.Decode (1 ms)", "gtest.failed"),
    ("/w/test/codec_test.cpp:42: Failure", "gtest.failure"),
    ("unknown file: Failure", "gtest.failure"),  # an exception thrown in the test body
    ("[  FAILED  ] 1 test, listed below:", "gtest.tally"),
    ("[  ERROR   ] 9 errors, listed below:", "busted.tally"),
    ("inet_SUITE:t_gethostnative failed on line 696", "common_test.failed"),
    ("ejabberd_SUITE:init_per_group failed", "common_test.config_failed"),
    ("❌  /Users/travis/build/a/Source/A.swift:97:2: unknown attribute 'dynamicMemberLookup'", "xcpretty.error"),
    ("  /Users/runner/work/w/w/Tests/WidgetTests/DateParserTests.swift:41", "xcpretty.location"),
    ("\tFound errors in Test_popup_beval():", "vim.test"),
    ("\ttest72 FAILED", "test.name_failed"),
    ("  1) Failure:", "minitest.header"),
    ("Minitest::Assertion: Expected true to not be truthy.", "minitest.assertion"),
    ("lib/shop/cart.rb:18:5: C: Style/GuardClause: Use a guard clause.", "rubocop.offense"),
    ("42 files inspected, 1 offense detected, 1 offense autocorrectable", "rubocop.tally"),
    ("  Failed Widgets.Tests.ParserTests.ParsesQuotedField [12 ms]", "dotnet.test"),
    ("    Nancy.Tests.BrowserFixture.Should_return_JSON [FAIL]", "xunit.test"),
    ("  Error Message:", "dotnet.error_message"),
    ("Failed!  - Failed:     1, Passed:    11, Skipped:     0, Total:    12, Duration: 48 ms", "dotnet.tally"),
    ("Build FAILED.", "msbuild.failed"),
    ("  1. [L296] 301 https://github.com/areina/helm-dash  → https://github.com/dash-docs-el/helm-dash",
     "awesome_bot.link"),
    ("Issues :-(", "awesome_bot.tally"),
    (".github/workflows/ci.yml:23:9: property \"runs-on\" is not defined in object type {steps: array} [syntax-check]",
     "actionlint.error"),
    ("Dockerfile:7 DL3008 warning: Pin versions in apt get install.", "hadolint.rule"),
    ("In scripts/deploy.sh line 12:", "shellcheck.in"),
    ("FAIL: //src:parser_test (see /home/runner/.cache/bazel/x/testlogs/src/parser_test/test.log)",
     "bazel.test_failed"),
    ("//src:parser_test                                                        FAILED in 0.4s",
     "bazel.summary_failed"),
    ("README.md:12:81 MD013/line-length Line length [Expected: 80; Actual: 120]", "markdownlint.rule"),
    ("Diff in /home/runner/work/app/app/src/main.rs at line 3:", "rustfmt.diff"),
    ("Diff in /home/runner/work/app/app/src/main.rs:3:", "rustfmt.diff"),
    ("  3:1       error    wrong indentation: expected 2 but found 0  (indentation)", "yamllint.error"),
    ('##[error]9:3 [key-duplicates] duplication of key "host" in mapping', "yamllint.github"),
    ("##[warning]12:10 [truthy] truthy value should be one of [false, true]", "yamllint.github"),
    ("config/deploy.yaml:3:16: [error] trailing spaces (trailing-spaces)", "yamllint.parsable"),
    ("scripts/lib.sh:4:32: warning: Quote this to prevent word splitting. [SC2046]", "shellcheck.gcc"),
    ("Makefile:9: *** missing separator (did you mean TAB instead of 8 spaces?).  Stop.", "make.makefile"),
    ("** (CompileError) lib/shelf.ex:13: undefined function sum_values/1", "elixirc.error"),
    ("  --> src/inventory/stock.py:18:9", "ruff.full_location"),
    ("  --> src/lib.rs:18:9", "rustc.location"),
    ("Processing ./wheels/acme_io-1.4-py3-none-any.whl (from -r requirements.txt (line 4))", "pip.source"),
    ("Collecting requests==2.99.0 (from -r requirements.txt (line 3))", "pip.source"),
    ("ERROR: Package 'acme-fast' requires a different Python: 3.11.7 not in '>=3.13'", "pip.python"),
    ("note: test did not panic as expected at src/lib.rs:28:8", "cargo.no_panic"),
    ("#          got: '3'", "prove.got"),
    ("make: *** No rule to make target 'build/util.o', needed by 'build/lib.a'.  Stop.", "make.no_rule"),
    ("   │ TypeError: Unsupported operand types: int + Money", "phpunit.testdox_detail"),
    ("   ├ Failed asserting that 701 is identical to 700.", "phpunit.testdox_detail"),
    ("E                                                                   1 / 1 (100%)", None),
    ("    /home/runner/work/tally/tally/lib/tally.rb:7:in `fetch'", "ruby.frame"),
    ("Generated roman app", "mix.generated"),
    ("       (roman 0.1.0) lib/roman.ex:7: Roman.to_int/1", "exunit.frame"),
    ("\tfrom /home/runner/work/tally/tally/lib/tally.rb:7:in 'Tally#add'", "ruby.frame"),
    ("   ╵ /home/runner/work/money/money/tests/MoneyTest.php:9", "phpunit.frame"),
    ("#0 /home/runner/work/semver/semver/src/Version.php(12): Acme\\Version->bump('x')", "php.trace_frame"),
    ("unterminated quote in 'a,\"b' at lib/Csv/Lite.pm line 7.", "perl.died"),
    ("Can't locate object method \"new\" via package \"Csv\" at t/split.t line 9, <DATA> line 2.", "perl.died"),
    (
        '{"Time":"2026-12-06T08:52:37.78Z","Action":"output","Package":"example.com/ratekit","Test":"TestAllow",'
        '"Output":"    limiter_test.go:7: Allow(3, 3) = false, want true\\n"}',
        "go.json_assert",
    ),
    (
        '{"Time":"2026-12-06T14:07:41.84Z","Action":"output","Package":"example.com/invoice/invoice","Test":"TestSummary",'
        '"Output":"panic: assignment to entry in nil map [recovered]\\n"}',
        "go.json_panic",
    ),
    (
        '{"Time":"2026-12-06T14:07:41.84Z","Action":"output","Package":"example.com/invoice/invoice","Test":"TestSummary",'
        '"Output":"\\t/home/runner/work/go-invoice/go-invoice/invoice/invoice.go:56 +0x1e5\\n"}',
        "go.json_frame",
    ),
    ("/home/runner/work/vm/vm/tests/test_vec.cpp:12: CHECK_EQ(dot(a, b, 3), 32) failed: 14 != 32", "ctest.output"),
    ("/w/Tests/WidgetTests/DateParserTests.swift:41: error: -[WidgetTests.DateParserTests testParses] : "
     'XCTAssertEqual failed: ("1") is not equal to ("2")', "xctest.failure"),
    ("/w/Tests/WidgetTests/DateParserTests.swift:41: error: DateParserTests.testParses : XCTAssertTrue failed",
     "xctest.failure"),
    ("       ^-----^ SC2086 (info): Double quote to prevent globbing and word splitting.", "shellcheck.check"),
    ("│ Error: Reference to undeclared resource", "terraform.error"),
    ('│   on main.tf line 14, in resource "aws_instance" "web":', "terraform.location"),
    ('src/main/kotlin/com/acme/Cart.kt:14:1 Unexpected blank line(s) before "}" (standard:no-blank-line-before-rbrace)',
     "ktlint.rule"),
    ("     test/shop/price_test.exs:12", "exunit.location"),
    ("     Assertion with == failed", "exunit.assertion"),
    ("> White listed:", "awesome_bot.section"),
    ("  [✖] https://example.com/moved → Status: 404", "markdown-link-check.dead"),
    ("✗ [404] https://example.com/gone | Failed: Network error: Not Found", "lychee.error"),
    ("  *  External link https://isis.apache.org/ failed: response code 0 means something's wrong.",
     "htmlproofer.check"),
    ("     Failure/Error: expect(cart.total).to eq(90)", "rspec.failure_error"),
    ("rspec ./spec/cart_spec.rb:12 # Cart#total applies the discount once", "rspec.rerun"),
    ("8 examples, 1 failure", "rspec.tally"),
    ("1) Acme\\Tests\\CartTest::testTotalAppliesDiscount", "phpunit.test"),
    ('2) Acme\\Tests\\CartTest::testRounding with data set "half up"', "phpunit.test"),
    ("3) Acme\\Tests\\CartTest::testRounding with data set #2", "phpunit.test"),
    ("1) germanRate(com.acme.invoice.TaxTableTest)", "junit4.test"),
    ("=== FAIL: ./limiter TestAllowBurst (0.00s)", "go.gotestsum_fail"),
    (
        '{"Time":"2026-01-02T10:00:00Z","Action":"fail","Package":"example.com/rl","Test":"TestAllow","Elapsed":0}',
        "go.json_fail",
    ),
    ("#   Failed test 'parses quoted fields'", "prove.failed_test"),
    ("#   Failed test at t/parse.t line 14.", "prove.failed_test"),
    ("#   at t/parse.t line 14.", "prove.at"),
    ("1/3 Test #1: matrix_test ......................***Failed    0.01 sec", "ctest.test"),
    ("2/3 Test #2: vec_test .........................Subprocess aborted***Exception:   0.02 sec", "ctest.test"),
    ("\t  1 - matrix_test (Failed)", "ctest.summary"),
    ('14/14 Test #14: Ratios/PercentTest.Formats/(1, "100.0%") ......***Failed    0.00 sec', "ctest.test"),
    ('\t 14 - Ratios/PercentTest.Formats/(1, "100.0%") (Failed)', "ctest.summary"),
    ("\t  2 - vec_test (Subprocess aborted)", "ctest.summary"),
    ('1) MoneyTest::testAllocate with data set "thirds" (100, array(1, 1, 1), array(34, 33, 33))', "phpunit.test"),
    ("   │ /home/runner/work/money/money/tests/MoneyTest.php:23", "phpunit.frame"),
    ("       test/shelf_test.exs:25: (test)", "exunit.frame"),
    ("       lib/shelf.ex:13: Shelf.total/1", "exunit.frame"),
    ("test_ringbuf: tests/test_ringbuf.c:25: test_wrap: Assertion `rb_pop(&rb, &v) == 0' failed.", "c.assert"),
    ("Assertion failed: (v == 4), function test_wrap, file tests/test_ringbuf.c, line 25.", "c.assert"),
    ("Assertion failed: v == 4 (tests/test_ringbuf.c: test_wrap: 25)", "c.assert"),
    ("2) adds[1](com.acme.CalcTest)", "junit4.test"),
    ("  1) test add/3 creates a missing sku (ShelfTest)", "exunit.test"),
    ("  2) doctest Shop.Price.parse/1 (1) (Shop.PriceTest)", "exunit.test"),
    (
        "    MethodSource [className = 'com.acme.InvoiceTest', methodName = 'formatsCents', "
        "methodParameterTypes = 'long, java.lang.String']",
        "junit5.source",
    ),
    ("       com.acme.invoice.InvoiceTest.taxIsRoundedToCents(InvoiceTest.java:21)", "junit5.frame"),
    ("Failed asserting that 81 is identical to 90.", "phpunit.assert"),
    ("Tests: 4, Assertions: 6, Failures: 1.", "phpunit.tally"),
    ("PHP Fatal error:  Class 'Composer\\Util\\Response' not found in /w/a.php on line 286", "php.fatal"),
    ("  1) Users API", "numbered.failure"),
    ("npm ERR! code ERESOLVE", "npm.code"),
    ('npm error Missing script: "test:unit"', "npm.missing_script"),
    ("npm ERR! Could not resolve dependency:", "npm.err"),
    (' ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile"', "pnpm.err"),
    (
        'error Couldn\'t find package "@acme/ui@^2.0.0" required by "web@0.1.0" on the "npm" registry.',
        "yarn.dependency",
    ),
    ('error An unexpected error occurred: "EACCES: permission denied".', "yarn.error"),
    ("error Command failed with exit code 1.", "yarn.exit"),
    ("➤ YN0001: │ Error: Couldn't find the node_modules state file", "yarn.berry"),
    ("ERROR: Could not find a version that satisfies the requirement requests==2.99.0", "pip.resolution"),
    ("ERROR: No matching distribution found for requests==2.99.0", "pip.followup"),
    (
        "Because widgets depends on numpy (>=2.0) which doesn't match any versions, version solving failed.",
        "poetry.solver",
    ),
    ("  \u00d7 No solution found when resolving dependencies:", "uv.no_solution"),
    ("  ╰─▶ Because only numpy<2.0 is available and widgets depends on numpy>=2.0", "uv.because"),
    ("error: Failed to download `numpy==2.0.0`", "uv.error"),
    ("Could not find gem 'rails (~> 7.1)' in locally installed gems.", "bundler.error"),
    ("#7 [base 2/3] RUN pip install -r requirements.txt", "docker.step"),
    (
        'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2',
        "docker.failed_to_solve",
    ),
    ('#7 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2', "docker.step_error"),
    ("ERROR [base 2/3] RUN make", "docker.summary"),
    ("The command '/bin/sh -c make -C src all' returned a non-zero code: 2", "docker.legacy"),
    ("env: goreleaser: command not found", "shell.not_found"),
    ("cp: cannot stat 'dist/app': No such file or directory", "shell.no_such_file"),
    ("/bin/sh: 1: ./gradlew: Permission denied", "shell.permission"),
    ("make: *** [Makefile:91: all] Error 2", "make.error"),
    ("fatal: detected dubious ownership in repository at '/work'", "git.fatal"),
    ('The command "make test" exited with 2.', "travis.exit"),
    ("> jest --ci", "npm.script"),
    ("Build step 'Execute shell' marked build as failure", "jenkins.exit"),
    ("$ make test", "travis.step"),
    ("nox > Command pytest tests failed with exit code 1", "script.exit"),
    ("    Please run yarn prettier-all and add changes to files listed below to your commit:", "hint.run"),
    ("mypy.....................................................................Failed", "precommit.failed"),
    ("Running the tests in \u2018tests/testthat.R\u2019 failed.", "r.check"),
    ("not ok 2 parses negative numbers", "tap.not_ok"),
    ("[-] Should validate test results against the nunit 2.5 schema 191ms", "generic.check_mark"),
    ("ERROR: Step ?Publish XML Summary Reports? failed: archive does not exist.", "generic.error_prefix"),
    ("✗ multiple-cursors/selections-trim", "jest.failed_test"),  # the same mark: jest's rule claims it
    ("the deploy could not reach the registry", "generic.error_word"),
    # exclusions: lines that only look like errors
    ("Tests run: 12, Failures: 0, Errors: 0, Skipped: 1", None),
    ("tests/test_errors.py::test_error_handling PASSED [ 10%]", None),
    ("        PASS [   0.005s] tokio-util::panic delay_queue_insert_panic_caller", None),
    ("continue-on-error: true", None),
    ("Compiling error-chain v0.12.4", None),
    ("echo 'error: this is only printed'", None),
    ("0 errors, 2 warnings", None),
    # stack frames: where the open failure's code ran
    ('  File "/home/runner/work/inv/inv/src/inv/stock.py", line 7, in price', "python.frame"),
    ('  File "/home/runner/work/inv/inv/tests/test_crash.py", line 9 in test_reads_header', "python.frame"),
    ("tests/test_stock.py:13: in test_total_unknown_sku", "pytest.frame"),
    ("src/inventory/stock.py:11: ", "pytest.frame"),
    ("\tat com.example.ShapesTest.area(ShapesTest.java:14)", "jvm.frame"),
    ("\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)", "jvm.frame"),
    ("   at Calc.Tests.AddTests.Adds() in /home/runner/work/c/c/tests/AddTests.cs:line 12", "dotnet.frame"),
    ("      at Object.<anonymous> (__tests__/cart.test.js:11:13)", "node.frame"),
    ("      at Context.<anonymous> (file:///home/runner/work/c/c/test/cart.test.mjs:8:12)", "node.frame"),
    ("             at ./src/lib.rs:88:9", "node.frame"),
    ("\t/home/runner/work/calc/calc/calc.go:12 +0x1d", "go.frame"),
    ("tests::parses_number --- FAILED", "cargo.terse"),
    ("  /home/runner/work/inv/inv/src/inv/typed.py:5:15 - error: Type \"int\" is not assignable", "pyright.error"),
    ("##[error]src/inventory/pricing.py:15:49: E741 Ambiguous variable name: `l`", "annotation.error"),
    ("/home/runner/work/shop/shop/tests/CartTest.php:22", "phpunit.frame"),
    ("        at app//com.acme.ParserTest.parsesQuotedField(ParserTest.java:31)", "jvm.frame"),
    ("./scripts/release.sh: line 6: helmfile-lint: command not found", "bash.not_found"),
    ("./scripts/check.sh: line 3: TARGET_ENV: unbound variable", "bash.error"),
    ("@@ -1,9 +1,9 @@", "diff.hunk"),
    ("=== RUN   TestTable/one", "go.run"),
    ("• [FAILED] [0.002 seconds]", "ginkgo.spec"),
    ("  [FAIL] Calc Add [It] adds two numbers", "ginkgo.summary"),
    ("  [PANICKED!] Calc Divide [It] divides by zero", "ginkgo.summary"),
    ("  [FAILED] Expected", "ginkgo.failed"),
    ("  In [It] at: /home/runner/work/gcalc/gcalc/calc_test.go:15 @ 03/04/26 09:15:02.123", "ginkgo.location"),
    ("     # ./spec/cart_spec.rb:14:in 'block (2 levels) in <top (required)>'", "rspec.frame"),
]


@pytest.mark.parametrize(("line", "rule"), CASES, ids=[f"{r}:{i}" for i, (_, r) in enumerate(CASES)])
def test_rule_claims_its_line(line: str, rule: str | None) -> None:
    assert classify(line) == rule


@pytest.mark.parametrize(
    "stamp", ["", "2024-05-02T10:11:12.1234567Z ", "\x1b[31m", "build\tRun tests\t2024-05-02T10:11:12.1Z "]
)
def test_decorations_do_not_change_the_rule(stamp: str) -> None:
    assert classify(f"{stamp}FAILED tests/test_a.py::test_x - boom") == "pytest.summary_failed"


def test_every_rule_has_a_case() -> None:
    covered = {rule for _, rule in CASES}
    # a rule without needles is only tried by another one (minitest.test, after a ``Failure:`` heading)
    assert [r.name for r in RULES if r.needles and r.name not in covered] == []


# Coloured output as CI prints it (CARGO_TERM_COLOR, maven -Dstyle.color, eslint, pytest --color=yes): the
# escape codes sit inside the words the prefilter looks for.
COLOURED = [
    ("\x1b[0m\x1b[1m\x1b[38;5;9merror[E0308]\x1b[0m\x1b[0m\x1b[1m: mismatched types\x1b[0m", "rustc.error"),
    ("\x1b[1m\x1b[31merror\x1b[0m\x1b[1m: could not compile `x`\x1b[0m", "rustc.abort"),
    ("\x1b[01m\x1b[Ksrc/a.c:88:12:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: \x1b[m\x1b[K'len' undeclared", "gcc.error"),
    # ruff's concise format and vitest's error line, coloured: codes inside the words the needles look for
    (
        "\x1b[1msrc/inventory/report.py\x1b[0m\x1b[36m:\x1b[0m5\x1b[36m:\x1b[0m5\x1b[36m:\x1b[0m "
        "\x1b[1m\x1b[31mF841\x1b[0m x",
        "ruff.error",
    ),
    ("\x1b[31m\x1b[1mAssertionError\x1b[22m: expected 4 to be 5\x1b[39m", "python.exception"),
    ("\x1b[1m\x1b[31mtests/test_stock.py\x1b[0m:13: ", "pytest.frame"),
    ("[\x1b[1;31mERROR\x1b[m] /builds/w/src/main/java/A.java:[107,64] incompatible types", "maven.compile"),
    (
        "  14:7  \x1b[31merror\x1b[39m  'x' is assigned a value but never used  \x1b[2mno-unused-vars\x1b[22m",
        "eslint.error",
    ),
    ("\x1b[31mFAILED\x1b[0m tests/t.py::test_a - boom", "pytest.summary_failed"),
    ("^[[31mFAILED^[[0m tests/t.py::^[[1mtest_a^[[0m - boom", "pytest.summary_failed"),  # caret notation
    ("\x1b[1m\x1b[31mE       assert 1 == 2\x1b[0m", "pytest.assert"),
    ("\x1b[1m\x1b[31mFound 2 errors in 1 file (checked 3 source files)\x1b[m", "typecheck.tally"),
    ("\x1b[31m--- FAIL: TestX (0.00s)\x1b[0m", "go.test"),
]


@pytest.mark.parametrize(("line", "rule"), COLOURED)
def test_colours_do_not_hide_a_line(line: str, rule: str) -> None:
    assert classify(line) == rule


# ---- the exclusion check's literal prechecks never change its answer ----

# The reference: every exclusion pattern as one alternation, searched without prechecks.
EXCLUSIONS = re.compile("|".join(f"(?:{p})" for _, p in _EXCLUSION_PARTS), re.IGNORECASE)

_GOLDEN_LINES = sorted(
    {
        line
        for path in (Path(__file__).parent / "golden").glob("*.log")
        for line in path.read_bytes().decode("utf-8", "replace").splitlines()
    }
)
_EXCLUDED_EXAMPLES = [
    "Tests run: 12, Failures: 0, Errors: 0, Skipped: 1",
    "0 errors, 0 warnings",
    "no failures found in 3 files",
    "continue-on-error: true",
    "##[endgroup]",
    "gcc -Werror -Wall -c src/error.c -o build/error.o",
    "echo 'error: this is only printed'",
    "test_error_handling PASSED",
    "Compiling error_chain v0.12.4",
    "W: GPG error: https://example.com stable InRelease",
    "finished with errors ignored",
    "src/errors.py is formatted",
]


def test_is_excluded_agrees_with_the_single_pattern_on_every_golden_line() -> None:
    lines = _GOLDEN_LINES + _EXCLUDED_EXAMPLES
    disagree = [line for line in lines if is_excluded(line) != (EXCLUSIONS.search(line) is not None)]
    assert len(lines) > 500 and disagree == []


def test_the_examples_are_excluded() -> None:
    assert all(is_excluded(line) for line in _EXCLUDED_EXAMPLES)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["error", "Errors", "fail", "FAILED", "0", " ", ":", "=", "-Werror", "-c", "PASSED",
                                 "ok", "✓", "echo", "W: ", "with", "out", "ignored", "no", ".py", "\t", "x"]),
                max_size=12).map("".join))
def test_is_excluded_agrees_on_made_up_lines(line: str) -> None:
    assert is_excluded(line) == (EXCLUSIONS.search(line) is not None)
