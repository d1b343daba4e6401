"""Perl: prove running Test::More files with subtests, on a small CSV module (perl and prove from Debian)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.corpus.ecosystems import _perl_inifile
from benchmarks.corpus.faultkit import Fault, Generator, Project, Scenario, run
from benchmarks.corpus.model import RawCase, Step

TOOLS = ("prove",)
APT = ("perl",)

CSV_PM = """package CsvLite;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(parse_line join_line);

{{SHIFT}}
sub parse_line {
    my ($line) = @_;
    my @fields;
    my $field  = '';
    my $quoted = 0;
    for my $ch (split //, $line) {
        if ($quoted) {
            if   ($ch eq '"') { $quoted = 0; }
            else              { $field .= $ch; }
        }
        elsif ($ch eq '"') { {{QUOTE_OPEN}} }
        elsif ($ch eq ',') { push @fields, {{FIELD}}; $field = ''; }
        else               { $field .= $ch; }
    }
    push @fields, $field;
    return @fields;
}

sub join_line {
    my @fields = @_;
    return join {{JOIN_SEP}}, map { {{QUOTE_IF}} } @fields;
}

1;
"""

CSV_T = """use strict;
use warnings;
use Test::More;
use CsvLite qw(parse_line);

subtest 'plain fields' => sub {
    is_deeply([parse_line('a,b,c')], ['a', 'b', 'c'], 'three fields');
    is_deeply([parse_line('a,,c')], ['a', '', 'c'], 'empty middle field');
};

subtest 'quoted fields' => sub {
    is_deeply([parse_line('"a,b",c')], ['a,b', 'c'], 'comma inside quotes');
    is_deeply([parse_line('"x"')], ['x'], 'quotes only');
};

done_testing;
"""

JOIN_T = """use strict;
use warnings;
use Test::More;
use CsvLite qw(join_line);

subtest 'quoting' => sub {
    is(join_line('a', 'b,c'), 'a,"b,c"', 'quotes a field with a comma');
};

subtest 'plain' => sub {
    is(join_line('x', 'y'), 'x,y', 'leaves plain fields alone');
};

done_testing;
"""

DEFAULTS = {
    "QUOTE_OPEN": "$quoted = 1;",
    "FIELD": "$field",
    "JOIN_SEP": "','",
    "QUOTE_IF": """/[",]/ ? '"' . $_ . '"' : $_""",
}


def _t(key: str, switch: str, bad: tuple[str, ...], file: str, subtest: str, check: str, *lines: str,
       **kw: object) -> Fault:
    # Test::More's diagnostics: the failed assertion, its site, the got/expected lines, then the subtest.
    f = re.escape(file)
    return Fault(key=key, file="lib/CsvLite.pm", switch=switch, bad=bad, tool="prove", kind="test",
                 test_id=f"{file}::{subtest}",
                 evidence=(rf"#\s+Failed test '{re.escape(check)}'$", rf"#\s+at {f} line \d+\.$", *lines,
                           rf"#\s+Failed test '{re.escape(subtest)}'$", rf"^{f}\s+\(Wstat: \d+ \(exited \d+\) "),
                 test_loc=rf"#\s+at (?P<file>{f}) line (?P<line>\d+)\.$", group="prove", **kw)  # type: ignore[arg-type]


FAULTS: tuple[Fault, ...] = (
    _t("quotes-kept-as-text", "QUOTE_OPEN", ("$field .= $ch;", "$field .= \"'\";"), "t/csv.t", "quoted fields",
       "comma inside quotes", r"#\s+Structures begin differing at:$", r"#\s+\$got->\[0\] = "),
    _t("empty-field-undef", "FIELD", ("$field || undef", "length $field ? $field : undef"), "t/csv.t",
       "plain fields", "empty middle field", r"#\s+\$got->\[1\] = undef$",
       negative_of="quotes-kept-as-text", hard_negative="sibling-subtest"),
    _t("join-never-quotes", "QUOTE_IF", ("$_", """/"/ ? '"' . $_ . '"' : $_"""), "t/join.t", "quoting",
       "quotes a field with a comma", r"#\s+got: 'a,b,c'$", r"#\s+expected: 'a,\"b,c\"'$"),
    _t("join-single-quotes", "QUOTE_IF", ("""/[",]/ ? "'" . $_ . "'" : $_""",), "t/join.t", "quoting",
       "quotes a field with a comma", r"#\s+got: 'a,'b,c''$", negative_of="join-never-quotes",
       hard_negative="same-test-other-reason"),
    Fault(key="field-undeclared-variable", file="lib/CsvLite.pm", switch="FIELD", bad=("$feild", "$fld"),
          tool="prove", kind="compile",
          evidence=(r'Global symbol "\$(feild|fld)" requires explicit package name .* '
                    r'at (\S+/)?lib/CsvLite\.pm line \d+\.$',
                    r"^Compilation failed in require at t/(csv|join)\.t line \d+\.$",
                    r"Dubious, test returned 255"),
          group="compile"),
)


def _project() -> Project:
    files = {"lib/CsvLite.pm": CSV_PM, "t/csv.t": CSV_T, "t/join.t": JOIN_T}
    return Project(name="pl-csvlite", ecosystem="perl", files=files, defaults=DEFAULTS, faults=FAULTS, comment="#",
                   job_name="prove", matrix_job_name="prove",
                   supported=("timestamps", "shifted", "data", "verbose", "order", "extra"))


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    flags = " -v" if scenario.verbose else ""
    if scenario.seed is not None:
        flags += " --shuffle"
    ran = run(f"prove -l{flags} t/", root, repo)
    # TAP's own verdict: "not ok N - <subtest>" at the top level of each file.
    if all(f.kind == "test" for f in scenario.faults):
        got = set()
        for file in ("t/csv.t", "t/join.t"):
            tap = run(f"perl -Ilib {file}", root, repo).output
            got |= {f"{file}::{name}" for name in re.findall(r"^not ok \d+ - (.+)$", tap, re.M)}
        expected = {f.test_id for f in scenario.faults}
        if got != expected:
            raise AssertionError(f"TAP failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")
    return [ran]


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_project(), _perl_inifile.project())


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    project = _project()
    yield from Generator(project, lambda root, sc: steps(root, sc, project.name), workdir, rng).cases()
    # The development project comes after, on the same random stream: the draws above stay the same.
    inifile = _perl_inifile.project()
    yield from Generator(inifile, lambda root, sc: _perl_inifile.steps(root, sc, inifile.name), workdir, rng).cases()
