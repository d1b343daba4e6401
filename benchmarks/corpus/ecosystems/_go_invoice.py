"""go-invoice: a dev Go project (money amounts, invoices with coupons, invoice numbering), std-only.

Three packages with table-driven tests: ``money`` (``t.Run`` subtests, a loop of ``t.Errorf("F(%v) = %v, want
%v")``, ``reflect.DeepEqual`` on a slice), ``invoice`` (a test with several assertions, ``t.Fatal("expected
error, got nil")``, ``reflect.DeepEqual`` on a map, a hand-written ``(-want +got)`` diff) and ``seq`` (a mutex,
a deadlock that only ``-timeout`` ends). Panics in the code under test (index out of range, a nil map), go vet
(printf verbs, copylocks, unreachable code) and compile errors (undefined, mismatched types, declared but not
used). The ``money`` and ``seq`` tests run under ``go test -v``, the ``invoice`` faults under ``go test -json``
(the dev part had no ``-json`` log before). Imported by ``go.py`` (its ``projects()`` and ``cases()``), after
the other Go projects, so their random draws stay the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from benchmarks.corpus.faultkit import Fault, Project, Scenario, tool_version
from benchmarks.corpus.model import Step

NAME = "go-invoice"
MODULE = "example.com/invoice"
TIMEOUT = "10s"  # the workflow's go test -timeout: a deadlocked test panics after it


def _tabs(text: str) -> str:
    """Go's indentation: the templates are written with four spaces per level."""
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        out.append("\t" * ((len(line) - len(stripped)) // 4) + stripped)
    return "\n".join(out)


MONEY_GO = _tabs("""// Package money parses and formats amounts of money held as integer cents.
package money

import (
    "fmt"
    "strconv"
    "strings"
)

{{SHIFT}}
// Parse reads "42", "12.5", "-0.75" or "1,234.50" as cents.
func Parse(s string) (int64, error) {
    s = strings.TrimSpace(s)
    {{NEG_CHECK}}
    s = strings.TrimPrefix(s, "-")
    s = strings.ReplaceAll(s, ",", "")
    whole, frac, _ := strings.Cut(s, ".")
    if len(frac) > 2 {
        return 0, fmt.Errorf("money: more than two decimals in %q", s)
    }
    for len(frac) < 2 {
        {{PAD}}
    }
    w, err := strconv.ParseInt(whole, 10, 64)
    if err != nil {
        return 0, fmt.Errorf("money: bad amount %q", s)
    }
    c, err := strconv.ParseInt(frac, 10, 64)
    if err != nil {
        return 0, fmt.Errorf("money: bad cents %q", s)
    }
    {{CENTS}}
    if neg {
        {{NEGATE}}
    }
    return cents, nil
}

// Format writes cents as "-1,234.56".
func Format(cents int64) string {
    sign := ""
    if cents < 0 {
        sign, cents = "-", -cents
    }
    whole := strconv.FormatInt(cents/100, 10)
    var b strings.Builder
    for i := 0; i < len(whole); i++ {
        if i > 0 && (len(whole)-i)%3 == 0 {
            b.WriteByte(',')
        }
        b.WriteByte({{DIGIT}})
    }
    return {{FORMAT}}
}

// Split shares cents among parts as evenly as it can; the first shares take the cents left over.
func Split(cents int64, parts int) []int64 {
    n := int64(parts)
    base, rest := cents/n, cents%n
    out := make([]int64, parts)
    for i := range out {
        {{SHARE}}
    }
    return out
}
""")

MONEY_TEST_GO = _tabs("""package money

import (
    "reflect"
    "testing"
)

func TestParse(t *testing.T) {
    tests := []struct {
        name string
        in   string
        want int64
    }{
        {"whole", "42", 4200},
        {"one_decimal", "12.5", 1250},
        {"thousands", "1,234.50", 123450},
        {"negative", "-0.75", -75},
    }
    for _, tt := range tests {
        t.Run(tt.name, func(t *testing.T) {
            got, err := Parse(tt.in)
            if err != nil {
                t.Fatalf("Parse(%q) returned error: %v", tt.in, err)
            }
            if got != tt.want {
                t.Errorf("Parse(%q) = %d, want %d", tt.in, got, tt.want)
            }
        })
    }
}

func TestFormat(t *testing.T) {
    for _, tt := range []struct {
        cents int64
        want  string
    }{
        {0, "0.00"},
        {5, "0.05"},
        {123456, "1,234.56"},
        {-98765, "-987.65"},
    } {
        if got := Format(tt.cents); got != tt.want {
            t.Errorf("Format(%d) = %q, want %q", tt.cents, got, tt.want)
        }
    }
}

func TestSplit(t *testing.T) {
    got := Split(100, 3)
    want := []int64{34, 33, 33}
    if !reflect.DeepEqual(got, want) {
        t.Errorf("Split(100, 3) = %v, want %v", got, want)
    }
}
""")

INVOICE_GO = _tabs("""// Package invoice totals an invoice's lines, its tax and its coupon.
package invoice

import (
    "fmt"
    "sort"
    "strings"
)

{{SHIFT}}
// Line is one item sold: a quantity at a unit price in cents.
type Line struct {
    SKU      string
    Category string
    Qty      int
    Unit     int64
}

// Amount is the line's price.
func (l Line) Amount() int64 {
    return int64(l.Qty) * l.Unit
}

// Invoice is a customer's bill.
type Invoice struct {
    Number   string
    Customer string
    Lines    []Line
    TaxBP    int64 // tax rate in basis points: 2000 is 20 %
    Discount int64 // cents a coupon takes off the subtotal
}

// Subtotal sums the lines, less the discount.
func (inv *Invoice) Subtotal() int64 {
    var sum int64
    for i := 0; {{LINES_LOOP}}; i++ {
        l := inv.Lines[i]
        sum += {{LINE_AMOUNT}}
    }
    return sum - inv.Discount
}

// Tax is the subtotal's tax, rounded half up to the cent.
func (inv *Invoice) Tax() int64 {
    {{TAX}}
}

// Total is what the customer pays.
func (inv *Invoice) Total() int64 {
    return inv.Subtotal() + inv.Tax()
}

// Summary is the amount billed per category.
func (inv *Invoice) Summary() map[string]int64 {
    {{SUMMARY_MAP}}
    for _, l := range inv.Lines {
        {{SUMMARY_ADD}}
    }
    return out
}

// Categories lists the categories billed, sorted.
func (inv *Invoice) Categories() []string {
    seen := map[string]bool{}
    var out []string
    for _, l := range inv.Lines {
        if !seen[l.Category] {
            seen[l.Category] = true
            out = append(out, l.Category)
        }
    }
    {{SORT}}
    return out
}

// Header is the invoice's first line.
func (inv *Invoice) Header() string {
    return {{HEADER}}
}

// Reference is what the customer writes on a bank transfer.
func (inv *Invoice) Reference() string {
    return {{REFERENCE}}
}
""")

COUPON_GO = _tabs("""package invoice

import (
    "errors"
    "fmt"
    "strings"
)

{{SHIFT}}
// ErrUnknownCoupon is returned for a code the shop never issued.
var ErrUnknownCoupon = errors.New("unknown coupon")

// Coupon takes a percentage off the subtotal, up to a cap in cents.
type Coupon struct {
    Percent int64
    Cap     int64
}

func (c Coupon) String() string {
    return fmt.Sprintf("%d%% off, at most %d cents", c.Percent, c.Cap)
}

var coupons = map[string]Coupon{
    "WELCOME10": {Percent: 10, Cap: 2000},
    "BULK25":    {Percent: 25, Cap: 10000},
}

func lookup(code string) (Coupon, error) {
    c, ok := coupons[strings.ToUpper(strings.TrimSpace(code))]
    if !ok {
        {{UNKNOWN}}
    }
    return c, nil
}

// ApplyCoupon sets the invoice's discount from a coupon code.
func (inv *Invoice) ApplyCoupon(code string) error {
    c, err := lookup(code)
    if err != nil {
        {{SWALLOW}}
    }
    inv.Discount = 0
    off := inv.Subtotal() * c.Percent / 100
    if off > c.Cap {
        off = c.Cap
    }
    inv.Discount = off
    return nil
}
""")

INVOICE_TEST_GO = _tabs("""package invoice

import (
    "fmt"
    "reflect"
    "strings"
    "testing"
)

func sample() *Invoice {
    return &Invoice{
        Number:   "INV-0042",
        Customer: "acme",
        TaxBP:    2000,
        Lines: []Line{
            {SKU: "PEN", Category: "office", Qty: 3, Unit: 250},
            {SKU: "DESK", Category: "furniture", Qty: 1, Unit: 12000},
            {SKU: "LAMP", Category: "furniture", Qty: 2, Unit: 1999},
        },
    }
}

func TestTotals(t *testing.T) {
    inv := sample()
    if got, want := inv.Subtotal(), int64(16748); got != want {
        t.Errorf("Subtotal() = %d, want %d", got, want)
    }
    if got, want := inv.Tax(), int64(3350); got != want {
        t.Errorf("Tax() = %d, want %d", got, want)
    }
    if got, want := inv.Total(), int64(20098); got != want {
        t.Errorf("Total() = %d, want %d", got, want)
    }
}

func TestApplyCouponRejectsUnknownCode(t *testing.T) {
    inv := sample()
    if err := inv.ApplyCoupon("FREEBIE"); err == nil {
        t.Fatal("expected error, got nil")
    }
    if inv.Discount != 0 {
        t.Errorf("Discount = %d after a rejected coupon, want 0", inv.Discount)
    }
}

func TestSummary(t *testing.T) {
    got := sample().Summary()
    want := map[string]int64{"office": 750, "furniture": 15998}
    if !reflect.DeepEqual(got, want) {
        t.Errorf("Summary() = %v, want %v", got, want)
    }
}

// diffLines lists the lines of want that got lacks (-) and the lines of got that want lacks (+), in order.
func diffLines(want, got []string) string {
    var b strings.Builder
    for i := 0; i < len(want) || i < len(got); i++ {
        switch {
        case i >= len(got):
            fmt.Fprintf(&b, "-%s\\n", want[i])
        case i >= len(want):
            fmt.Fprintf(&b, "+%s\\n", got[i])
        case want[i] != got[i]:
            fmt.Fprintf(&b, "-%s\\n+%s\\n", want[i], got[i])
        }
    }
    return b.String()
}

func TestCategories(t *testing.T) {
    want := []string{"furniture", "office"}
    if diff := diffLines(want, sample().Categories()); diff != "" {
        t.Errorf("Categories() mismatch (-want +got):\\n%s", diff)
    }
}
""")

SEQ_GO = _tabs("""// Package seq hands out invoice numbers: a prefix and a zero-padded counter, one counter per prefix.
package seq

import (
    "fmt"
    "sync"
)

{{SHIFT}}
// Registry issues numbers; it is safe for concurrent use.
type Registry struct {
    mu   sync.Mutex
    next map[string]int
}

// New returns an empty registry.
func New() *Registry {
    return &Registry{next: make(map[string]int)}
}

// Next returns the prefix's next number, "INV-0001" first.
func (r *Registry) Next(prefix string) string {
    r.mu.Lock()
    defer r.mu.Unlock()
    r.next[prefix]++
    return {{NUMBER}}
}

// Issued is how many numbers the registry has handed out.
func {{ISSUED_RECV}} Issued() int {
    r.mu.Lock()
    defer r.mu.Unlock()
    total := 0
    for _, n := range r.next {
        total += n
    }
    return total
}

func format(prefix string, n int) string {
    return fmt.Sprintf({{LAYOUT}}, prefix, n)
}
""")

SEQ_TEST_GO = _tabs("""package seq

import "testing"

func TestNext(t *testing.T) {
    r := New()
    if got, want := r.Next("INV"), "INV-0001"; got != want {
        t.Errorf("Next(%q) = %q, want %q", "INV", got, want)
    }
    r.Next("INV")
    if got, want := r.Next("CRN"), "CRN-0001"; got != want {
        t.Errorf("Next(%q) = %q, want %q", "CRN", got, want)
    }
    if got := r.Issued(); got != 3 {
        t.Errorf("Issued() = %d, want 3", got)
    }
}
""")

DEFAULTS = {
    "NEG_CHECK": 'neg := strings.HasPrefix(s, "-")',
    "PAD": 'frac += "0"',
    "CENTS": "cents := w*100 + c",
    "NEGATE": "cents = -cents",
    "DIGIT": "whole[i]",
    "FORMAT": 'fmt.Sprintf("%s%s.%02d", sign, b.String(), cents%100)',
    "SHARE": "out[i] = base\n\t\tif int64(i) < rest {\n\t\t\tout[i]++\n\t\t}",
    "LINES_LOOP": "i < len(inv.Lines)",
    "LINE_AMOUNT": "int64(l.Qty) * l.Unit",
    "TAX": "return (inv.Subtotal()*inv.TaxBP + 5000) / 10000",
    "SUMMARY_MAP": "out := make(map[string]int64)",
    "SUMMARY_ADD": "out[l.Category] += l.Amount()",
    "SORT": "sort.Strings(out)",
    "HEADER": 'fmt.Sprintf("Invoice %s for %s", inv.Number, inv.Customer)',
    "REFERENCE": 'fmt.Sprintf("%s/%s", strings.ToUpper(inv.Customer), inv.Number)',
    "UNKNOWN": 'return Coupon{}, fmt.Errorf("%w: %q", ErrUnknownCoupon, code)',
    "SWALLOW": "return err",
    "NUMBER": "format(prefix, r.next[prefix])",
    "ISSUED_RECV": "(r *Registry)",
    "LAYOUT": '"%s-%04d"',
}

FILES = {
    "go.mod": f"module {MODULE}\n\ngo 1.19\n",
    "money/money.go": MONEY_GO,
    "money/money_test.go": MONEY_TEST_GO,
    "invoice/invoice.go": INVOICE_GO,
    "invoice/coupon.go": COUPON_GO,
    "invoice/invoice_test.go": INVOICE_TEST_GO,
    "seq/seq.go": SEQ_GO,
    "seq/seq_test.go": SEQ_TEST_GO,
}

# The invoice package's test faults run under go test -json (their own fault group, so an "extra" recurrence
# never mixes the two report formats in one run).
JSON_GROUP = "json"


def _v(test: str, *lines: str) -> tuple[str, ...]:
    """go test -v / quiet: the parent's and the subtest's ``--- FAIL`` lines, then ``lines``."""
    parent, _, _ = test.partition("/")
    head = (rf"^--- FAIL: {re.escape(parent)} \(",) if "/" in test else ()
    return (*head, rf"^\s*--- FAIL: {re.escape(test)} \(", *lines)


def _test(key: str, file: str, switch: str, bad: tuple[str, ...], test: str, *lines: str, **kw: object) -> Fault:
    """A go test -v failure: its ``--- FAIL`` lines and ``lines`` (``name_test.go:N: message``)."""
    test_file = re.escape(test_file_of(file).rsplit("/", 1)[-1])
    kw.setdefault("test_loc", rf"(?P<file>{test_file}):(?P<line>\d+): ")
    kw.setdefault("message", rf"{test_file}:\d+: ")  # the assertion's line, not the `--- FAIL` header
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="go-test", kind="test", test_id=test,
                 evidence=_v(test, *lines), group="test", **kw)  # type: ignore[arg-type]


def _json_test(key: str, switch: str, bad: tuple[str, ...], test: str, *outputs: str, file: str = "invoice/invoice.go",
               **kw: object) -> Fault:
    """A go test -json failure: the test's output events ``outputs`` (regexes over the event's ``Output``
    text, as JSON escapes it) and its ``--- FAIL`` output event."""
    events = tuple(rf'"Action":"output",.*"Test":"{re.escape(test)}","Output":"{o}' for o in outputs)
    fail = rf'"Action":"output",.*"Test":"{re.escape(test)}","Output":"--- FAIL: {re.escape(test)} \('
    kw.setdefault("test_loc", r'"Output":"\s*(?P<file>invoice_test\.go):(?P<line>\d+): ')
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="go-test", kind="test", test_id=test,
                 evidence=(*events, fail), group=JSON_GROUP, **kw)  # type: ignore[arg-type]


def test_file_of(file: str) -> str:
    return {"money/money.go": "money/money_test.go", "seq/seq.go": "seq/seq_test.go"}.get(
        file, "invoice/invoice_test.go")


def _panic(file: str, message: str) -> tuple[str, ...]:
    """A panic in the code under test: the runtime's message, the goroutine, the faulting frame."""
    ws = re.escape(f"/home/runner/work/{NAME}/{NAME}/")
    return (rf"^panic: {message}", r"^goroutine \d+ \[running\]:", rf"^\s+{ws}{re.escape(file)}:\d+ ")


def _build(key: str, file: str, switch: str, bad: tuple[str, ...], message: str, **kw: object) -> Fault:
    package = file.split("/")[0]
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="go-build", kind="compile",
                 evidence=(rf"^# {re.escape(MODULE)}/{package}$", rf"^{re.escape(file)}:\d+:\d+: {message}"),
                 message=rf"^{re.escape(file)}:", group="build", **kw)  # type: ignore[arg-type]


def _vet(key: str, file: str, switch: str, bad: tuple[str, ...], message: str, **kw: object) -> Fault:
    package = file.split("/")[0]
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="go-vet", kind="lint",
                 evidence=(rf"^# {re.escape(MODULE)}/{package}$", rf"^{re.escape(file)}:\d+:\d+: {message}"),
                 message=rf"^{re.escape(file)}:", group="vet", **kw)  # type: ignore[arg-type]


FAULTS: tuple[Fault, ...] = (
    # go test -v: the money package (table-driven subtests, a loop of Errorf, DeepEqual on a slice)
    _test("parse-pads-on-the-left", "money/money.go", "PAD", ('frac = "0" + frac',), "TestParse/one_decimal",
          r'money_test\.go:\d+: Parse\("12\.5"\) = 1205, want 1250'),
    _test("parse-ignores-minus", "money/money.go", "NEG_CHECK", ('neg := strings.HasPrefix(s, "+")',),
          "TestParse/negative", r'money_test\.go:\d+: Parse\("-0\.75"\) = 75, want -75',
          negative_of="parse-pads-on-the-left", hard_negative="sibling-subtest"),
    _test("format-cents-unpadded", "money/money.go", "FORMAT",
          ('fmt.Sprintf("%s%s.%d", sign, b.String(), cents%100)',
           'fmt.Sprintf("%s%s.%2d", sign, b.String(), cents%100)'),
          "TestFormat", r'money_test\.go:\d+: Format\(5\) = "0\.[ ]?5", want "0\.05"'),
    _test("format-digit-past-end", "money/money.go", "DIGIT", ("whole[i+1]", "whole[i+2]"), "TestFormat",
          *_panic("money/money.go", r"runtime error: index out of range \[\d\] with length 1"),
          test_loc=rf"^\s+/home/runner/work/{NAME}/{NAME}/(?P<file>money/money\.go):(?P<line>\d+) ",
          message=r"^panic: ",
          negative_of="format-cents-unpadded", hard_negative="same-test-other-reason"),
    _test("split-remainder-to-last", "money/money.go", "SHARE",
          ("out[i] = base\n\t\tif int64(i) > rest {\n\t\t\tout[i]++\n\t\t}",
           "out[i] = base\n\t\tif int64(i) <= rest {\n\t\t\tout[i]++\n\t\t}"),
          "TestSplit", r"money_test\.go:\d+: Split\(100, 3\) = \[\d+ \d+ \d+\], want \[34 33 33\]", line_offset=1),
    # go test -v: the seq package
    _test("number-unpadded", "seq/seq.go", "LAYOUT", ('"%s-%d"', '"%s-%03d"'), "TestNext",
          r'seq_test\.go:\d+: Next\("INV"\) = "INV-0*1", want "INV-0001"'),
    Fault(key="next-relocks-mutex", file="seq/seq.go", switch="NUMBER", bad=("format(prefix, r.Issued())",),
          tool="go-test", kind="timeout", test_id="TestNext",
          evidence=(rf"^panic: test timed out after {TIMEOUT}$", r"^goroutine \d+ \[semacquire",
                    r"^sync\.\(\*Mutex\)\.Lock\(", r"^example\.com/invoice/seq\.\(\*Registry\)\.Issued\(",
                    rf"^\s+/home/runner/work/{NAME}/{NAME}/seq/seq\.go:\d+ "),
          test_loc=rf"^\s+/home/runner/work/{NAME}/{NAME}/(?P<file>seq/seq_test\.go):(?P<line>\d+) ",
          message=r"^panic: ", group="timeout"),
    # go test -json: the invoice package (several assertions in one test, Fatal without values, DeepEqual on a
    # map, a hand-written diff)
    _json_test("subtotal-ignores-quantity", "LINE_AMOUNT", ("l.Unit", "int64(l.Qty) + l.Unit"), "TestTotals",
               r"\s*invoice_test\.go:\d+: Subtotal\(\) = \d+, want 16748"),
    _json_test("subtotal-skips-last-line", "LINES_LOOP", ("i < len(inv.Lines)-1", "i < len(inv.Lines)/2"),
               "TestTotals", r"\s*invoice_test\.go:\d+: Subtotal\(\) = \d+, want 16748",
               negative_of="subtotal-ignores-quantity", hard_negative="same-test-other-reason"),
    _json_test("tax-rounds-down", "TAX", ("return inv.Subtotal() * inv.TaxBP / 10000",), "TestTotals",
               r"\s*invoice_test\.go:\d+: Tax\(\) = 3349, want 3350",
               negative_of="subtotal-ignores-quantity", hard_negative="same-test-other-reason"),
    _json_test("coupon-unknown-accepted", "UNKNOWN", ("return Coupon{}, nil",), "TestApplyCouponRejectsUnknownCode",
               r"\s*invoice_test\.go:\d+: expected error, got nil", file="invoice/coupon.go"),
    _json_test("coupon-error-swallowed", "SWALLOW", ("return nil",), "TestApplyCouponRejectsUnknownCode",
               r"\s*invoice_test\.go:\d+: expected error, got nil", file="invoice/coupon.go",
               negative_of="coupon-unknown-accepted", hard_negative="same-test-other-reason"),
    _json_test("summary-keyed-by-sku", "SUMMARY_ADD",
               ("out[l.SKU] += l.Amount()", "out[strings.ToUpper(l.Category)] += l.Amount()"), "TestSummary",
               r"\s*invoice_test\.go:\d+: Summary\(\) = map\[.*\], want map\[furniture:15998 office:750\]"),
    _json_test("summary-nil-map", "SUMMARY_MAP", ("var out map[string]int64", "out := map[string]int64(nil)"),
               "TestSummary", r"panic: assignment to entry in nil map",
               test_loc=rf"/home/runner/work/{NAME}/{NAME}/(?P<file>invoice/invoice\.go):(?P<line>\d+)\b",
               negative_of="summary-keyed-by-sku", hard_negative="same-test-other-reason"),
    _json_test("categories-sorted-backwards", "SORT", ("sort.Sort(sort.Reverse(sort.StringSlice(out)))",),
               "TestCategories", r"\s*invoice_test\.go:\d+: Categories\(\) mismatch \(-want \+got\):",
               r"\s*-furniture"),
    # go vet
    _vet("header-number-as-int", "invoice/invoice.go", "HEADER",
         ('fmt.Sprintf("Invoice %d for %s", inv.Number, inv.Customer)',
          'fmt.Sprintf("Invoice %s for %d", inv.Number, inv.Customer)'),
         r"fmt\.Sprintf format %d has arg inv\.(Number|Customer) of wrong type string"),
    _vet("reference-number-as-int", "invoice/invoice.go", "REFERENCE",
         ('fmt.Sprintf("%s/%d", strings.ToUpper(inv.Customer), inv.Number)',),
         r"fmt\.Sprintf format %d has arg inv\.Number of wrong type string",
         negative_of="header-number-as-int", hard_negative="same-message-other-place"),
    _vet("issued-copies-lock", "seq/seq.go", "ISSUED_RECV", ("(r Registry)",),
         r"Issued passes lock by value: example\.com/invoice/seq\.Registry contains sync\.Mutex"),
    _vet("categories-return-before-sort", "invoice/invoice.go", "SORT", ("return out\n\tsort.Strings(out)",),
         r"unreachable code", line_offset=1),
    # go build
    _build("negate-undefined-name", "money/money.go", "NEGATE", ("cents = -cent", "cents = -amount"),
           r"undefined: (cent|amount)"),
    _build("line-amount-mismatched-types", "invoice/invoice.go", "LINE_AMOUNT", ("l.Qty * l.Unit", "l.Unit * l.Qty"),
           r"invalid operation: l\.\w+ \* l\.\w+ \(mismatched types int(64)? and int(64)?\)"),
    _build("split-rest-unused", "money/money.go", "SHARE", ("out[i] = base", "out[i] = base + 1"),
           r"rest declared but not used"),
    _build("parse-cents-unused", "money/money.go", "CENTS", ("cents := w * 100", "cents := w*100 + w%100"),
           r"c declared but not used", negative_of="split-rest-unused", hard_negative="same-code-other-symbol"),
)


def project() -> Project:
    return Project(name=NAME, ecosystem="go", files=dict(FILES), defaults=DEFAULTS, faults=FAULTS, comment="//",
                   job_name="test (1.19)", matrix_job_name="test (1.19, 386)",
                   toolchain_version=tool_version("go version", r"go(\d+\.\d+(?:\.\d+)?)"))


def json_report(scenario: Scenario) -> bool:
    """The invoice package's test faults run under ``go test -json`` (go.py's steps, with the workflow's
    ``-timeout``)."""
    return any(f.group == JSON_GROUP for f in scenario.faults)


def check(scenario: Scenario, ran: Sequence[Step]) -> None:
    """go.py's cross-check against go test's own report; a test that timed out is never reported failed."""
    from benchmarks.corpus.ecosystems.go import failed_tests  # go.py imports this module

    if ran[-1].command.startswith("go test"):
        expected = {f.test_id for f in scenario.faults if f.kind == "test"}
        got = failed_tests(ran[-1].output)
        if got != expected:
            raise AssertionError(f"go test failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")
