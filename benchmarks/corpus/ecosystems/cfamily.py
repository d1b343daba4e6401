"""C and C++: gcc/clang compile errors, ld undefined references, make, CMake + CTest with g++/clang++."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.corpus.ecosystems import _cpp_textstats
from benchmarks.corpus.faultkit import Fault, Generator, Project, Scenario, run
from benchmarks.corpus.model import RawCase, Step

TOOLS = ("gcc", "clang", "ld", "make", "g++", "ctest", "cmake")
APT = ("build-essential", "clang", "cmake", "libgtest-dev")

RINGBUF_H = """#ifndef RINGBUF_H
#define RINGBUF_H
#include <stddef.h>

typedef struct {
    int *data;
    size_t cap;
    size_t head;
    size_t len;
} ringbuf;

int rb_init(ringbuf *rb, size_t cap);
void rb_free(ringbuf *rb);
int rb_push(ringbuf *rb, int value);
int rb_pop(ringbuf *rb, int *out);
int rb_peek(const ringbuf *rb, int *out);
size_t rb_len(const ringbuf *rb);

#endif
"""

RINGBUF_C = """#include <stdlib.h>
#include "ringbuf.h"

{{SHIFT}}
int rb_init(ringbuf *rb, size_t cap) {
    rb->data = malloc(cap * sizeof(int));
    if (rb->data == NULL) {
        return -1;
    }
    {{INIT}}
    rb->head = 0;
    rb->len = 0;
    return 0;
}

void rb_free(ringbuf *rb) {
    free(rb->data);
    rb->data = NULL;
}

int rb_push(ringbuf *rb, int value) {
    if (rb->len == rb->cap) {
        return -1;
    }
    {{PUSH}}
    rb->len++;
    return 0;
}

int rb_pop(ringbuf *rb, int *out) {
    if (rb->len == 0) {
        return -1;
    }
    *out = rb->data[rb->head];
    {{POP}}
    rb->len--;
    return 0;
}

int {{PEEK_NAME}}(const ringbuf *rb, int *out) {
    if (rb->len == 0) {
        return -1;
    }
    *out = rb->data[rb->head];
    return 0;
}

size_t {{LEN_NAME}}(const ringbuf *rb) {
    return rb->len;
}
"""

TEST_RINGBUF_C = """#include <assert.h>
#include <stdio.h>
#include "ringbuf.h"

static void test_push_pop(void) {
    ringbuf rb;
    int v = 0;
    assert(rb_init(&rb, 4) == 0);
    assert(rb_push(&rb, 7) == 0);
    assert(rb_pop(&rb, &v) == 0 && v == 7);
    rb_free(&rb);
}

static void test_wrap(void) {
    ringbuf rb;
    int v = 0;
    assert(rb_init(&rb, 3) == 0);
    for (int i = 1; i <= 3; i++) {
        assert(rb_push(&rb, i) == 0);
    }
    assert(rb_pop(&rb, &v) == 0 && v == 1);
    assert(rb_push(&rb, 4) == 0);
    assert(rb_pop(&rb, &v) == 0 && v == 2);
    assert(rb_pop(&rb, &v) == 0 && v == 3);
    assert(rb_pop(&rb, &v) == 0 && v == 4);
    rb_free(&rb);
}

static void test_peek(void) {
    ringbuf rb;
    int v = 0;
    assert(rb_init(&rb, 2) == 0);
    assert(rb_peek(&rb, &v) == -1);
    assert(rb_push(&rb, 5) == 0);
    assert(rb_peek(&rb, &v) == 0 && v == 5);
    assert(rb_len(&rb) == 1);
    rb_free(&rb);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    test_push_pop();
    puts("ok test_push_pop");
    test_wrap();
    puts("ok test_wrap");
    test_peek();
    puts("ok test_peek");
    return 0;
}
"""

MAKEFILE = """{{SHIFT}}
CC = gcc
CFLAGS = -std=c11 -Wall -Wextra -g -Isrc
SRCS = {{SRCS}}
OBJS = $(SRCS:src/%.c=build/%.o)

all: build/libringbuf.a build/test_ringbuf

build/%.o: src/%.c src/ringbuf.h
{{RECIPE}}

build/libringbuf.a: $(OBJS)
\tar rcs $@ $^

build/test_ringbuf: tests/test_ringbuf.c build/libringbuf.a
\t$(CC) $(CFLAGS) -o $@ tests/test_ringbuf.c build/libringbuf.a

check: build/test_ringbuf
\t./build/test_ringbuf

.PHONY: all check
"""

RINGBUF_DEFAULTS = {
    "INIT": "rb->cap = cap;",
    "PUSH": "rb->data[(rb->head + rb->len) % rb->cap] = value;",
    "POP": "rb->head = (rb->head + 1) % rb->cap;",
    "PEEK_NAME": "rb_peek",
    "LEN_NAME": "rb_len",
    "SRCS": "src/ringbuf.c",
    "RECIPE": "\t@mkdir -p build\n\t$(CC) $(CFLAGS) -c -o $@ $<",
}


def _q(pattern: str) -> str:
    # gcc quotes with U+2018/U+2019 under a UTF-8 locale (as on the hosted runners), with ' under C.
    return pattern.replace("'", "['\u2018\u2019]")


def _cc(key: str, switch: str, bad: tuple[str, ...], gcc: str, clang: str, **kw: object) -> Fault:
    gcc = _q(gcc)
    return Fault(key=key, file="src/ringbuf.c", switch=switch, bad=bad, tool="gcc", kind="compile", matrix_tool="clang",
                 evidence=(rf"^src/ringbuf\.c:\d+:\d+: error: ({gcc}|{clang})", r"^make: \*\*\* \[Makefile:\d+: "),
                 message=r"error: ", group="compile", **kw)  # type: ignore[arg-type]


def _ld(key: str, switch: str, bad: tuple[str, ...], symbol: str, **kw: object) -> Fault:
    return Fault(key=key, file="src/ringbuf.c", switch=switch, bad=bad, tool="ld", kind="compile",
                 evidence=(rf"undefined reference to [`\u2018]{symbol}['\u2019]",
                           r"(collect2: error: ld returned 1 exit status|clang: error: linker command failed)"),
                 message="undefined reference", group="link", **kw)  # type: ignore[arg-type]


def _assert(key: str, switch: str, bad: tuple[str, ...], test: str, expr: str, **kw: object) -> Fault:
    return Fault(key=key, file="src/ringbuf.c", switch=switch, bad=bad, tool="make", kind="test", test_id=test,
                 evidence=(rf"tests/test_ringbuf\.c:\d+: (void )?{test}(\(void\))?: Assertion `{expr}' failed\.$",
                           r"^make: \*\*\* \[Makefile:\d+: check\] Aborted"),
                 test_loc=rf"(?P<file>tests/test_ringbuf\.c):(?P<line>\d+): (void )?{test}(\(void\))?: "
                          rf"Assertion `{expr}'",
                 group="check", **kw)  # type: ignore[arg-type]


RINGBUF_FAULTS: tuple[Fault, ...] = (
    _cc("init-undeclared-capacity", "INIT", ("rb->cap = capacity;", "rb->cap = size;"),
        r"'(capacity|size)' undeclared", r"use of undeclared identifier '(capacity|size)'"),
    _cc("push-undeclared-head", "PUSH", ("rb->data[(head + rb->len) % rb->cap] = value;",),
        r"'head' undeclared", r"use of undeclared identifier 'head'", negative_of="init-undeclared-capacity",
        hard_negative="same-code-other-symbol"),
    _cc("pop-missing-member", "POP", ("rb->head = (rb->head + 1) % rb->size;",
                                      "rb->head = (rb->head + 1) % rb->length;"),
        r"'ringbuf' has no member named '(size|length)'", r"no member named '(size|length)' in 'ringbuf'"),
    _cc("push-missing-semicolon", "PUSH", ("rb->data[(rb->head + rb->len) % rb->cap] = value\n    rb->len += 0;",
                                           "rb->data[(rb->head + rb->len) % rb->cap] = -value\n    rb->len += 0;"),
        r"expected ';' before 'rb'", r"expected ';' after expression"),
    _ld("peek-renamed", "PEEK_NAME", ("rb_peak", "ringbuf_peek"), "rb_peek"),
    _ld("len-renamed", "LEN_NAME", ("rb_length",), "rb_len", negative_of="peek-renamed",
        hard_negative="same-code-other-symbol"),
    _assert("pop-no-wraparound", "POP", ("rb->head = rb->head + 1;", "rb->head = (rb->head + 1) % (rb->cap + 1);"),
            "test_wrap", r"rb_pop\(&rb, &v\) == 0 && v == 4"),
    _assert("push-ignores-head", "PUSH", ("rb->data[rb->len % rb->cap] = value;",), "test_wrap",
            r"rb_pop\(&rb, &v\) == 0 && v == 3", negative_of="pop-no-wraparound",
            hard_negative="same-test-other-reason"),
    Fault(key="makefile-recipe-spaces", file="Makefile", switch="RECIPE",
          bad=("        @mkdir -p build\n\t$(CC) $(CFLAGS) -c -o $@ $<",
               "    @mkdir -p build\n\t$(CC) $(CFLAGS) -c -o $@ $<"),
          tool="make", kind="config",
          evidence=(r"^Makefile:\d+: \*\*\* missing separator( \(did you mean TAB instead of \d+ spaces\?\))?"
                    r"\.  Stop\.$",),

          group="make", variants=("timestamps", "shifted", "data")),
    Fault(key="makefile-missing-source", file="Makefile", switch="SRCS",
          bad=("src/ringbuf.c src/ringbuf_util.c", "src/ringbuf.c src/ringbuf_io.c"), tool="make", kind="config",
          evidence=(r"^make: \*\*\* No rule to make target 'build/ringbuf_(util|io)\.o', needed by "
                    r"'build/libringbuf\.a'\.  Stop\.$",),
          group="make", variants=("timestamps", "shifted", "data")),
)


def _ringbuf() -> Project:
    files = {"Makefile": MAKEFILE, "src/ringbuf.h": RINGBUF_H, "src/ringbuf.c": RINGBUF_C,
             "tests/test_ringbuf.c": TEST_RINGBUF_C}
    return Project(name="c-ringbuf", ecosystem="c", files=files, defaults=RINGBUF_DEFAULTS, faults=RINGBUF_FAULTS,
                   comment="//", job_name="build (gcc)", matrix_job_name="build (clang)",
                   supported=("timestamps", "shifted", "data", "matrix", "extra"))


def ringbuf_steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    cc = " CC=clang" if scenario.matrix else ""
    out = [run(f"make{cc}", root, repo)]
    if out[-1].exit_code == 0:
        out.append(run(f"make check{cc}", root, repo))
    return out


MATRIX_HPP = """#pragma once
#include <cstddef>
#include <vector>

class Matrix {
public:
    Matrix(std::size_t rows, std::size_t cols);
    double& at(std::size_t r, std::size_t c);
    double at(std::size_t r, std::size_t c) const;
    std::size_t rows() const { return rows_; }
    std::size_t cols() const { return cols_; }
    Matrix multiply(const Matrix& other) const;
    Matrix transpose() const;
    double trace() const;

private:
    std::size_t rows_;
    std::size_t cols_;
    std::vector<double> data_;
};
"""

MATRIX_CPP = """#include "matrix.hpp"

#include <stdexcept>

{{SHIFT}}
Matrix::Matrix(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), data_(rows * cols, 0.0) {}

double& Matrix::at(std::size_t r, std::size_t c) { return data_[r * cols_ + c]; }

double Matrix::at(std::size_t r, std::size_t c) const { return data_[r * cols_ + c]; }

Matrix Matrix::multiply(const Matrix& other) const {
    if ({{DIMCHECK}}) {
        throw std::invalid_argument("dimension mismatch");
    }
    Matrix out(rows_, other.cols_);
    for (std::size_t i = 0; i < rows_; ++i) {
        for (std::size_t j = 0; j < other.cols_; ++j) {
            double sum = 0;
            for (std::size_t k = 0; k < cols_; ++k) {
                {{ACC}}
            }
            out.at(i, j) = sum;
        }
    }
    return out;
}

Matrix Matrix::transpose() const {
    Matrix out(cols_, rows_);
    for (std::size_t i = 0; i < rows_; ++i) {
        for (std::size_t j = 0; j < cols_; ++j) {
            {{TRANSPOSE}}
        }
    }
    return out;
}

double Matrix::trace() const {
    double t = 0;
    for (std::size_t i = 0; {{TRACE_COND}}; ++i) {
        {{TRACE_ADD}}
    }
    return t;
}
"""

TEST_MATRIX_CPP = """#include "matrix.hpp"

#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>

#define CHECK_EQ(expr, want)                                                                       \\
    do {                                                                                           \\
        double got_ = (expr);                                                                      \\
        if (got_ != (want)) {                                                                      \\
            std::printf("%s:%d: CHECK_EQ(%s, %s) failed: got %g\\n", __FILE__, __LINE__, #expr, #want, \\
                        got_);                                                                     \\
            return 1;                                                                              \\
        }                                                                                          \\
    } while (0)

static Matrix sample() {
    Matrix m(2, 3);
    double v = 1;
    for (std::size_t r = 0; r < 2; ++r)
        for (std::size_t c = 0; c < 3; ++c) m.at(r, c) = v++;
    return m;
}

static int test_multiply() {
    Matrix b(3, 2);
    double v = 1;
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t c = 0; c < 2; ++c) b.at(r, c) = v++;
    Matrix p = sample().multiply(b);
    CHECK_EQ(p.at(0, 0), 22);
    CHECK_EQ(p.at(0, 1), 28);
    CHECK_EQ(p.at(1, 1), 64);
    return 0;
}

static int test_transpose() {
    Matrix t = sample().transpose();
    CHECK_EQ(t.rows(), 3);
    CHECK_EQ(t.at(2, 0), 3);
    CHECK_EQ(t.at(0, 1), 4);
    return 0;
}

static int test_trace() {
    Matrix m(3, 3);
    for (std::size_t i = 0; i < 3; ++i) m.at(i, i) = double(i + 1);
    CHECK_EQ(m.trace(), 6);
    CHECK_EQ(sample().trace(), 6);
    return 0;
}

static int test_mismatch() {
    try {
        sample().multiply(sample());
    } catch (const std::invalid_argument&) {
        return 0;
    }
    std::printf("%s:%d: multiply of 2x3 by 2x3 did not throw\\n", __FILE__, __LINE__);
    return 1;
}

int main(int argc, char** argv) {
    const char* name = argc > 1 ? argv[1] : "";
    try {
        if (!std::strcmp(name, "multiply")) return test_multiply();
        if (!std::strcmp(name, "transpose")) return test_transpose();
        if (!std::strcmp(name, "trace")) return test_trace();
        if (!std::strcmp(name, "mismatch")) return test_mismatch();
    } catch (const std::exception& e) {
        std::printf("test %s: unexpected exception: %s\\n", name, e.what());
        return 2;
    }
    std::printf("unknown test %s\\n", name);
    return 3;
}
"""

CMAKELISTS = """cmake_minimum_required(VERSION 3.16)
project(matrix CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)

add_library(matrix src/matrix.cpp)
target_include_directories(matrix PUBLIC include)

add_executable(test_matrix tests/test_matrix.cpp)
target_link_libraries(test_matrix matrix)

enable_testing()
foreach(name multiply transpose trace mismatch)
  add_test(NAME matrix.${name} COMMAND test_matrix ${name})
endforeach()
"""

MATRIX_DEFAULTS = {
    "DIMCHECK": "cols_ != other.rows_",
    "ACC": "sum += at(i, k) * other.at(k, j);",
    "TRANSPOSE": "out.at(j, i) = at(i, j);",
    "TRACE_COND": "i < rows_ && i < cols_",
    "TRACE_ADD": "t += at(i, i);",
}


def _ctest(key: str, switch: str, bad: tuple[str, ...], test: str, message: str, **kw: object) -> Fault:
    t = re.escape(test)
    kw.setdefault("test_loc", rf"(?P<file>tests/test_matrix\.cpp):(?P<line>\d+): {message}")
    return Fault(key=key, file="src/matrix.cpp", switch=switch, bad=bad, tool="ctest", kind="test", test_id=test,
                 evidence=(rf"Test +#\d+: {t} \.+\*\*\*Failed", message, rf"^\s+\d+ - {t} \(Failed\)"),
                 message=message, group="test", **kw)  # type: ignore[arg-type]


def _cxx(key: str, switch: str, bad: tuple[str, ...], gcc: str, clang: str, **kw: object) -> Fault:
    gcc = _q(gcc)
    return Fault(key=key, file="src/matrix.cpp", switch=switch, bad=bad, tool="g++", kind="compile",
                 matrix_tool="clang++",
                 evidence=(rf"src/matrix\.cpp:\d+:\d+: error: ({gcc}|{clang})",), message="error: ",
                 group="compile", **kw)  # type: ignore[arg-type]


MATRIX_FAULTS: tuple[Fault, ...] = (
    _ctest("multiply-wrong-index", "ACC", ("sum += at(i, k) * other.at(j % other.rows_, k % other.cols_);",
                                           "sum += at(i, k) * other.at(k, i);"),
           "matrix.multiply", r"CHECK_EQ\(p\.at\(0, \d\), \d+\) failed: got [-\d.e+]+"),
    _ctest("multiply-rejects-valid-shapes", "DIMCHECK", ("cols_ != other.rows_ || rows_ != cols_",),
           "matrix.multiply", r"test multiply: unexpected exception: dimension mismatch",
           test_loc=None, negative_of="multiply-wrong-index", hard_negative="same-test-other-reason"),
    _ctest("transpose-reads-first-column", "TRANSPOSE", ("out.at(j, i) = at(i, 0);", "out.at(j, i) = at(0, j);"),
           "matrix.transpose", r"CHECK_EQ\(t\.at\(\d, \d\), \d\) failed: got [-\d.e+]+"),
    _ctest("trace-stops-early", "TRACE_COND", ("i + 1 < rows_ && i < cols_", "i < rows_ - 1 && i < cols_"),
           "matrix.trace", r"CHECK_EQ\(m\.trace\(\), 6\) failed: got \d+"),
    _ctest("trace-sums-first-column", "TRACE_ADD", ("t += at(i, 0);",), "matrix.trace",
           r"CHECK_EQ\(m\.trace\(\), 6\) failed: got \d+", negative_of="trace-stops-early",
           hard_negative="same-test-other-reason"),
    _cxx("transpose-extra-argument", "TRANSPOSE", ("out.at(j, i) = at(i, j, 0);", "out.at(j, i) = at(i);"),
         r"no matching function for call to 'Matrix::at\(", r"no matching member function for call to 'at'"),
    _cxx("trace-member-of-double", "TRACE_ADD", ("t += at(i, i).value;", "t += at(i, i).real;"),
         r"request for member '(value|real)' in ", r"member reference base type 'double' is not a structure"),
    _cxx("multiply-undeclared-total", "ACC", ("total += at(i, k) * other.at(k, j);",
                                              "acc += at(i, k) * other.at(k, j);"),
         r"'(total|acc)' was not declared in this scope", r"use of undeclared identifier '(total|acc)'"),
    _cxx("trace-undeclared-sum", "TRACE_ADD", ("sum += at(i, i);",), r"'sum' was not declared in this scope",
         r"use of undeclared identifier 'sum'", negative_of="multiply-undeclared-total",
         hard_negative="same-code-other-symbol"),
)


def _matrix() -> Project:
    files = {"CMakeLists.txt": CMAKELISTS, "include/matrix.hpp": MATRIX_HPP, "src/matrix.cpp": MATRIX_CPP,
             "tests/test_matrix.cpp": TEST_MATRIX_CPP}
    return Project(name="cpp-matrix", ecosystem="cpp", files=files, defaults=MATRIX_DEFAULTS, faults=MATRIX_FAULTS,
                   comment="//", job_name="ctest (g++)", matrix_job_name="ctest (clang++)")


def matrix_steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    compiler = " -DCMAKE_CXX_COMPILER=clang++" if scenario.matrix else ""
    out = [run(f"cmake -S . -B build -DCMAKE_BUILD_TYPE=Release{compiler}", root, repo)]
    verbose = " --verbose" if scenario.verbose else ""
    out.append(run(f"cmake --build build{verbose}", root, repo))
    if out[-1].exit_code:
        return out
    flags = " -V" if scenario.verbose else ""
    flags += " --schedule-random" if scenario.seed is not None else ""
    out.append(run(f"ctest --test-dir build --output-on-failure --output-junit junit.xml{flags}", root, repo))
    return out


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_ringbuf(), _matrix(), _cpp_textstats.project())


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    ringbuf = _ringbuf()
    yield from Generator(ringbuf, lambda root, sc: ringbuf_steps(root, sc, ringbuf.name), workdir, rng).cases()
    matrix = _matrix()

    def matrix_runner(root: Path, sc: Scenario) -> Sequence[Step]:
        ran = matrix_steps(root, sc, matrix.name)
        if ran[-1].command.startswith("ctest"):
            expected = {f.test_id for f in sc.faults}
            got = failed_from_junit(root / "build" / "junit.xml")
            if got != expected:
                raise AssertionError(f"ctest failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")
        return ran

    yield from Generator(matrix, matrix_runner, workdir, rng).cases()
    # cpp-textstats (dev) after the held-out project, on the same random stream: its draws are unchanged.
    textstats = _cpp_textstats.project()

    def textstats_runner(root: Path, sc: Scenario) -> Sequence[Step]:
        ran = _cpp_textstats.steps(root, sc, textstats.name)
        _cpp_textstats.check(root, sc, ran)
        return ran

    yield from Generator(textstats, textstats_runner, workdir, rng).cases()


def failed_from_junit(path: Path) -> set[str]:
    """Failing test names from CTest's JUnit report (``ctest --output-junit``)."""
    root = ET.parse(path).getroot()
    return {tc.get("name", "") for tc in root.iter("testcase") if tc.find("failure") is not None
            or tc.get("status") == "fail"}
