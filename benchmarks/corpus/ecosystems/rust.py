"""Rust: cargo test (libtest panics), rustc compile errors, cargo clippy, on std-only crates."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.corpus.ecosystems import _rust_ledger
from benchmarks.corpus.faultkit import Fault, Generator, Project, Scenario, run, tool_version
from benchmarks.corpus.model import RawCase, Step

TOOLS = ("cargo-test", "rustc", "clippy")
APT: tuple[str, ...] = ()  # rustup's stable toolchain with clippy (no Debian package carries clippy here)

CARGO_TOML = """[package]
name = "{name}"
version = "0.1.0"
edition = "2021"

[dependencies]
"""

GEOMETRY = """//! Plane geometry used by the floor planner.
{{SHIFT}}
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn area(&self) -> f64 {
        {{AREA}}
    }

    pub fn perimeter(&self) -> f64 {
        {{PERIMETER}}
    }

    pub fn scaled(&self, factor: f64) -> Rect {
        {{SCALE}}
        Rect { w: self.w * factor, h: self.h * factor }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: i64,
    pub y: i64,
}

impl Point {
    /// Parses "x,y".
    pub fn parse(text: &str) -> Point {
        let (x, y) = text.{{SPLIT}}.unwrap();
        Point { x: x.trim().parse().unwrap(), y: y.trim().parse().unwrap() }
    }

    pub fn manhattan(&self, other: &Point) -> i64 {
        {{MANHATTAN}}
    }
}

pub fn square(side: f64) -> Rect {
    if {{GUARD}} {
        panic!("{{GUARD_MSG}}: {}", side);
    }
    Rect { w: side, h: side }
}

pub fn total_area(rects: &[Rect]) -> f64 {
    {{TOTAL}}
}

pub fn widest(rects: &[Rect]) -> f64 {
    let widths: Vec<f64> = rects.iter().map(|r| r.w).collect();
    if {{EMPTY}} {
        return 0.0;
    }
    let count = widths.{{LEN}}();
    widths.iter().take(count).cloned().fold(f64::MIN, f64::max)
}

pub fn label(rect: &Rect) -> String {
    {{LABEL}}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rect_area() {
        let r = Rect { w: 3.0, h: 4.0 };
        assert_eq!(r.area(), 12.0);
    }

    #[test]
    fn rect_perimeter() {
        let r = Rect { w: 2.0, h: 5.0 };
        assert!(r.perimeter() == 14.0, "perimeter of {:?} was {}", r, r.perimeter());
    }

    #[test]
    fn point_parse() {
        assert_eq!(Point::parse("3, 4"), Point { x: 3, y: 4 });
    }

    #[test]
    fn point_manhattan() {
        let a = Point { x: 1, y: 2 };
        let b = Point { x: 4, y: -2 };
        assert_eq!(a.manhattan(&b), 7);
    }

    #[test]
    #[should_panic(expected = "side must be positive")]
    fn square_rejects_negative_side() {
        square(-1.0);
    }

    #[test]
    fn total_of_two() {
        let rs = [Rect { w: 1.0, h: 2.0 }, Rect { w: 3.0, h: 3.0 }];
        assert_eq!(total_area(&rs), 11.0);
    }

    #[test]
    fn scaled_doubles() {
        assert_eq!(Rect { w: 1.0, h: 2.0 }.scaled(2.0), Rect { w: 2.0, h: 4.0 });
    }

    #[test]
    fn widest_of_empty_is_zero() {
        assert_eq!(widest(&[]), 0.0);
    }

    #[test]
    fn label_names_size() {
        assert_eq!(label(&Rect { w: 2.0, h: 3.0 }), "2x3");
    }
}
"""


def _panic(test: str, *lines: str, panicked: bool = True) -> tuple[str, ...]:
    head = (rf"^test {re.escape(test)}( - should panic)? \.\.\. FAILED$", rf"^---- {re.escape(test)} stdout ----$")
    where = (rf"^thread '{re.escape(test)}' (\(\d+\) )?panicked at src/lib\.rs:\d+:\d+:$",) if panicked else ()
    return (*head, *where, *lines)


def _loc(test: str) -> str:
    return rf"thread '{re.escape(test)}' (?:\(\d+\) )?panicked at (?P<file>src/lib\.rs):(?P<line>\d+):\d+:"


def _test(key: str, switch: str, bad: tuple[str, ...], test: str, *lines: str, **kw: object) -> Fault:
    panicked = bool(kw.pop("panicked", True))
    kw.setdefault("test_loc", _loc(test))
    return Fault(key=key, file="src/lib.rs", switch=switch, bad=bad, tool="cargo-test", kind="test",
                 evidence=_panic(test, *lines, panicked=panicked), test_id=test, group="test", **kw)  # type: ignore[arg-type]


def _compile(key: str, switch: str, bad: tuple[str, ...], code: str, message: str, **kw: object) -> Fault:
    return Fault(key=key, file="src/lib.rs", switch=switch, bad=bad, tool="rustc", kind="compile",
                 evidence=(rf"^error\[{code}\]: {message}", r"^\s*--> src/lib\.rs:\d+:\d+$"),
                 message=rf"^error\[{code}\]", group="compile", **kw)  # type: ignore[arg-type]


def _clippy(key: str, switch: str, bad: tuple[str, ...], lint: str, message: str, **kw: object) -> Fault:
    return Fault(key=key, file="src/lib.rs", switch=switch, bad=bad, tool="clippy", kind="lint",
                 evidence=(rf"^error: {message}", r"^\s*--> src/lib\.rs:\d+:\d+$",
                           rf"= help: for further information visit .*#{lint}$"),
                 message=r"^error: ", group="clippy", **kw)  # type: ignore[arg-type]


GEOMETRY_FAULTS: tuple[Fault, ...] = (
    _test("rect-area-uses-width-twice", "AREA", ("self.w * self.w", "self.h * self.h"), "tests::rect_area",
          r"^assertion `left == right` failed$", r"^\s+left: ", r"^\s*right: "),
    _test("perimeter-missing-double", "PERIMETER", ("self.w + self.h", "2.0 * self.w + self.h"),
          "tests::rect_perimeter", r"^perimeter of Rect \{ w: 2\.0, h: 5\.0 \} was "),
    _test("point-parse-wrong-separator", "SPLIT", ("split_once(';')", "split_once(':')"), "tests::point_parse",
          r"^called `Option::unwrap\(\)` on a `None` value$"),
    _test("manhattan-missing-abs", "MANHATTAN",
          ("(self.x - other.x) + (self.y - other.y)", "(other.x - self.x) + (other.y - self.y)"),
          "tests::point_manhattan", r"^assertion `left == right` failed$", r"^\s+left: ", r"^\s*right: "),
    _test("square-guard-removed", "GUARD", ("side < -100.0", "side.is_nan()"),
          "tests::square_rejects_negative_side", r"^note: test did not panic as expected", panicked=False,
          test_loc=r"did not panic as expected at (?P<file>src/lib\.rs):(?P<line>\d+)"),
    # The same should_panic test failing for another reason: the message no longer says what it expects.
    _test("square-guard-message-changed", "GUARD_MSG", ("side is negative", "negative side"),
          "tests::square_rejects_negative_side", r"^note: panic did not contain expected string$",
          r"^\s+panic message: ", r"^\s*expected substring: \"side must be positive\"",
          negative_of="square-guard-removed", hard_negative="same-test-other-reason"),
    # The same assertion message text (left == right) from another test and function.
    _test("total-area-drops-last", "TOTAL",
          ("rects[..rects.len() - 1].iter().map(|r| r.w * r.h).sum()",
           "rects.iter().skip(1).map(|r| r.w * r.h).sum()"),
          "tests::total_of_two", r"^assertion `left == right` failed$", r"^\s+left: ", r"^\s*right: ",
          negative_of="rect-area-uses-width-twice", hard_negative="same-message-other-place"),
    _compile("scale-integer-literal", "SCALE", ("let _unit: f64 = 1;", "let _unit: f64 = 10;"), "E0308",
             "mismatched types"),
    _compile("label-returns-str", "LABEL", ('format!("{}x{}", rect.w, rect.h).as_str()',
                                            '"{}x{}".trim()'),
             "E0308", "mismatched types", negative_of="scale-integer-literal",
             hard_negative="same-code-other-symbol"),
    _compile("perimeter-typo-heigth", "PERIMETER", ("2.0 * (self.w + self.heigth)", "2.0 * (self.width + self.h)"),
             "E0609", "no field `"),
    _compile("area-unknown-value", "AREA", ("self.w * height", "width * self.h"), "E0425",
             "cannot find value `"),
    _compile("total-unknown-value", "TOTAL", ("rects.iter().map(|r| r.area()).sum::<f64>() * scale",
                                             "offset + rects.iter().map(|r| r.area()).sum::<f64>()"),
             "E0425", "cannot find value `", negative_of="area-unknown-value",
             hard_negative="same-code-other-symbol"),
    _compile("widest-lenght-method", "LEN", ("lenght", "size"), "E0599", "no method named `"),
    _compile("manhattan-abs-on-tuple", "MANHATTAN", ("(self.x - other.x, self.y - other.y).abs()",
                                                     "(self.x - other.x, self.y - other.y).signum()"),
             "E0599", "no method named `", negative_of="widest-lenght-method",
             hard_negative="same-code-other-symbol"),
    _clippy("label-needless-return", "LABEL", ('return format!("{}x{}", rect.w, rect.h);',
                                              'return format!("{:.0}x{:.0}", rect.w, rect.h);'),
            "needless_return", "unneeded `return` statement"),
    _clippy("area-needless-return", "AREA", ("return self.w * self.h;", "return self.h * self.w;"),
            "needless_return", "unneeded `return` statement", negative_of="label-needless-return",
            hard_negative="same-message-other-place"),
    _clippy("widest-len-zero", "EMPTY", ("widths.len() == 0", "0 == widths.len()"), "len_zero",
            "length comparison to zero"),
)

GEOMETRY_DEFAULTS = {
    "AREA": "self.w * self.h",
    "PERIMETER": "2.0 * (self.w + self.h)",
    "SCALE": "let _unit: f64 = 1.0;",
    "SPLIT": "split_once(',')",
    "MANHATTAN": "(self.x - other.x).abs() + (self.y - other.y).abs()",
    "GUARD": "side < 0.0",
    "GUARD_MSG": "side must be positive",
    "TOTAL": "rects.iter().map(|r| r.w * r.h).sum()",
    "LEN": "len",
    "EMPTY": "widths.is_empty()",
    "LABEL": 'format!("{}x{}", rect.w, rect.h)',
}


def _geometry_project() -> Project:
    files = {"Cargo.toml": CARGO_TOML.format(name="floorplan"), "src/lib.rs": GEOMETRY}
    return Project(name="rs-floorplan", ecosystem="rust", files=files, defaults=GEOMETRY_DEFAULTS,
                   faults=GEOMETRY_FAULTS, comment="//", job_name="build (stable)",
                   matrix_job_name="build (release)", env=(("CARGO_TERM_COLOR", "always"),),
                   toolchain_version=tool_version("rustc --version"))


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    env = {"CARGO_TERM_COLOR": "always", "CARGO_TARGET_DIR": str(root / "target")}
    flags = " --verbose" if scenario.verbose else ""
    profile = " --release" if scenario.matrix else ""
    groups = {f.group for f in scenario.faults}
    out: list[Step] = []
    if "clippy" in groups:
        out.append(run(f"cargo clippy --all-targets{flags}{profile} -- -D warnings", root, repo, env))
        return out
    build = run(f"cargo build{flags}{profile}", root, repo, env)
    out.append(build)
    if build.exit_code != 0:
        return out
    test_args = ""
    if scenario.seed is not None:
        env["RUSTC_BOOTSTRAP"] = "1"  # libtest's --shuffle is unstable; stable toolchains accept it this way
        test_args = f" -- -Z unstable-options --shuffle-seed {scenario.seed}"
    out.append(run(f"cargo test{flags}{profile}{test_args}", root, repo, env))
    return out


def check(scenario: Scenario, ran: Sequence[Step]) -> None:
    """Cross-check the injected failing tests against libtest's own `failures:` list."""
    last = ran[-1].output
    if not any(f.group == "test" for f in scenario.faults):
        return
    listed = set(re.findall(r"^    (tests::\w+)$", last, re.M))
    expected = {f.test_id for f in scenario.faults}
    if listed != expected:
        raise AssertionError(f"libtest failed {sorted(listed)}, injected {sorted(e or '' for e in expected)}")


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_geometry_project(), _rust_ledger.project())


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    project = _geometry_project()
    yield from Generator(project, lambda root, sc: steps(root, sc, project.name), workdir, rng, check).cases()
    # Added after rs-floorplan, so that project's random draws (and its committed cases) stay the same.
    ledger = _rust_ledger.project()
    yield from Generator(ledger, lambda root, sc: _rust_ledger.steps(root, sc, ledger.name), workdir, rng,
                         _rust_ledger.check).cases()
