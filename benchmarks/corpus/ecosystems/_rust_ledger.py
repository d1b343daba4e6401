"""rs-ledger: a dev Rust project (double-entry ledger, money parsing, a CSV statement reader).

A library crate with three modules and their unit tests, plus an integration test binary (``tests/``), so
libtest reports module-qualified unit tests (``money::tests::...``) and bare integration test names, panics in
``src/*.rs`` and ``tests/*.rs``, ``should_panic`` tests, rustc's type, resolution, method and borrow errors, and
clippy lints under ``-D warnings``. ``cargo test --no-fail-fast`` runs every test binary, as a CI that wants
every failure would. Imported by ``rust.py`` (its ``projects()`` and ``cases()``), after rs-floorplan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from benchmarks.corpus.faultkit import Fault, Project, Scenario, run, strip_ansi, tool_version
from benchmarks.corpus.model import Step

NAME = "rs-ledger"

CARGO = """[package]
name = "ledger"
version = "0.1.0"
edition = "2021"

[dependencies]
"""

LIB_RS = r"""//! A small double-entry ledger: amounts in integer cents, transactions that must balance, and a reader
//! for the bank's CSV statements.

pub mod csv;
pub mod ledger;
pub mod money;

pub use ledger::{Ledger, LedgerError, Posting, Transaction};
pub use money::{format_cents, parse_amount, split_evenly, AmountError};
"""

MONEY_RS = r"""//! Amounts of money as integer cents: parsing "1,234.50" and formatting back.

use std::fmt;

{{SHIFT}}
/// Why an amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    Invalid(String),
    TooManyDecimals(String),
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountError::Empty => write!(f, "empty amount"),
            AmountError::Invalid(s) => write!(f, "invalid amount {:?}", s),
            AmountError::TooManyDecimals(s) => write!(f, "more than two decimals in {:?}", s),
        }
    }
}

impl std::error::Error for AmountError {}

/// Parses "12", "-3.5" or "1,234.50" into cents.
pub fn parse_amount(text: &str) -> Result<i64, AmountError> {
    let value = text.trim();
    if value.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let digits = digits.replace(',', "");
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits.as_str(), ""));
    let invalid = || AmountError::Invalid(value.to_string());
    let whole: i64 = {{WHOLE}};
    let cents: i64 = match frac_part.len() {
        0 => 0,
        1 => {{ONE_DIGIT}},
        2 => frac_part.parse().map_err(|_| invalid())?,
        _ => return Err(AmountError::TooManyDecimals(value.to_string())),
    };
    let total = whole * 100 + cents;
    Ok(if negative { -total } else { total })
}

/// Formats cents as "-1,234.56".
pub fn format_cents(cents: i64) -> String {
    {{SIGN}}
    let abs = cents.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if {{GROUP}} {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    {{FORMAT}}
}

/// Splits `amount` into `parts` shares that differ by at most one cent, the larger shares first.
pub fn split_evenly(amount: i64, parts: usize) -> Vec<i64> {
    {{SPLIT_GUARD}}
    let n = parts as i64;
    let base = amount / n;
    let rest = amount % n;
    {{SPLIT_RESULT}}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whole_amount() {
        assert_eq!(parse_amount("42"), Ok(4200));
        assert_eq!(parse_amount(" 7 "), Ok(700));
    }

    #[test]
    fn parses_thousands_separator() {
        assert_eq!(parse_amount("1,234.56"), Ok(123456));
    }

    #[test]
    fn parses_single_decimal_digit() {
        assert_eq!(parse_amount("12.5"), Ok(1250));
    }

    #[test]
    fn parses_negative_amount() {
        assert_eq!(parse_amount("-0.75"), Ok(-75));
    }

    #[test]
    fn rejects_three_decimals() {
        assert!(matches!(parse_amount("1.234"), Err(AmountError::TooManyDecimals(_))));
    }

    #[test]
    fn formats_negative_amount() {
        assert_eq!(format_cents(-123456), "-1,234.56");
    }

    #[test]
    fn formats_small_amount() {
        assert_eq!(format_cents(5), "0.05");
    }

    #[test]
    fn splits_with_remainder() {
        assert_eq!(split_evenly(1000, 3), vec![334, 333, 333]);
    }

    #[test]
    #[should_panic(expected = "zero parts")]
    fn split_into_zero_parts_panics() {
        split_evenly(100, 0);
    }
}
"""

LEDGER_RS = r"""//! The ledger: accounts and their balances, transactions whose postings must sum to zero.

use std::collections::BTreeMap;
use std::fmt;

{{SHIFT}}
/// One line of a transaction: an amount in cents moved into (positive) or out of (negative) an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub account: String,
    pub amount: i64,
}

/// A dated set of postings that sum to zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub id: u32,
    pub date: String,
    pub memo: String,
    pub postings: Vec<Posting>,
}

impl Transaction {
    pub fn new(id: u32, date: &str, memo: &str, postings: &[(&str, i64)]) -> Self {
        let postings = postings
            .iter()
            .map(|(account, amount)| Posting { account: account.to_string(), amount: *amount })
            .collect();
        Transaction { id, date: date.to_string(), memo: memo.to_string(), postings }
    }
}

/// Why a transaction was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerError {
    TooFewPostings(u32),
    Unbalanced { id: u32, off_by: i64 },
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerError::TooFewPostings(id) => write!(f, "transaction {} needs two postings", id),
            LedgerError::Unbalanced { id, off_by } => write!(f, "transaction {} is off by {}", id, off_by),
        }
    }
}

impl std::error::Error for LedgerError {}

#[derive(Debug, Default)]
pub struct Ledger {
    accounts: BTreeMap<String, i64>,
    entries: Vec<Transaction>,
}

impl Ledger {
    pub fn new() -> Self {
        Ledger::default()
    }

    /// Records `tx` when its postings balance.
    pub fn post(&mut self, tx: Transaction) -> Result<(), LedgerError> {
        if tx.postings.len() < 2 {
            return Err(LedgerError::TooFewPostings(tx.id));
        }
        let total: i64 = tx.postings.iter().map(|p| p.amount).sum();
        if {{UNBALANCED}} {
            return Err(LedgerError::Unbalanced { id: tx.id, off_by: total });
        }
        for p in &tx.postings {
            *self.accounts.entry(p.account.clone()).or_insert(0) += p.amount;
        }
        self.entries.push(tx);
        Ok(())
    }

    /// The balance of `account` in cents; an account never posted to has none.
    pub fn balance(&self, account: &str) -> i64 {
        {{BALANCE}}
    }

    /// The sum of the balances of the accounts under the top-level account `prefix` ("expenses").
    pub fn total_under(&self, prefix: &str) -> i64 {
        self.accounts
            .iter()
            .filter(|(name, _)| {{UNDER}})
            .map(|(_, amount)| amount)
            .sum()
    }

    /// Whether every posting so far sums to zero (it must, since only balanced transactions are posted).
    pub fn is_balanced(&self) -> bool {
        {{BALANCED}}
    }

    /// Forgets the accounts whose balance is zero; returns how many.
    pub fn prune_zero_accounts(&mut self) -> usize {
        {{PRUNE}}
        for name in &empty {
            self.accounts.remove(name.as_str());
        }
        empty.len()
    }

    pub fn entries(&self) -> &[Transaction] {
        &self.entries
    }
}

/// The top-level account of "expenses:rent".
fn top_level(name: &str) -> &str {
    let parts: Vec<&str> = name.split(':').collect();
    {{TOP}}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rent() -> Transaction {
        Transaction::new(1, "2024-03-01", "rent", &[("assets:bank", -150000), ("expenses:rent", 150000)])
    }

    #[test]
    fn posts_balanced_transaction() {
        let mut ledger = Ledger::new();
        ledger.post(rent()).unwrap();
        assert_eq!(ledger.balance("assets:bank"), -150000);
        assert_eq!(ledger.balance("expenses:rent"), 150000);
    }

    #[test]
    fn rejects_unbalanced_transaction() {
        let mut ledger = Ledger::new();
        let tx = Transaction::new(2, "2024-03-02", "typo", &[("assets:bank", -10000), ("expenses:food", 9000)]);
        assert!(ledger.post(tx).is_err());
        assert!(ledger.entries().is_empty());
    }

    #[test]
    fn rejects_single_posting() {
        let mut ledger = Ledger::new();
        let tx = Transaction::new(3, "2024-03-03", "half", &[("assets:bank", 0)]);
        assert_eq!(ledger.post(tx), Err(LedgerError::TooFewPostings(3)));
    }

    #[test]
    fn unknown_account_has_zero_balance() {
        let ledger = Ledger::new();
        assert_eq!(ledger.balance("assets:cash"), 0);
    }

    #[test]
    fn prunes_zero_accounts() {
        let mut ledger = Ledger::new();
        ledger.post(rent()).unwrap();
        let refund = [("assets:bank", 150000), ("expenses:rent", -150000)];
        ledger.post(Transaction::new(4, "2024-03-05", "refund", &refund)).unwrap();
        assert_eq!(ledger.prune_zero_accounts(), 2);
    }
}
"""

CSV_RS = r"""//! Reads the bank's CSV statement: `id,date,account,amount,memo`, one posting per row, rows of one
//! transaction next to each other.

use crate::ledger::Transaction;
use crate::money::{parse_amount, AmountError};
use std::fmt;

{{SHIFT}}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvError {
    BadId(usize),
    BadDate(usize),
    BadAmount(usize, AmountError),
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvError::BadId(line) => write!(f, "line {}: bad transaction id", line),
            CsvError::BadDate(line) => write!(f, "line {}: bad date", line),
            CsvError::BadAmount(line, err) => write!(f, "line {}: {}", line, err),
        }
    }
}

impl std::error::Error for CsvError {}

/// Splits one row at commas outside double quotes.
pub fn split_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    for c in line.chars() {
        match c {
            '"' => {{QUOTE}},
            ',' if !in_quotes => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Whether `date` is YYYY-MM-DD with a month and day in range.
pub fn valid_date(date: &str) -> bool {
    let parts: Vec<u32> = date.split('-').filter_map(|p| p.parse().ok()).collect();
    if parts.len() != 3 {
        return false;
    }
    let (month, day) = (parts[1], parts[2]);
    if {{MONTH}} {
        return false;
    }
    (1..=31).contains(&day)
}

/// The statement's transactions, in file order; the first row is the header.
pub fn read_transactions(text: &str) -> Result<Vec<Transaction>, CsvError> {
    let mut out: Vec<Transaction> = Vec::new();
    for (no, raw) in text.lines().enumerate().skip(1) {
        let line = {{LINE}};
        if {{BLANK}} {
            continue;
        }
        let fields = split_fields(line);
        if fields.len() != 5 {
            panic!("line {}: expected 5 fields, found {}", no + 1, fields.len());
        }
        let id: u32 = fields[0].parse().map_err(|_| CsvError::BadId(no + 1))?;
        if !valid_date(&fields[1]) {
            return Err(CsvError::BadDate(no + 1));
        }
        let amount = parse_amount(&fields[3]).map_err(|e| CsvError::BadAmount(no + 1, e))?;
        match out.last_mut() {
            Some(tx) if tx.id == id => tx.postings.push(crate::ledger::Posting { account: fields[2].clone(), amount }),
            _ => out.push(Transaction::new(id, &fields[1], &fields[4], &[(fields[2].as_str(), amount)])),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_memo() {
        let text = "id,date,account,amount,memo\n7,2024-03-09,assets:bank,-12.50,\"Lunch, team\"\n";
        let rows = read_transactions(text).unwrap();
        assert_eq!(rows[0].memo, "Lunch, team");
    }

    #[test]
    fn rejects_bad_month() {
        let err = read_transactions("id,date,account,amount,memo\n1,2024-13-01,assets:bank,1.00,x\n").unwrap_err();
        assert_eq!(err, CsvError::BadDate(2));
    }

    #[test]
    fn skips_blank_lines() {
        let rows = read_transactions("id,date,account,amount,memo\n\n1,2024-03-01,assets:bank,1.00,x\n").unwrap();
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn reports_bad_amount() {
        let err = read_transactions("id,date,account,amount,memo\n1,2024-03-01,assets:bank,1.2.3,x\n").unwrap_err();
        assert!(matches!(err, CsvError::BadAmount(2, _)));
    }
}
"""

STATEMENT_RS = r"""//! Reads a month's statement and posts it, as the command-line tool does.

use ledger::csv::read_transactions;
use ledger::Ledger;

{{SHIFT}}
const MARCH: &str = "id,date,account,amount,memo
1,2024-03-01,assets:bank,-1500.00,Rent March
1,2024-03-01,expenses:rent,1500.00,Rent March
2,2024-03-04,assets:bank,2500.00,Salary
2,2024-03-04,income:salary,-2500.00,Salary
3,2024-03-09,assets:bank,-42.80,Groceries
3,2024-03-09,expenses:food,42.80,Groceries
";

fn march() -> Ledger {
    let mut ledger = Ledger::new();
    for tx in read_transactions(MARCH).unwrap() {
        ledger.post(tx).unwrap();
    }
    ledger
}

#[test]
fn imports_march_statement() {
    let ledger = march();
    assert_eq!(ledger.entries().len(), 3);
    assert_eq!(ledger.balance("assets:bank"), 95720);
    assert_eq!(ledger.total_under("expenses"), 154280);
}

#[test]
fn march_statement_balances() {
    assert!(march().is_balanced());
}

#[test]
#[should_panic(expected = "expected 5 fields")]
fn rejects_short_row() {
    let _ = read_transactions("id,date,account,amount,memo\n1,2024-03-01,assets:bank\n");
}
"""

DEFAULTS = {
    "WHOLE": "int_part.parse().map_err(|_| invalid())?",
    "ONE_DIGIT": "frac_part.parse::<i64>().map_err(|_| invalid())? * 10",
    "SIGN": 'let sign = if cents < 0 { "-" } else { "" };',
    "GROUP": "i > 0 && (whole.len() - i).is_multiple_of(3)",
    "FORMAT": 'format!("{}{}.{:02}", sign, grouped, abs % 100)',
    "SPLIT_GUARD": 'assert!(parts > 0, "cannot split an amount into zero parts");',
    "SPLIT_RESULT": "(0..n).map(|i| if i < rest { base + 1 } else { base }).collect()",
    "UNBALANCED": "total != 0",
    "BALANCE": "self.accounts.get(account).copied().unwrap_or(0)",
    "UNDER": "top_level(name) == prefix",
    "BALANCED": "self.accounts.values().sum::<i64>() == 0",
    "PRUNE": ("let empty: Vec<String> =\n"
              "            self.accounts.iter().filter(|(_, v)| **v == 0).map(|(k, _)| k.clone()).collect();"),
    "TOP": "parts[0]",
    "QUOTE": "in_quotes = !in_quotes",
    "MONTH": "!(1..=12).contains(&month)",
    "LINE": "raw.trim_end()",
    "BLANK": "line.is_empty()",
}

FILES = {"Cargo.toml": CARGO, "src/lib.rs": LIB_RS, "src/money.rs": MONEY_RS, "src/ledger.rs": LEDGER_RS,
         "src/csv.rs": CSV_RS, "tests/statement.rs": STATEMENT_RS}


def _head(test: str) -> tuple[str, ...]:
    return (rf"^test {re.escape(test)}( - should panic)? \.\.\. FAILED$", rf"^---- {re.escape(test)} stdout ----$")


def _at(test: str) -> str:
    """libtest's panic header (1.95 prints the thread id): the file is ``src/*.rs`` or ``tests/*.rs``."""
    return rf"thread '{re.escape(test)}' (?:\(\d+\) )?panicked at (?P<file>(?:src|tests)/\w+\.rs):(?P<line>\d+):\d+:"


def _test(key: str, file: str, switch: str, bad: tuple[str, ...], test: str, *lines: str, **kw: object) -> Fault:
    """A libtest failure: ``test X ... FAILED``, its stdout block, the panic site, then ``lines``."""
    panicked = bool(kw.pop("panicked", True))
    where = (rf"^{_at(test)}$",) if panicked else ()
    kw.setdefault("test_loc", _at(test))
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="cargo-test", kind="test",
                 evidence=(*_head(test), *where, *lines), test_id=test, group="test", **kw)  # type: ignore[arg-type]


def _rustc(key: str, file: str, switch: str, bad: tuple[str, ...], code: str, message: str,
           **kw: object) -> Fault:
    kw.setdefault("group", "compile")
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="rustc", kind="compile",
                 evidence=(rf"^error\[{code}\]: {message}", rf"^\s*--> {re.escape(file)}:\d+:\d+$"),
                 message=rf"^error\[{code}\]", **kw)  # type: ignore[arg-type]


def _clippy(key: str, file: str, switch: str, bad: tuple[str, ...], lint: str, message: str,
            **kw: object) -> Fault:
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="clippy", kind="lint",
                 evidence=(rf"^error: {message}", rf"^\s*--> {re.escape(file)}:\d+:\d+$",
                           rf"= help: for further information visit .*#{lint}$"),
                 message=r"^error: ", group="clippy", **kw)  # type: ignore[arg-type]


_EQ = r"^assertion `left == right` failed"
_NO_PANIC = r"^note: test did not panic as expected"

FAULTS: tuple[Fault, ...] = (
    # cargo test: assertions, panics in the code under test, should_panic, the integration test binary
    _test("single-decimal-not-scaled", "src/money.rs", "ONE_DIGIT",
          ("frac_part.parse::<i64>().map_err(|_| invalid())?",
           "frac_part.parse::<i64>().map_err(|_| invalid())? * 100"),
          "money::tests::parses_single_decimal_digit", _EQ, r"^\s+left: Ok\(\d+\)$", r"^\s+right: Ok\(1250\)$"),
    _test("format-drops-minus-sign", "src/money.rs", "SIGN",
          ('let sign = "";', 'let sign = if cents < 0 { "+" } else { "" };'),
          "money::tests::formats_negative_amount", _EQ, r'^\s+left: "\+?1,234\.56"$', r'^\s+right: "-1,234\.56"$'),
    _test("format-groups-by-four", "src/money.rs", "GROUP",
          ("i > 0 && (whole.len() - i).is_multiple_of(4)", "i > 0 && (whole.len() - i).is_multiple_of(2)"),
          "money::tests::formats_negative_amount", _EQ, r'^\s+left: "-[\d,]+\.56"$', r'^\s+right: "-1,234\.56"$',
          negative_of="format-drops-minus-sign", hard_negative="same-test-other-reason"),
    _test("format-cents-unpadded", "src/money.rs", "FORMAT",
          ('format!("{}{}.{}", sign, grouped, abs % 100)', 'format!("{}{}.{:0<2}", sign, grouped, abs % 100)'),
          "money::tests::formats_small_amount", _EQ, r'^\s+left: "0\.50?"$', r'^\s+right: "0\.05"$',
          negative_of="format-drops-minus-sign", hard_negative="sibling-subtest"),
    _test("split-zero-parts-no-panic", "src/money.rs", "SPLIT_GUARD",
          ("if parts == 0 {\n        return Vec::new();\n    }",
           "if parts == 0 {\n        return vec![amount];\n    }"),
          "money::tests::split_into_zero_parts_panics", _NO_PANIC, panicked=False,
          test_loc=r"^note: test did not panic as expected at (?P<file>src/\w+\.rs):(?P<line>\d+):\d+"),
    _test("unbalanced-transaction-accepted", "src/ledger.rs", "UNBALANCED", ("total > 0", "total > 100"),
          "ledger::tests::rejects_unbalanced_transaction", r"^assertion failed: ledger\.post\(tx\)\.is_err\(\)$"),
    _test("balance-unwraps-missing-account", "src/ledger.rs", "BALANCE",
          ("*self.accounts.get(account).unwrap()", '*self.accounts.get(account).expect("no such account")'),
          "ledger::tests::unknown_account_has_zero_balance",
          r"^(called `Option::unwrap\(\)` on a `None` value|no such account)$"),
    _test("total-under-inverted-filter", "src/ledger.rs", "UNDER",
          ("top_level(name) != prefix", "top_level(prefix) == name.as_str()"),
          "imports_march_statement", _EQ, r"^\s+left: -?\d+$", r"^\s+right: 154280$"),
    _test("top-level-index-past-end", "src/ledger.rs", "TOP", ("parts[parts.len()]", "parts[parts.len() + 1]"),
          "imports_march_statement", r"^index out of bounds: the len is 2 but the index is \d$",
          negative_of="total-under-inverted-filter", hard_negative="same-test-other-reason"),
    _test("quoted-comma-splits-memo", "src/csv.rs", "QUOTE", ("{}", "field.push(c)"),
          "csv::tests::parses_quoted_memo", r"^line 2: expected 5 fields, found 6$"),
    # rustc: type, resolution, method and borrow errors (cargo build)
    _rustc("whole-part-str-assigned", "src/money.rs", "WHOLE", ("int_part", "int_part.len()"), "E0308",
           r"mismatched types"),
    _rustc("balance-returns-option", "src/ledger.rs", "BALANCE",
           ("self.accounts.get(account)", "self.accounts.get(account).unwrap_or(&0)"), "E0308",
           r"mismatched types", negative_of="whole-part-str-assigned", hard_negative="same-code-other-symbol"),
    _rustc("total-misspelled", "src/ledger.rs", "UNBALANCED", ("totl != 0", "sum != 0"), "E0425",
           r"cannot find value `(totl|sum)` in this scope"),
    _rustc("trim-python-method", "src/csv.rs", "LINE", ("raw.strip()", "raw.trim_newline()"), "E0599",
           r"no method named `(strip|trim_newline)` found for reference `&str` in the current scope"),
    # borrowck runs only when type checking passed: alone in its group (no "extra" beside a type error)
    _rustc("prune-borrows-while-removing", "src/ledger.rs", "PRUNE",
           ("let empty: Vec<&String> =\n"
            "            self.accounts.iter().filter(|(_, v)| **v == 0).map(|(k, _)| k).collect();",
            "let empty: Vec<&str> =\n"
            "            self.accounts.iter().filter(|(_, v)| **v == 0).map(|(k, _)| k.as_str()).collect();"),
           "E0502", r"cannot borrow `self\.accounts` as mutable because it is also borrowed as immutable",
           group="borrowck"),
    # clippy -D warnings
    _clippy("is-balanced-needless-return", "src/ledger.rs", "BALANCED",
            ("return self.accounts.values().sum::<i64>() == 0;",
             "return self.accounts.values().copied().sum::<i64>() == 0;"),
            "needless_return", r"unneeded `return` statement"),
    _clippy("split-needless-return", "src/money.rs", "SPLIT_RESULT",
            ("return (0..n).map(|i| if i < rest { base + 1 } else { base }).collect();",),
            "needless_return", r"unneeded `return` statement", negative_of="is-balanced-needless-return",
            hard_negative="same-message-other-place"),
    _clippy("blank-line-len-zero", "src/csv.rs", "BLANK", ("line.len() == 0", "line.len() < 1"),
            "len_zero", r"length comparison to (zero|one)"),
    _clippy("month-manual-range", "src/csv.rs", "MONTH", ("month < 1 || month > 12",),
            "manual_range_contains", r"manual `!RangeInclusive::contains` implementation"),
)


def project() -> Project:
    return Project(name=NAME, ecosystem="rust", files=dict(FILES), defaults=DEFAULTS, faults=FAULTS, comment="//",
                   job_name="test (stable)", matrix_job_name="test (stable, release)",
                   env=(("CARGO_TERM_COLOR", "always"),),
                   toolchain_version=tool_version("rustc --version", r"rustc (\d+\.\d+\.\d+)"))


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    """clippy alone for lint faults; else ``cargo build``, then ``cargo test --no-fail-fast`` (every test binary)."""
    env = {"CARGO_TERM_COLOR": "always", "CARGO_TARGET_DIR": str(root / "target")}
    flags = " --verbose" if scenario.verbose else ""
    profile = " --release" if scenario.matrix else ""
    if any(f.group == "clippy" for f in scenario.faults):
        return [run(f"cargo clippy --all-targets{flags}{profile} -- -D warnings", root, repo, env)]
    out = [run(f"cargo build{flags}{profile}", root, repo, env)]
    if out[-1].exit_code != 0:
        return out
    test_args = ""
    if scenario.seed is not None:
        env["RUSTC_BOOTSTRAP"] = "1"  # libtest's --shuffle is unstable; stable toolchains accept it this way
        test_args = f" -- -Z unstable-options --shuffle-seed {scenario.seed}"
    out.append(run(f"cargo test --no-fail-fast{flags}{profile}{test_args}", root, repo, env))
    return out


def failed_tests(output: str) -> set[str]:
    """The names in libtest's closing ``failures:`` lists (one per test binary that failed)."""
    names: set[str] = set()
    lines = strip_ansi(output).splitlines()
    for i, line in enumerate(lines):
        if line != "failures:" or i + 1 >= len(lines) or not lines[i + 1].startswith("    "):
            continue
        for item in lines[i + 1:]:
            m = re.fullmatch(r"    ([\w:]+)", item)
            if m is None:
                break
            names.add(m.group(1))
    return names


def check(scenario: Scenario, ran: Sequence[Step]) -> None:
    """Cross-check the injected failing tests against libtest's own ``failures:`` lists."""
    if not any(f.group == "test" for f in scenario.faults):
        return
    listed = failed_tests(ran[-1].output)
    expected = {f.test_id for f in scenario.faults}
    if listed != expected:
        raise AssertionError(f"libtest failed {sorted(listed)}, injected {sorted(e or '' for e in expected)}")
