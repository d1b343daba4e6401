"""The pure parts of the Rust, Go, C/C++, shell, JVM, Ruby, PHP, Perl and Elixir generators: templates and
their fault switches, fault locations, evidence location in tool output, structured-report readers. No
toolchain is needed: the outputs below are excerpts of what the real tools printed when the corpus was built."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from benchmarks.corpus import faultkit
from benchmarks.corpus.faultkit import Fault, Project, Scenario, find_evidence, render, switch_line, truth_for
from benchmarks.corpus.model import Step

MODULES = ("rust", "go", "cfamily", "shell", "jvm", "ruby", "php", "perl", "elixir")


def _projects() -> list[Project]:
    found: list[Project] = []
    for name in MODULES:
        found += importlib.import_module(f"benchmarks.corpus.ecosystems.{name}").projects()
    return found


PROJECTS = _projects()


def test_every_module_has_projects() -> None:
    assert {p.ecosystem for p in PROJECTS} >= {"rust", "go", "c", "cpp", "shell", "jvm", "ruby", "php", "perl",
                                                "elixir"}


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_templates_render_every_switch(project: Project) -> None:
    clean = render(project, Scenario(()))
    for path, text in clean.items():
        assert "{{" not in text, f"{path}: switch left unrendered"
    used = {m for t in project.files.values() for m in re.findall(r"\{\{([A-Z0-9_]+)\}\}", t)} - {"SHIFT"}
    assert used == set(project.defaults), "every switch has a good default and every default a switch"


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_faults_are_well_formed(project: Project) -> None:
    keys = [f.key for f in project.faults]
    assert len(keys) == len(set(keys)), "root causes are unique within a project"
    mains = {f.key for f in project.faults if not f.negative_of}
    for fault in project.faults:
        assert fault.file in project.files
        assert "{{" + fault.switch + "}}" in project.files[fault.file]
        assert all(b != project.defaults[fault.switch] for b in fault.bad), "a fault changes the code"
        for pattern in fault.evidence:
            re.compile(pattern)
        if fault.negative_of:
            assert fault.negative_of in mains and fault.hard_negative, "a negative points at a main fault"
        else:
            assert fault.hard_negative is None


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_fault_line_is_the_broken_line(project: Project) -> None:
    for fault in project.faults:
        for data, shift in ((0, 0), (len(fault.bad) - 1, 4)):
            scenario = Scenario((fault,), data=data, shift=shift)
            lines = render(project, scenario)[fault.file].split("\n")
            switch, offset = fault.fault_at or (fault.switch, fault.line_offset)
            line = switch_line(project, scenario, fault.file, switch) + offset
            broken = fault.bad[data].split("\n")[offset].strip()
            assert broken in lines[line - 1], (fault.key, line, lines[line - 1])


def test_shift_moves_the_fault_and_only_its_file() -> None:
    project = Project(name="p", ecosystem="x", files={"a.rs": "fn a() {}\n{{SHIFT}}\nfn b() { {{B}} }\n",
                                                       "b.rs": "{{SHIFT}}\nfn c() {}\n"},
                      defaults={"B": "1"}, faults=(), comment="//")
    fault = Fault(key="k", file="a.rs", switch="B", bad=("2",), tool="t", kind="test", evidence=())
    shifted = render(project, Scenario((fault,), shift=3))
    assert shifted["a.rs"].count("// helper notes") == 3
    assert shifted["b.rs"] == "fn c() {}\n"
    assert switch_line(project, Scenario((fault,), shift=3), "a.rs", "B") == 5


def test_multi_line_fault_moves_later_switches() -> None:
    project = Project(name="p", ecosystem="x", files={"a.c": "{{A}}\nint x;\n{{B}}\n"}, defaults={"A": "", "B": ""},
                      faults=())
    a = Fault(key="a", file="a.c", switch="A", bad=("int y\nint z;",), tool="gcc", kind="compile", evidence=())
    b = Fault(key="b", file="a.c", switch="B", bad=("int w",), tool="gcc", kind="compile", evidence=())
    assert switch_line(project, Scenario((a, b)), "a.c", "B") == 4
    assert switch_line(project, Scenario((b,)), "a.c", "B") == 3


def test_comment_marker_follows_the_file() -> None:
    assert faultkit.comment_marker("Makefile", "//") == "#"
    assert faultkit.comment_marker("config/deploy.yaml", "//") == "#"
    assert faultkit.comment_marker("src/lib.rs", "//") == "//"


RUST_OUTPUT = """running 9 tests
test tests::rect_area ... FAILED
test tests::rect_perimeter ... FAILED

failures:

---- tests::rect_area stdout ----

thread 'tests::rect_area' (16916) panicked at src/lib.rs:96:9:
assertion `left == right` failed
  left: 9.0
 right: 12.0

---- tests::rect_perimeter stdout ----

thread 'tests::rect_perimeter' (16917) panicked at src/lib.rs:102:9:
assertion `left == right` failed
  left: 7.0
 right: 14.0
"""


def test_evidence_follows_its_own_failure_block() -> None:
    from benchmarks.corpus.ecosystems import rust

    project = next(p for p in PROJECTS if p.name == "rs-floorplan")
    fault = next(f for f in rust.GEOMETRY_FAULTS if f.key == "rect-area-uses-width-twice")
    second = Fault(key="per", file="src/lib.rs", switch="PERIMETER", bad=("x",), tool="cargo-test", kind="test",
                   evidence=rust._panic("tests::rect_perimeter", r"^\s+left: "), test_id="tests::rect_perimeter",
                   test_loc=rust._loc("tests::rect_perimeter"))
    first_truth = truth_for(project, Scenario((fault,)), fault, RUST_OUTPUT)
    assert first_truth.evidence_text[-2:] == ("left: 9.0", "right: 12.0")
    assert (first_truth.test_file, first_truth.test_line) == ("src/lib.rs", 96)
    assert first_truth.root_cause == "rs-floorplan/rect-area-uses-width-twice"
    second_truth = truth_for(project, Scenario((second,)), second, RUST_OUTPUT)
    assert second_truth.evidence_text[-1] == "left: 7.0"
    assert second_truth.test_line == 102


def test_evidence_found_before_its_header_too() -> None:
    # go test -v streams a subtest's message before its "--- FAIL" line; quiet mode prints it after.
    verbose = "=== RUN   TestParse/port\n    config_test.go:21: Port = 9091, want 9090\n--- FAIL: TestParse (0.00s)\n" \
              "    --- FAIL: TestParse/port (0.00s)\n"
    found = find_evidence(verbose, (r"^--- FAIL: TestParse \(", r"^\s*--- FAIL: TestParse/port \(",
                                    r"config_test\.go:\d+: Port = \d+, want 9090"))
    assert found[2] == "config_test.go:21: Port = 9091, want 9090"


def test_evidence_keeps_ansi_and_drops_workflow_command_prefix() -> None:
    out = "\x1b[1m\x1b[91merror[E0308]\x1b[0m\x1b[1m: mismatched types\x1b[0m\n" \
          "::error file=config/deploy.yaml,line=9,col=3::9:3 [key-duplicates] duplication of key \"host\" in mapping\n"
    found = find_evidence(out, (r"^error\[E0308\]: mismatched types", r"\[key-duplicates\]"))
    assert found[0].startswith("\x1b[1m") and "mismatched types" in found[0]
    assert found[1] == '9:3 [key-duplicates] duplication of key "host" in mapping'


def test_missing_evidence_is_an_error() -> None:
    with pytest.raises(LookupError):
        find_evidence("all good\n", (r"FAILED",))


def test_go_failed_tests_reads_json_and_text() -> None:
    from benchmarks.corpus.ecosystems.go import failed_tests

    events = "\n".join([
        '{"Action":"fail","Package":"example.com/ratelimit","Test":"TestBucket/refill","Elapsed":0}',
        '{"Action":"fail","Package":"example.com/ratelimit","Test":"TestBucket","Elapsed":0}',
        '{"Action":"pass","Package":"example.com/ratelimit","Test":"TestBucket/burst","Elapsed":0}',
        '{"Action":"fail","Package":"example.com/ratelimit","Elapsed":0.01}',
    ])
    assert failed_tests(events) == {"TestBucket/refill"}
    text = "--- FAIL: TestParse (0.00s)\n    --- FAIL: TestParse/port (0.00s)\n--- FAIL: TestExpand (0.00s)\n"
    assert failed_tests(text) == {"TestParse/port", "TestExpand"}


def test_junit_readers(tmp_path: Path) -> None:
    from benchmarks.corpus.ecosystems.cfamily import failed_from_junit
    from benchmarks.corpus.ecosystems.jvm import failed_in_report
    from benchmarks.corpus.ecosystems.php import failed_in_junit

    ctest = tmp_path / "ctest.xml"
    ctest.write_text('<testsuite><testcase name="matrix.multiply" status="fail"><failure message="x"/></testcase>'
                     '<testcase name="matrix.trace" status="run"/></testsuite>')
    assert failed_from_junit(ctest) == {"matrix.multiply"}
    jupiter = tmp_path / "jupiter.xml"
    jupiter.write_text('<testsuite><testcase name="[1] 5 cents" classname="com.acme.invoice.InvoiceTest">'
                       '<failure/></testcase><testcase name="taxIsRoundedToCents()" '
                       'classname="com.acme.invoice.InvoiceTest"><failure/></testcase>'
                       '<testcase name="countsItems()" classname="com.acme.invoice.InvoiceTest"/></testsuite>')
    assert failed_in_report(jupiter) == {"com.acme.invoice.InvoiceTest.[1] 5 cents",
                                         "com.acme.invoice.InvoiceTest.taxIsRoundedToCents"}
    phpunit = tmp_path / "phpunit.xml"
    phpunit.write_text('<testsuites><testsuite><testcase name="testAllocate with data set &quot;thirds&quot;" '
                       'class="MoneyTest"><failure/></testcase><testcase name="testFormatPadsCents" '
                       'class="MoneyTest"/></testsuite></testsuites>')
    assert failed_in_junit(phpunit) == {'MoneyTest::testAllocate with data set "thirds"'}


def test_testdox_names() -> None:
    from benchmarks.corpus.ecosystems.php import testdox_name

    assert testdox_name("MoneyTest::testAddSumsCents") == "Add sums cents"
    assert testdox_name('MoneyTest::testAllocate with data set "thirds"') == 'Allocate with data set "thirds"'


def test_run_rewrites_local_paths(tmp_path: Path) -> None:
    step = faultkit.run(f"echo {tmp_path}/src/lib.rs:3; echo $HOME/.cargo; exit 3", tmp_path, "demo")
    assert step.exit_code == 3
    assert step.output.splitlines() == ["/home/runner/work/demo/demo/src/lib.rs:3", "/home/runner/.cargo"]


def test_project_path_resolves_base_names() -> None:
    project = next(p for p in PROJECTS if p.name == "jvm-invoicing")
    assert faultkit.project_path(project, "InvoiceTest.java") == "src/test/java/com/acme/invoice/InvoiceTest.java"
    assert faultkit.project_path(project, "src/main/java/com/acme/invoice/Invoice.java").endswith("Invoice.java")
    with pytest.raises(LookupError):
        faultkit.project_path(project, "Missing.java")


def test_generator_makes_recurrences_and_negatives(tmp_path: Path) -> None:
    # The "tool" is grep over the written tree: real output, real exit code, known lines.
    files = {"conf/app.ini": "[app]\n{{SHIFT}}\nport = {{PORT}}\nhost = {{HOST}}\n"}
    main = Fault(key="port-zero", file="conf/app.ini", switch="PORT", bad=("0", "00"), tool="grep", kind="config",
                 evidence=(r"^conf/app\.ini:\d+:port = 0+$",))
    negative = Fault(key="host-zero", file="conf/app.ini", switch="HOST", bad=("0",), tool="grep", kind="config",
                     evidence=(r"^conf/app\.ini:\d+:host = 0$",), negative_of="port-zero",
                     hard_negative="same-message-other-place")
    project = Project(name="ini", ecosystem="shell", files=files, defaults={"PORT": "80", "HOST": "a"},
                      faults=(main, negative), supported=("timestamps", "shifted", "data", "verbose"))

    def runner(root: Path, scenario: Scenario) -> list[Step]:
        return [faultkit.run("! grep -n -H -E '= 0+$' conf/app.ini", root, "ini")]

    import random

    made = list(faultkit.Generator(project, runner, tmp_path, random.Random(1)).cases())
    by_cause: dict[str, list[str]] = {}
    for case in made:
        for failure in case.failures:
            by_cause.setdefault(failure.root_cause, []).append(case.variant)
            line = int(failure.evidence_text[0].split(":")[1])
            assert failure.fault_line == line, "the fault line is the line grep printed"
    assert sorted(by_cause["ini/port-zero"]) == sorted(["base", "data", "shifted", "verbose"])
    assert by_cause["ini/host-zero"][0] == "negative"
    assert len(by_cause["ini/host-zero"]) == 4, "a hard negative and 3 recurrences of its own root cause"
    negative_case = next(c for c in made if c.variant == "negative")
    assert negative_case.negative_of == "ini/port-zero"
    assert negative_case.hard_negative == "same-message-other-place"


def test_message_of_a_json_test_event_is_its_output() -> None:
    event = '{"Action":"output","Test":"TestBucket/burst","Output":"    bucket_test.go:19: allowed 2 of 5\\n"}'
    assert faultkit._event_output(event) == "bucket_test.go:19: allowed 2 of 5"
    assert faultkit._event_output('{"Action":"fail","Test":"TestBucket/burst"}').startswith("{")
    assert faultkit._event_output("error[E0308]: mismatched types") == "error[E0308]: mismatched types"


def test_an_additive_build_skips_committed_cases_and_keeps_the_draws(tmp_path: Path) -> None:
    import random

    from benchmarks.corpus import additive

    files = {"conf/app.ini": "[app]\n{{SHIFT}}\nport = {{PORT}}\n"}
    fault = Fault(key="port-zero", file="conf/app.ini", switch="PORT", bad=("0", "00"), tool="grep", kind="config",
                  evidence=(r"^conf/app\.ini:\d+:port = 0+$",))
    project = Project(name="ini", ecosystem="shell", files=files, defaults={"PORT": "80"}, faults=(fault,),
                      supported=("timestamps", "shifted", "data", "verbose"))
    ran: list[str] = []

    def runner(root: Path, scenario: Scenario) -> list[Step]:
        ran.append(scenario.variant)
        return [faultkit.run("! grep -n -H -E '= 0+$' conf/app.ini", root, "ini")]

    full = [c.case for c in faultkit.Generator(project, runner, tmp_path, random.Random(7)).cases()]
    additive.skip_committed({("ini", "port-zero"), ("ini", full[1])})
    try:
        ran.clear()
        added = [c.case for c in faultkit.Generator(project, runner, tmp_path, random.Random(7)).cases()]
    finally:
        additive.skip_committed(None)
    assert added == [c for c in full if c not in ("port-zero", full[1])], "the same draws, committed ones skipped"
    assert len(ran) == len(added), "no tool runs for a committed case"


def test_perl_tap_reader_names_subtests_deaths_and_unnamed_checks() -> None:
    from benchmarks.corpus.ecosystems._perl_inifile import failed_in_tap

    tap = "# Subtest: as_bool\n    1..0\nnot ok 1 - No tests run for subtest \"as_bool\"\n" \
          "    not ok 2 - inner check\nnot ok 2 - as_int\nok 3 - as_list\nnot ok 4\n"
    assert failed_in_tap("t/values.t", tap) == {"t/values.t::as_bool", "t/values.t::as_int", None}


def test_go_invoice_json_fault_reads_the_test_events() -> None:
    from benchmarks.corpus.ecosystems import _go_invoice

    project = _go_invoice.project()
    fault = next(f for f in project.faults if f.key == "subtotal-skips-last-line")
    event = '{"Time":"2026-12-06T14:07:29.3Z","Action":"output","Package":"example.com/invoice/invoice",' \
            '"Test":"TestTotals","Output":'
    output = (f'{event}"    invoice_test.go:26: Subtotal() = 12750, want 16748\\n"}}\n'
              f'{event}"    invoice_test.go:29: Tax() = 2550, want 3350\\n"}}\n'
              f'{event}"--- FAIL: TestTotals (0.00s)\\n"}}\n')
    truth = truth_for(project, Scenario((fault,)), fault, output)
    assert truth.message == "invoice_test.go:26: Subtotal() = 12750, want 16748"
    assert (truth.test_file, truth.test_line) == ("invoice/invoice_test.go", 26)
    assert len(truth.evidence_text) == 2


def test_go_invoice_timeout_reports_no_failed_test() -> None:
    from benchmarks.corpus.ecosystems import _go_invoice

    project = _go_invoice.project()
    fault = next(f for f in project.faults if f.key == "next-relocks-mutex")
    output = "=== RUN   TestNext\npanic: test timed out after 10s\n\nFAIL\texample.com/invoice/seq\t10.015s\nFAIL\n"
    _go_invoice.check(Scenario((fault,)), [Step("Run go test", "go test -v -timeout=10s ./...", output, 1)])
    assert "\t" in _go_invoice.MONEY_GO and "\n    " not in _go_invoice.MONEY_GO, "Go's tabs"
