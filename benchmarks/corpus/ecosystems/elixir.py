"""Elixir: mix test (ExUnit, describe blocks) and compile errors, on a dependency-free mix project."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.corpus.faultkit import Fault, Generator, Project, Scenario, run, tool_version
from benchmarks.corpus.model import RawCase, Step

TOOLS = ("exunit", "elixirc")
APT = ("elixir",)

MIX_EXS = """defmodule Shelf.MixProject do
  use Mix.Project

  def project, do: [app: :shelf, version: "0.1.0", elixir: "~> 1.14", deps: []]

  def application, do: [extra_applications: [:logger]]
end
"""

SHELF_EX = """defmodule Shelf do
  @moduledoc "Stock levels per SKU."
{{SHIFT}}
  def add(stock, sku, n) when n > 0, do: {{ADD}}

  def remove(stock, sku, n) do
    case Map.fetch(stock, sku) do
      {:ok, have} when {{ENOUGH}} -> {:ok, {{TAKE}}}
      {:ok, have} -> {:error, {:insufficient, sku, have}}
      :error -> {:error, {:unknown, sku}}
    end
  end

  def total(stock), do: {{TOTAL}}
end
"""

SHELF_TEST_EXS = """defmodule ShelfTest do
  use ExUnit.Case

  describe "add/3" do
    test "adds to an existing sku" do
      assert Shelf.add(%{"a" => 1}, "a", 2) == %{"a" => 3}
    end

    test "creates a missing sku" do
      assert Shelf.add(%{}, "b", 4) == %{"b" => 4}
    end
  end

  describe "remove/3" do
    test "takes all the stock" do
      assert Shelf.remove(%{"a" => 5}, "a", 5) == {:ok, %{"a" => 0}}
    end

    test "refuses more than available" do
      assert Shelf.remove(%{"a" => 1}, "a", 2) == {:error, {:insufficient, "a", 1}}
    end
  end

  test "total/1 sums every sku" do
    assert Shelf.total(%{"a" => 2, "b" => 3}) == 5
  end
end
"""

DEFAULTS = {
    "ADD": "Map.update(stock, sku, n, &(&1 + n))",
    "ENOUGH": "have >= n",
    "TAKE": "Map.put(stock, sku, have - n)",
    "TOTAL": "stock |> Map.values() |> Enum.sum()",
}


def _t(key: str, switch: str, bad: tuple[str, ...], test: str, *lines: str, **kw: object) -> Fault:
    t = re.escape(test)
    return Fault(key=key, file="lib/shelf.ex", switch=switch, bad=bad, tool="exunit", kind="test",
                 test_id=f"ShelfTest.test {test}",
                 evidence=(rf"^\s+\d+\) test {t} \(ShelfTest\)$", r"^\s+test/shelf_test\.exs:\d+$", *lines),
                 test_loc=r"^\s+(?P<file>test/shelf_test\.exs):(?P<line>\d+): \(test\)$", group="test", **kw)  # type: ignore[arg-type]


def _cc(key: str, switch: str, bad: tuple[str, ...], function: str, **kw: object) -> Fault:
    return Fault(key=key, file="lib/shelf.ex", switch=switch, bad=bad, tool="elixirc", kind="compile",
                 evidence=(r"^== Compilation error in file lib/shelf\.ex ==$",
                           rf"^\*\* \(CompileError\) lib/shelf\.ex:\d+: undefined function {function}"),
                 message="CompileError", group=f"compile:{key}", **kw)  # type: ignore[arg-type]


EQ = (r"^\s+Assertion with == failed$", r"^\s+left:\s+", r"^\s+right:\s+")

FAULTS: tuple[Fault, ...] = (
    _t("add-counts-one-extra", "ADD",
       ("Map.update(stock, sku, n, &(&1 + n + 1))", "Map.update(stock, sku, n, &(&1 * n))"),
       "add/3 adds to an existing sku", *EQ),
    _t("add-creates-empty", "ADD", ("Map.update(stock, sku, 0, &(&1 + n))",), "add/3 creates a missing sku", *EQ,
       negative_of="add-counts-one-extra", hard_negative="sibling-subtest"),
    _t("remove-needs-more-than-asked", "ENOUGH", ("have > n", "have - n > 0"), "remove/3 takes all the stock", *EQ),
    _t("remove-deletes-sku", "TAKE", ("Map.delete(stock, sku)",), "remove/3 takes all the stock", *EQ,
       negative_of="remove-needs-more-than-asked", hard_negative="same-test-other-reason"),
    _t("total-counts-keys", "TOTAL", ("stock |> Map.keys() |> length()", "map_size(stock)"),
       "total/1 sums every sku", *EQ),
    _cc("total-undefined-helper", "TOTAL", ("sum_values(stock)", "values_sum(stock)"), r"(sum_values|values_sum)/1"),
    _cc("add-undefined-update", "ADD", ("update(stock, sku, n)",), r"update/3", negative_of="total-undefined-helper",
        hard_negative="same-code-other-symbol"),
)


def _project() -> Project:
    files = {"mix.exs": MIX_EXS, "lib/shelf.ex": SHELF_EX, "test/test_helper.exs": "ExUnit.start()\n",
             "test/shelf_test.exs": SHELF_TEST_EXS}
    return Project(name="ex-shelf", ecosystem="elixir", files=files, defaults=DEFAULTS, faults=FAULTS, comment="#",
                   job_name="mix test", matrix_job_name="mix test",
                   supported=("timestamps", "shifted", "data", "verbose", "order", "extra"),
                   toolchain_version=tool_version("elixir --version", r"Elixir (\d+\.\d+\.\d+)"))


# --- ex-roman (held-out): Roman numerals, ExUnit and compile errors -----------------------------------------

ROMAN_MIX_EXS = """defmodule Roman.MixProject do
  use Mix.Project

  def project, do: [app: :roman, version: "0.1.0", elixir: "~> 1.14", deps: []]

  def application, do: []
end
"""

ROMAN_EX = """defmodule Roman do
  @moduledoc "Roman numerals, 1..3999."
{{SHIFT}}
  @values %{"I" => 1, "V" => 5, "X" => 10, "L" => 50, "C" => 100, "D" => 500, "M" => 1000}
  @numerals [
{{NUMERALS}}
  ]

  def encode(n) when {{RANGE}}, do: encode(n, @numerals, "")

  defp encode(0, _, acc), do: acc

  defp encode(n, [{value, letters} | rest] = all, acc) do
    if n >= value, do: encode(n - value, all, acc <> letters), else: encode(n, rest, acc)
  end

  def decode(text) do
    text
    |> String.graphemes()
    |> Enum.map(&digit/1)
    |> Enum.reverse()
    |> Enum.reduce({0, 0}, fn v, {sum, prev} ->
      if {{SUBTRACT}}, do: {sum - v, prev}, else: {sum + v, v}
    end)
    |> elem(0)
  end

  defp digit(letter), do: {{DIGIT}}
end
"""

ROMAN_TEST_EXS = """defmodule RomanTest do
  use ExUnit.Case

  describe "encode/1" do
    test "uses subtractive pairs" do
      assert Roman.encode(1994) == "MCMXCIV"
    end

    test "repeats letters" do
      assert Roman.encode(30) == "XXX"
    end
  end

  describe "decode/1" do
    test "reads subtractive pairs" do
      assert Roman.decode("XLII") == 42
    end

    test "ignores case" do
      assert Roman.decode("mmxxvi") == 2026
    end
  end

  test "encode/1 rejects zero" do
    assert_raise FunctionClauseError, fn -> Roman.encode(0) end
  end
end
"""

_NUMERALS = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
             (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _numerals(drop: int | None = None, change: tuple[int, str] | None = None) -> str:
    """The @numerals list, one pair a line (``drop``: leave that value out; ``change``: other letters)."""
    pairs = [(v, change[1] if change and v == change[0] else t) for v, t in _NUMERALS if v != drop]
    return ",\n".join(f'    {{{v}, "{t}"}}' for v, t in pairs)


ROMAN_DEFAULTS = {
    "NUMERALS": _numerals(),
    "RANGE": "n in 1..3999",
    "SUBTRACT": "v < prev",
    "DIGIT": "Map.fetch!(@values, String.upcase(letter))",
}


def _rt(key: str, switch: str, bad: tuple[str, ...], test: str, *lines: str, **kw: object) -> Fault:
    t = re.escape(test)
    return Fault(key=key, file="lib/roman.ex", switch=switch, bad=bad, tool="exunit", kind="test",
                 test_id=f"RomanTest.test {test}",
                 evidence=(rf"^\s+\d+\) test {t} \(RomanTest\)$", r"^\s+test/roman_test\.exs:\d+$", *lines),
                 test_loc=r"^\s+(?P<file>test/roman_test\.exs):(?P<line>\d+): \(test\)$", group="test", **kw)  # type: ignore[arg-type]


def _rc(key: str, switch: str, bad: tuple[str, ...], function: str, **kw: object) -> Fault:
    return Fault(key=key, file="lib/roman.ex", switch=switch, bad=bad, tool="elixirc", kind="compile",
                 evidence=(r"^== Compilation error in file lib/roman\.ex ==$",
                           rf"^\*\* \(CompileError\) lib/roman\.ex:\d+: undefined function {function}"),
                 message="CompileError", group=f"compile:{key}", **kw)  # type: ignore[arg-type]


def _missing_line(drop: int) -> int:
    """The fault line of a dropped numeral: the pair that now stands where it stood (0-based in the list)."""
    return [v for v, _ in _NUMERALS].index(drop)


ROMAN_FAULTS: tuple[Fault, ...] = (
    _rt("encode-drops-cm", "NUMERALS", (_numerals(drop=900), _numerals(change=(900, "DCCCC"))),
        "encode/1 uses subtractive pairs", *EQ, line_offset=_missing_line(900)),
    _rt("encode-ten-doubled", "NUMERALS", (_numerals(change=(10, "XX")),), "encode/1 repeats letters", *EQ,
        line_offset=_missing_line(10), negative_of="encode-drops-cm", hard_negative="sibling-subtest"),
    _rt("decode-never-subtracts", "SUBTRACT", ("false", "v * 10 < prev"), "decode/1 reads subtractive pairs", *EQ),
    _rt("decode-case-sensitive", "DIGIT", ("Map.fetch!(@values, letter)",), "decode/1 ignores case",
        r'^\s+\*\* \(KeyError\) key "m" not found'),
    _rt("encode-accepts-zero", "RANGE", ("n in 0..3999", "n >= 0"), "encode/1 rejects zero",
        r"^\s+Expected exception FunctionClauseError but nothing was raised$"),
    _rc("digit-undefined-upcase", "DIGIT",
        ("Map.fetch!(@values, upcase(letter))", "Map.fetch!(@values, to_upper(letter))"), r"(upcase|to_upper)/1"),
    _rc("decode-undefined-compare", "SUBTRACT", ("smaller?(v, prev)",), r"smaller\?/2",
        negative_of="digit-undefined-upcase", hard_negative="same-code-other-symbol"),
)


def _roman() -> Project:
    files = {"mix.exs": ROMAN_MIX_EXS, "lib/roman.ex": ROMAN_EX, "test/test_helper.exs": "ExUnit.start()\n",
             "test/roman_test.exs": ROMAN_TEST_EXS}
    return Project(name="ex-roman", ecosystem="elixir", files=files, defaults=ROMAN_DEFAULTS, faults=ROMAN_FAULTS,
                   comment="#", job_name="mix test", matrix_job_name="mix test",
                   supported=("timestamps", "shifted", "data", "verbose", "order", "extra"),
                   toolchain_version=tool_version("elixir --version", r"Elixir (\d+\.\d+\.\d+)"))


TEST_MODULE = {"ex-shelf": "ShelfTest", "ex-roman": "RomanTest"}


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    seed = scenario.seed if scenario.seed is not None else 0  # --seed 0: the file's own order
    trace = " --trace" if scenario.verbose else ""
    ran = run(f"mix test --seed {seed}{trace}", root, repo, {"MIX_ENV": "test"})
    if all(f.kind == "test" for f in scenario.faults):
        module = TEST_MODULE[repo]
        got = {f"{module}.test {m}" for m in re.findall(rf"^\s+\d+\) test (.+) \({module}\)$", ran.output, re.M)}
        expected = {f.test_id for f in scenario.faults}
        if got != expected:
            raise AssertionError(f"ExUnit failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")
    return [ran]


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_project(), _roman())


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    project = _project()
    yield from Generator(project, lambda root, sc: steps(root, sc, project.name), workdir, rng).cases()
    # A project added later draws from a stream of its own: the committed project's draws stay as they were.
    roman = _roman()
    yield from Generator(roman, lambda root, sc: steps(root, sc, roman.name), workdir,
                         random.Random(f"corpus/elixir/{roman.name}")).cases()
