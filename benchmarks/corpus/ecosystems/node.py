"""JavaScript/TypeScript projects: a shopping cart (jest with snapshots, eslint, prettier), a TypeScript date
library (vitest with snapshots, tsc) and an argv parser CLI (mocha, npm install against the npm registry).

The templates are normalised by the real prettier and their snapshots written by the real jest/vitest on the
clean tree before any fault is switched on (as a developer commits them).
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from ..model import RawCase, Step
from ..runner import run
from ._engine import Fault, Options, Project, Tool, project_cases, write_project
from ._node_tools import (
    BIN,
    PATH_MAP,
    eslint_tool,
    jest_tool,
    link_node_modules,
    mocha_tool,
    npm_install_tool,
    prettier_tool,
    tsc_tool,
    vitest_tool,
)

VERSIONS = ("20.18.1", "20.19.0", "22.12.0")
TEST_JOB = "test (node {version})"


def _versions(root: Path, options: Options) -> Step:
    ran = run(["bash", "-c", "node --version && npm --version"], root)
    return Step("Run node --version && npm --version", "node --version && npm --version", ran.output, ran.exit_code)


# --- js-cart ----------------------------------------------------------------------------------------------

CART_FILES = {
    "package.json": """\
{
  "name": "cart",
  "version": "1.3.0",
  "private": true,
  "scripts": { "test": "jest", "lint": "eslint ." },
  "jest": { "testEnvironment": "node" }
}
""",
    ".prettierignore": "node_modules\nreports\n__snapshots__\n",
    "eslint.config.js": """\
"use strict";

const js = require("@eslint/js");

module.exports = [
  { ignores: ["node_modules/", "reports/"] },
  js.configs.recommended,
  {
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        describe: "readonly",
        test: "readonly",
        expect: "readonly",
      },
    },
  },
];
""",
    "src/cart.js": """\
"use strict";

class Cart {
  constructor() {
    this.items = new Map();
  }

  add(sku, price, quantity = 1) {
    if (quantity <= 0) {
      throw new RangeError(`quantity must be positive, got ${quantity}`);
    }
    const current = this.items.get(sku);
    const count = current ? current.quantity + quantity : quantity;
    this.items.set(sku, { price, quantity: count });
  }

  remove(sku) {
    if (!this.items.has(sku)) {
      throw new Error(`no such item: ${sku}`);
    }
    this.items.delete(sku);
  }

  count() {
    let total = 0;
    for (const item of this.items.values()) {
      total += item.quantity;
    }
    return total;
  }

  subtotal() {
    let cents = 0;
    for (const item of this.items.values()) {
      cents += Math.round(item.price * 100) * item.quantity;
    }
    return cents / 100;
  }

  total(discountPercent = 0) {
    const subtotal = this.subtotal();
    return Math.round(subtotal * (100 - discountPercent)) / 100;
  }
}

module.exports = { Cart };
""",
    "src/receipt.js": """\
"use strict";

const CURRENCY = "$";

function money(amount) {
  return `${CURRENCY}${amount.toFixed(2)}`;
}

function receipt(cart, { title = "ACME STORE", taxRate = 0.08 } = {}) {
  const lines = [title, "=".repeat(24)];
  const skus = [...cart.items.keys()].sort();
  for (const sku of skus) {
    const item = cart.items.get(sku);
    const quantity = String(item.quantity).padStart(3);
    lines.push(`${sku.padEnd(12)}${quantity} x ${money(item.price)}`);
  }
  lines.push("-".repeat(24));
  const subtotal = cart.subtotal();
  const tax = Math.round(subtotal * taxRate * 100) / 100;
  lines.push(`Subtotal: ${money(subtotal)}`);
  lines.push(`Tax: ${money(tax)}`);
  lines.push(`Total: ${money(subtotal + tax)}`);
  return lines.join("\\n");
}

module.exports = { money, receipt };
""",
    "tests/cart.test.js": """\
const { Cart } = require("../src/cart");

function filled() {
  const cart = new Cart();
  cart.add("apple", 0.5, 4);
  cart.add("bread", 2.25);
  cart.add("cheese", 7.99, 2);
  return cart;
}

describe("Cart", () => {
  describe("add", () => {
    test("merges quantities of the same sku", () => {
      const cart = filled();
      cart.add("apple", 0.5, 2);
      expect(cart.count()).toBe(9);
    });

    test("rejects a zero quantity", () => {
      expect(() => new Cart().add("apple", 0.5, 0)).toThrow(RangeError);
    });
  });

  describe("totals", () => {
    test("subtotal adds prices times quantities", () => {
      expect(filled().subtotal()).toBe(20.23);
    });

    test("total applies a discount", () => {
      expect(filled().total(10)).toBe(18.21);
    });
  });

  test("remove drops the item", () => {
    const cart = filled();
    cart.remove("bread");
    expect(cart.count()).toBe(6);
  });

  test("remove of an unknown sku throws", () => {
    expect(() => filled().remove("durian")).toThrow("no such item: durian");
  });
});
""",
    "tests/receipt.test.js": """\
const { Cart } = require("../src/cart");
const { money, receipt } = require("../src/receipt");

test("money has two decimals", () => {
  expect(money(3)).toBe("$3.00");
});

describe("receipt", () => {
  test("lists items sorted with totals", () => {
    const cart = new Cart();
    cart.add("cheese", 7.99, 2);
    cart.add("apple", 0.5, 4);
    expect(receipt(cart)).toMatchSnapshot();
  });
});
""",
}

CART = "src/cart.js"
RECEIPT = "src/receipt.js"
SNAP = ("receipt lists items sorted with totals",)
BOTH = ("tests/cart.test.js", "tests/receipt.test.js")


def _cart() -> Project:
    jest = Tool("jest", "test", TEST_JOB, jest_tool(), ("timestamps", "shifted", "matrix", "verbose", "order"), True)
    shift = "// keep in sync with the pricing service\n"
    faults = (
        Fault(
            "merge-quantity",
            "jest",
            CART,
            "current ? current.quantity + quantity : quantity",
            "current ? quantity : quantity",
            ("merges quantities",),
            shift_with=shift,
            extra="discount-sign",
        ),
        Fault(
            "count-items",
            "jest",
            CART,
            "      total += item.quantity;\n",
            "      total += 1;\n",
            ("merges quantities", "remove drops the item"),
            shift_with=shift,
            negative=("same-test-other-reason", "merge-quantity"),
        ),
        Fault(
            "zero-quantity",
            "jest",
            CART,
            "    if (quantity <= 0) {\n",
            "    if (quantity < 0) {\n",
            ("rejects a zero quantity",),
            shift_with=shift,
        ),
        Fault(
            "subtotal-adds-quantity",
            "jest",
            CART,
            "cents += Math.round(item.price * 100) * item.quantity;",
            "cents += Math.round(item.price * 100) + item.quantity;",
            ("subtotal adds", "total applies", "receipt lists items"),
            shift_with=shift,
        ),
        Fault(
            "discount-sign",
            "jest",
            CART,
            "(100 - discountPercent)",
            "(100 + discountPercent)",
            ("total applies a discount",),
            shift_with=shift,
            data="(100 - 2 * discountPercent)",
        ),
        Fault(
            "remove-message",
            "jest",
            CART,
            "throw new Error(`no such item: ${sku}`);",
            "throw new Error(`unknown item: ${sku}`);",
            ("remove of an unknown sku throws",),
            shift_with=shift,
        ),
        Fault(
            "remove-guard",
            "jest",
            CART,
            "    if (!this.items.has(sku)) {\n",
            "    if (!this.items.has(sku) && sku.length > 6) {\n",
            ("remove of an unknown sku throws",),
            shift_with=shift,
            negative=("same-test-other-reason", "remove-message"),
        ),
        Fault(
            "missing-lodash-round",
            "jest",
            CART,
            '"use strict";\n\nclass Cart',
            '"use strict";\n\nconst round = require("lodash.round");\n\nclass Cart',
            BOTH,
            kind="dependency",
            shift_with=shift,
        ),
        Fault(
            "missing-currency-js",
            "jest",
            RECEIPT,
            'const CURRENCY = "$";\n',
            'const currency = require("currency.js");\n\nconst CURRENCY = "$";\n',
            ("tests/receipt.test.js",),
            kind="dependency",
            shift_with=shift,
            negative=("other-missing-module", "missing-lodash-round"),
        ),
        Fault(
            "missing-big-js",
            "jest",
            CART,
            "class Cart {\n",
            'const Big = require("big.js");\n\nclass Cart {\n',
            BOTH,
            kind="dependency",
            shift_with=shift,
            negative=("other-missing-module", "missing-lodash-round"),
        ),
        # snapshot faults: the same snapshot test, each with its own diff
        Fault("snap-separator", "jest", RECEIPT, '"=".repeat(24)', '"=".repeat(20)', SNAP, shift_with=shift),
        Fault(
            "snap-title",
            "jest",
            RECEIPT,
            'title = "ACME STORE"',
            'title = "ACME SHOP"',
            SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-separator"),
        ),
        Fault(
            "snap-unsorted",
            "jest",
            RECEIPT,
            "[...cart.items.keys()].sort()",
            "[...cart.items.keys()]",
            SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-separator"),
        ),
        Fault(
            "snap-tax-floor",
            "jest",
            RECEIPT,
            "const tax = Math.round(",
            "const tax = Math.floor(",
            SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-separator"),
        ),
        Fault(
            "snap-sku-width",
            "jest",
            RECEIPT,
            "sku.padEnd(12)",
            "sku.padEnd(9)",
            SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-separator"),
        ),
        Fault(
            "snap-total-label",
            "jest",
            RECEIPT,
            "`Total: ${",
            "`TOTAL: ${",
            SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-separator"),
        ),
        Fault(
            "snap-quantity-width",
            "jest",
            RECEIPT,
            ".padStart(3);",
            ".padStart(2);",
            SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-separator"),
        ),
        # eslint (recommended rules)
        Fault(
            "eslint-unused-count",
            "eslint",
            RECEIPT,
            "  const skus = [...cart.items.keys()].sort();\n",
            "  const skus = [...cart.items.keys()].sort();\n  const count = skus.length;\n",
            ("no-unused-vars",),
            shift_with=shift,
        ),
        Fault(
            "eslint-unused-spare",
            "eslint",
            CART,
            "    let total = 0;\n",
            "    let total = 0;\n    let spare = 0;\n",
            ("no-unused-vars",),
            shift_with=shift,
            negative=("same-code-other-symbol", "eslint-unused-count"),
        ),
        Fault(
            "eslint-undef",
            "eslint",
            CART,
            "    return total;\n",
            "    return totl;\n",
            ("no-undef", "no-unused-vars"),
            shift_with=shift,
            extra="eslint-empty-block",
        ),
        Fault(
            "eslint-empty-block",
            "eslint",
            CART,
            "    this.items.delete(sku);\n",
            "    if (sku === undefined) {\n    }\n    this.items.delete(sku);\n",
            ("no-empty",),
            shift_with=shift,
        ),
        # prettier
        Fault(
            "prettier-cart",
            "prettier",
            CART,
            "    this.items.set(sku, { price, quantity: count });\n",
            "    this.items.set(sku, {price, quantity: count})\n",
            shift_with=shift,
        ),
        Fault(
            "prettier-receipt",
            "prettier",
            RECEIPT,
            'const CURRENCY = "$";\n',
            "const CURRENCY = '$'\n",
            shift_with=shift,
            negative=("same-message-other-place", "prettier-cart"),
        ),
    )
    return Project(
        name="js-cart",
        ecosystem="node",
        files=CART_FILES,
        tools={
            "jest": jest,
            "eslint": Tool("eslint", "lint", "lint", eslint_tool(), ("timestamps", "shifted", "matrix")),
            "prettier": Tool("prettier", "lint", "lint", prettier_tool(), ("timestamps", "shifted", "matrix")),
        },
        faults=faults,
        prepare=link_node_modules,
        preamble=_versions,
        path_map=PATH_MAP,
        versions=VERSIONS,
        extra_files=("tests/__snapshots__/receipt.test.js.snap",),
    )


# --- ts-dates ---------------------------------------------------------------------------------------------

DATES_FILES = {
    "package.json": """\
{
  "name": "ts-dates",
  "version": "0.9.2",
  "private": true,
  "type": "module",
  "scripts": { "test": "vitest run", "typecheck": "tsc --noEmit" }
}
""",
    "tsconfig.json": """\
{
  "compilerOptions": {
    "strict": true,
    "target": "ES2022",
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "noEmit": true,
    "types": []
  },
  "include": ["src"]
}
""",
    "src/format.ts": """\
export type DateParts = { year: number; month: number; day: number };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

export function isoDate(parts: DateParts): string {
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)}`;
}

export function longDate(parts: DateParts): string {
  return `${parts.day} ${MONTHS[parts.month - 1]} ${parts.year}`;
}

export function parseIso(text: string): DateParts {
  const [year, month, day] = text.split("-").map(Number);
  return { year, month, day };
}
""",
    "src/range.ts": """\
import { type DateParts, isoDate } from "./format";

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function addDays(parts: DateParts, count: number): DateParts {
  const date = new Date(Date.UTC(parts.year, parts.month - 1, parts.day + count));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function range(start: DateParts, count: number): string[] {
  const days: string[] = [];
  for (let i = 0; i < count; i += 1) {
    days.push(isoDate(addDays(start, i)));
  }
  return days;
}

export function calendarMonth(year: number, month: number): string {
  const header = `${year}-${String(month).padStart(2, "0")}`;
  const rows: string[] = [header];
  let week: string[] = [];
  for (let day = 1; day <= daysInMonth(year, month); day += 1) {
    week.push(String(day).padStart(2, " "));
    if (week.length === 7) {
      rows.push(week.join(" "));
      week = [];
    }
  }
  if (week.length > 0) {
    rows.push(week.join(" "));
  }
  return rows.join("\\n");
}
""",
    "tests/format.test.ts": """\
import { describe, expect, it } from "vitest";

import { isoDate, longDate, parseIso } from "../src/format";

describe("format", () => {
  it("writes ISO dates with padding", () => {
    expect(isoDate({ year: 2024, month: 3, day: 7 })).toBe("2024-03-07");
  });

  it("writes long dates", () => {
    expect(longDate({ year: 2024, month: 12, day: 25 })).toBe("25 Dec 2024");
  });

  it("parses ISO dates", () => {
    expect(parseIso("2023-11-02")).toEqual({ year: 2023, month: 11, day: 2 });
  });
});
""",
    "tests/range.test.ts": """\
import { describe, expect, it } from "vitest";

import { addDays, calendarMonth, daysInMonth, range } from "../src/range";

describe("range", () => {
  it("knows month lengths", () => {
    expect([daysInMonth(2024, 2), daysInMonth(2023, 2), daysInMonth(2024, 4)]).toEqual([29, 28, 30]);
  });

  it("adds days across a year end", () => {
    expect(addDays({ year: 2023, month: 12, day: 30 }, 3)).toEqual({ year: 2024, month: 1, day: 2 });
  });

  it("lists consecutive days", () => {
    expect(range({ year: 2024, month: 2, day: 28 }, 3)).toEqual(["2024-02-28", "2024-02-29", "2024-03-01"]);
  });
});

describe("calendar", () => {
  it("renders February 2024", () => {
    expect(calendarMonth(2024, 2)).toMatchSnapshot();
  });
});
""",
}

FORMAT = "src/format.ts"
RANGE = "src/range.ts"
CAL_SNAP = ("calendar renders February 2024",)


def _dates() -> Project:
    vitest = Tool(
        "vitest", "test", TEST_JOB, vitest_tool(), ("timestamps", "shifted", "matrix", "verbose", "order"), True
    )
    shift = "// see docs/dates.md\n"
    faults = (
        Fault(
            "pad-with-spaces",
            "vitest",
            FORMAT,
            'padStart(width, "0")',
            'padStart(width, " ")',
            ("writes ISO dates", "lists consecutive days"),
            shift_with=shift,
        ),
        Fault(
            "iso-month-uses-day",
            "vitest",
            FORMAT,
            "${pad(parts.month)}-",
            "${pad(parts.day)}-",
            ("writes ISO dates", "lists consecutive days"),
            shift_with=shift,
            negative=("same-test-other-reason", "pad-with-spaces"),
        ),
        Fault(
            "month-index",
            "vitest",
            FORMAT,
            "MONTHS[parts.month - 1]",
            "MONTHS[parts.month]",
            ("writes long dates",),
            shift_with=shift,
            extra="parse-separator",
        ),
        Fault(
            "parse-separator",
            "vitest",
            FORMAT,
            'text.split("-")',
            'text.split("/")',
            ("parses ISO dates",),
            shift_with=shift,
        ),
        Fault(
            "add-days-month",
            "vitest",
            RANGE,
            "month: date.getUTCMonth() + 1,",
            "month: date.getUTCMonth(),",
            ("adds days", "lists consecutive days"),
            shift_with=shift,
        ),
        Fault(
            "snap-week-length",
            "vitest",
            RANGE,
            "if (week.length === 7) {",
            "if (week.length === 6) {",
            CAL_SNAP,
            shift_with=shift,
        ),
        Fault(
            "snap-header-slash",
            "vitest",
            RANGE,
            "const header = `${year}-",
            "const header = `${year}/",
            CAL_SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-week-length"),
        ),
        Fault(
            "snap-day-width",
            "vitest",
            RANGE,
            'week.push(String(day).padStart(2, " "));',
            'week.push(String(day).padStart(3, " "));',
            CAL_SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-week-length"),
        ),
        Fault(
            "snap-week-separator",
            "vitest",
            RANGE,
            '      rows.push(week.join(" "));\n      week = [];',
            '      rows.push(week.join("|"));\n      week = [];',
            CAL_SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-week-length"),
        ),
        Fault(
            "snap-last-week-dropped",
            "vitest",
            RANGE,
            "if (week.length > 0) {",
            "if (week.length > 7) {",
            CAL_SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-week-length"),
        ),
        Fault(
            "snap-header-unpadded",
            "vitest",
            RANGE,
            'String(month).padStart(2, "0")}`;',
            "String(month)}`;",
            CAL_SNAP,
            shift_with=shift,
            negative=("snapshot-other-diff", "snap-week-length"),
        ),
        # tsc
        Fault(
            "ts2322-year-string",
            "tsc",
            RANGE,
            "year: date.getUTCFullYear(),",
            "year: String(date.getUTCFullYear()),",
            ("TS2322",),
            shift_with=shift,
        ),
        Fault(
            "ts2322-pad-number",
            "tsc",
            FORMAT,
            '  return String(value).padStart(width, "0");\n',
            "  return value;\n",
            ("TS2322",),
            shift_with=shift,
            negative=("same-code-other-symbol", "ts2322-year-string"),
        ),
        Fault(
            "ts2322-parse-year",
            "tsc",
            FORMAT,
            "  return { year, month, day };\n",
            "  return { year: String(year), month, day };\n",
            ("TS2322",),
            shift_with=shift,
            negative=("same-message-other-place", "ts2322-year-string"),
        ),
        Fault(
            "ts2345-range-count",
            "tsc",
            RANGE,
            "days.push(isoDate(addDays(start, i)));",
            "days.push(isoDate(addDays(start, String(i))));",
            ("TS2345",),
            shift_with=shift,
            extra="ts2554-pad-args",
        ),
        Fault(
            "ts2339-parts-years",
            "tsc",
            RANGE,
            "Date.UTC(parts.year, parts.month - 1,",
            "Date.UTC(parts.years, parts.month - 1,",
            ("TS2339", "TS2551"),
            shift_with=shift,
        ),
        Fault(
            "ts2554-pad-args",
            "tsc",
            FORMAT,
            "${pad(parts.month)}",
            '${pad(parts.month, 2, "0")}',
            ("TS2554",),
            shift_with=shift,
        ),
        Fault(
            "ts2307-holidays",
            "tsc",
            RANGE,
            'import { type DateParts, isoDate } from "./format";\n',
            'import { type DateParts, isoDate } from "./format";\nimport { holidays } from "date-holidays";\n',
            ("TS2307",),
            shift_with=shift,
        ),
        Fault(
            "ts2307-tz",
            "tsc",
            FORMAT,
            "export type DateParts",
            'import { offsets } from "tz-offsets";\n\nexport type DateParts',
            ("TS2307",),
            shift_with=shift,
            negative=("other-missing-module", "ts2307-holidays"),
        ),
        Fault(
            "ts2307-locale",
            "tsc",
            RANGE,
            'import { type DateParts, isoDate } from "./format";\n',
            'import { type DateParts, isoDate } from "./format";\nimport { names } from "./locale";\n',
            ("TS2307",),
            shift_with=shift,
            negative=("other-missing-module", "ts2307-holidays"),
        ),
    )
    return Project(
        name="ts-dates",
        ecosystem="node",
        files=DATES_FILES,
        tools={
            "vitest": vitest,
            "tsc": Tool("tsc", "type", "typecheck", tsc_tool(), ("timestamps", "shifted", "matrix", "verbose")),
        },
        faults=faults,
        prepare=link_node_modules,
        preamble=_versions,
        path_map=PATH_MAP,
        versions=VERSIONS,
        extra_files=("tests/__snapshots__/range.test.ts.snap",),
    )


# --- js-argv: mocha + npm install --------------------------------------------------------------------------

ARGV_FILES = {
    "package.json": """\
{
  "name": "argv-lite",
  "version": "0.2.0",
  "private": true,
  "scripts": { "test": "mocha" },
  "dependencies": {
    "kleur": "4.1.5",
    "left-pad": "1.3.0",
    "ms": "2.1.3"
  }
}
""",
    "src/args.js": """\
"use strict";

function parse(argv) {
  const result = { flags: {}, positional: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--") {
      result.positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const [name, value] = arg.slice(2).split("=", 2);
      result.flags[name] = value === undefined ? true : value;
    } else if (arg.startsWith("-") && arg.length > 1) {
      for (const letter of arg.slice(1)) {
        result.flags[letter] = true;
      }
    } else {
      result.positional.push(arg);
    }
  }
  return result;
}

function toNumber(value, name) {
  const number = Number(value);
  if (Number.isNaN(number)) {
    throw new TypeError(`--${name} expects a number, got ${value}`);
  }
  return number;
}

module.exports = { parse, toNumber };
""",
    "test/args.test.js": """\
const assert = require("node:assert/strict");
const { parse, toNumber } = require("../src/args");

describe("parse", function () {
  it("reads long flags with values", function () {
    assert.deepEqual(parse(["--out=dist", "--watch"]).flags, { out: "dist", watch: true });
  });

  it("expands short flag groups", function () {
    assert.deepEqual(parse(["-vx"]).flags, { v: true, x: true });
  });

  it("keeps positionals and everything after --", function () {
    assert.deepEqual(parse(["build", "--", "--not-a-flag"]).positional, ["build", "--not-a-flag"]);
  });
});

describe("toNumber", function () {
  it("converts numeric strings", function () {
    assert.equal(toNumber("42", "port"), 42);
  });

  it("rejects text", function () {
    assert.throws(() => toNumber("abc", "port"), /--port expects a number, got abc/);
  });
});
""",
}

ARGS = "src/args.js"
PKG = "package.json"


def _argv() -> Project:
    mocha = Tool("mocha", "test", TEST_JOB, mocha_tool(), ("timestamps", "shifted", "matrix", "verbose"), True)
    npm = Tool("npm", "dependency", "install", npm_install_tool(), ("timestamps", "matrix", "verbose"))
    shift = "// parser for the build scripts\n"
    faults = (
        Fault(
            "long-flag-separator",
            "mocha",
            ARGS,
            'split("=", 2)',
            'split(":", 2)',
            ("reads long flags",),
            shift_with=shift,
        ),
        Fault(
            "short-group-slice",
            "mocha",
            ARGS,
            "for (const letter of arg.slice(1))",
            "for (const letter of arg.slice(2))",
            ("expands short flag groups",),
            shift_with=shift,
            extra="double-dash-slice",
        ),
        Fault(
            "double-dash-slice",
            "mocha",
            ARGS,
            "...argv.slice(i + 1)",
            "...argv.slice(i)",
            ("keeps positionals",),
            shift_with=shift,
        ),
        Fault(
            "number-message",
            "mocha",
            ARGS,
            "`--${name} expects a number",
            "`${name} expects a number",
            ("rejects text",),
            shift_with=shift,
        ),
        Fault(
            "number-check",
            "mocha",
            ARGS,
            "if (Number.isNaN(number)) {",
            "if (number === undefined) {",
            ("rejects text",),
            shift_with=shift,
            negative=("same-test-other-reason", "number-message"),
        ),
        Fault("pin-left-pad", "npm", PKG, '"left-pad": "1.3.0"', '"left-pad": "9.9.9"', ("ETARGET",)),
        Fault(
            "pin-ms",
            "npm",
            PKG,
            '"ms": "2.1.3"',
            '"ms": "7.0.0"',
            ("ETARGET",),
            negative=("other-pinned-version", "pin-left-pad"),
        ),
        Fault(
            "pin-kleur",
            "npm",
            PKG,
            '"kleur": "4.1.5"',
            '"kleur": "4.99.0"',
            ("ETARGET",),
            negative=("other-pinned-version", "pin-left-pad"),
        ),
        Fault(
            "pin-left-pad-major",
            "npm",
            PKG,
            '"left-pad": "1.3.0"',
            '"left-pad": "3.0.0"',
            ("ETARGET",),
            negative=("other-pinned-version", "pin-left-pad"),
        ),
        Fault(
            "pin-ms-minor",
            "npm",
            PKG,
            '"ms": "2.1.3"',
            '"ms": "2.9.1"',
            ("ETARGET",),
            negative=("other-pinned-version", "pin-left-pad"),
        ),
        Fault(
            "pin-kleur-old",
            "npm",
            PKG,
            '"kleur": "4.1.5"',
            '"kleur": "3.9.9"',
            ("ETARGET",),
            negative=("other-pinned-version", "pin-left-pad"),
        ),
        Fault(
            "unknown-package",
            "npm",
            PKG,
            '"kleur": "4.1.5",',
            '"acme-internal-logger-xyz": "^1.0.0",\n    "kleur": "4.1.5",',
            ("E404",),
        ),
        Fault(
            "react-peer-conflict",
            "npm",
            PKG,
            '"left-pad": "1.3.0",',
            '"left-pad": "1.3.0",\n    "react-dom": "18.3.1",\n    "react": "17.0.2",',
            ("ERESOLVE",),
        ),
    )
    return Project(
        name="js-argv",
        ecosystem="node",
        files=ARGV_FILES,
        tools={"mocha": mocha, "npm": npm},
        faults=faults,
        prepare=link_node_modules,
        preamble=_versions,
        path_map=PATH_MAP,
        versions=VERSIONS,
    )


def _normalised(project: Project, workdir: Path) -> Project:
    """The template as a developer commits it: prettier-formatted, with the snapshots jest/vitest wrote."""
    root = workdir / f"{project.name}--template"
    write_project(project, root, (), 0)
    run([str(BIN / "prettier"), "--write", "."], root)
    if "jest" in project.tools:
        run([str(BIN / "jest"), "--ci=false"], root)
    if "vitest" in project.tools:
        run([str(BIN / "vitest"), "run", "-u"], root)
    files = {rel: (root / rel).read_text() for rel in (*project.files, *project.extra_files)}
    shutil.rmtree(root, ignore_errors=True)
    return replace(project, files=files)


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    for make in (_cart, _dates, _argv):
        yield from project_cases(_normalised(make(), workdir), workdir, rng)
