"""Repository-relative paths, stack frames and the two locations of a failure (fault, test line)."""

from __future__ import annotations

import pytest

from analysis.engine import analyze_text
from analysis.locations import Frame, in_tree, is_test_path, jvm_path, pick, repo_path


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/home/runner/work/shop/shop/src/cart.py", "src/cart.py"),
        ("D:\\a\\shop\\shop\\src\\Cart.cs", "src/Cart.cs"),
        ("file:///D:/a/shop/shop/test/cart.test.mjs", "test/cart.test.mjs"),
        ("/__w/shop/shop/pkg/cart.go", "pkg/cart.go"),
        ("/github/workspace/lib/cart.rb", "lib/cart.rb"),
        ("C:\\Users\\runneradmin\\work\\shop\\shop\\src\\cart.rs", "src/cart.rs"),
        ("/Users/runner/work/shop/shop/Sources/Cart.swift", "Sources/Cart.swift"),
        ("file:///home/runner/work/shop/shop/test/cart.test.mjs", "test/cart.test.mjs"),
        ("./src/lib.rs", "src/lib.rs"),
        ("tests/test_cart.py", "tests/test_cart.py"),
        # outside the repository: interpreters, installed packages, toolchains
        ("/root/.pyenv/versions/3.11.7/lib/python3.11/ctypes/__init__.py", None),
        ("/home/runner/work/shop/shop/.venv/lib/python3.12/site-packages/requests/api.py", None),
        ("/home/runner/work/shop/shop/node_modules/jest-circus/build/utils.js", None),
        ("/opt/hostedtoolcache/Python/3.12.1/x64/lib/python3.12/json/decoder.py", None),
        ("/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs", None),
        ("/usr/lib/go-1.19/src/testing/testing.go", None),
        ("/home/runner/go/pkg/mod/github.com/stretchr/testify@v1.8.4/assert/assertions.go", None),
        ("node:internal/timers", None),
        ("<frozen importlib._bootstrap>", None),
        ("../outside.py", None),
    ],
)
def test_repo_path(raw: str, expected: str | None) -> None:
    assert repo_path(raw) == expected


def test_repo_path_with_an_unusual_root_and_the_repository_name() -> None:
    assert repo_path("/srv/ci/shop/shop/src/cart.py", repo_name="shop") == "src/cart.py"
    assert repo_path("/srv/ci/shop/shop/src/cart.py") is None


def test_jvm_frames_map_through_the_package() -> None:
    assert jvm_path("com.example.ShapesTest", "ShapesTest.java") == "src/test/java/com/example/ShapesTest.java"
    assert jvm_path("com.example.Shapes$Inner", "Shapes.java") == "src/main/java/com/example/Shapes.java"
    assert jvm_path("io.acme.CartSpec", "CartSpec.kt") == "src/test/kotlin/io/acme/CartSpec.kt"
    assert jvm_path("org.junit.jupiter.api.AssertEquals", "AssertEquals.java") is None
    assert jvm_path("java.base.Foo", "Foo.java") is None


def test_a_known_tree_keeps_existing_paths_and_resolves_suffixes() -> None:
    tree = {"service/src/main/java/com/example/Shapes.java", "web/src/cart.ts", "README.md"}
    assert in_tree("src/main/java/com/example/Shapes.java", tree) == "service/src/main/java/com/example/Shapes.java"
    assert in_tree("src/cart.ts", tree) == "web/src/cart.ts"
    assert in_tree("src/missing.ts", tree) is None
    assert in_tree("README.md", tree) == "README.md"
    assert in_tree("src/cart.ts", None) == "src/cart.ts"  # tree unknown: unchecked


def test_two_tree_paths_ending_alike_are_not_guessed() -> None:
    assert in_tree("calc_test.go", {"a/calc_test.go", "b/calc_test.go"}) is None


@pytest.mark.parametrize(
    ("path", "test"),
    [
        ("tests/test_cart.py", True),
        ("src/cart.test.ts", True),
        ("__tests__/cart.js", True),
        ("pkg/cart_test.go", True),
        ("src/test/java/com/x/CartTest.java", True),
        ("spec/cart_spec.rb", True),
        ("src/cart.py", False),
        ("src/contest.py", False),
    ],
)
def test_is_test_path(path: str, test: bool) -> None:
    assert is_test_path(path) is test


def test_pick_takes_the_innermost_frame_inside_the_repository_and_the_tests_own() -> None:
    root = "/home/runner/work/shop/shop/"
    python = [  # innermost last
        Frame("/usr/lib/python3.12/site-packages/_pytest/python.py", 166, False, 1),
        Frame(root + "tests/test_cart.py", 13, False, 1, "test_total"),
        Frame(root + "src/cart.py", 11, False, 1, "total"),
        Frame("/usr/lib/python3.12/json/decoder.py", 355, False, 1, "decode"),
    ]
    fault, test = pick(python)
    assert (fault.file, fault.line) == ("src/cart.py", 11) if fault else False
    assert (test.file, test.line) == ("tests/test_cart.py", 13) if test else False
    node = [  # innermost first
        Frame("src/cart.js", 5, True, 2, "price"),
        Frame("node_modules/jest-circus/build/utils.js", 298, True, 2),
        Frame("__tests__/cart.test.js", 9, True, 2, "Object.<anonymous>"),
    ]
    fault, test = pick(node)
    assert fault is not None and test is not None
    assert (fault.file, fault.line, test.file, test.line) == ("src/cart.js", 5, "__tests__/cart.test.js", 9)


def test_the_last_stack_printed_wins() -> None:
    frames = [Frame("src/a.py", 3, False, 1), Frame("src/b.py", 8, False, 2)]  # "During handling of ..."
    fault, _ = pick(frames)
    assert fault is not None and (fault.file, fault.line) == ("src/b.py", 8)


def test_no_frame_inside_the_repository_no_location() -> None:
    assert pick([Frame("/usr/lib/python3.12/json/decoder.py", 355, False, 1)]) == (None, None)


# Ginkgo v2's default reporter, in the format its reporter prints (no Go module proxy here to run it)
GINKGO = """\
##[group]Run go test ./...
go test ./...
##[endgroup]
Running Suite: Calc Suite - /home/runner/work/gcalc/gcalc
Will run 3 of 3 specs
•
------------------------------
• [FAILED] [0.002 seconds]
Calc Add [It] adds two numbers
/home/runner/work/gcalc/gcalc/calc_test.go:14

  [FAILED] Expected
      <int>: 5
  to equal
      <int>: 4
  In [It] at: /home/runner/work/gcalc/gcalc/calc_test.go:15 @ 03/04/26 09:15:02.123
------------------------------
•

Summarizing 1 Failure:
  [FAIL] Calc Add [It] adds two numbers
  /home/runner/work/gcalc/gcalc/calc_test.go:15

Ran 3 of 3 Specs in 0.004 seconds
FAIL! -- 2 Passed | 1 Failed | 0 Pending | 0 Skipped
--- FAIL: TestCalc (0.00s)
FAIL
FAIL\tgithub.com/acme/gcalc\t0.012s
##[error]Process completed with exit code 1.
"""


def test_ginkgo_spec_its_message_and_location() -> None:
    (failure,) = analyze_text(GINKGO).failures
    assert (failure.tool, failure.test_id) == ("ginkgo", "Calc Add [It] adds two numbers")
    assert failure.message == "Expected <int>: 5 to equal <int>: 4"
    assert (failure.file, failure.line, failure.test_file, failure.test_line) == (
        "calc_test.go",
        15,
        "calc_test.go",
        15,
    )


def test_a_python_script_traceback_before_its_exception_locates_it() -> None:
    log = (
        "##[group]Run python scripts/migrate.py\n##[endgroup]\n"
        "Traceback (most recent call last):\n"
        '  File "/home/runner/work/shop/shop/scripts/migrate.py", line 40, in <module>\n'
        "    main()\n"
        '  File "/home/runner/work/shop/shop/scripts/migrate.py", line 31, in main\n'
        "    config = load(path)\n"
        '  File "/opt/hostedtoolcache/Python/3.12.1/x64/lib/python3.12/json/__init__.py", line 293, in load\n'
        "    return loads(fp.read())\n"
        "KeyError: 'database'\n"
        "##[error]Process completed with exit code 1.\n"
    )
    (failure,) = analyze_text(log).failures
    assert failure.message == "KeyError: 'database'"
    assert (failure.file, failure.line, failure.test_file) == ("scripts/migrate.py", 31, None)
