"""JVM: javac errors, JUnit 5 (console launcher, parameterized tests) and JUnit 4 (JUnitCore), Debian's jars."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.corpus.faultkit import Fault, Generator, Project, Scenario, run, tool_version
from benchmarks.corpus.model import RawCase, Step

TOOLS = ("javac", "junit5", "junit4")
APT = ("default-jdk-headless", "junit4", "junit5")
JARS = "/usr/share/java"
CONSOLE = f"{JARS}/junit-platform-console-standalone.jar"
JUNIT4_CP = f"{JARS}/junit4.jar:{JARS}/hamcrest-core.jar"
PKG = "src/main/java/com/acme/invoice"
TPKG = "src/test/java/com/acme/invoice"

INVOICE = """package com.acme.invoice;

import java.util.ArrayList;
import java.util.List;

{{SHIFT}}
public class Invoice {
    private final List<LineItem> items = new ArrayList<>();

    public void add(LineItem item) {
        items.add(item);
    }

    public double subtotal() {
        double sum = 0;
        for (LineItem item : items) {
            {{SUM}}
        }
        return sum;
    }

    public static double taxOn(double amount, double rate) {
        return {{TAX}};
    }

    public int itemCount() {
        {{COUNT}}
    }

    public static String formatCents(long cents) {
        return {{FORMAT}};
    }
}
"""

LINE_ITEM = """package com.acme.invoice;

{{SHIFT}}
public record LineItem(String sku, double price, int quantity) {
    public LineItem {
        if ({{QTY}}) {
            throw new IllegalArgumentException("quantity must be positive: " + quantity);
        }
    }
}
"""

TAX_TABLE = """package com.acme.invoice;

{{SHIFT}}
public final class TaxTable {
    private TaxTable() {}

    public static double rateFor(String region) {
        switch (region) {
            case {{DE_KEY}}:
                return {{DE}};
            case "FR":
            case "UK":
                return 0.20;
            default:
                {{DEFAULT}}
        }
    }
}
"""

INVOICE_TEST = """package com.acme.invoice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InvoiceTest {
    @Test
    void subtotalMultipliesQuantity() {
        Invoice invoice = new Invoice();
        invoice.add(new LineItem("A-1", 10.0, 2));
        invoice.add(new LineItem("B-2", 5.5, 1));
        assertEquals(25.5, invoice.subtotal(), 1e-9);
    }

    @Test
    void taxIsRoundedToCents() {
        assertEquals(3.80, Invoice.taxOn(19.99, 0.19), 1e-9);
    }

    @Test
    void zeroQuantityIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LineItem("C-3", 1.0, 0));
    }

    @Test
    void countsItems() {
        Invoice invoice = new Invoice();
        invoice.add(new LineItem("A-1", 1.0, 1));
        assertEquals(1, invoice.itemCount());
    }

    @ParameterizedTest(name = "[{index}] {0} cents")
    @CsvSource({"5, 0.05", "1999, 19.99", "123456, '1,234.56'"})
    void formatsCents(long cents, String expected) {
        assertEquals(expected, Invoice.formatCents(cents));
    }
}
"""

TAX_TABLE_TEST = """package com.acme.invoice;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class TaxTableTest {
    @Test
    public void germanRate() {
        assertEquals(0.19, TaxTable.rateFor("DE"), 1e-9);
    }

    @Test
    public void frenchRate() {
        assertEquals(0.20, TaxTable.rateFor("FR"), 1e-9);
    }

    @Test(expected = IllegalArgumentException.class)
    public void unknownRegionThrows() {
        TaxTable.rateFor("XX");
    }
}
"""

DEFAULTS = {
    "SUM": "sum += item.price() * item.quantity();",
    "TAX": "Math.round(amount * rate * 100) / 100.0",
    "COUNT": "return items.size();",
    "FORMAT": 'String.format("%,d.%02d", cents / 100, cents % 100)',
    "QTY": "quantity <= 0",
    "DE_KEY": '"DE"',
    "DE": "0.19",
    "DEFAULT": 'throw new IllegalArgumentException("unknown region " + region);',
}

J5 = "com.acme.invoice.InvoiceTest"


def _j5(key: str, file: str, switch: str, bad: tuple[str, ...], method: str, message: str,
        display: str | None = None, **kw: object) -> Fault:
    # The console launcher's failure summary: "JUnit Jupiter:InvoiceTest:<display name>", then "=> <exception>",
    # then the test's frame "com.acme.invoice.InvoiceTest.<method>(InvoiceTest.java:N)".
    shown = re.escape(f"{method}(long, String):{display}" if display else f"{method}()")
    kw.setdefault("test_loc",
                  rf"com\.acme\.invoice\.InvoiceTest\.{method}\((?P<file>InvoiceTest\.java):(?P<line>\d+)\)")
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="junit5", kind="test",
                 test_id=f"{J5}.{method}" + (f"[{display.split(']')[0][1:]}]" if display else ""),
                 evidence=(rf"JUnit Jupiter:InvoiceTest:{shown}$", rf"=> {message}",
                           rf"com\.acme\.invoice\.InvoiceTest\.{method}\(InvoiceTest\.java:\d+\)"),
                 message=message, group="junit5", **kw)  # type: ignore[arg-type]


def _j4(key: str, switch: str, bad: tuple[str, ...], method: str, message: str, **kw: object) -> Fault:
    kw.setdefault("test_loc",
                  rf"at com\.acme\.invoice\.TaxTableTest\.{method}\((?P<file>TaxTableTest\.java):(?P<line>\d+)\)")
    return Fault(key=key, file=f"{PKG}/TaxTable.java", switch=switch, bad=bad, tool="junit4", kind="test",
                 test_id=f"com.acme.invoice.TaxTableTest.{method}",
                 evidence=(rf"^\d+\) {method}\(com\.acme\.invoice\.TaxTableTest\)$", rf"^{message}",
                           r"^Tests run: \d+,  Failures: \d+$"),
                 message=message, group="junit4", **kw)  # type: ignore[arg-type]


def _javac(key: str, switch: str, bad: tuple[str, ...], message: str, *detail: str, **kw: object) -> Fault:
    return Fault(key=key, file=f"{PKG}/Invoice.java", switch=switch, bad=bad, tool="javac", kind="compile",
                 evidence=(rf"^{PKG}/Invoice\.java:\d+: error: {message}", *detail, r"^\d+ errors?$"),
                 message="error: ", **{"group": "javac", **kw})  # type: ignore[arg-type]


FAULTS: tuple[Fault, ...] = (
    _j5("subtotal-ignores-quantity", f"{PKG}/Invoice.java", "SUM",
        ("sum += item.price();", "sum += item.price() + item.quantity();"), "subtotalMultipliesQuantity",
        r"org\.opentest4j\.AssertionFailedError: expected: <25\.5> but was: <[\d.]+>"),
    _j5("subtotal-reads-past-end", f"{PKG}/Invoice.java", "SUM",
        ("sum += items.get(items.size()).price() * item.quantity();",), "subtotalMultipliesQuantity",
        r"java\.lang\.IndexOutOfBoundsException: Index 2 out of bounds for length 2",
        test_loc=None, negative_of="subtotal-ignores-quantity", hard_negative="same-test-other-reason"),
    _j5("tax-truncates-cents", f"{PKG}/Invoice.java", "TAX",
        ("Math.floor(amount * rate * 100) / 100.0", "Math.round(amount * rate)"), "taxIsRoundedToCents",
        r"org\.opentest4j\.AssertionFailedError: expected: <3\.8> but was: <[\d.]+>"),
    _j5("zero-quantity-accepted", f"{PKG}/LineItem.java", "QTY", ("quantity < 0", "quantity < -1"),
        "zeroQuantityIsRejected",
        r"org\.opentest4j\.AssertionFailedError: Expected java\.lang\.IllegalArgumentException to be thrown, "
        r"but nothing was thrown\."),
    _j5("cents-not-zero-padded", f"{PKG}/Invoice.java", "FORMAT",
        ('String.format("%,d.%d", cents / 100, cents % 100)', 'String.format("%,d.%2d", cents / 100, cents % 100)'),
        "formatsCents", r"org\.opentest4j\.AssertionFailedError: expected: <0\.05> but was: <0\. ?5>",
        display="[1] 5 cents"),
    _j5("cents-without-grouping", f"{PKG}/Invoice.java", "FORMAT",
        ('String.format("%d.%02d", cents / 100, cents % 100)',), "formatsCents",
        r"org\.opentest4j\.AssertionFailedError: expected: <1,234\.56> but was: <1234\.56>",
        display="[3] 123456 cents", negative_of="cents-not-zero-padded", hard_negative="sibling-subtest"),
    _j4("german-rate-outdated", "DE", ("0.16", "0.07"), "germanRate",
        r"java\.lang\.AssertionError: expected:<0\.19> but was:<0\.(16|07)>"),
    _j4("german-key-miscased", "DE_KEY", ('"De"',), "germanRate",
        r"java\.lang\.IllegalArgumentException: unknown region DE", negative_of="german-rate-outdated",
        hard_negative="same-test-other-reason", test_loc=None),
    _j4("unknown-region-defaults", "DEFAULT", ("return 0.0;", "return 0.20;"), "unknownRegionThrows",
        r"java\.lang\.AssertionError: Expected exception: java\.lang\.IllegalArgumentException", test_loc=None),
    _javac("subtotal-misspelled-accessor", "SUM",
           ("sum += item.prise() * item.quantity();", "sum += item.cost() * item.quantity();"),
           r"cannot find symbol$", r"^\s+symbol:\s+method (prise|cost)\(\)$"),
    _javac("count-misspelled-method", "COUNT", ("return items.lenght();",), r"cannot find symbol$",
           r"^\s+symbol:\s+method lenght\(\)$", negative_of="subtotal-misspelled-accessor",
           hard_negative="same-code-other-symbol"),
    _javac("count-lossy-double", "COUNT", ("return items.size() * 1.5;", "return items.size() / 2.0;"),
           r"incompatible types: possible lossy conversion from double to int$"),
    # Flow errors (missing return) are only reported once attribution found none: never beside another error.
    _javac("count-missing-return", "COUNT", ("items.size();",), r"(missing return statement|not a statement)$",
           group="javac-flow"),
)


def _project() -> Project:
    files = {f"{PKG}/Invoice.java": INVOICE, f"{PKG}/LineItem.java": LINE_ITEM, f"{PKG}/TaxTable.java": TAX_TABLE,
             f"{TPKG}/InvoiceTest.java": INVOICE_TEST, f"{TPKG}/TaxTableTest.java": TAX_TABLE_TEST}
    return Project(name="jvm-invoicing", ecosystem="jvm", files=files, defaults=DEFAULTS, faults=FAULTS,
                   comment="//", job_name="test (17)", matrix_job_name="test (17)",
                   supported=("timestamps", "shifted", "data", "verbose", "order", "extra"),
                   toolchain_version=tool_version("java -version", r'version "([\d.]+)"'))


# --- jvm-shipping (held-out): parcel prices, javac and JUnit 5 --------------------------------------------

SPKG = "src/main/java/com/acme/shipping"
STPKG = "src/test/java/com/acme/shipping"
SHIPPING_TEST_CLASS = "com.acme.shipping.RatesTest"

RATES = """package com.acme.shipping;

{{SHIFT}}
public final class Rates {
    private Rates() {}

    /** Price in cents of a parcel of {@code grams} sent to {@code zone}. */
    public static long price(int grams, Zone zone) {
        if ({{WEIGHT_CHECK}}) {
            throw new IllegalArgumentException("weight must be positive: " + grams);
        }
        long base = {{BASE}};
        return {{ZONE}};
    }

    /** Started 500 g steps. */
    public static int bracket(int grams) {
        {{BRACKET}}
    }
}
"""

ZONE = """package com.acme.shipping;

{{SHIFT}}
public enum Zone {
    DOMESTIC(100),
    EUROPE({{EUROPE}}),
    WORLD(250);

    private final int percent;

    Zone(int percent) {
        this.percent = percent;
    }

    public int percent() {
        return percent;
    }
}
"""

RATES_TEST = """package com.acme.shipping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RatesTest {
    @Test
    void domesticSmallParcel() {
        assertEquals(400L, Rates.price(300, Zone.DOMESTIC));
    }

    @Test
    void europeAddsSurcharge() {
        assertEquals(1120L, Rates.price(1200, Zone.EUROPE));
    }

    @Test
    void rejectsEmptyParcel() {
        assertThrows(IllegalArgumentException.class, () -> Rates.price(0, Zone.WORLD));
    }

    @ParameterizedTest(name = "[{index}] {0} g")
    @CsvSource({"1, 1", "500, 1", "501, 2"})
    void bracketsRoundUp(int grams, int expected) {
        assertEquals(expected, Rates.bracket(grams));
    }
}
"""

SHIPPING_DEFAULTS = {
    "WEIGHT_CHECK": "grams <= 0",
    "BASE": "400L + 150L * (bracket(grams) - 1)",
    "ZONE": "base * zone.percent() / 100",
    "BRACKET": "return (grams + 499) / 500;",
    "EUROPE": "160",
}


def _ship(key: str, file: str, switch: str, bad: tuple[str, ...], method: str, message: str,
          display: str | None = None, **kw: object) -> Fault:
    shown = re.escape(f"{method}(int, int):{display}" if display else f"{method}()")
    frame = rf"com\.acme\.shipping\.RatesTest\.{method}\(RatesTest\.java:\d+\)"
    kw.setdefault("test_loc",
                  rf"com\.acme\.shipping\.RatesTest\.{method}\((?P<file>RatesTest\.java):(?P<line>\d+)\)")
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="junit5", kind="test",
                 test_id=f"{SHIPPING_TEST_CLASS}.{method}" + (f"[{display.split(']')[0][1:]}]" if display else ""),
                 evidence=(rf"JUnit Jupiter:RatesTest:{shown}$", rf"=> {message}", frame),
                 message=message, group="junit5", **kw)  # type: ignore[arg-type]


def _ship_javac(key: str, switch: str, bad: tuple[str, ...], message: str, *detail: str, **kw: object) -> Fault:
    return Fault(key=key, file=f"{SPKG}/Rates.java", switch=switch, bad=bad, tool="javac", kind="compile",
                 evidence=(rf"^{SPKG}/Rates\.java:\d+: error: {message}", *detail, r"^\d+ errors?$"),
                 message="error: ", group="javac", **kw)  # type: ignore[arg-type]


SHIPPING_FAULTS: tuple[Fault, ...] = (
    _ship("bracket-full-steps-only", f"{SPKG}/Rates.java", "BRACKET", ("return grams / 500 + 1;",), "bracketsRoundUp",
          r"org\.opentest4j\.AssertionFailedError: expected: <1> but was: <2>", display="[2] 500 g"),
    _ship("bracket-skips-first-gram", f"{SPKG}/Rates.java", "BRACKET", ("return Math.max(1, (grams + 498) / 500);",),
          "bracketsRoundUp", r"org\.opentest4j\.AssertionFailedError: expected: <2> but was: <1>",
          display="[3] 501 g", negative_of="bracket-full-steps-only", hard_negative="sibling-subtest"),
    _ship("europe-rate-outdated", f"{SPKG}/Zone.java", "EUROPE", ("150", "175"), "europeAddsSurcharge",
          r"org\.opentest4j\.AssertionFailedError: expected: <1120> but was: <(1050|1225)>"),
    _ship("zone-percent-truncated", f"{SPKG}/Rates.java", "ZONE", ("base * (zone.percent() / 100)",),
          "europeAddsSurcharge", r"org\.opentest4j\.AssertionFailedError: expected: <1120> but was: <700>",
          negative_of="europe-rate-outdated", hard_negative="same-test-other-reason"),
    _ship("empty-parcel-accepted", f"{SPKG}/Rates.java", "WEIGHT_CHECK", ("grams < 0", "grams < -1"),
          "rejectsEmptyParcel",
          r"org\.opentest4j\.AssertionFailedError: Expected java\.lang\.IllegalArgumentException to be thrown, "
          r"but nothing was thrown\."),
    _ship_javac("base-misspelled-bracket", "BASE",
                ("400L + 150L * (braket(grams) - 1)", "400L + 150L * (brackets(grams) - 1)"),
                r"cannot find symbol$", r"^\s+symbol:\s+method (braket|brackets)\(int\)$"),
    _ship_javac("zone-misspelled-accessor", "ZONE", ("base * zone.percentage() / 100",), r"cannot find symbol$",
                r"^\s+symbol:\s+method percentage\(\)$", negative_of="base-misspelled-bracket",
                hard_negative="same-code-other-symbol"),
    _ship_javac("bracket-returns-double", "BRACKET",
                ("return (grams + 499) / 500.0;", "return Math.ceil(grams / 500.0);"),
                r"incompatible types: possible lossy conversion from double to int$"),
)


def _shipping() -> Project:
    files = {f"{SPKG}/Rates.java": RATES, f"{SPKG}/Zone.java": ZONE, f"{STPKG}/RatesTest.java": RATES_TEST}
    return Project(name="jvm-shipping", ecosystem="jvm", files=files, defaults=SHIPPING_DEFAULTS,
                   faults=SHIPPING_FAULTS, comment="//", job_name="test (17)", matrix_job_name="test (17)",
                   supported=("timestamps", "shifted", "data", "verbose", "order", "extra"),
                   toolchain_version=tool_version("java -version", r'version "([\d.]+)"'))


def shipping_steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    out = [run(f"javac --release 17 -d build/classes {SPKG}/*.java", root, repo, name="Run javac -d build/classes")]
    if out[-1].exit_code:
        return out
    out.append(run(f"javac --release 17 -d build/test-classes -cp build/classes:{CONSOLE} {STPKG}/*.java", root,
                   repo, name="Run javac -d build/test-classes"))
    if out[-1].exit_code:
        return out
    flags = " --details=summary" if scenario.verbose else ""
    if scenario.seed is not None:
        flags += (" --config=junit.jupiter.testmethod.order.default=org.junit.jupiter.api.MethodOrderer\\$Random"
                  f" --config=junit.jupiter.execution.order.random.seed={scenario.seed}")
    out.append(run(f"java -jar {CONSOLE} -cp build/classes:build/test-classes --select-class {SHIPPING_TEST_CLASS} "
                   f"--reports-dir build/test-results{flags}", root, repo))
    report = root / "build/test-results/TEST-junit-jupiter.xml"
    expected = {f.test_id for f in scenario.faults}
    got = failed_in_report(report) if report.exists() else set()
    if got != expected:
        raise AssertionError(f"JUnit failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")
    return out


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    release = "17"
    out = [run(f"javac --release {release} -d build/classes {PKG}/*.java", root, repo,
               name="Run javac -d build/classes")]
    if out[-1].exit_code:
        return out
    out.append(run(f"javac --release {release} -d build/test-classes -cp build/classes:{CONSOLE}:{JUNIT4_CP} "
                   f"{TPKG}/*.java", root, repo, name="Run javac -d build/test-classes"))
    if out[-1].exit_code:
        return out
    groups = {f.group for f in scenario.faults}
    if "junit4" in groups:
        out.append(run(f"java -cp build/classes:build/test-classes:{JUNIT4_CP} org.junit.runner.JUnitCore "
                       "com.acme.invoice.TaxTableTest", root, repo))
        return out
    flags = " --details=summary" if scenario.verbose else ""  # the quiet side of the flag
    if scenario.seed is not None:
        flags += (" --config=junit.jupiter.testmethod.order.default=org.junit.jupiter.api.MethodOrderer\\$Random"
                  f" --config=junit.jupiter.execution.order.random.seed={scenario.seed}")
    out.append(run(f"java -jar {CONSOLE} -cp build/classes:build/test-classes --select-class {J5} "
                   f"--reports-dir build/test-results{flags}", root, repo))
    report = root / "build/test-results/TEST-junit-jupiter.xml"
    expected = {f.test_id for f in scenario.faults}
    got = failed_in_report(report) if report.exists() else set()
    if got != expected:
        raise AssertionError(f"JUnit failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")
    return out


def failed_in_report(path: Path) -> set[str]:
    """Failing tests in the console launcher's legacy JUnit XML: class.method, plus [index] for invocations."""
    found = set()
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is None and case.find("error") is None:
            continue
        name = case.get("name", "")
        method = name.split("(")[0]
        index = re.search(r"\[(\d+)\]$", name)
        found.add(f"{case.get('classname')}.{method}" + (f"[{index.group(1)}]" if index else ""))
    return found


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_project(), _shipping())


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    project = _project()
    yield from Generator(project, lambda root, sc: steps(root, sc, project.name), workdir, rng).cases()
    # A project added later draws from a stream of its own: the committed project's draws stay as they were.
    shipping = _shipping()
    yield from Generator(shipping, lambda root, sc: shipping_steps(root, sc, shipping.name), workdir,
                         random.Random(f"corpus/jvm/{shipping.name}")).cases()
