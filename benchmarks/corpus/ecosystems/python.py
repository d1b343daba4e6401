"""Python projects: an inventory library (pytest, mypy, ruff, black), a date library (unittest, pyright,
flake8) and a CLI with pinned requirements (pip, pytest).

Every fault is a switch in the template (see ``_engine``); the tools are the real ones, installed with pip/npm
into ``.corpus-tools`` (see README.md).
"""

from __future__ import annotations

import hashlib
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ..model import RawCase, Step
from ..runner import run
from ._engine import Fault, Options, Project, Tool, project_cases
from ._python_tools import (
    PATH_MAP,
    PY,
    PY_ENV,
    black_tool,
    flake8_tool,
    mypy_tool,
    pip_tool,
    pyright_tool,
    pytest_tool,
    ruff_tool,
    unittest_tool,
)

VERSIONS = ("3.11.7", "3.11.9", "3.11.11")
TEST_JOB = "test ({version})"


def _pip_freeze(root: Path, options: Options) -> Step:
    ran = run([str(PY / "python"), "-m", "pip", "freeze", "--all"], root, env=PY_ENV)
    return Step("Run python -m pip freeze --all", "python -m pip freeze --all", ran.output, ran.exit_code)


# --- py-inventory ---------------------------------------------------------------------------------------

INVENTORY_FILES = {
    "pyproject.toml": """\
[project]
name = "inventory"
version = "0.4.0"
requires-python = ">=3.11"

[tool.pytest.ini_options]
pythonpath = ["src"]

[tool.mypy]
strict = true
mypy_path = "src"

[tool.black]
line-length = 100

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E4", "E7", "E9", "F"]
""",
    "src/inventory/__init__.py": '''\
"""Stock levels and prices for a small shop."""

from inventory.pricing import discount, line_total, order_total, parse_price
from inventory.stock import Stock

__all__ = ["Stock", "discount", "line_total", "order_total", "parse_price"]
''',
    "src/inventory/stock.py": '''\
"""Stock levels per SKU."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Stock:
    levels: dict[str, int] = field(default_factory=dict)

    def add(self, sku: str, quantity: int) -> None:
        if quantity <= 0:
            raise ValueError(f"quantity must be positive, got {quantity}")
        self.levels[sku] = self.levels.get(sku, 0) + quantity

    def remove(self, sku: str, quantity: int) -> None:
        available = self.levels.get(sku, 0)
        if quantity > available:
            raise ValueError(f"only {available} of {sku} left")
        self.levels[sku] = available - quantity

    def level(self, sku: str) -> int:
        return self.levels.get(sku, 0)

    def total(self) -> int:
        return sum(self.levels.values())

    def low(self, threshold: int) -> list[str]:
        """SKUs with fewer than ``threshold`` items, sorted."""
        return sorted(sku for sku, count in self.levels.items() if count < threshold)
''',
    "src/inventory/pricing.py": '''\
"""Money arithmetic in cents, rounded half up as the till does."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    return (unit_price * quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def order_total(lines: list[tuple[Decimal, int]]) -> Decimal:
    return sum((line_total(price, quantity) for price, quantity in lines), Decimal(0))


def discount(total: Decimal, percent: int) -> Decimal:
    if not 0 <= percent <= 100:
        raise ValueError(f"percent out of range: {percent}")
    return (total * (100 - percent) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_price(text: str) -> Decimal:
    return Decimal(text.strip().lstrip("$"))
''',
    "tests/__init__.py": "",
    "tests/test_stock.py": """\
import pytest

from inventory import Stock


def make_stock() -> Stock:
    stock = Stock()
    stock.add("widget", 3)
    stock.add("gadget", 12)
    stock.add("bolt", 7)
    return stock


def test_add_then_level() -> None:
    stock = make_stock()
    stock.add("widget", 2)
    assert stock.level("widget") == 5


def test_level_of_unknown_sku_is_zero() -> None:
    assert Stock().level("sprocket") == 0


def test_remove_too_many_raises() -> None:
    stock = make_stock()
    with pytest.raises(ValueError, match="only 3 of widget left"):
        stock.remove("widget", 4)


def test_remove_unknown_sku_raises() -> None:
    with pytest.raises(ValueError):
        Stock().remove("sprocket", 1)


def test_total() -> None:
    assert make_stock().total() == 22


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [(7, ["widget"]), (13, ["bolt", "gadget", "widget"]), (0, [])],
    ids=["one-low", "all-low", "none-low"],
)
def test_low(threshold: int, expected: list[str]) -> None:
    assert make_stock().low(threshold) == expected
""",
    "tests/test_pricing.py": """\
from decimal import Decimal

import pytest

from inventory import discount, line_total, order_total, parse_price


@pytest.mark.parametrize(
    ("price", "quantity", "expected"),
    [("0.125", 3, "0.38"), ("19.99", 2, "39.98"), ("0.005", 1, "0.01")],
)
def test_line_total(price: str, quantity: int, expected: str) -> None:
    assert line_total(Decimal(price), quantity) == Decimal(expected)


def test_order_total() -> None:
    assert order_total([(Decimal("2.50"), 2), (Decimal("1.25"), 4)]) == Decimal("10.00")


def test_discount() -> None:
    assert discount(Decimal("80.00"), 25) == Decimal("60.00")
    assert discount(Decimal("80.00"), 0) == Decimal("80.00")


def test_discount_out_of_range() -> None:
    with pytest.raises(ValueError, match="percent out of range"):
        discount(Decimal("10"), 101)


def test_parse_price() -> None:
    assert parse_price(" $4.20 ") == Decimal("4.20")
""",
}

STOCK = "src/inventory/stock.py"
PRICING = "src/inventory/pricing.py"


def _inventory() -> Project:
    pytest_ = Tool(
        "pytest", "test", TEST_JOB, pytest_tool(), ("timestamps", "shifted", "matrix", "verbose", "order"), True
    )
    faults = (
        # pytest
        Fault(
            "level-keyerror",
            "pytest",
            STOCK,
            "        return self.levels.get(sku, 0)\n\n    def total",
            "        return self.levels[sku]\n\n    def total",
            ("test_level_of_unknown_sku_is_zero",),
            extra="total-off-by-one",
        ),
        Fault(
            "remove-keyerror",
            "pytest",
            STOCK,
            "        available = self.levels.get(sku, 0)\n",
            "        available = self.levels[sku]\n",
            ("test_remove_unknown_sku_raises",),
            negative=("same-message-other-place", "level-keyerror"),
        ),
        Fault(
            "total-off-by-one",
            "pytest",
            STOCK,
            "        return sum(self.levels.values())\n",
            "        return sum(self.levels.values()) - 1\n",
            ("test_total",),
            data="        return sum(self.levels.values()) - 2\n",
        ),
        Fault(
            "remove-no-raise",
            "pytest",
            STOCK,
            "        if quantity > available:\n",
            "        if quantity > available + 1:\n",
            ("test_remove_too_many_raises", "test_remove_unknown_sku_raises"),
        ),
        Fault(
            "low-inclusive", "pytest", STOCK, "if count < threshold)", "if count <= threshold)", ("test_low[one-low]",)
        ),
        Fault(
            "low-unsorted",
            "pytest",
            STOCK,
            "        return sorted(sku for sku, count",
            "        return list(sku for sku, count",
            ("test_low[all-low]",),
            negative=("sibling-subtest", "low-inclusive"),
        ),
        Fault(
            "low-empty-placeholder",
            "pytest",
            STOCK,
            "if count < threshold)\n",
            'if count < threshold) or ["(none)"]\n',
            ("test_low[none-low]",),
            negative=("sibling-subtest", "low-inclusive"),
        ),
        Fault(
            "line-total-rounds-down",
            "pytest",
            PRICING,
            "    return (unit_price * quantity).quantize(CENT, rounding=ROUND_HALF_UP)\n",
            '    return (unit_price * quantity).quantize(CENT, rounding="ROUND_DOWN")\n',
            ("test_line_total",),
            extra="parse-price-dollar",
        ),
        Fault(
            "discount-sign",
            "pytest",
            PRICING,
            "(100 - percent)",
            "(100 + percent)",
            ("test_discount",),
            data="(100 - 2 * percent)",
        ),
        Fault(
            "discount-range",
            "pytest",
            PRICING,
            "    if not 0 <= percent <= 100:\n",
            "    if not 0 < percent <= 100:\n",
            ("test_discount",),
            negative=("same-test-other-reason", "discount-sign"),
        ),
        Fault(
            "parse-price-dollar",
            "pytest",
            PRICING,
            '    return Decimal(text.strip().lstrip("$"))\n',
            "    return Decimal(text.strip())\n",
            ("test_parse_price",),
        ),
        # mypy (strict)
        Fault(
            "mypy-arg-type-line-total",
            "mypy",
            PRICING,
            "(line_total(price, quantity) for",
            "(line_total(price, str(quantity)) for",
            ("arg-type",),
        ),
        Fault(
            "mypy-arg-type-quantize",
            "mypy",
            PRICING,
            ".quantize(CENT, rounding=ROUND_HALF_UP)\n\n\ndef order",
            ".quantize(str(CENT), rounding=ROUND_HALF_UP)\n\n\ndef order",
            ("arg-type",),
            negative=("same-code-other-symbol", "mypy-arg-type-line-total"),
        ),
        Fault(
            "mypy-return-value",
            "mypy",
            STOCK,
            "        return sorted(sku for sku, count",
            '        return ",".join(sku for sku, count',
            ("return-value",),
        ),
        Fault(
            "mypy-attr-defined",
            "mypy",
            STOCK,
            "        return sum(self.levels.values())\n",
            "        return sum(self.level.values())\n",
            ("attr-defined",),
        ),
        Fault(
            "mypy-import-not-found",
            "mypy",
            PRICING,
            "from decimal import ROUND_HALF_UP, Decimal\n",
            "from decimal import ROUND_HALF_UP, Decimal\n\nfrom inventory_ext import currency\n",
            ("import-not-found",),
        ),
        Fault(
            "mypy-import-not-found-other",
            "mypy",
            STOCK,
            "from dataclasses import dataclass, field\n",
            "from dataclasses import dataclass, field\n\nfrom stockroom.sync import push_levels\n",
            ("import-not-found",),
            negative=("other-missing-module", "mypy-import-not-found"),
        ),
        # ruff (default rules)
        Fault(
            "ruff-unused-import-os",
            "ruff",
            STOCK,
            "from dataclasses import dataclass, field\n",
            "import os\nfrom dataclasses import dataclass, field\n",
            ("F401",),
        ),
        Fault(
            "ruff-unused-import-json",
            "ruff",
            PRICING,
            "from decimal import ROUND_HALF_UP, Decimal\n",
            "import json\nfrom decimal import ROUND_HALF_UP, Decimal\n",
            ("F401",),
            negative=("same-code-other-symbol", "ruff-unused-import-os"),
        ),
        Fault(
            "ruff-unused-import-os-pricing",
            "ruff",
            PRICING,
            "from decimal import ROUND_HALF_UP, Decimal\n",
            "import os\nfrom decimal import ROUND_HALF_UP, Decimal\n",
            ("F401",),
            negative=("same-message-other-place", "ruff-unused-import-os"),
        ),
        Fault(
            "ruff-unused-variable",
            "ruff",
            STOCK,
            "        available = self.levels.get(sku, 0)\n",
            "        previous = self.levels\n        available = self.levels.get(sku, 0)\n",
            ("F841",),
            extra="ruff-unused-import-os",
        ),
        Fault(
            "ruff-ambiguous-name",
            "ruff",
            PRICING,
            "(line_total(price, quantity) for price, quantity in lines)",
            "(line_total(price, l) for price, l in lines)",
            ("E741",),
        ),
        # black
        Fault(
            "black-stock",
            "black",
            STOCK,
            "        self.levels[sku] = available - quantity\n",
            "        self.levels[ sku ] = available-quantity\n",
        ),
        Fault(
            "black-pricing",
            "black",
            PRICING,
            'CENT = Decimal("0.01")\n',
            "CENT = Decimal( '0.01' )\n",
            negative=("same-message-other-place", "black-stock"),
        ),
    )
    return Project(
        name="py-inventory",
        ecosystem="python",
        files=INVENTORY_FILES,
        tools={
            "pytest": pytest_,
            "mypy": Tool("mypy", "type", "typecheck", mypy_tool(), ("timestamps", "shifted", "matrix", "verbose")),
            "ruff": Tool("ruff", "lint", "lint", ruff_tool(), ("timestamps", "shifted", "verbose")),
            "black": Tool("black", "lint", "lint", black_tool(), ("timestamps", "shifted", "verbose")),
        },
        faults=faults,
        preamble=_pip_freeze,
        path_map=PATH_MAP,
        versions=VERSIONS,
    )


# --- py-dates (unittest, pyright, flake8) -----------------------------------------------------------------

DATES_FILES = {
    "pyproject.toml": """\
[project]
name = "dates"
version = "1.2.0"
requires-python = ">=3.11"

[tool.pyright]
include = ["src"]
typeCheckingMode = "standard"
extraPaths = ["src"]

[tool.flake8]
max-line-length = 100
""",
    ".flake8": "[flake8]\nmax-line-length = 100\n",
    "src/dates/__init__.py": '''\
"""Calendar arithmetic without time zones."""
''',
    "src/dates/calendar.py": '''\
"""Leap years, month lengths, weekdays and ISO dates."""

from __future__ import annotations

import datetime as dt

MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def is_leap(year: int) -> bool:
    return year % 4 == 0 and year % 100 != 0 or year % 400 == 0


def days_in_month(year: int, month: int) -> int:
    if month == 2 and is_leap(year):
        return 29
    return MONTH_DAYS[month - 1]


def weekday_name(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]


def parse_iso(text: str) -> dt.date:
    year, month, day = (int(part) for part in text.split("-"))
    return dt.date(year, month, day)


def add_days(day: dt.date, count: int) -> dt.date:
    return day + dt.timedelta(days=count)


def quarter(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1
''',
    "tests/__init__.py": "",
    "tests/test_calendar.py": """\
import datetime as dt
import unittest

from dates.calendar import add_days, days_in_month, is_leap, parse_iso, quarter, weekday_name


class LeapYearTest(unittest.TestCase):
    def test_is_leap(self) -> None:
        self.assertTrue(is_leap(2024))
        self.assertFalse(is_leap(1900))
        self.assertTrue(is_leap(2000))
        self.assertFalse(is_leap(2023))


class MonthTest(unittest.TestCase):
    def test_days_in_month(self) -> None:
        expected = {1: 31, 2: 28, 4: 30, 9: 30, 12: 31}
        for month, days in expected.items():
            with self.subTest(month=month):
                self.assertEqual(days_in_month(2023, month), days)

    def test_february_of_leap_year(self) -> None:
        self.assertEqual(days_in_month(2024, 2), 29)


class DayTest(unittest.TestCase):
    def test_weekday_name(self) -> None:
        self.assertEqual(weekday_name(dt.date(2024, 7, 4)), "Thursday")

    def test_parse_iso(self) -> None:
        self.assertEqual(parse_iso("2024-02-29"), dt.date(2024, 2, 29))

    def test_add_days_across_year(self) -> None:
        self.assertEqual(add_days(dt.date(2023, 12, 30), 3), dt.date(2024, 1, 2))

    def test_quarter(self) -> None:
        self.assertEqual([quarter(dt.date(2024, m, 1)) for m in (1, 4, 7, 12)], [1, 2, 3, 4])
""",
}

CAL = "src/dates/calendar.py"


def _dates() -> Project:
    unittest_ = Tool(
        "unittest", "test", TEST_JOB, unittest_tool(), ("timestamps", "shifted", "matrix", "verbose"), True
    )
    faults = (
        Fault(
            "leap-century",
            "unittest",
            CAL,
            "    return year % 4 == 0 and year % 100 != 0 or year % 400 == 0\n",
            "    return year % 4 == 0 or year % 400 == 0\n",
            ("test_is_leap",),
        ),
        Fault(
            "leap-four-hundred",
            "unittest",
            CAL,
            "    return year % 4 == 0 and year % 100 != 0 or year % 400 == 0\n",
            "    return year % 4 == 0 and year % 100 != 0 or year % 400 == 1\n",
            ("test_is_leap",),
            negative=("same-test-other-reason", "leap-century"),
        ),
        Fault(
            "february-length",
            "unittest",
            CAL,
            "MONTH_DAYS = (31, 28, 31,",
            "MONTH_DAYS = (31, 29, 31,",
            ("test_days_in_month",),
            data="MONTH_DAYS = (31, 27, 31,",
        ),
        Fault(
            "april-length",
            "unittest",
            CAL,
            "31, 28, 31, 30, 31, 30,",
            "31, 28, 31, 31, 31, 30,",
            ("test_days_in_month",),
            negative=("sibling-subtest", "february-length"),
        ),
        Fault(
            "january-length",
            "unittest",
            CAL,
            "MONTH_DAYS = (31, 28,",
            "MONTH_DAYS = (30, 28,",
            ("month=1)",),
            negative=("sibling-subtest", "february-length"),
        ),
        Fault(
            "september-length",
            "unittest",
            CAL,
            "31, 31, 30, 31, 30, 31)",
            "31, 31, 31, 31, 30, 31)",
            ("month=9)",),
            negative=("sibling-subtest", "february-length"),
        ),
        Fault(
            "december-length",
            "unittest",
            CAL,
            "30, 31)\n",
            "30, 30)\n",
            ("month=12)",),
            negative=("sibling-subtest", "february-length"),
        ),
        Fault(
            "weekday-off-by-one",
            "unittest",
            CAL,
            "    return WEEKDAYS[day.weekday()]\n",
            "    return WEEKDAYS[day.weekday() - 1]\n",
            ("test_weekday_name",),
            extra="quarter-off-by-one",
        ),
        Fault("parse-iso-separator", "unittest", CAL, 'text.split("-")', 'text.split("/")', ("test_parse_iso",)),
        Fault(
            "quarter-off-by-one",
            "unittest",
            CAL,
            "    return (day.month - 1) // 3 + 1\n",
            "    return day.month // 3 + 1\n",
            ("test_quarter",),
        ),
        # pyright
        Fault(
            "pyright-return-type",
            "pyright",
            CAL,
            "    return WEEKDAYS[day.weekday()]\n",
            "    return day.weekday()\n",
            ("reportReturnType",),
        ),
        Fault(
            "pyright-argument-type",
            "pyright",
            CAL,
            "    return day + dt.timedelta(days=count)\n",
            "    return day + dt.timedelta(days=str(count))\n",
            ("reportArgumentType",),
        ),
        Fault(
            "pyright-argument-type-other",
            "pyright",
            CAL,
            "    return dt.date(year, month, day)\n",
            "    return dt.date(str(year), month, day)\n",
            ("reportArgumentType",),
            negative=("same-code-other-symbol", "pyright-argument-type"),
        ),
        Fault(
            "pyright-attribute",
            "pyright",
            CAL,
            "    return (day.month - 1) // 3 + 1\n",
            "    return (day.months - 1) // 3 + 1\n",
            ("reportAttributeAccessIssue",),
        ),
        Fault(
            "pyright-missing-import",
            "pyright",
            CAL,
            "import datetime as dt\n",
            "import datetime as dt\n\nimport holidays_ext\n",
            ("reportMissingImports",),
        ),
        Fault(
            "pyright-missing-import-other",
            "pyright",
            CAL,
            "import datetime as dt\n",
            "import datetime as dt\n\nfrom tzcache import zones\n",
            ("reportMissingImports",),
            negative=("other-missing-module", "pyright-missing-import"),
        ),
        # flake8
        Fault(
            "flake8-undefined-name",
            "flake8",
            CAL,
            "    if month == 2 and is_leap(year):\n",
            "    if month == 2 and is_leap(yaer):\n",
            ("F821",),
        ),
        Fault(
            "flake8-undefined-name-other",
            "flake8",
            CAL,
            "    return day + dt.timedelta(days=count)\n",
            "    return day + dt.timedelta(days=cnt)\n",
            ("F821",),
            negative=("same-code-other-symbol", "flake8-undefined-name"),
        ),
        Fault(
            "flake8-undefined-name-leap",
            "flake8",
            CAL,
            "    return year % 4 == 0 and year % 100 != 0 or year % 400 == 0\n",
            "    return yaer % 4 == 0 and year % 100 != 0 or year % 400 == 0\n",
            ("F821",),
            negative=("same-message-other-place", "flake8-undefined-name"),
        ),
        Fault(
            "flake8-unused-import",
            "flake8",
            CAL,
            "import datetime as dt\n",
            "import datetime as dt\nimport calendar\n",
            ("F401",),
            extra="flake8-long-line",
        ),
        Fault(
            "flake8-long-line",
            "flake8",
            CAL,
            'WEEKDAYS = ("Monday",',
            "# ISO weekday names, Monday first, in the order datetime.date.weekday() numbers them: "
            "0 is Monday, 6 is Sunday\n"
            'WEEKDAYS = ("Monday",',
            ("E501",),
        ),
    )
    return Project(
        name="py-dates",
        ecosystem="python",
        files=DATES_FILES,
        tools={
            "unittest": unittest_,
            "pyright": Tool(
                "pyright", "type", "typecheck", pyright_tool(), ("timestamps", "shifted", "matrix", "verbose")
            ),
            "flake8": Tool("flake8", "lint", "lint", flake8_tool(), ("timestamps", "shifted", "verbose")),
        },
        faults=faults,
        preamble=_pip_freeze,
        path_map=PATH_MAP,
        versions=VERSIONS,
        env=(("PYTHONPATH", "src"),),
    )


# --- py-reportgen: a CLI with pinned requirements (pip, pytest) --------------------------------------------

REPORT_FILES = {
    "pyproject.toml": """\
[project]
name = "reportgen"
version = "2.0.1"
requires-python = ">=3.11"

[tool.pytest.ini_options]
pythonpath = ["src"]
""",
    "requirements.txt": """\
# runtime dependencies, pinned (see docs/dependencies.md)
acme-units==1.1
acme-colors==0.3.2
acme-io==1.4
""",
    "src/reportgen/__init__.py": "",
    "src/reportgen/cli.py": '''\
"""reportgen: render a CSV of measurements as a text table."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def table(records: list[dict[str, str]]) -> str:
    if not records:
        return "(no rows)"
    columns = list(records[0])
    widths = [max(len(c), *(len(r[c]) for r in records)) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(r[c].ljust(w) for c, w in zip(columns, widths)) for r in records]
    return "\\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reportgen")
    parser.add_argument("csv", type=Path)
    args = parser.parse_args(argv)
    print(table(rows(args.csv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
''',
    "tests/__init__.py": "",
    "tests/test_cli.py": """\
from pathlib import Path

from reportgen.cli import main, table


def test_table_aligns_columns() -> None:
    assert table([{"a": "1", "bb": "22"}, {"a": "333", "bb": "4"}]).splitlines() == ["a    bb", "1    22", "333  4 "]


def test_main_prints_table(tmp_path: Path, capsys) -> None:
    data = tmp_path / "m.csv"
    data.write_text("name,value\\nx,1\\n")
    assert main([str(data)]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("name")
""",
    "tests/test_empty.py": """\
from reportgen.cli import table


def test_no_rows() -> None:
    assert table([]) == "(no rows)"
""",
}

CLI = "src/reportgen/cli.py"
REQ = "requirements.txt"

# name -> [(version, requires-dist, requires-python)] for the private wheel folder
WHEELS: dict[str, list[tuple[str, tuple[str, ...], str]]] = {
    "acme-units": [("1.0", (), ">=3.8"), ("1.1", (), ">=3.8"), ("2.0", (), ">=3.8"), ("2.1", (), ">=3.8")],
    "acme-colors": [("0.3.1", (), ">=3.8"), ("0.3.2", (), ">=3.8"), ("0.4.0", (), ">=3.8")],
    "acme-io": [
        ("1.4", ("acme-units<2",), ">=3.8"),
        ("1.5", ("acme-units<2",), ">=3.8"),
        ("2.0", ("acme-units>=2",), ">=3.8"),
    ],
    "acme-fast": [("0.9", (), ">=3.13")],
    "acme-plot": [("3.0", ("acme-colors>=0.4",), ">=3.8")],
}


def build_wheels(folder: Path) -> None:
    """Minimal valid wheels (METADATA, WHEEL, RECORD) for pip to resolve against, offline."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, releases in WHEELS.items():
        module = name.replace("-", "_")
        for version, requires, python in releases:
            dist = f"{module}-{version}.dist-info"
            metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nRequires-Python: {python}\n"
            metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
            files = {
                f"{module}/__init__.py": f'__version__ = "{version}"\n',
                f"{dist}/METADATA": metadata,
                f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: corpus\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            }
            record = "".join(f"{path},sha256={_digest(body)},{len(body)}\n" for path, body in files.items())
            files[f"{dist}/RECORD"] = record + f"{dist}/RECORD,,\n"
            with zipfile.ZipFile(folder / f"{module}-{version}-py3-none-any.whl", "w") as archive:
                for path, body in files.items():
                    archive.writestr(path, body)


def _digest(body: str) -> str:
    import base64

    return base64.urlsafe_b64encode(hashlib.sha256(body.encode()).digest()).rstrip(b"=").decode()


def _reportgen(wheels: Path) -> Project:
    pytest_ = Tool("pytest", "test", TEST_JOB, pytest_tool(), ("timestamps", "shifted", "matrix", "verbose"), True)
    pip = Tool(
        "pip", "dependency", "install ({version})", pip_tool(wheels), ("timestamps", "shifted", "matrix", "verbose")
    )
    shift = "# reviewed\n"
    faults = (
        Fault("pin-units-missing", "pip", REQ, "acme-units==1.1\n", "acme-units==3.1\n", shift_with=shift),
        Fault(
            "pin-colors-missing",
            "pip",
            REQ,
            "acme-colors==0.3.2\n",
            "acme-colors==0.9\n",
            shift_with=shift,
            negative=("other-pinned-version", "pin-units-missing"),
        ),
        Fault(
            "pin-units-old",
            "pip",
            REQ,
            "acme-units==1.1\n",
            "acme-units==1.7\n",
            shift_with=shift,
            negative=("other-pinned-version", "pin-units-missing"),
        ),
        Fault(
            "pin-io-missing",
            "pip",
            REQ,
            "acme-io==1.4\n",
            "acme-io==5.0\n",
            shift_with=shift,
            negative=("other-pinned-version", "pin-units-missing"),
        ),
        Fault(
            "pin-plot-missing",
            "pip",
            REQ,
            "acme-io==1.4\n",
            "acme-io==1.4\nacme-plot==3.5\n",
            shift_with=shift,
            negative=("other-pinned-version", "pin-units-missing"),
        ),
        Fault(
            "pin-colors-major",
            "pip",
            REQ,
            "acme-colors==0.3.2\n",
            "acme-colors==1.0\n",
            shift_with=shift,
            negative=("other-pinned-version", "pin-units-missing"),
        ),
        Fault("unknown-package", "pip", REQ, "acme-io==1.4\n", "acme-io==1.4\nacme-unicorns==1.0\n", shift_with=shift),
        Fault("io-units-conflict", "pip", REQ, "acme-io==1.4\n", "acme-io==2.0\n", shift_with=shift),
        Fault("plot-colors-conflict", "pip", REQ, "acme-io==1.4\n", "acme-io==1.4\nacme-plot==3.0\n", shift_with=shift),
        Fault(
            "requires-newer-python", "pip", REQ, "acme-io==1.4\n", "acme-io==1.4\nacme-fast==0.9\n", shift_with=shift
        ),
        # runtime imports nobody installed: a collection error in every test module importing the CLI
        Fault(
            "missing-module-yaml",
            "pytest",
            CLI,
            "import sys\n",
            "import sys\n\nimport yaml\n",
            ("tests/test_cli.py", "tests/test_empty.py"),
            kind="dependency",
        ),
        Fault(
            "missing-module-toml",
            "pytest",
            CLI,
            "import csv\n",
            "import csv\n\nimport toml\n",
            ("tests/test_cli.py", "tests/test_empty.py"),
            kind="dependency",
            negative=("other-missing-module", "missing-module-yaml"),
        ),
        Fault(
            "missing-module-rich",
            "pytest",
            CLI,
            "from pathlib import Path\n",
            "from pathlib import Path\n\nfrom rich.table import Table\n",
            ("tests/test_cli.py", "tests/test_empty.py"),
            kind="dependency",
            negative=("other-missing-module", "missing-module-yaml"),
        ),
        Fault(
            "missing-module-tabulate",
            "pytest",
            CLI,
            "import argparse\n",
            "import argparse\n\nimport tabulate\n",
            ("tests/test_cli.py", "tests/test_empty.py"),
            kind="dependency",
            negative=("other-missing-module", "missing-module-yaml"),
        ),
        Fault(
            "header-alignment",
            "pytest",
            CLI,
            '    lines = ["  ".join(c.ljust(w) for',
            '    lines = ["  ".join(c.rjust(w) for',
            ("test_table_aligns_columns",),
        ),
        Fault("empty-message", "pytest", CLI, '        return "(no rows)"\n', '        return ""\n', ("test_no_rows",)),
        # added after the first build: last, so the random draws of the faults above stay as committed
        Fault(
            "missing-module-jinja2",
            "pytest",
            CLI,
            "import sys\n",
            "import sys\n\nfrom jinja2 import Template\n",
            ("tests/test_cli.py", "tests/test_empty.py"),
            kind="dependency",
            negative=("other-missing-module", "missing-module-yaml"),
        ),
    )
    return Project(
        name="py-reportgen",
        ecosystem="python",
        files=REPORT_FILES,
        tools={"pytest": pytest_, "pip": pip},
        faults=faults,
        preamble=_pip_freeze,
        path_map=(*PATH_MAP, (str(wheels), "/home/runner/work/_temp/wheelhouse")),
        versions=VERSIONS,
    )


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    wheels = workdir / "wheelhouse"
    build_wheels(wheels)
    for project in (_inventory(), _dates(), _reportgen(wheels)):
        yield from project_cases(project, workdir, rng)
