"""cpp-textstats: a dev C++17 project (word tokenizer, word counts, a report) built with CMake, tested with
googletest under CTest.

Kept apart from ``cfamily.py`` (whose CTest project is held out) so its templates can be read while rules are
tuned; ``cfamily.projects()``/``cfamily.cases()`` list it after the held-out project, so that project's random
draws stay the same. The CI runs ``cmake -S . -B build``, ``cmake --build build`` and ``ctest --test-dir build
--output-on-failure``, one step each; the test binaries register their tests with ``gtest_discover_tests``, so
CTest names each googletest test (``Suite.Test``, ``Instance/Suite.Test/N`` for a ``TEST_P``). Faults cover
googletest's ``EXPECT_EQ``/``ASSERT_EQ`` (``Expected equality of these values``), ``EXPECT_TRUE``
(``Value of: ... Actual: false``), ``EXPECT_NEAR``, ``EXPECT_THROW`` that throws nothing, an exception escaping
a test body, a test that segfaults, one that aborts on an ``assert``, one that hangs past CTest's timeout, g++'s
``has no member named``, ``no matching function`` and ``was not declared in this scope``, an undefined reference
at link time, and a CMake configuration error.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from benchmarks.corpus.faultkit import Fault, Project, Scenario, run, tool_version
from benchmarks.corpus.model import Step

NAME = "cpp-textstats"

CMAKELISTS = """cmake_minimum_required(VERSION 3.16)
project(textstats VERSION 0.2.0 LANGUAGES CXX)

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)

{{SHIFT}}
add_library(textstats
    src/tokenize.cpp
    src/stats.cpp
    {{SOURCES}}
)
target_include_directories(textstats PUBLIC include)
target_compile_options(textstats PRIVATE -Wall -Wextra)

{{GTEST_PKG}}
include(GoogleTest)
enable_testing()

foreach(name test_tokenize test_stats test_format)
    add_executable(${name} tests/${name}.cpp)
    target_link_libraries(${name} PRIVATE textstats GTest::gtest_main)
    gtest_discover_tests(${name} PROPERTIES TIMEOUT 5)
endforeach()
"""

TOKENIZE_HPP = """#pragma once

#include <string>
#include <vector>

namespace textstats {

// Letters, digits and the apostrophe make words ("don't" is one word).
bool is_word_char(char c);

std::string lower(const std::string& word);

// The words of `text`, lower-cased, in order; everything else separates them.
std::vector<std::string> tokenize(const std::string& text);

}  // namespace textstats
"""

TOKENIZE_CPP = """#include "textstats/tokenize.hpp"

#include <cctype>

namespace textstats {

{{SHIFT}}
bool is_word_char(char c) {
    {{WORD_CHAR}}
}

std::string lower(const std::string& word) {
    std::string out;
    out.reserve(word.size());
    for (char c : word) {
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

std::vector<std::string> tokenize(const std::string& text) {
    std::vector<std::string> words;
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        {{SKIP}}
        const std::size_t start = i;
        while (i < n && is_word_char(text[i])) {
            ++i;
        }
        if ({{KEEP}}) {
            {{WORD}}
        }
    }
    return words;
}

}  // namespace textstats
"""

STATS_HPP = """#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace textstats {

// How often each word occurs.
class Counter {
public:
    void add(const std::string& word);
    void add_all(const std::vector<std::string>& words);
    std::size_t count(const std::string& word) const;
    std::size_t total() const;
    std::size_t distinct() const;
    // The most frequent word (the first in alphabetical order on a tie), "" when empty.
    std::string most_common() const;
    // The `n` most frequent words, most frequent first, ties in alphabetical order.
    std::vector<std::pair<std::string, std::size_t>> top(std::size_t n) const;

private:
    std::map<std::string, std::size_t> counts_;
    std::size_t total_ = 0;
};

// The mean number of characters per word; throws std::invalid_argument for no words.
double mean_length(const std::vector<std::string>& words);

// Distinct words / words (0 for no words).
double type_token_ratio(const std::vector<std::string>& words);

}  // namespace textstats
"""

STATS_CPP = """#include "textstats/stats.hpp"

#include <algorithm>
#include <cassert>
#include <set>
#include <stdexcept>

namespace textstats {

{{SHIFT}}
void Counter::add(const std::string& word) {
    ++counts_[word];
    {{TOTAL}}
}

void Counter::add_all(const std::vector<std::string>& words) {
    for (const auto& w : words) {
        add(w);
    }
}

std::size_t Counter::count(const std::string& word) const {
    const auto it = counts_.find(word);
    {{COUNT}}
}

std::size_t Counter::total() const {
    {{TOTAL_GET}}
}

std::size_t Counter::distinct() const {
    return counts_.size();
}

std::string Counter::most_common() const {
    {{GUARD}}
    std::size_t best_count = 0;
    for (const auto& [word, n] : counts_) {
        if (n > best_count) {
            best = &word;
            best_count = n;
        }
    }
    {{BEST}}
}

std::vector<std::pair<std::string, std::size_t>> Counter::top(std::size_t n) const {
    std::vector<std::pair<std::string, std::size_t>> all(counts_.begin(), counts_.end());
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        {{ORDER}}
    });
    {{TRUNCATE}}
    return all;
}

double mean_length(const std::vector<std::string>& words) {
    {{EMPTY}}
    std::size_t letters = 0;
    for (const auto& w : words) {
        {{LETTERS}}
    }
    return {{MEAN}};
}

double type_token_ratio(const std::vector<std::string>& words) {
    if (words.empty()) {
        return 0.0;
    }
    const std::set<std::string> types(words.begin(), words.end());
    return {{TTR}};
}

}  // namespace textstats
"""

FORMAT_HPP = """#pragma once

#include <cstddef>
#include <string>

#include "textstats/stats.hpp"

namespace textstats {

// A ratio as a percentage with one decimal: 0.125 -> "12.5%", clamped to [0, 1].
std::string percent(double ratio);

// "1. word count" lines for the `n` most frequent words, then the totals.
std::string format_report(const Counter& counter, std::size_t n);

}  // namespace textstats
"""

FORMAT_CPP = """#include "textstats/format.hpp"

#include <iomanip>
#include <sstream>

namespace textstats {

{{SHIFT}}
std::string {{PERCENT_NAME}}(double ratio) {
    {{FULL}}
    {{ZERO}}
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << ratio * 100.0 << '%';
    return out.str();
}

std::string {{REPORT_NAME}}(const Counter& counter, std::size_t n) {
    std::ostringstream out;
    const auto top = counter.top(n);
    for (std::size_t i = 0; {{LOOP}}; ++i) {
        out << (i + 1) << ". " << top.at(i).first << ' ' << top.at(i).second << '\\n';
    }
    out << "total " << counter.total() << ", distinct " << counter.distinct() << '\\n';
    return out.str();
}

}  // namespace textstats
"""

TEST_TOKENIZE = """#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "textstats/tokenize.hpp"

using textstats::is_word_char;
using textstats::tokenize;

TEST(Tokenize, LowercasesWords) {
    const auto words = tokenize("Hello a World");
    ASSERT_EQ(words.size(), 3u);
    EXPECT_EQ(words, (std::vector<std::string>{"hello", "a", "world"}));
}

TEST(Tokenize, SkipsPunctuationRuns) {
    EXPECT_EQ(tokenize("well -- done... ok"), (std::vector<std::string>{"well", "done", "ok"}));
}

TEST(Tokenize, ApostropheIsAWordChar) {
    EXPECT_TRUE(is_word_char('x'));
    EXPECT_TRUE(is_word_char('\\''));
    EXPECT_FALSE(is_word_char(' '));
}

TEST(Tokenize, EmptyTextHasNoWords) {
    EXPECT_TRUE(tokenize("").empty());
    EXPECT_TRUE(tokenize("   ").empty());
}
"""

TEST_STATS = """#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "textstats/stats.hpp"

using textstats::Counter;

TEST(Counter, CountsWords) {
    Counter c;
    c.add_all({"b", "the", "a", "the"});
    EXPECT_EQ(c.count("the"), 2u);
    EXPECT_EQ(c.count("missing"), 0u);
    EXPECT_EQ(c.distinct(), 3u);
}

TEST(Counter, TopOrdersByCount) {
    Counter c;
    c.add_all({"b", "the", "a", "the", "b", "the"});
    const std::vector<std::pair<std::string, std::size_t>> expected{ {"the", 3}, {"b", 2} };
    EXPECT_EQ(c.top(2), expected);
}

TEST(Counter, MostCommonOfNothingIsEmpty) {
    const Counter c;
    EXPECT_EQ(c.most_common(), "");
}

TEST(Stats, MeanLength) {
    const std::vector<std::string> words{"a", "ab", "abcd"};
    EXPECT_NEAR(textstats::mean_length(words), 2.3333, 1e-3);
}

TEST(Stats, MeanLengthOfNoWordsThrows) {
    const std::vector<std::string> none;
    EXPECT_THROW(textstats::mean_length(none), std::invalid_argument);
}

TEST(Stats, TypeTokenRatio) {
    EXPECT_DOUBLE_EQ(textstats::type_token_ratio({"a", "b", "a", "a"}), 0.5);
}
"""

TEST_FORMAT = """#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "textstats/format.hpp"

using textstats::Counter;

class PercentTest : public ::testing::TestWithParam<std::pair<double, std::string>> {};

TEST_P(PercentTest, Formats) {
    const auto& [ratio, expected] = GetParam();
    EXPECT_EQ(textstats::percent(ratio), expected);
}

INSTANTIATE_TEST_SUITE_P(Ratios, PercentTest,
                         ::testing::Values(std::make_pair(0.0, std::string("0.0%")),
                                           std::make_pair(0.125, std::string("12.5%")),
                                           std::make_pair(1.0, std::string("100.0%"))));

TEST(Report, ListsTopWords) {
    Counter c;
    c.add_all({"to", "be", "or", "not"});
    EXPECT_EQ(textstats::format_report(c, 5), "1. be 1\\n2. not 1\\n3. or 1\\n4. to 1\\ntotal 4, distinct 4\\n");
}
"""

DEFAULTS = {
    "SOURCES": "src/format.cpp",
    "WORD_CHAR": "return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '\\'';",
    "SKIP": "while (i < n && !is_word_char(text[i])) ++i;",
    "KEEP": "i > start",
    "WORD": "words.push_back(lower(text.substr(start, i - start)));",
    "TOTAL": "++total_;",
    "GUARD": "const std::string* best = nullptr;",
    "BEST": "return best != nullptr ? *best : std::string();",
    "ORDER": "return a.second > b.second;",
    "TRUNCATE": "all.resize(std::min(n, all.size()));",
    "EMPTY": "if (words.empty()) throw std::invalid_argument(\"mean_length of no words\");",
    "MEAN": "static_cast<double>(letters) / static_cast<double>(words.size())",
    "TTR": "static_cast<double>(types.size()) / static_cast<double>(words.size())",
    "PERCENT_NAME": "percent",
    "FULL": "if (ratio > 1.0) ratio = 1.0;",
    "ZERO": "if (ratio < 0.0) ratio = 0.0;",
    "LOOP": "i < top.size()",
    "GTEST_PKG": "find_package(GTest REQUIRED)",
    "COUNT": "return it == counts_.end() ? 0 : it->second;",
    "TOTAL_GET": "return total_;",
    "LETTERS": "letters += w.size();",
    "REPORT_NAME": "format_report",
}

FILES = {"CMakeLists.txt": CMAKELISTS, "include/textstats/tokenize.hpp": TOKENIZE_HPP,
         "include/textstats/stats.hpp": STATS_HPP, "include/textstats/format.hpp": FORMAT_HPP,
         "src/tokenize.cpp": TOKENIZE_CPP, "src/stats.cpp": STATS_CPP, "src/format.cpp": FORMAT_CPP,
         "tests/test_tokenize.cpp": TEST_TOKENIZE, "tests/test_stats.cpp": TEST_STATS,
         "tests/test_format.cpp": TEST_FORMAT}

TOK = "src/tokenize.cpp"
STATS = "src/stats.cpp"
FMT = "src/format.cpp"

# CTest's verdict on a test's progress line, and in the closing "The following tests FAILED" list.
_FAILED = (r"\*\*\*Failed", "Failed")
_SEGFAULT = (r"\*\*\*Exception: SegFault", "SEGFAULT")
_ABORTED = (r"Subprocess aborted\*\*\*Exception:", "Subprocess aborted")
_TIMEOUT = (r"\*\*\*Timeout", "Timeout")


def _q(pattern: str) -> str:
    # g++ quotes with U+2018/U+2019 under a UTF-8 locale (as on the hosted runners), with ' under C.
    return pattern.replace("'", "['\u2018\u2019]")


def _test(key: str, file: str, switch: str, bad: tuple[str, ...], test: str, source: str | None, *lines: str,
          verdict: tuple[str, str] = _FAILED, **kw: object) -> Fault:
    """A googletest failure under CTest: the test's progress line with CTest's verdict, googletest's
    ``file:line: Failure`` (``source``: the test file; None for a crash or an escaped exception), ``lines`` (the
    assertion's text), then the test in CTest's closing list. With ``-V`` every line of a test's output is
    prefixed by its number (``3: ``), so no pattern is anchored at the start of the line."""
    t = re.escape(test)
    site = (rf"{re.escape(source)}:\d+: Failure$",) if source else ()
    if source:
        kw.setdefault("test_loc", rf"(?P<file>{re.escape(source)}):(?P<line>\d+): Failure$")
    kw.setdefault("message", r"Expected|Value of:|The difference|C\+\+ exception|Assertion")
    kind = kw.pop("kind", "test")
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="ctest", kind=kind,  # type: ignore[arg-type]
                 evidence=(rf"Test\s+#\d+: {t} \.+\s*{verdict[0]}", *site, *lines,
                           rf"^\s*\d+ - {t} \({verdict[1]}\)$"),
                 test_id=test, group="test", **kw)  # type: ignore[arg-type]


def _gxx(key: str, file: str, switch: str, bad: tuple[str, ...], message: str, **kw: object) -> Fault:
    """A g++ error in the library (``cmake --build`` stops at the first object that does not compile)."""
    obj = re.escape(file.rsplit("/", 1)[-1])
    kw.setdefault("group", f"compile-{key}")
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="g++", kind="compile",  # type: ignore[arg-type]
                 evidence=(rf"{re.escape(file)}:\d+:\d+: error: {_q(message)}",
                           rf"\*\*\* \[CMakeFiles/textstats\.dir/build\.make:\d+: "
                           rf"CMakeFiles/textstats\.dir/src/{obj}\.o\] Error 1$"),
                 message=r"error: ", **kw)  # type: ignore[arg-type]


def _ld(key: str, switch: str, bad: tuple[str, ...], symbol: str, **kw: object) -> Fault:
    """A function the header declares and no object defines: the test binary that calls it does not link."""
    return Fault(key=key, file=FMT, switch=switch, bad=bad, tool="ld", kind="compile",  # type: ignore[arg-type]
                 evidence=(rf"undefined reference to [`\u2018]{symbol}['\u2019]",
                           r"collect2: error: ld returned 1 exit status"),
                 message="undefined reference", group="link", **kw)  # type: ignore[arg-type]


_EQ = r"Expected equality of these values:$"

FAULTS: tuple[Fault, ...] = (
    # googletest assertions under CTest
    _test("tokenize-keeps-case", TOK, "WORD",
          ("words.push_back(text.substr(start, i - start));",
           "words.push_back(text.substr(start, 1) + lower(text.substr(start + 1, i - start - 1)));"),
          "Tokenize.LowercasesWords", "tests/test_tokenize.cpp", _EQ, r"^\s*(\d+: )?\s+words$",
          r'Which is: \{ "Hello", "a", "(World|world)" \}$'),
    _test("tokenize-drops-one-letter-words", TOK, "KEEP", ("i > start + 1", "i - start >= 2"),
          "Tokenize.LowercasesWords", "tests/test_tokenize.cpp", _EQ, r"^\s*(\d+: )?\s+words\.size\(\)$",
          r"Which is: 2$", negative_of="tokenize-keeps-case", hard_negative="same-test-other-reason"),
    _test("apostrophe-not-a-word-char", TOK, "WORD_CHAR",
          ("return std::isalnum(static_cast<unsigned char>(c)) != 0;",
           "return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '`';"),
          "Tokenize.ApostropheIsAWordChar", "tests/test_tokenize.cpp", r"Value of: is_word_char\('\\''\)$",
          r"Actual: false$", r"Expected: true$"),
    _test("skip-stops-at-punctuation", TOK, "SKIP",
          ("while (i < n && !is_word_char(text[i]) && text[i] != '-') ++i;",
           "while (i < n && !is_word_char(text[i]) && text[i] != '.') ++i;"),
          "Tokenize.SkipsPunctuationRuns", None, verdict=_TIMEOUT, message=r"Timeout", kind="timeout"),
    _test("top-sorted-ascending", STATS, "ORDER", ("return a.second < b.second;",),
          "Counter.TopOrdersByCount", "tests/test_stats.cpp", _EQ, r"^\s*(\d+: )?\s+c\.top\(2\)$",
          r'Which is: \{ \("a", 1\), \("b", 2\) \}$'),
    _test("most-common-null-deref", STATS, "BEST", ("return *best;", "return std::string(best->data(), best->size());"),
          "Counter.MostCommonOfNothingIsEmpty", None, verdict=_SEGFAULT, message=r"SegFault", kind="crash"),
    _test("most-common-asserts-nonempty", STATS, "GUARD",
          ("const std::string* best = nullptr;\n    assert(!counts_.empty());",
           "const std::string* best = nullptr;\n    assert(counts_.size() > 0);"),
          "Counter.MostCommonOfNothingIsEmpty", None,
          r"src/stats\.cpp:\d+: std::string textstats::Counter::most_common\(\) const: Assertion "
          r"`(!counts_\.empty\(\)|counts_\.size\(\) > 0)' failed\.$",
          verdict=_ABORTED, message=r"Assertion", line_offset=1, kind="crash",
          negative_of="most-common-null-deref", hard_negative="same-test-other-reason"),
    _test("mean-length-off-by-one", STATS, "MEAN",
          ("static_cast<double>(letters) / static_cast<double>(words.size() + 1)",
           "static_cast<double>(letters / words.size())"),
          "Stats.MeanLength", "tests/test_stats.cpp",
          r"The difference between textstats::mean_length\(words\) and 2\.3333 is [\d.]+, which exceeds 1e-3, "
          r"where$", r"textstats::mean_length\(words\) evaluates to (1\.75|2),$"),
    _test("mean-length-empty-no-throw", STATS, "EMPTY",
          ("if (words.empty()) return 0.0;", "if (words.empty()) return -1.0;"),
          "Stats.MeanLengthOfNoWordsThrows", "tests/test_stats.cpp",
          r"Expected: textstats::mean_length\(none\) throws an exception of type std::invalid_argument\.$",
          r"Actual: it throws nothing\.$"),
    _test("report-loops-past-top", FMT, "LOOP", ("i < n", "i <= top.size()"), "Report.ListsTopWords", None,
          r"unknown file: Failure$",
          r'C\+\+ exception with description "vector::_M_range_check: __n \(which is 4\) >= this->size\(\) '
          r'\(which is 4\)" thrown in the test body\.$'),
    _test("percent-full-drops-decimal", FMT, "FULL",
          ('if (ratio >= 1.0) return "100%";', 'if (ratio >= 1.0) return "100.00%";'),
          'Ratios/PercentTest.Formats/(1, "100.0%")', "tests/test_format.cpp", _EQ,
          r"^\s*(\d+: )?\s+textstats::percent\(ratio\)$", r'Which is: "(100%|100\.00%)"$',
          r'Which is: "100\.0%"$'),
    _test("percent-zero-drops-decimal", FMT, "ZERO",
          ('if (ratio <= 0.0) return "0%";', 'if (ratio <= 0.0) return "-";'),
          'Ratios/PercentTest.Formats/(0, "0.0%")', "tests/test_format.cpp", _EQ,
          r"^\s*(\d+: )?\s+textstats::percent\(ratio\)$", r'Which is: "(0%|-)"$', r'Which is: "0\.0%"$',
          negative_of="percent-full-drops-decimal", hard_negative="sibling-subtest"),
    # g++ (cmake --build)
    _gxx("total-no-member", STATS, "TOTAL", ("++this->totals_;", "++this->count_;"),
         r"'class textstats::Counter' has no member named '(totals_|count_)'"),
    _gxx("truncate-min-mixed-types", STATS, "TRUNCATE",
         ("all.resize(std::min(n, 10));", "all.resize(std::min(n, all.size() * 1.0));"),
         r"no matching function for call to 'min\(std::size_t&, (int|double)\)'"),
    _gxx("mean-undeclared-words", STATS, "MEAN",
         ("static_cast<double>(letters) / static_cast<double>(wrds.size())",
          "static_cast<double>(letters) / static_cast<double>(word_list.size())"),
         r"'(wrds|word_list)' was not declared in this scope"),
    _gxx("ratio-undeclared-words", STATS, "TTR",
         ("static_cast<double>(types.size()) / static_cast<double>(wrds.size())",
          "static_cast<double>(types.size()) / static_cast<double>(word_list.size())"),
         r"'(wrds|word_list)' was not declared in this scope",
         negative_of="mean-undeclared-words", hard_negative="same-message-other-place"),
    # the linker (cmake --build: test_format calls percent)
    _ld("percent-renamed", "PERCENT_NAME", ("percentage", "to_percent"), r"textstats::percent\[abi:cxx11\]\(double\)"),
    # CMake (cmake -S . -B build)
    Fault(key="cmake-gtest-package-misnamed", file="CMakeLists.txt", switch="GTEST_PKG",
          bad=("find_package(GTests REQUIRED)", "find_package(GoogleTest REQUIRED)"), tool="cmake", kind="config",
          evidence=(r"^CMake Error at CMakeLists\.txt:\d+ \(find_package\):$",
                    r'^\s+By not providing "Find(GTests|GoogleTest)\.cmake" in CMAKE_MODULE_PATH this project',
                    r'^\s+Could not find a package configuration file provided by "(GTests|GoogleTest)"'),
          message=r"^CMake Error", group="cmake-package"),
    Fault(key="cmake-missing-source", file="CMakeLists.txt", switch="SOURCES",
          bad=("src/format.cpp\n    src/report.cpp", "src/format.cpp\n    src/wordfreq.cpp"), tool="cmake",
          kind="config", line_offset=1,
          evidence=(r"^CMake Error at CMakeLists\.txt:\d+ \(add_library\):$", r"^  Cannot find source file:$",
                    r"^\s+src/(report|wordfreq)\.cpp$"),
          message=r"^CMake Error", group="cmake"),
    # hard negatives added with the second batch: another symbol, another TEST of a suite, another value
    _ld("report-renamed", "REPORT_NAME", ("format_text_report", "write_report"),
        r"textstats::format_report\[abi:cxx11\]\(textstats::Counter const&, unsigned long\)",
        negative_of="percent-renamed", hard_negative="same-code-other-symbol"),
    _gxx("total-getter-no-member", STATS, "TOTAL_GET", ("return this->sum_;", "return this->totals;"),
         r"'const class textstats::Counter' has no member named '(sum_|totals)'",
         negative_of="total-no-member", hard_negative="same-code-other-symbol"),
    _test("count-of-missing-word-is-one", STATS, "COUNT",
          ("return it == counts_.end() ? 1 : it->second;", "return it == counts_.end() ? counts_.size() : it->second;"),
          "Counter.CountsWords", "tests/test_stats.cpp", _EQ, r"^\s*(\d+: )?\s+c\.count\(\"missing\"\)$",
          r"Which is: (1|3)$", negative_of="top-sorted-ascending", hard_negative="sibling-subtest"),
    _test("mean-length-counts-words", STATS, "LETTERS", ("letters += 1;", "letters += w.empty() ? 0 : 1;"),
          "Stats.MeanLength", "tests/test_stats.cpp",
          r"The difference between textstats::mean_length\(words\) and 2\.3333 is [\d.]+, which exceeds 1e-3, "
          r"where$", r"textstats::mean_length\(words\) evaluates to 1,$",
          negative_of="mean-length-off-by-one", hard_negative="same-test-other-reason"),
)


def project() -> Project:
    return Project(name=NAME, ecosystem="cpp", files=dict(FILES), defaults=DEFAULTS, faults=FAULTS, comment="//",
                   job_name="build-and-test", supported=("timestamps", "shifted", "data", "verbose", "order", "extra"),
                   toolchain_version=tool_version("g++ --version", r"(\d+\.\d+\.\d+)"))


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    """``cmake -S . -B build``, ``cmake --build build``, then ``ctest`` (each only when the previous passed)."""
    out = [run("cmake -S . -B build", root, repo)]
    if out[-1].exit_code != 0:
        return out
    out.append(run("cmake --build build" + (" --verbose" if scenario.verbose else ""), root, repo))
    if out[-1].exit_code != 0:
        return out
    flags = " -V" if scenario.verbose else ""
    flags += " --schedule-random" if scenario.seed is not None else ""
    out.append(run(f"ctest --test-dir build --output-on-failure --output-junit junit.xml{flags}", root, repo))
    return out


def failed_from_junit(path: Path) -> set[str]:
    """Failing test names from CTest's JUnit report (``ctest --output-junit``)."""
    root = ET.parse(path).getroot()
    return {tc.get("name", "") for tc in root.iter("testcase") if tc.find("failure") is not None
            or tc.get("status") == "fail"}


def check(root: Path, scenario: Scenario, ran: Sequence[Step]) -> None:
    """Cross-check the injected failing tests against CTest's JUnit report."""
    if not ran[-1].command.startswith("ctest"):
        if any(f.tool == "ctest" for f in scenario.faults):
            raise AssertionError(f"a test fault stopped before ctest: {ran[-1].command}")
        return
    got = failed_from_junit(root / "build" / "junit.xml")
    expected = {f.test_id or "" for f in scenario.faults}
    if got != expected:
        raise AssertionError(f"ctest failed {sorted(got)}, injected {sorted(expected)}")
