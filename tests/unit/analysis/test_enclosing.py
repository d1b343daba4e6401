"""``analysis.enclosing.symbol_at``: the definition (or YAML key path, or make target) a file's line is in."""

from __future__ import annotations

import pytest

from analysis.enclosing import MAX_LINE_CHARS, SourceFile, symbol_at, wants_symbol
from analysis.types import Failure, FailureKind


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line containing ``needle``."""
    return next(i for i, row in enumerate(text.splitlines(), 1) if needle in row)


def at(path: str, text: str, needle: str) -> str | None:
    return symbol_at(path, text, line_of(text, needle))


GO = """package config

import "fmt"

// Config is the service's configuration.
type Config struct {
\tPort int
}

func (c *Config) Validate() error {
\tif c.Port < 0 {
\t\treturn fmt.Errorf("bad port %d", "validate")
\t}
\treturn nil
}

func (c Config) Save(
\tpath string,
) error {
\treturn fmt.Errorf("cannot save %d", "save")
}

func Load(path string) (*Config, error) {
\thandler := func() {
\t\t_ = fmt.Sprintf("%d", "closure")
\t}
\thandler()
\treturn nil, nil
}

func Missing() int {
\tif true {
\t\treturn 1
\t}
}

var Default = Config{Port: 8080}
"""


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ('"validate"', "Config.Validate"),
        ("\treturn nil", "Config.Validate"),
        ('"save"', "Config.Save"),
        ("path string,", "Config.Save"),  # inside a signature spread over lines
        ('"closure"', "Load"),  # an anonymous func is no definition: its enclosing one is
        ("\tPort int", "Config"),
        ("func Load(", "Load"),  # the header line belongs to its own definition
        ("import", None),
        ("var Default", None),
    ],
)
def test_go(needle: str, expected: str | None) -> None:
    assert at("internal/config/config.go", GO, needle) == expected


def test_go_closing_brace_belongs_to_its_function() -> None:
    # go vet / the compiler report "missing return" at the function's closing brace
    rows = GO.splitlines()
    closing = next(i for i in range(line_of(GO, "func Missing"), len(rows)) if rows[i] == "}") + 1
    assert symbol_at("config.go", GO, closing) == "Missing"


PYTHON = '''"""Module docstring."""
import os


class Inventory:
    """Stock.

Text at column 0 inside a docstring.
    """

    def add(
        self,
        sku: str,
    ) -> None:
        count = 1
        def helper():
            return "nested"
        return None
# a comment at column 0 inside a method
    @property
    def total(self) -> int:
        return "total"


async def fetch(url):
    data = {
        "key": "value",
    }
    return data


TIMEOUT = 3
'''


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("count = 1", "Inventory.add"),
        ("sku: str,", "Inventory.add"),
        ('"nested"', "Inventory.add.helper"),
        ("return None", "Inventory.add"),  # after a nested def and a comment at column 0
        ('return "total"', "Inventory.total"),
        ("@property", "Inventory"),
        ('"key"', "fetch"),
        ("return data", "fetch"),  # after a dict closed at a lower indentation
        ("TIMEOUT", None),
        ("import os", None),
    ],
)
def test_python(needle: str, expected: str | None) -> None:
    assert at("src/inventory/stock.py", PYTHON, needle) == expected


def test_a_blank_line_and_a_line_past_the_end_are_unsure() -> None:
    assert symbol_at("a.py", PYTHON, 3) is None
    assert symbol_at("a.py", PYTHON, 0) is None
    assert symbol_at("a.py", PYTHON, 10_000) is None
    assert symbol_at("a.unknownlang", PYTHON, line_of(PYTHON, "count = 1")) is None


def test_a_moved_line_keeps_its_symbol() -> None:
    needle = '"validate"'
    before = at("config.go", GO, needle)
    moved = GO.replace('import "fmt"\n', 'import "fmt"\n\n// an unrelated edit\nconst a = 1\nconst b = 2\n')
    assert line_of(moved, needle) == line_of(GO, needle) + 4
    assert at("config.go", moved, needle) == before == "Config.Validate"
    inside = PYTHON.replace("        count = 1\n", "        # a new comment\n        other = 2\n        count = 1\n")
    assert at("stock.py", inside, "count = 1") == at("stock.py", PYTHON, "count = 1") == "Inventory.add"


def test_the_same_message_in_two_functions_is_two_symbols() -> None:
    assert at("config.go", GO, '"validate"') != at("config.go", GO, '"save"')


TYPESCRIPT = """import { x } from "./x";

export function parseDate(input: string): Date {
  return new Date(input);
}

export const formatDate = (d: Date): string => {
  return d.toISOString();
};

const legacy = function (a) {
  return a;
};

export class Calendar<T> {
  private days: number[] = [];

  constructor(days: number[]) {
    this.days = days;
  }

  async load(url: string): Promise<void> {
    if (url) {
      await fetch(url);
    }
  }

  handler = (e: Event) => {
    console.log(e);
  };
}

describe("Calendar", () => {
  it("loads", async () => {
    expect(1).toBe(1);
  });
  test(
    "parses",
    async () => {
      expect(2).toBe(2);
    },
  );
});

const table = {
  add: (a, b) => {
    return a + b;
  },
  sub(a, b) {
    return a - b;
  },
};
"""


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("return new Date", "parseDate"),
        ("toISOString", "formatDate"),
        ("return a;", "legacy"),
        ("this.days = days", "Calendar.constructor"),
        ("await fetch", "Calendar.load"),
        ("console.log", "Calendar.handler"),
        ("private days", "Calendar"),
        ("expect(1)", None),  # test callbacks are not named definitions
        ("expect(2)", None),  # nor an arrow function on a line of its own
        ("return a + b", "add"),
        ("return a - b", "sub"),
        ("import", None),
    ],
)
def test_typescript(needle: str, expected: str | None) -> None:
    assert at("src/calendar.ts", TYPESCRIPT, needle) == expected


JAVA = """package com.example.invoicing;

import java.util.List;

@Service
public class InvoiceService {
    private final List<Line> lines;

    public InvoiceService(List<Line> lines) {
        this.lines = lines;
    }

    @Override
    public Money total(
            Currency currency) throws InvalidCurrency {
        if (currency == null) {
            throw new InvalidCurrency("none");
        }
        return compute(
                currency,
                lines);
    }

    static class Line {
        int cents() {
            return 1;
        }
    }
}
"""


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("this.lines = lines", "InvoiceService.InvoiceService"),
        ('new InvalidCurrency("none")', "InvoiceService.total"),
        ("                lines);", "InvoiceService.total"),  # a call continued over lines is no definition
        ("return 1;", "InvoiceService.Line.cents"),
        ("private final", "InvoiceService"),
        ("import java", None),
    ],
)
def test_java(needle: str, expected: str | None) -> None:
    assert at("src/main/java/com/example/invoicing/InvoiceService.java", JAVA, needle) == expected


KOTLIN = """class Shipment(val weight: Int) {
    fun cost(rate: Int): Int {
        return weight * rate
    }
}
"""

CSHARP = """namespace Shop
{
    public class Cart
    {
        public decimal Total()
        {
            return 0m;
        }
    }
}
"""

PHP = """<?php
namespace App;

final class Money
{
    public function add(Money $other): Money
    {
        $text = <<<EOT
not code {
EOT;
        return new Money($this->cents + $other->cents);
    }
}
"""


def test_kotlin_csharp_and_php() -> None:
    assert at("src/Shipment.kt", KOTLIN, "weight * rate") == "Shipment.cost"
    assert at("src/Cart.cs", CSHARP, "return 0m") == "Shop.Cart.Total"  # Allman braces
    assert at("src/Money.php", PHP, "return new Money") == "Money.add"  # after a heredoc


C = """#include <stdio.h>

static int counter = 0;

struct ring *
ring_new(size_t capacity)
{
    struct ring *r = malloc(sizeof *r);
#ifdef DEBUG
    printf("debug");
#endif
    return r;
}

int ring_push(struct ring *r, int value) {
    for (size_t i = 0; i < r->len; i++) {
        r->data[i] = value;
    }
    return 0;
}
"""

CPP = """namespace geo {

class Matrix {
public:
    double at(int row, int col) const {
        return data_[row * cols_ + col];
    }
};

Matrix Matrix::transpose() const {
    Matrix out;
    return out;
}

}  // namespace geo
"""


def test_c_and_cpp() -> None:
    assert at("src/ring.c", C, "return r;") == "ring_new"  # the return type on its own line, Allman brace
    assert at("src/ring.c", C, 'printf("debug")') == "ring_new"  # preprocessor lines at column 0 are skipped
    assert at("src/ring.c", C, "r->data[i] = value") == "ring_push"
    assert at("src/ring.c", C, "static int counter") is None
    assert at("src/matrix.cpp", CPP, "data_[row") == "Matrix.at"
    assert at("src/matrix.cpp", CPP, "Matrix out;") == "Matrix::transpose"


RUST = """use std::fmt;

pub struct Plan {
    rooms: Vec<Room>,
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.rooms.len())
    }
}

impl Plan {
    pub fn area(&self) -> u32 {
        self.rooms.iter().map(|r| r.area()).sum()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn area_of_empty() {
        assert_eq!(0, 0);
    }
}
"""


def test_rust() -> None:
    assert at("src/plan.rs", RUST, "write!(f") == "Plan.fmt"
    assert at("src/plan.rs", RUST, "self.rooms.iter()") == "Plan.area"
    assert at("src/plan.rs", RUST, "assert_eq!") == "tests.area_of_empty"
    assert at("src/plan.rs", RUST, "rooms: Vec") == "Plan"


RUBY = """module Slugger
  class Builder
    def initialize(text)
      @text = text
    end

    def self.call(text)
      sql = <<~SQL
  SELECT 1
      SQL
      new(text).slug
    end

    def slug?
      @text.downcase
    end
  end
end
"""

ELIXIR = '''defmodule Shelf.Book do
  @moduledoc """
A book.
  """

  def title(book) do
    book.title
  end

  defp normalize(text), do: String.trim(text)
end
'''


def test_ruby_and_elixir() -> None:
    assert at("lib/slugger.rb", RUBY, "@text = text") == "Slugger.Builder.initialize"
    assert at("lib/slugger.rb", RUBY, "new(text).slug") == "Slugger.Builder.call"  # after a heredoc
    assert at("lib/slugger.rb", RUBY, "@text.downcase") == "Slugger.Builder.slug?"
    assert at("lib/shelf/book.ex", ELIXIR, "book.title") == "Shelf.Book.title"
    assert at("lib/shelf/book.ex", ELIXIR, "String.trim") == "Shelf.Book.normalize"
    assert at("lib/shelf/book.ex", ELIXIR, "@moduledoc") == "Shelf.Book"


PERL = """package CsvLite;
use strict;

sub parse_line {
    my ($line) = @_;
    return split /,/, $line;
}

1;
"""

SHELL = """#!/usr/bin/env bash
set -euo pipefail

release() {
  local version=$1
  if [ -z "$version" ]; then
    echo "no version"
  fi
  cat <<EOF
done
EOF
  echo $version
}

function publish {
  release "$@"
}

main "$@"
"""


def test_perl_and_shell() -> None:
    assert at("lib/CsvLite.pm", PERL, "return split") == "parse_line"
    assert at("lib/CsvLite.pm", PERL, "use strict") is None
    assert at("scripts/release.sh", SHELL, 'echo "no version"') == "release"
    assert at("scripts/release.sh", SHELL, "echo $version") == "release"  # after a heredoc
    assert at("scripts/release.sh", SHELL, 'release "$@"') == "publish"
    assert at("scripts/release.sh", SHELL, 'main "$@"') is None


YAML = """# deployment
service:
  name: api
  ports:
  - 80
  - 443
  regions:
    - eu-west-1
    - us-east-1
  containers:
    - name: app
      image: "app:1"
      env:
        - name: A
          value: "1"
---
other:
  key: value
"""


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("name: api", "service.name"),
        ("- 80", "service.ports[]"),  # a list at its key's column
        ("- eu-west-1", "service.regions[]"),
        ("image:", "service.containers[].image"),
        ("value:", "service.containers[].env[].value"),
        ("key: value", "other.key"),  # a second document starts a new path
        ("# deployment", None),
    ],
)
def test_yaml_key_path(needle: str, expected: str | None) -> None:
    assert at("config/deploy.yaml", YAML, needle) == expected


def test_yaml_same_message_under_two_keys_is_two_symbols() -> None:
    # yamllint's "wrong indentation: expected 4 but found 2" at the same column under two keys
    assert at("config/deploy.yaml", YAML, "- 443") != at("config/deploy.yaml", YAML, "- us-east-1")
    shifted = "# a\n# b\n" + YAML
    assert at("config/deploy.yaml", shifted, "- 443") == at("config/deploy.yaml", YAML, "- 443")


MAKEFILE = """CC ?= cc
CFLAGS := -O2

.PHONY: all test

all: ring

ring: ring.o main.o
\t$(CC) $(CFLAGS) -o $@ $^

test: ring
\t./ring --self-test
\t@echo done
"""


def test_makefile_target() -> None:
    assert at("Makefile", MAKEFILE, "$(CC) $(CFLAGS)") == "ring"
    assert at("Makefile", MAKEFILE, "@echo done") == "test"
    assert at("Makefile", MAKEFILE, "all: ring") == "all"
    assert at("Makefile", MAKEFILE, "CFLAGS :=") is None
    assert at("build/rules.mk", MAKEFILE, "--self-test") == "test"


def test_long_and_hostile_lines_stay_cheap() -> None:
    text = "func (" + "(" * 50_000 + "\n" + "\t" + "x" * 100_000 + "\n}\n"
    assert symbol_at("a.go", text, 2) is None
    yaml = "a:\n" + "  - " * 20_000 + "b: 1\n"
    symbol_at("a.yaml", yaml, 2)  # answers (whatever it is) without backtracking


def failure(**changes: object) -> Failure:
    values: dict[str, object] = dict(
        kind=FailureKind.LINT,
        tool="go vet",
        message="fmt.Errorf format %d has arg value of wrong type string",
        file="config.go",
        line=12,
    )
    values.update(changes)
    return Failure(**values)  # type: ignore[arg-type]


def test_which_failures_want_a_symbol_from_the_source() -> None:
    assert wants_symbol(failure())
    assert wants_symbol(failure(kind=FailureKind.TYPE, tool="mypy"))
    assert not wants_symbol(failure(line=None))  # nothing to look up
    assert not wants_symbol(failure(file=None))
    assert not wants_symbol(failure(kind=FailureKind.TEST, test_id="TestParse"))  # a test is its own subject
    assert not wants_symbol(failure(kind=FailureKind.DEPENDENCY))
    # the log named it: gcc's "In function" context is the symbol already
    assert not wants_symbol(failure(tool="gcc", message="ring.c: In function 'ring_push':\nerror: x undeclared"))
    # a formatter's verdict is on the whole file, whether or not its run printed a diff (and a hunk's line)
    assert not wants_symbol(failure(tool="black", message="would reformat src/inventory/stock.py"))
    assert not wants_symbol(failure(tool="ruff", message="Would reformat: src/inventory/stock.py"))
    assert wants_symbol(failure(tool="ruff", message="F401 `os` imported but unused"))


def test_a_lines_text_is_its_code_except_blank_outside_or_yaml() -> None:
    go = SourceFile("pkg/config.go", 'package x\n\nfunc f() error {\n\treturn fmt.Errorf("%d", "x")\n}\n')
    assert go.line_at(4) == '\treturn fmt.Errorf("%d", "x")'  # as the file has it: the signature masks it
    assert go.line_at(2) is None and go.line_at(0) is None and go.line_at(6) is None
    assert SourceFile("a.py", "x = '" + "y" * 1000 + "'\n").line_at(1) == ("x = '" + "y" * 1000)[:MAX_LINE_CHARS]
    # a YAML line is a key (the symbol's key path) and a value (data): no code
    assert SourceFile("deploy.yaml", "service:\n  host: db\n").line_at(2) is None
    assert SourceFile("Makefile", "build:\n\tgo build ./...\n").line_at(2) == "\tgo build ./..."
