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


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    seed = scenario.seed if scenario.seed is not None else 0  # --seed 0: the file's own order
    trace = " --trace" if scenario.verbose else ""
    ran = run(f"mix test --seed {seed}{trace}", root, repo, {"MIX_ENV": "test"})
    if all(f.kind == "test" for f in scenario.faults):
        got = {f"ShelfTest.test {m}" for m in re.findall(r"^\s+\d+\) test (.+) \(ShelfTest\)$", ran.output, re.M)}
        expected = {f.test_id for f in scenario.faults}
        if got != expected:
            raise AssertionError(f"ExUnit failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")
    return [ran]


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_project(),)


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    project = _project()
    yield from Generator(project, lambda root, sc: steps(root, sc, project.name), workdir, rng).cases()
