"""Perl, development part: pl-inifile, an INI reader tested with Test::More under ``prove -l t``.

Kept apart from ``perl.py`` (whose project is held out) so its templates can be read while rules are tuned;
``perl.projects()``/``perl.cases()`` list it after the held-out project, so that project's random draws stay
the same. Faults cover what Test::More prints: ``is`` (got/expected), ``is_deeply`` (structures begin
differing at), ``ok`` with no diagnostics, ``like`` (doesn't match, a multi-line got), ``cmp_ok``, named and
unnamed assertions inside and outside subtests, a script dying inside a subtest (``No tests run for subtest``,
``Looks like your test exited with 255 just after N``), warnings made fatal (``use warnings FATAL => 'all'``),
a ``Global symbol ... requires explicit package name``, a ``syntax error`` and ``Can't locate X.pm in @INC``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from benchmarks.corpus.faultkit import Fault, Project, Scenario, run, tool_version
from benchmarks.corpus.model import Step

NAME = "pl-inifile"

INIFILE_PM = """package IniFile;
use strict;
use warnings FATAL => 'all';
use Carp qw(croak);
{{USE}}

our $VERSION = '0.03';

{{SHIFT}}
# parse($text): { section => { key => value } }; keys before any [section] go to "_".
sub parse {
    my ($text) = @_;
    my %ini;
    {{ROOT}}
    my $n = 0;
    for my $raw (split /\\n/, $text) {
        $n++;
        (my $line = $raw) =~ s/^\\s+|\\s+$//g;
        next if $line eq '' || $line =~ /^[;#]/;
        if ($line =~ /^\\[(.+)\\]$/) {
            {{SECTION}}
            next;
        }
        my ($key, $value) = split /\\s*=\\s*/, $line, 2;
        {{ERR}}
        {{UNQUOTE}}
        {{STORE}}
    }
    return \\%ini;
}

# sections($ini): the section names, sorted, without the root "_".
sub sections {
    my ($ini) = @_;
    {{SECTIONS}}
}

# get($ini, $section, $key, $default): the value, or $default when the key is missing.
sub get {
    my ($ini, $section, $key, $default) = @_;
    my $value = $ini->{$section}{$key};
    {{DEFAULT}}
}

# get_bool / get_int: typed values (IniFile::Value).
sub get_bool { return IniFile::Value::as_bool(get(@_)) }
sub get_int  { return IniFile::Value::as_int(get(@_)) }

1;
"""

VALUE_PM = """package IniFile::Value;
use strict;
use warnings FATAL => 'all';
{{IMPORTS}}

{{SHIFT}}
# as_bool($text): 1 for 1/true/yes/on (any case), else 0.
sub as_bool {
    my ($text) = @_;
    {{BOOL_NORM}}
    return 1 if {{BOOL_TRUE}};
    return 0;
}

# as_int($text): the integer, or croak.
sub as_int {
    my ($text) = @_;
    croak "not an integer: '$text'" unless {{INT_RE}};
    {{INT}}
}

# as_list($text): "a, b,, c" -> [a, b, c]
sub as_list {
    my ($text) = @_;
    {{LIST}}
}

# interpolate($text, $ini): ${section.key} -> its value, '' when unknown.
sub interpolate {
    my ($text, $ini) = @_;
    $text =~ s/\\$\\{(\\w+)\\.(\\w+)\\}/{{LOOKUP}}/ge;
    return $text;
}

1;
"""

PARSE_T = """use strict;
use warnings;
use Test::More;
use IniFile;

my $ini = IniFile::parse(<<'INI');
; service settings
name = demo
[server]
host = example.org
port = "8080"
retries = 0
INI

subtest 'sections' => sub {
    my $mixed = IniFile::parse("[Server]\\nhost = a\\n[PATHS]\\nroot = /srv\\n");
    is_deeply [ IniFile::sections($mixed) ], [ 'paths', 'server' ], 'lower-cased and sorted';
};

subtest 'values' => sub {
    is $ini->{server}{host}, 'example.org', 'host';
    is $ini->{server}{port}, '8080', 'port without quotes';
};

subtest 'root keys' => sub {
    is $ini->{_}{name}, 'demo';
};

subtest 'get' => sub {
    is IniFile::get($ini, 'server', 'user', 'nobody'), 'nobody', 'default for a missing key';
    is IniFile::get($ini, 'server', 'retries', 5), '0', 'a false value is kept';
};

done_testing;
"""

VALUES_T = """use strict;
use warnings;
use Test::More;
use IniFile::Value;

subtest 'as_bool' => sub {
    ok IniFile::Value::as_bool('yes'), 'yes is true';
    ok IniFile::Value::as_bool('On'), 'On is true';
    ok !IniFile::Value::as_bool('off'), 'off is false';
};

subtest 'as_int' => sub {
    cmp_ok IniFile::Value::as_int('42'), '==', 42, 'plain integer';
    cmp_ok IniFile::Value::as_int('-7'), '<', 0, 'negative stays negative';
};

subtest 'as_list' => sub {
    is_deeply IniFile::Value::as_list('a, b,, c'), [qw(a b c)], 'items trimmed, empty ones dropped';
};

subtest 'interpolate' => sub {
    my $ini = { paths => { root => '/srv/app' } };
    like IniFile::Value::interpolate('${paths.root}/logs', $ini), qr{^/srv/app/logs$}, 'known name';
    is IniFile::Value::interpolate('x${nope.key}y', $ini), 'xy', 'unknown name is empty';
};

done_testing;
"""

ERRORS_T = """use strict;
use warnings;
use Test::More;
use IniFile;
use IniFile::Value;

my $ok = eval { IniFile::parse("[a]\\nnoequals\\n"); 1 };
ok !$ok, 'parse dies on a line without =';
like $@, qr/^line 2: missing '='/, 'the error names the line';

eval { IniFile::Value::as_int('12abc') };
like $@, qr/^not an integer: '12abc'/;

done_testing;
"""

DEFAULTS = {
    "USE": "use IniFile::Value;",
    "ROOT": "my $section = '_';",
    "SECTION": "$section = lc $1;",
    "ERR": "croak \"line $n: missing '='\" unless defined $value;",
    "UNQUOTE": '$value =~ s/^"(.*)"$/$1/;',
    "STORE": "$ini{$section}{$key} = $value;",
    "SECTIONS": "return sort grep { $_ ne '_' } keys %$ini;",
    "DEFAULT": "return defined $value ? $value : $default;",
    "IMPORTS": "use Carp qw(croak);",
    "BOOL_NORM": "my $word = lc($text // '');",
    "BOOL_TRUE": "$word =~ /^(?:1|true|yes|on)$/",
    "INT_RE": "$text =~ /^-?\\d+$/",
    "INT": "return $text + 0;",
    "LIST": "return [ grep { length } map { s/^\\s+|\\s+$//gr } split /,/, $text ];",
    "LOOKUP": "$ini->{$1}{$2} \\/\\/ ''",
}

PM = "lib/IniFile.pm"
VALUE = "lib/IniFile/Value.pm"
_SUMMARY = r"\s+\(Wstat: \d+ \(exited \d+\) "


def _t(key: str, file: str, switch: str, bad: tuple[str, ...], script: str, subtest: str | None,
       check: str | None, *lines: str, **kw: object) -> Fault:
    """A Test::More failure: the failed check (named, or unnamed: its site on the same line), the got/expected
    lines, then the enclosing subtest's own failure (when in one), and prove's summary line for the script."""
    s = re.escape(script)
    head = ((rf"#\s+Failed test '{re.escape(check)}'$", rf"#\s+at {s} line \d+\.$") if check is not None
            else (rf"#\s+Failed test at {s} line \d+\.$",))
    tail = (rf"^#\s+Failed test '{re.escape(subtest)}'$",) if subtest is not None else ()
    loc = (rf"#\s+at (?P<file>{s}) line (?P<line>\d+)\.$" if check is not None
           else rf"#\s+Failed test at (?P<file>{s}) line (?P<line>\d+)\.$")
    kw.setdefault("test_id", f"{script}::{subtest if subtest is not None else check}")
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="prove", kind="test",
                 evidence=(*head, *lines, *tail, rf"^{s}{_SUMMARY}"), test_loc=loc, group="test",
                 **kw)  # type: ignore[arg-type]


def _load(key: str, file: str, switch: str, bad: tuple[str, ...], message: str, kind: str = "compile",
          **kw: object) -> Fault:
    """A module that does not load: perl's message naming the module's file and line, then prove's summary
    (every script using the module fails the same way, ``Compilation failed in require``)."""
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="prove", kind=kind,  # type: ignore[arg-type]
                 evidence=(message, r"^BEGIN failed--compilation aborted at t/\w+\.t line \d+\.$",
                           rf"^t/\w+\.t{_SUMMARY}"),
                 group=f"load-{key}", **kw)  # type: ignore[arg-type]


FAULTS: tuple[Fault, ...] = (
    # t/parse.t
    _t("sections-keep-case", PM, "SECTION", ("$section = $1;", "$section = lcfirst $1;"), "t/parse.t", "sections",
       "lower-cased and sorted", r"^\s+#\s+Structures begin differing at:$",
       r"^\s+#\s+\$got->\[0\] = '(PATHS|pATHS)'$", r"^\s+#\s+\$expected->\[0\] = 'paths'$"),
    _t("sections-reversed", PM, "SECTIONS",
       ("return reverse sort grep { $_ ne '_' } keys %$ini;",
        "return sort { $b cmp $a } grep { $_ ne '_' } keys %$ini;"), "t/parse.t", "sections",
       "lower-cased and sorted", r"^\s+#\s+Structures begin differing at:$",
       r"^\s+#\s+\$got->\[0\] = 'server'$", r"^\s+#\s+\$expected->\[0\] = 'paths'$",
       negative_of="sections-keep-case", hard_negative="same-test-other-reason"),
    _t("unquote-keeps-closing-quote", PM, "UNQUOTE", ('$value =~ s/^"(.*)$/$1/;', "$value =~ s/^'(.*)'$/$1/;"),
       "t/parse.t", "values", "port without quotes", r"^\s+#\s+got: '(8080\"|\"8080\")'$",
       r"^\s+#\s+expected: '8080'$"),
    _t("get-drops-false-value", PM, "DEFAULT", ("return $value || $default;", "return $value ? $value : $default;"),
       "t/parse.t", "get", "a false value is kept", r"^\s+#\s+got: '5'$", r"^\s+#\s+expected: '0'$",
       negative_of="unquote-keeps-closing-quote", hard_negative="sibling-subtest"),
    _t("root-section-renamed", PM, "ROOT", ("my $section = 'root';", "my $section = '';"), "t/parse.t",
       "root keys", None, r"^\s+#\s+got: undef$", r"^\s+#\s+expected: 'demo'$"),
    # t/values.t
    _t("bool-on-not-true", VALUE, "BOOL_TRUE", ("$word =~ /^(?:1|true|yes)$/", "$word eq 'true' || $word eq 'yes'"),
       "t/values.t", "as_bool", "On is true"),
    _t("bool-numeric-test", VALUE, "BOOL_NORM",
       ("my $word = $text + 0 ? 'true' : lc $text;", "my $word = $text == 1 ? 'true' : lc $text;"),
       "t/values.t", None, 'No tests run for subtest "as_bool"',
       r"^Argument \"yes\" isn't numeric in (addition \(\+\)|numeric eq \(==\)) at .*lib/IniFile/Value\.pm "
       r"line \d+\.$",
       r"^# Looks like your test exited with 255 just after 1\.$",
       test_id="t/values.t::as_bool", message=r"^Argument ", negative_of="bool-on-not-true",
       hard_negative="same-test-other-reason"),
    _t("int-loses-sign", VALUE, "INT", ("return abs $text;", "return $text < 0 ? -$text : $text;"), "t/values.t",
       "as_int", "negative stays negative", r"^\s+#\s+'7'$", r"^\s+#\s+<$", r"^\s+#\s+'0'$"),
    _t("list-not-trimmed", VALUE, "LIST",
       ("return [ grep { length } split /,/, $text ];", "return [ map { s/^\\s+|\\s+$//gr } split /,/, $text ];"),
       "t/values.t", "as_list", "items trimmed, empty ones dropped", r"^\s+#\s+Structures begin differing at:$",
       r"^\s+#\s+\$got->\[\d\] = '( b|)'$", r"^\s+#\s+\$expected->\[\d\] = '[bc]'$"),
    _t("lookup-swaps-names", VALUE, "LOOKUP", ("$ini->{$2}{$1} \\/\\/ ''", "$ini->{$1}{$1} \\/\\/ ''"), "t/values.t",
       "interpolate", "known name", r"^\s+#\s+'/logs'$", r"^\s+#\s+doesn't match '\(\?\^:\^/srv/app/logs\$\)'$"),
    # t/errors.t: top-level assertions, no subtest
    _t("error-message-reworded", PM, "ERR",
       ("croak \"missing '=' on line $n\" unless defined $value;",
        "croak \"line $n: no '=' found\" unless defined $value;"),
       "t/errors.t", None, "the error names the line",
       r"^#\s+'(missing '=' on line 2|line 2: no '=' found) at t/errors\.t line \d+\.$",
       r"^#\s+doesn't match '\(\?\^:\^line 2: missing '='\)'$"),
    _t("int-pattern-unanchored", VALUE, "INT_RE", ("$text =~ /^-?\\d+/", "$text =~ /\\d/"), "t/errors.t", None,
       None, r"^#\s+'Argument \"12abc\" isn't numeric in addition \(\+\) at .*lib/IniFile/Value\.pm line \d+\.$",
       r"^#\s+doesn't match '\(\?\^:\^not an integer: '12abc'\)'$", test_id=None),
    # modules that do not compile or load
    _load("store-misspelt-variable", PM, "STORE", ("$ini{$section}{$key} = $vaule;", "$ini{$section}{$key} = $val;"),
          r"^Global symbol \"\$(vaule|val)\" requires explicit package name \(did you forget to declare "
          r"\"my \$(vaule|val)\"\?\) at .*lib/IniFile\.pm line \d+\.$"),
    _load("get-misspelt-variable", PM, "DEFAULT",
          ("return defined $vaule ? $vaule : $default;", "return defined $val ? $val : $default;"),
          r"^Global symbol \"\$(vaule|val)\" requires explicit package name \(did you forget to declare "
          r"\"my \$(vaule|val)\"\?\) at .*lib/IniFile\.pm line \d+\.$",
          negative_of="store-misspelt-variable", hard_negative="same-message-other-place"),
    _load("list-missing-brace", VALUE, "LIST",
          ("return [ grep { length } map { s/^\\s+|\\s+$//gr split /,/, $text ];",
           "return [ grep { length } map { s/^\\s+|\\s+$//gr } split /,/, $text;"),
          r"^syntax error at .*lib/IniFile/Value\.pm line \d+, near "),
    _load("value-module-misnamed", PM, "USE", ("use IniFile::Values;", "use IniFile::Val;"),
          r"^Can't locate IniFile/(Values|Val)\.pm in @INC \(you may need to install the IniFile::(Values|Val) "
          r"module\) \(@INC contains: .*\) at .*lib/IniFile\.pm line \d+\.$", kind="dependency"),
    _load("trim-module-not-installed", VALUE, "IMPORTS",
          ("use Carp qw(croak);\nuse Text::Trim qw(trim);", "use Carp qw(croak);\nuse String::Util qw(trim);"),
          r"^Can't locate (Text/Trim|String/Util)\.pm in @INC \(you may need to install the (Text::Trim|String::Util) "
          r"module\) \(@INC contains: .*\) at .*lib/IniFile/Value\.pm line \d+\.$", kind="dependency",
          line_offset=1, negative_of="value-module-misnamed", hard_negative="other-missing-module"),
)

SCRIPTS = ("t/errors.t", "t/parse.t", "t/values.t")


def project() -> Project:
    files = {PM: INIFILE_PM, VALUE: VALUE_PM, "t/parse.t": PARSE_T, "t/values.t": VALUES_T,
             "t/errors.t": ERRORS_T}
    return Project(name=NAME, ecosystem="perl", files=files, defaults=DEFAULTS, faults=FAULTS,
                   supported=("timestamps", "shifted", "data", "verbose", "order", "extra"),
                   toolchain_version=tool_version("perl -e 'print $^V'"))


def failed_in_tap(script: str, tap: str) -> set[str | None]:
    """The top-level checks a script's TAP reports failed: ``<script>::<name>``, a subtest that died by its own
    name (``No tests run for subtest "x"``), an unnamed check as None."""
    failed: set[str | None] = set()
    for m in re.finditer(r"^not ok \d+(?: - (.+))?$", tap, re.M):
        name = m.group(1)
        if name is None:
            failed.add(None)
            continue
        died = re.fullmatch(r'No tests run for subtest "(.+)"', name)
        failed.add(f"{script}::{died.group(1) if died else name}")
    return failed


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    flags = "v" if scenario.verbose else ""
    shuffle = " --shuffle" if scenario.seed is not None else ""
    ran = run(f"prove -l{flags}{shuffle} t", root, repo)
    # TAP's own verdict, script by script, against the injected test faults.
    if all(f.kind == "test" for f in scenario.faults):
        got: set[str | None] = set()
        for script in SCRIPTS:
            got |= failed_in_tap(script, run(f"perl -Ilib {script}", root, repo).output)
        expected = {f.test_id for f in scenario.faults}
        if got != expected:
            raise AssertionError(f"TAP failed {sorted(map(str, got))}, injected {sorted(map(str, expected))}")
    return [ran]
