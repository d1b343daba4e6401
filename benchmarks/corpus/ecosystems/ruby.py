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


# --- rb-tally (held-out): a vote counter, minitest and RSpec ---------------------------------------------

TALLY_RB = """# frozen_string_literal: true

{{SHIFT}}
# Counts votes and ranks the options.
class Tally
  def initialize
    @votes = Hash.new(0)
  end

  def vote(option, weight = 1)
    {{GUARD}}
    @votes[{{KEY}}] += weight
    self
  end

  def count(option)
    @votes[option.to_s.downcase]
  end

  def winner
    {{WINNER}}
  end

  def ranking
    {{RANKING}}
  end

  def share(option)
    total = @votes.values.sum
    return 0.0 if total.zero?

    {{SHARE}}
  end
end
"""

TEST_TALLY_RB = """# frozen_string_literal: true

require "minitest/autorun"
require_relative "../lib/tally"

class TestTally < Minitest::Test
  def setup
    @tally = Tally.new.vote("Red").vote("blue", 2).vote("red")
  end

  def test_count_ignores_case
    assert_equal 2, @tally.count("RED")
  end

  def test_rejects_zero_weight
    assert_raises(ArgumentError) { @tally.vote("green", 0) }
  end

  def test_share_is_a_percentage
    assert_equal 50.0, Tally.new.vote("1").vote("2", 3).vote("1", 2).share("1")
  end
end
"""

TALLY_SPEC_RB = """# frozen_string_literal: true

require_relative "../lib/tally"

RSpec.describe Tally do
  let(:tally) { Tally.new.vote("red", 3).vote("blue").vote("green", 2) }

  describe "#ranking" do
    it "orders options by votes" do
      expect(tally.ranking).to eq(%w[red green blue])
    end

    it "breaks ties alphabetically" do
      expect(Tally.new.vote("b").vote("a").ranking).to eq(%w[a b])
    end
  end

  describe "#winner" do
    it "is the option with most votes" do
      expect(tally.winner).to eq("red")
    end
  end
end
"""

TALLY_DEFAULTS = {
    "GUARD": 'raise ArgumentError, "weight must be positive" unless weight.positive?',
    "KEY": "option.to_s.downcase",
    "WINNER": "@votes.max_by { |_option, n| n }&.first",
    "RANKING": "@votes.sort_by { |option, n| [-n, option] }.map(&:first)",
    "SHARE": "(100.0 * count(option) / total).round(1)",
}


def _tally_mt(key: str, switch: str, bad: tuple[str, ...], test: str, *lines: str, error: bool = False,
              **kw: object) -> Fault:
    head = rf"^TestTally#{test} \[test/test_tally\.rb:\d+\]:$" if not error else rf"^TestTally#{test}:$"
    kw.setdefault("test_loc", rf"^TestTally#{test} \[(?P<file>test/test_tally\.rb):(?P<line>\d+)\]:$"
                  if not error else r"^\s+(?P<file>test/test_tally\.rb):(?P<line>\d+):in")
    return Fault(key=key, file="lib/tally.rb", switch=switch, bad=bad, tool="minitest", kind="test",
                 test_id=f"TestTally#{test}", evidence=(rf"^\s+\d+\) {'Error' if error else 'Failure'}:$", head,
                                                        *lines),
                 group="minitest", **kw)  # type: ignore[arg-type]


def _tally_rs(key: str, switch: str, bad: tuple[str, ...], example: str, *lines: str, **kw: object) -> Fault:
    e = re.escape(example)
    return Fault(key=key, file="lib/tally.rb", switch=switch, bad=bad, tool="rspec", kind="test",
                 test_id=example, evidence=(rf"^\s+\d+\) {e}$", r"^\s+Failure/Error: ", *lines,
                                            rf"^rspec \./spec/tally_spec\.rb:\d+ # {e}$"),
                 test_loc=r"^\s+# \./(?P<file>spec/tally_spec\.rb):(?P<line>\d+):in ",
                 group="rspec", **kw)  # type: ignore[arg-type]


TALLY_FAULTS: tuple[Fault, ...] = (
    _tally_mt("vote-keeps-case", "KEY", ("option.to_s", "option.to_s.upcase"), "test_count_ignores_case",
              r"^Expected: 2$", r"^\s+Actual: [01]$"),
    _tally_mt("guard-allows-zero", "GUARD",
              ('raise ArgumentError, "weight must be positive" if weight.negative?',
               'raise ArgumentError, "weight must be positive" if weight < -1'),
              "test_rejects_zero_weight", r"^ArgumentError expected but nothing was raised\.$"),
    _tally_mt("share-as-fraction", "SHARE",
              ("(count(option).to_f / total).round(1)", "(100.0 * count(option) / total.succ).round(1)"),
              "test_share_is_a_percentage", r"^Expected: 50\.0$", r"^\s+Actual: (0\.5|42\.9)$"),
    _tally_mt("share-rounds-with-string", "SHARE", ('(100.0 * count(option) / total).round("1")',),
              "test_share_is_a_percentage", r"^TypeError: no implicit conversion of String into Integer$",
              error=True, negative_of="share-as-fraction", hard_negative="same-test-other-reason"),
    _tally_rs("ranking-ascending", "RANKING",
              ("@votes.sort_by { |option, n| [n, option] }.map(&:first)",
               "@votes.min_by(3) { |option, n| [n, option] }.map(&:first)"),
              "Tally#ranking orders options by votes", r'^\s+expected: \["red", "green", "blue"\]$',
              r'^\s+got: \["blue", "green", "red"\]$'),
    _tally_rs("ranking-ties-reversed", "RANKING", ("@votes.sort_by { |option, n| [n, option] }.map(&:first).reverse",),
              "Tally#ranking breaks ties alphabetically", r'^\s+expected: \["a", "b"\]$',
              r'^\s+got: \["b", "a"\]$', negative_of="ranking-ascending", hard_negative="sibling-subtest"),
    _tally_rs("winner-last-voted", "WINNER", ("@votes.keys.last", "ranking.last"),
              "Tally#winner is the option with most votes", r'^\s+expected: "red"$', r'^\s+got: "(green|blue)"$'),
    _tally_rs("winner-misspelled-ranking", "WINNER", ("rankings.first",),
              "Tally#winner is the option with most votes", r"^\s+NameError:$|^\s+NameError: ",
              r"undefined local variable or method `rankings'", negative_of="winner-last-voted",
              hard_negative="same-test-other-reason"),
)


def _tally() -> Project:
    files = {"lib/tally.rb": TALLY_RB, "test/test_tally.rb": TEST_TALLY_RB, "spec/tally_spec.rb": TALLY_SPEC_RB}
    return Project(name="rb-tally", ecosystem="ruby", files=files, defaults=TALLY_DEFAULTS, faults=TALLY_FAULTS,
                   comment="#", job_name="test", matrix_job_name="test",
                   supported=("timestamps", "shifted", "data", "verbose", "order", "extra"),
                   toolchain_version=tool_version("ruby --version", r"ruby (\d+\.\d+\.\d+)"))


MINITEST = {"rb-slugger": ("test/test_slugger.rb", "TestSlugger"), "rb-tally": ("test/test_tally.rb", "TestTally")}


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
    test_file, test_class = MINITEST[repo]
    seed = scenario.seed if scenario.seed is not None else 4242
    verbose = " -v" if scenario.verbose else ""
    ran = run(f"ruby -Ilib {test_file} --seed {seed}{verbose}", root, repo)
    got = set(re.findall(rf"^({test_class}#\w+)(?: \[|:$)", ran.output, re.M))
    _expect(scenario, got, "minitest")
    return [ran]


def _expect(scenario: Scenario, got: set[str], tool: str) -> None:
    expected = {f.test_id for f in scenario.faults}
    if got != expected:
        raise AssertionError(f"{tool} failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_project(), _tally())


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    project = _project()
    yield from Generator(project, lambda root, sc: steps(root, sc, project.name), workdir, rng).cases()
    # A project added later draws from a stream of its own: the committed projects' draws stay as they were.
    tally = _tally()
    yield from Generator(tally, lambda root, sc: steps(root, sc, tally.name), workdir,
                         random.Random(f"corpus/ruby/{tally.name}")).cases()
