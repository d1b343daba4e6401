"""Ruby: minitest and RSpec on a std-only library (Debian's ruby, ruby-minitest, ruby-rspec)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.corpus.faultkit import Fault, Generator, Project, Scenario, run, tool_version
from benchmarks.corpus.model import RawCase, Step

TOOLS = ("minitest", "rspec")
APT = ("ruby", "ruby-minitest", "ruby-rspec")

SLUGGER_RB = """# frozen_string_literal: true

{{SHIFT}}
# Turns titles into URL slugs.
module Slugger
  module_function

  def slugify(title)
    {{DOWNCASE}}
    text = text.gsub({{STRIP_RE}}, "")
    text.gsub({{SPACE_RE}}, {{SEP}})
  end

  def truncate(slug, max)
    return slug if slug.length <= max

    {{CUT}}
  end

  def unique(slug, taken)
    {{EMPTY}}
    candidate = slug
    n = 1
    while {{LOOP}}
      n += 1
      candidate = {{SUFFIX}}
    end
    candidate
  end
end
"""

TEST_SLUGGER_RB = """# frozen_string_literal: true

require "minitest/autorun"
require_relative "../lib/slugger"

class TestSlugger < Minitest::Test
  def test_slugify_lowercases
    assert_equal "hello", Slugger.slugify("Hello")
  end

  def test_slugify_dashes
    assert_equal "big-news", Slugger.slugify("big  news")
  end

  def test_slugify_drops_punctuation
    assert_equal "hi", Slugger.slugify("hi!")
  end

  def test_truncate_at_word_boundary
    assert_equal "a-long", Slugger.truncate("a-long-title", 8)
  end
end
"""

SLUGGER_SPEC_RB = """# frozen_string_literal: true

require_relative "../lib/slugger"

RSpec.describe Slugger do
  describe ".unique" do
    it "returns the slug when it is free" do
      expect(Slugger.unique("post", [])).to eq("post")
    end

    it "appends a counter when the slug is taken" do
      expect(Slugger.unique("post", ["post", "post-2"])).to eq("post-3")
    end
  end

  describe ".truncate" do
    it "keeps short slugs" do
      expect(Slugger.truncate("short", 10)).to eq("short")
    end
  end
end
"""

DEFAULTS = {
    "DOWNCASE": "text = title.downcase.strip",
    "STRIP_RE": "/[^a-z0-9\\s-]/",
    "SEP": '"-"',
    "SPACE_RE": "/[\\s-]+/",
    "CUT": 'slug[0, max].sub(/-[^-]*\\z/, "")',
    "EMPTY": "return slug if taken.empty?",
    "LOOP": "taken.include?(candidate)",
    "SUFFIX": '"#{slug}-#{n}"',
}


def _mt(key: str, switch: str, bad: tuple[str, ...], test: str, *lines: str, error: bool = False,
        **kw: object) -> Fault:
    # minitest: "  1) Failure:" / "TestSlugger#test_x [test/test_slugger.rb:N]:" then Expected/Actual;
    # an exception: "  1) Error:" / "TestSlugger#test_x:" / "TypeError: ..." / "    lib/slugger.rb:N:in ...".
    head = rf"^TestSlugger#{test} \[test/test_slugger\.rb:\d+\]:$" if not error else rf"^TestSlugger#{test}:$"
    kw.setdefault("test_loc", rf"^TestSlugger#{test} \[(?P<file>test/test_slugger\.rb):(?P<line>\d+)\]:$"
                  if not error else r"^\s+(?P<file>test/test_slugger\.rb):(?P<line>\d+):in")
    return Fault(key=key, file="lib/slugger.rb", switch=switch, bad=bad, tool="minitest", kind="test",
                 test_id=f"TestSlugger#{test}", evidence=(rf"^\s+\d+\) {'Error' if error else 'Failure'}:$", head,
                                                          *lines),
                 group="minitest", **kw)  # type: ignore[arg-type]


def _rs(key: str, switch: str, bad: tuple[str, ...], example: str, *lines: str, **kw: object) -> Fault:
    e = re.escape(example)
    return Fault(key=key, file="lib/slugger.rb", switch=switch, bad=bad, tool="rspec", kind="test",
                 test_id=example, evidence=(rf"^\s+\d+\) {e}$", r"^\s+Failure/Error: ", *lines,
                                            rf"^rspec \./spec/slugger_spec\.rb:\d+ # {e}$"),
                 # the assertion's frame (the example's own line is in the "rspec ./spec/..:N" rerun line)
                 test_loc=r"^\s+# \./(?P<file>spec/slugger_spec\.rb):(?P<line>\d+):in ",
                 group="rspec", **kw)  # type: ignore[arg-type]


FAULTS: tuple[Fault, ...] = (
    _mt("slugify-keeps-case", "DOWNCASE", ("text = title.strip", "text = title.strip.tr(\"I-Z\", \"i-z\")"),
        "test_slugify_lowercases", r'^Expected: "hello"$', r'^\s+Actual: "[a-z]*"$'),
    _mt("slugify-underscore-separator", "SEP", ('"_"', '"--"'), "test_slugify_dashes", r'^Expected: "big-news"$',
        r'^\s+Actual: "big(_|--)news"$'),
    _mt("slugify-single-space-only", "SPACE_RE", ("/[ -]/",), "test_slugify_dashes",
        r'^Expected: "big-news"$', r'^\s+Actual: "big--news"$',
        negative_of="slugify-underscore-separator", hard_negative="same-test-other-reason"),
    _mt("slugify-keeps-bang", "STRIP_RE", ("/[^a-z0-9\\s!-]/", "/[^a-z0-9\\s?!-]/"), "test_slugify_drops_punctuation",
        r'^Expected: "hi"$', r'^\s+Actual: "hi!"$'),
    _mt("truncate-mid-word", "CUT", ("slug[0, max]", "slug[0, max - 1]"), "test_truncate_at_word_boundary",
        r'^Expected: "a-long"$', r'^\s+Actual: "a-long-t?"$'),
    _rs("unique-suffix-without-dash", "SUFFIX", ('"#{slug}#{n}"', '"#{slug}_#{n}"'),
        "Slugger.unique appends a counter when the slug is taken", r'^\s+expected: "post-3"$',
        r'^\s+got: "post_?\d"$'),
    _rs("unique-free-slug-numbered", "EMPTY", ('return "#{slug}-1" if taken.empty?',),
        "Slugger.unique returns the slug when it is free", r'^\s+expected: "post"$', r'^\s+got: "post-1"$',
        negative_of="unique-suffix-without-dash", hard_negative="sibling-subtest"),
    _rs("unique-stops-after-one-try", "LOOP", ("taken.include?(candidate) && n < 2",),
        "Slugger.unique appends a counter when the slug is taken", r'^\s+expected: "post-3"$',
        r'^\s+got: "post-2"$', negative_of="unique-suffix-without-dash", hard_negative="same-test-other-reason"),
)


def _project() -> Project:
    files = {"lib/slugger.rb": SLUGGER_RB, "test/test_slugger.rb": TEST_SLUGGER_RB,
             "spec/slugger_spec.rb": SLUGGER_SPEC_RB}
    return Project(name="rb-slugger", ecosystem="ruby", files=files, defaults=DEFAULTS, faults=FAULTS,
                   comment="#", job_name="test", matrix_job_name="test",
                   supported=("timestamps", "shifted", "data", "verbose", "order", "extra"),
                   toolchain_version=tool_version("ruby --version", r"ruby (\d+\.\d+\.\d+)"))


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    groups = {f.group for f in scenario.faults}
    if "rspec" in groups:
        # A second formatter writes the JSON report; the console one must then be named too.
        fmt = " --format documentation" if scenario.verbose else " --format progress"
        order = f" --order rand:{scenario.seed}" if scenario.seed is not None else ""
        ran = run(f"rspec --force-color{fmt}{order} --format json --out rspec.json", root, repo,
                  name="Run rspec")
        report = json.loads((root / "rspec.json").read_text())
        got = {e["full_description"] for e in report["examples"] if e["status"] == "failed"}
        _expect(scenario, got, "rspec")
        return [ran]
    seed = scenario.seed if scenario.seed is not None else 4242
    verbose = " -v" if scenario.verbose else ""
    ran = run(f"ruby -Ilib test/test_slugger.rb --seed {seed}{verbose}", root, repo)
    got = set(re.findall(r"^(TestSlugger#\w+)(?: \[|:$)", ran.output, re.M))
    _expect(scenario, got, "minitest")
    return [ran]


def _expect(scenario: Scenario, got: set[str], tool: str) -> None:
    expected = {f.test_id for f in scenario.faults}
    if got != expected:
        raise AssertionError(f"{tool} failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_project(),)


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    project = _project()
    yield from Generator(project, lambda root, sc: steps(root, sc, project.name), workdir, rng).cases()
