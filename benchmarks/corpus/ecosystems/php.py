"""PHP: PHPUnit 9 (Debian's phpunit) on a small money library, data providers included."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.corpus.faultkit import Fault, Generator, Project, Scenario, run, tool_version
from benchmarks.corpus.model import RawCase, Step

TOOLS = ("phpunit",)
APT = ("php-cli", "phpunit")

MONEY_PHP = """<?php

declare(strict_types=1);

{{SHIFT}}
final class Money
{
    public function __construct(public readonly int $cents, public readonly string $currency)
    {
    }

    public function add(Money $other): Money
    {
        if ({{CURRENCY_CHECK}}) {
            throw new InvalidArgumentException("currency mismatch: {$this->currency} vs {$other->currency}");
        }
        return {{ADD}};
    }

    /** @return int[] */
    public function allocate(array $ratios): array
    {
        $total = array_sum($ratios);
        $parts = [];
        foreach ($ratios as $ratio) {
            $parts[] = {{SHARE}};
        }
        $remainder = $this->cents - array_sum($parts);
        for ($i = 0; {{REMAINDER}}; $i++) {
            $parts[$i]++;
        }
        return $parts;
    }

    public function format(): string
    {
        return {{FORMAT}};
    }
}
"""

MONEY_TEST_PHP = """<?php

declare(strict_types=1);

use PHPUnit\\Framework\\TestCase;

final class MoneyTest extends TestCase
{
    public function testAddSumsCents(): void
    {
        $sum = (new Money(250, 'EUR'))->add(new Money(450, 'EUR'));
        $this->assertSame(700, $sum->cents);
    }

    public function testAddRejectsOtherCurrency(): void
    {
        $this->expectException(InvalidArgumentException::class);
        (new Money(1, 'EUR'))->add(new Money(1, 'USD'));
    }

    public function testFormatPadsCents(): void
    {
        $this->assertSame('EUR 12.05', (new Money(1205, 'EUR'))->format());
    }

    /** @dataProvider allocations */
    public function testAllocate(int $cents, array $ratios, array $expected): void
    {
        $this->assertSame($expected, (new Money($cents, 'EUR'))->allocate($ratios));
    }

    public static function allocations(): array
    {
        return [
            'thirds' => [100, [1, 1, 1], [34, 33, 33]],
            'weighted' => [100, [3, 1], [75, 25]],
        ];
    }
}
"""

DEFAULTS = {
    "CURRENCY_CHECK": "$this->currency !== $other->currency",
    "ADD": "new Money($this->cents + $other->cents, $this->currency)",
    "SHARE": "intdiv($this->cents * $ratio, $total)",
    "REMAINDER": "$i < $remainder",
    "FORMAT": "sprintf('%s %d.%02d', $this->currency, intdiv($this->cents, 100), $this->cents % 100)",
}


def testdox_name(test: str) -> str:
    """PHPUnit's --testdox name: "MoneyTest::testAddSumsCents" -> "Add sums cents" (data set kept)."""
    method, _, data = test.split("::", 1)[1].partition(" with ")
    words = re.findall(r"[A-Z][a-z0-9]*", method.removeprefix("test"))
    name = " ".join([words[0], *(w.lower() for w in words[1:])]) if words else method
    return f"{name} with {data}" if data else name


def _t(key: str, switch: str, bad: tuple[str, ...], test: str, *lines: str, **kw: object) -> Fault:
    # Default output: "1) Class::method" then the message; --testdox: "✘ Name" then the message behind "│ ".
    t = re.escape(test)
    lines = tuple(rf"^(\s*│ )?{line[1:]}" if line.startswith("^") else line for line in lines)
    header = rf"(^\d+\) {t}( \(|$)|^ ✘ {re.escape(testdox_name(test))}$)"
    kw.setdefault("test_loc",
                  r"^(\s*│ )?/home/runner/work/php-money/php-money/(?P<file>tests/MoneyTest\.php):(?P<line>\d+)$")
    return Fault(key=key, file="src/Money.php", switch=switch, bad=bad, tool="phpunit", kind="test", test_id=test,
                 evidence=(header, *lines), group="phpunit", **kw)  # type: ignore[arg-type]


FAULTS: tuple[Fault, ...] = (
    _t("add-subtracts", "ADD", ("new Money($this->cents - $other->cents, $this->currency)",
                                "new Money($other->cents - $this->cents, $this->currency)"),
       "MoneyTest::testAddSumsCents", r"^Failed asserting that -?\d+ is identical to 700\.$"),
    _t("add-type-error", "ADD", ("new Money($this->cents + $other, $this->currency)",), "MoneyTest::testAddSumsCents",
       r"^TypeError: Unsupported operand types: int \+ Money$", negative_of="add-subtracts",
       hard_negative="same-test-other-reason"),
    _t("add-accepts-any-currency", "CURRENCY_CHECK", ("$this->currency === $other->currency && false",
                                                      "$other->currency === ''"),
       "MoneyTest::testAddRejectsOtherCurrency",
       r'^Failed asserting that exception of type "InvalidArgumentException" is thrown\.$', test_loc=None),
    _t("format-drops-padding", "FORMAT",
       ("sprintf('%s %d.%d', $this->currency, intdiv($this->cents, 100), $this->cents % 100)",
        "sprintf('%s %d,%02d', $this->currency, intdiv($this->cents, 100), $this->cents % 100)"),
       "MoneyTest::testFormatPadsCents", r"^Failed asserting that two strings are identical\.$",
       r"^-'EUR 12\.05'$", r"^\+'EUR 12[.,]0?5'$"),
    _t("allocate-drops-remainder", "REMAINDER", ("$i < 0", "$i < $remainder - 1"),
       'MoneyTest::testAllocate with data set "thirds"', r"^Failed asserting that two arrays are identical\.$"),
    _t("allocate-ignores-weights", "SHARE", ("intdiv($this->cents, count($ratios))",),
       'MoneyTest::testAllocate with data set "weighted"', r"^Failed asserting that two arrays are identical\.$",
       negative_of="allocate-drops-remainder", hard_negative="sibling-subtest"),
)


def _project() -> Project:
    files = {"src/Money.php": MONEY_PHP, "tests/MoneyTest.php": MONEY_TEST_PHP}
    return Project(name="php-money", ecosystem="php", files=files, defaults=DEFAULTS, faults=FAULTS, comment="//",
                   job_name="phpunit (8.2)", matrix_job_name="phpunit (8.2)",
                   supported=("timestamps", "shifted", "data", "verbose", "order", "extra"),
                   toolchain_version=tool_version("php --version", r"PHP (\d+\.\d+\.\d+)"))


# --- php-semver (held-out): version parsing and ordering -------------------------------------------------

VERSION_PHP = """<?php

declare(strict_types=1);

{{SHIFT}}
final class Version
{
    public function __construct(
        public readonly int $major,
        public readonly int $minor,
        public readonly int $patch,
    ) {
    }

    public static function parse(string $text): Version
    {
        if (!preg_match({{PATTERN}}, $text, $m)) {
            throw new InvalidArgumentException("not a version: $text");
        }
        return new Version((int) $m[1], (int) $m[2], (int) $m[3]);
    }

    public function compare(Version $other): int
    {
        return {{COMPARE}};
    }

    public function bumpMinor(): Version
    {
        return {{BUMP}};
    }

    public function __toString(): string
    {
        return sprintf('%d.%d.%d', $this->major, $this->minor, $this->patch);
    }
}
"""

VERSION_TEST_PHP = """<?php

declare(strict_types=1);

use PHPUnit\\Framework\\TestCase;

final class VersionTest extends TestCase
{
    public function testParseAcceptsLeadingV(): void
    {
        $this->assertSame('1.2.3', (string) Version::parse('v1.2.3'));
    }

    public function testParseRejectsTwoParts(): void
    {
        $this->expectException(InvalidArgumentException::class);
        Version::parse('1.2');
    }

    public function testBumpMinorResetsPatch(): void
    {
        $this->assertSame('1.3.0', (string) Version::parse('1.2.9')->bumpMinor());
    }

    /** @dataProvider comparisons */
    public function testCompare(string $a, string $b, int $expected): void
    {
        $this->assertSame($expected, Version::parse($a)->compare(Version::parse($b)));
    }

    public static function comparisons(): array
    {
        return [
            'minor before patch' => ['1.10.0', '1.9.9', 1],
            'equal' => ['2.0.0', '2.0.0', 0],
            'major first' => ['1.9.9', '2.0.0', -1],
        ];
    }
}
"""

SEMVER_DEFAULTS = {
    "PATTERN": "'/^v?(\\d+)\\.(\\d+)\\.(\\d+)$/'",
    "COMPARE": "[$this->major, $this->minor, $this->patch] <=> [$other->major, $other->minor, $other->patch]",
    "BUMP": "new Version($this->major, $this->minor + 1, 0)",
}


def _sv(key: str, switch: str, bad: tuple[str, ...], test: str, *lines: str, **kw: object) -> Fault:
    t = re.escape(test)
    lines = tuple(rf"^(\s*│ )?{line[1:]}" if line.startswith("^") else line for line in lines)
    header = rf"(^\d+\) {t}( \(|$)|^ ✘ {re.escape(testdox_name(test))}$)"
    kw.setdefault("test_loc", r"^(\s*│ )?/home/runner/work/php-semver/php-semver/(?P<file>tests/VersionTest\.php)"
                              r":(?P<line>\d+)$")
    return Fault(key=key, file="src/Version.php", switch=switch, bad=bad, tool="phpunit", kind="test", test_id=test,
                 evidence=(header, *lines), group="phpunit", **kw)  # type: ignore[arg-type]


SEMVER_FAULTS: tuple[Fault, ...] = (
    _sv("parse-rejects-v-prefix", "PATTERN", ("'/^(\\d+)\\.(\\d+)\\.(\\d+)$/'", "'/^V?(\\d+)\\.(\\d+)\\.(\\d+)$/'"),
        "VersionTest::testParseAcceptsLeadingV", r"^InvalidArgumentException: not a version: v1\.2\.3$"),
    _sv("parse-accepts-two-parts", "PATTERN",
        ("'/^v?(\\d+)\\.(\\d+)\\.?(\\d*)$/'", "'/^v?(\\d+)\\.(\\d*)\\.?(\\d*)$/'"),
        "VersionTest::testParseRejectsTwoParts",
        r'^Failed asserting that exception of type "InvalidArgumentException" is thrown\.$', test_loc=None),
    _sv("bump-keeps-patch", "BUMP", ("new Version($this->major, $this->minor + 1, $this->patch)",
                                     "new Version($this->major, $this->minor + 1, $this->patch % 2)"),
        "VersionTest::testBumpMinorResetsPatch", r"^Failed asserting that two strings are identical\.$",
        r"^-'1\.3\.0'$", r"^\+'1\.3\.[19]'$"),
    _sv("bump-patch-as-string", "BUMP", ("new Version($this->major, $this->minor + 1, '0')",),
        "VersionTest::testBumpMinorResetsPatch",
        r"^TypeError: Version::__construct\(\): Argument #3 \(\$patch\) must be of type int, string given",
        negative_of="bump-keeps-patch", hard_negative="same-test-other-reason"),
    _sv("compare-as-strings", "COMPARE",
        ("(string) $this <=> (string) $other", "strcmp((string) $this, (string) $other)"),
        'VersionTest::testCompare with data set "minor before patch"',
        r"^Failed asserting that -\d+ is identical to 1\.$"),
    _sv("compare-skips-major", "COMPARE", ("[$this->minor, $this->patch] <=> [$other->minor, $other->patch]",),
        'VersionTest::testCompare with data set "major first"', r"^Failed asserting that 1 is identical to -1\.$",
        negative_of="compare-as-strings", hard_negative="sibling-subtest"),
)


def _semver() -> Project:
    files = {"src/Version.php": VERSION_PHP, "tests/VersionTest.php": VERSION_TEST_PHP}
    return Project(name="php-semver", ecosystem="php", files=files, defaults=SEMVER_DEFAULTS, faults=SEMVER_FAULTS,
                   comment="//", job_name="phpunit (8.2)", matrix_job_name="phpunit (8.2)",
                   supported=("timestamps", "shifted", "data", "verbose", "order", "extra"),
                   toolchain_version=tool_version("php --version", r"PHP (\d+\.\d+\.\d+)"))


BOOTSTRAP = {"php-money": "src/Money.php", "php-semver": "src/Version.php"}


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    # testdox colours each path segment apart, which no path rewriting can follow: plain output there.
    flags = " --testdox" if scenario.verbose else " --colors=always"
    if scenario.seed is not None:
        flags += f" --order-by=random --random-order-seed={scenario.seed}"
    ran = run(f"phpunit --bootstrap {BOOTSTRAP[repo]} --log-junit junit.xml{flags} tests", root, repo,
              name="Run phpunit")
    expected = {f.test_id for f in scenario.faults}
    got = failed_in_junit(root / "junit.xml")
    if got != expected:
        raise AssertionError(f"phpunit failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")
    return [ran]


def failed_in_junit(path: Path) -> set[str]:
    """Failing tests in PHPUnit's JUnit log, named as PHPUnit names them (Class::method[ with data set "x"])."""
    found = set()
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            found.add(f"{case.get('class') or case.get('classname')}::{case.get('name')}")
    return found


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_project(), _semver())


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    project = _project()
    yield from Generator(project, lambda root, sc: steps(root, sc, project.name), workdir, rng).cases()
    # A project added later draws from a stream of its own: the committed project's draws stay as they were.
    semver = _semver()
    yield from Generator(semver, lambda root, sc: steps(root, sc, semver.name), workdir,
                         random.Random(f"corpus/php/{semver.name}")).cases()
