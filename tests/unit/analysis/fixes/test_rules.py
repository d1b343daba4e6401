"""Rule-based fixes read from logs, each checked by applying the result to the files it targets."""

import json
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.fixes.dependencies import (
    add_to_package_json,
    add_to_pyproject,
    add_to_requirements,
    dependency_proposals,
    missing_python_modules,
    node_package_name,
)
from analysis.fixes.formatters import formatter_proposals, rustfmt_diffs_in_log, unified_diffs_in_log
from analysis.fixes.patch import PatchError
from analysis.fixes.rules import rule_proposals
from analysis.fixes.snapshots import jest_mismatches, snapshot_proposals, syrupy_mismatches
from analysis.fixes.verify import materialise, paths_needed, verify
from tests.support.services import DATASETS


def gha(*lines: str) -> str:
    """A GitHub Actions log: BOM, timestamps on every line."""
    return "\ufeff" + "".join(f"2026-04-23T04:08:{i % 60:02d}.1234567Z {line}\n" for i, line in enumerate(lines))


def test_ruff_format_diff_in_a_log_becomes_a_fix() -> None:
    log = gha(
        "##[group]Run ruff format --check --diff .",
        "--- src/app/models.py",
        "+++ src/app/models.py",
        "@@ -1,3 +1,3 @@",
        " import os",
        "-x=1",
        "+x = 1",
        " y = 2",
        "",
        "1 file would be reformatted, 12 files already formatted",
        "##[error]Process completed with exit code 1.",
    )
    [proposal] = formatter_proposals(log)
    assert proposal.rule == "ruff-format" and proposal.confidence >= 0.9
    verified = verify(proposal.diff or "", {"src/app/models.py": "import os\nx=1\ny = 2\n"})
    assert verified.results == {"src/app/models.py": "import os\nx = 1\ny = 2\n"}


def test_black_diff_with_timestamps_and_absolute_runner_paths() -> None:
    log = gha(
        "--- /home/runner/work/proj/proj/pkg/a.py\t2026-04-23 04:08:01.000000+00:00",
        "+++ /home/runner/work/proj/proj/pkg/a.py\t2026-04-23 04:08:02.000000+00:00",
        "@@ -1 +1 @@",
        "-print( 'x' )",
        '+print("x")',
        "would reformat /home/runner/work/proj/proj/pkg/a.py",
        "Oh no! 💥 💔 💥",
    )
    diffs = unified_diffs_in_log(log)
    assert [d.tool for d in diffs] == ["black"]  # named in the summary after the diff
    assert diffs[0].diff.startswith("--- a/pkg/a.py\n+++ b/pkg/a.py\n")
    [proposal] = formatter_proposals(log)
    assert verify(proposal.diff or "", {"pkg/a.py": "print( 'x' )\n"}).results == {"pkg/a.py": 'print("x")\n'}


def test_gofmt_orig_suffix_and_colours_are_handled() -> None:
    log = gha(
        "\x1b[36;1mgofmt -d .\x1b[0m",
        "diff -u main.go.orig main.go",
        "--- main.go.orig",
        "+++ main.go",
        "@@ -1,3 +1,3 @@",
        " package main",
        "-func main(){}",
        "+func main() {}",
        " ",
    )
    [proposal] = formatter_proposals(log)
    assert proposal.rule == "gofmt"
    result = verify(proposal.diff or "", {"main.go": "package main\nfunc main(){}\n\n"}).results
    assert result == {"main.go": "package main\nfunc main() {}\n\n"}


def test_git_diff_after_prettier_with_two_files() -> None:
    log = gha(
        "Run npx prettier --write . && git diff --exit-code",
        "diff --git a/src/a.ts b/src/a.ts",
        "index 1111111..2222222 100644",
        "--- a/src/a.ts",
        "+++ b/src/a.ts",
        "@@ -1 +1 @@",
        "-const a = {b:1}",
        "+const a = { b: 1 };",
        "diff --git a/src/b.ts b/src/b.ts",
        "index 1111111..2222222 100644",
        "--- a/src/b.ts",
        "+++ b/src/b.ts",
        "@@ -1 +1 @@",
        "-let x",
        "+let x;",
        "##[error]Process completed with exit code 1.",
    )
    [proposal] = formatter_proposals(log)
    assert proposal.rule == "prettier"
    results = verify(proposal.diff or "", {"src/a.ts": "const a = {b:1}\n", "src/b.ts": "let x\n"}).results
    assert results == {"src/a.ts": "const a = { b: 1 };\n", "src/b.ts": "let x;\n"}


def test_assertion_diffs_are_not_file_diffs() -> None:
    # PHPUnit prints "--- Expected / +++ Actual": not a change to any file.
    log = gha("--- Expected", "+++ Actual", "@@ @@", "-'a'", "+'b'")
    assert unified_diffs_in_log(log) == []
    assert formatter_proposals(log) == []


def test_truncated_log_diff_is_not_offered() -> None:
    log = gha("--- a/x.py", "+++ b/x.py", "@@ -1,3 +1,3 @@", " a", "-b")
    assert formatter_proposals(log) == []


def test_rustfmt_check_output() -> None:
    log = gha(
        "Run cargo fmt --all -- --check",
        "Diff in /home/runner/work/tool/tool/src/main.rs at line 1:",
        " fn main() {",
        '-    println!("hi")    ;',
        '+    println!("hi");',
        " }",
        "Diff in /home/runner/work/tool/tool/src/lib.rs:3:",
        "-pub fn f( ) {}",
        "+pub fn f() {}",
        "##[error]Process completed with exit code 1.",
    )
    assert {d.diff.split("\n")[0] for d in rustfmt_diffs_in_log(log)} == {
        "--- a/src/main.rs",
        "--- a/src/lib.rs",
    }
    [proposal] = formatter_proposals(log)
    files = {
        "src/main.rs": 'fn main() {\n    println!("hi")    ;\n}\n',
        "src/lib.rs": "// x\n\npub fn f( ) {}\n",
    }
    results = verify(proposal.diff or "", files).results
    assert results == {
        "src/main.rs": 'fn main() {\n    println!("hi");\n}\n',
        "src/lib.rs": "// x\n\npub fn f() {}\n",
    }


# --- missing dependencies -------------------------------------------------------------------------------


def test_python_modules_skip_stdlib_and_private_names() -> None:
    lines = [
        "ModuleNotFoundError: No module named 'yaml'",
        "ModuleNotFoundError: No module named 'json'",  # stdlib: not a missing dependency
        "ImportError: No module named '_cffi_backend'",  # private
        "ModuleNotFoundError: No module named 'google.protobuf'",
    ]
    assert missing_python_modules(lines) == ["yaml", "google"]


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("lodash", "lodash"),
        ("lodash/fp", "lodash"),
        ("@scope/pkg/sub", "@scope/pkg"),
        ("./db.json", None),
        ("fs", None),
        ("node:fs", None),
        ("/abs/x", None),
        ("Bad Name", None),
    ],
)
def test_node_package_names(spec: str, name: str | None) -> None:
    assert node_package_name(spec) == name


def test_requirements_gets_the_distribution_name() -> None:
    log = gha("E   ModuleNotFoundError: No module named 'yaml'")
    [proposal] = dependency_proposals(log)
    assert paths_needed(proposal) == ["requirements.txt", "pyproject.toml"]
    diff = materialise(proposal, {"requirements.txt": "requests==2.31\n", "pyproject.toml": None})
    assert verify(diff, {"requirements.txt": "requests==2.31\n"}).results == {
        "requirements.txt": "requests==2.31\nPyYAML\n"
    }


def test_pyproject_when_there_is_no_requirements_file() -> None:
    pyproject = '[project]\nname = "x"\ndependencies = [\n    "httpx>=0.27",\n]\n\n[tool.ruff]\nline-length = 100\n'
    [proposal] = dependency_proposals(gha("ModuleNotFoundError: No module named 'attr'"))
    diff = materialise(proposal, {"requirements.txt": None, "pyproject.toml": pyproject})
    new = verify(diff, {"pyproject.toml": pyproject}).results["pyproject.toml"]
    assert tomllib.loads(new or "")["project"]["dependencies"] == ["httpx>=0.27", "attrs"]
    assert new is not None and "[tool.ruff]\nline-length = 100\n" in new


@pytest.mark.parametrize(
    "pyproject",
    ['[project]\nname = "x"\ndependencies = []\n', '[project]\ndependencies = ["a", "b"]\n'],
)
def test_pyproject_inline_arrays(pyproject: str) -> None:
    new = add_to_pyproject("new-dep")("pyproject.toml", pyproject)
    assert new is not None and tomllib.loads(new)["project"]["dependencies"][-1] == "new-dep"


def test_already_listed_dependencies_are_not_proposed_again() -> None:
    assert add_to_requirements("PyYAML")("requirements.txt", "pyyaml>=6 ; python_version>'3'\n") is None
    assert add_to_pyproject("PyYAML")("pyproject.toml", '[project]\ndependencies = ["PyYAML"]\n') is None
    assert add_to_package_json("lodash")("package.json", '{"devDependencies": {"lodash": "^4"}}') is None
    [proposal] = dependency_proposals(gha("ModuleNotFoundError: No module named 'yaml'"))
    with pytest.raises(PatchError, match="does not fit"):
        materialise(proposal, {"requirements.txt": "PyYAML\n", "pyproject.toml": None})


def test_package_json_keeps_its_indentation_and_order() -> None:
    pkg = json.dumps({"name": "app", "dependencies": {"react": "^18"}, "scripts": {"t": "jest"}}, indent=4) + "\n"
    [proposal] = dependency_proposals(gha("Error: Cannot find module 'axios'", "Require stack:"))
    new = verify(materialise(proposal, {"package.json": pkg}), {"package.json": pkg}).results["package.json"]
    assert new is not None and new.endswith("}\n") and '\n    "name": "app"' in new
    assert json.loads(new)["dependencies"] == {"axios": "*", "react": "^18"}
    assert list(json.loads(new)) == ["name", "dependencies", "scripts"]


# --- snapshots ------------------------------------------------------------------------------------------

JEST_LOG = gha(
    "FAIL src/__tests__/Link.test.js",
    "  ● Link \u203a renders correctly",
    "",
    "    expect(received).toMatchSnapshot()",
    "",
    "    Snapshot name: `Link renders correctly 1`",
    "",
    "    - Snapshot  - 1",
    "    + Received  + 1",
    "",
    "      <a",
    '        className="normal"',
    '    -   href="http://old"',
    '    +   href="http://new`${x}`"',
    "      >",
    "",
    "      12 |   const tree = renderer.create(<Link />).toJSON();",
    "    > 13 |   expect(tree).toMatchSnapshot();",
    "         |                ^",
    "",
    "      at Object.<anonymous> (src/__tests__/Link.test.js:13:16)",
)
SNAP = (
    "// Jest Snapshot v1, https://goo.gl/fbAQLP\n\n"
    'exports[`Link other 1`] = `\n<a\n  className="normal"\n  href="http://old"\n>\n`;\n\n'
    'exports[`Link renders correctly 1`] = `\n<a\n  className="normal"\n  href="http://old"\n>\n`;\n'
)


def test_jest_snapshot_update_touches_only_that_entry() -> None:
    [mismatch] = jest_mismatches(JEST_LOG)
    assert (mismatch.framework, mismatch.test_file, mismatch.name) == (
        "jest",
        "src/__tests__/Link.test.js",
        "Link renders correctly 1",
    )
    [proposal] = snapshot_proposals(JEST_LOG)
    path = "src/__tests__/__snapshots__/Link.test.js.snap"
    assert paths_needed(proposal) == [path]
    new = verify(materialise(proposal, {path: SNAP}), {path: SNAP}).results[path]
    assert new is not None
    assert new.count('href="http://old"') == 1  # the other entry is untouched
    assert 'href="http://new\\`\\${x}\\`"' in new  # escaped as jest stores template literals


def test_vitest_snapshot() -> None:
    log = gha(
        " FAIL  src/basic.test.ts > suite > snapshot",
        "Error: Snapshot `suite > snapshot 1` mismatched",
        "",
        "- Expected",
        "+ Received",
        "",
        "  Object {",
        '-   "a": 1,',
        '+   "a": 2,',
        "  }",
        "",
        " \u276f src/basic.test.ts:10:16",
    )
    [m] = jest_mismatches(log)
    assert (m.framework, m.test_file, m.name) == ("vitest", "src/basic.test.ts", "suite > snapshot 1")
    snap = 'exports[`suite > snapshot 1`] = `\nObject {\n  "a": 1,\n}\n`;\n'
    [proposal] = snapshot_proposals(log)
    path = "src/__snapshots__/basic.test.ts.snap"
    assert verify(materialise(proposal, {path: snap}), {path: snap}).results[path] == snap.replace('": 1', '": 2')


def test_syrupy_snapshot() -> None:
    log = gha(
        "___________________________ test_render ___________________________",
        "",
        "    def test_render(snapshot):",
        ">       assert render() == snapshot",
        "E       AssertionError: assert [+ received] == [- snapshot]",
        "E         Snapshot 'test_render' does not match!",
        "E         - 'hello'",
        "E         + 'hello world'",
        "",
        "tests/test_view.py:7: AssertionError",
    )
    [m] = syrupy_mismatches(log)
    assert (m.test_file, m.name) == ("tests/test_view.py", "test_render")
    ambr = "# serializer version: 1\n# name: test_other\n  'hello'\n# ---\n# name: test_render\n  'hello'\n# ---\n"
    [proposal] = snapshot_proposals(log)
    path = "tests/__snapshots__/test_view.ambr"
    new = verify(materialise(proposal, {path: ambr}), {path: ambr}).results[path]
    assert new == ambr.replace("test_render\n  'hello'", "test_render\n  'hello world'")


def test_ambiguous_snapshot_text_is_not_guessed() -> None:
    snap = 'exports[`Link renders correctly 1`] = `\n<a\n  className="normal"\n  href="x"\n>\n`;\n'
    [proposal] = snapshot_proposals(JEST_LOG)
    with pytest.raises(PatchError):
        materialise(proposal, {"src/__tests__/__snapshots__/Link.test.js.snap": snap})


def test_rule_table_on_an_unrelated_log_proposes_nothing() -> None:
    assert rule_proposals(gha("Run pytest", "E   assert 1 == 2", "FAILED tests/test_a.py::test_b")) == []


def test_verify_refuses_workflow_changes_and_oversized_diffs() -> None:
    diff = "--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n@@ -1 +1 @@\n-a\n+b\n"
    with pytest.raises(PatchError, match="workflow"):
        verify(diff, {".github/workflows/ci.yml": "a\n"})
    big = "--- a/f\n+++ b/f\n@@ -1 +1,3000 @@\n-a\n" + "+x\n" * 3000
    with pytest.raises(PatchError, match="at most"):
        verify(big, {"f": "a\n"})


_log_text = st.lists(
    st.sampled_from(
        [
            "--- a/x.py",
            "+++ b/x.py",
            "@@ -1,2 +1,2 @@",
            " a",
            "-b",
            "+c",
            "",
            "Diff in /home/runner/work/r/r/x.rs:1:",
            "Snapshot name: `t 1`",
            "    - Snapshot  - 1",
            "    + Received  + 1",
            "E       AssertionError: assert [+ received] == [- snapshot]",
            "E         - 'x'",
            "E         + 'y'",
            "tests/test_a.py:3: AssertionError",
            "ModuleNotFoundError: No module named 'yaml'",
            "Error: Cannot find module '@a/b'",
            "FAIL src/a.test.js",
            "\\ No newline at end of file",
            "___ test_a ___",
        ]
    )
    | st.text(max_size=30),
    max_size=40,
).map("\n".join)


@settings(max_examples=400, deadline=None)
@given(log=_log_text)
def test_rules_never_crash_on_any_log(log: str) -> None:
    for proposal in rule_proposals(log):
        assert proposal.diff is not None or proposal.edits


@pytest.mark.slow
def test_rules_never_crash_on_real_logs() -> None:
    logs = sorted((DATASETS / "logdx-dev").glob("*/raw.log"))
    logs += sorted((DATASETS / "cidiff" / "data").glob("**/*.log"))
    assert len(logs) == 44  # 8 LogDx-CI dev logs, 36 CiDiff failing logs
    found = {p.rule for log in logs for p in rule_proposals(log.read_text(errors="replace"))}
    assert "missing-node-dependency" in found  # logdx pnpm-jest-config: Cannot find module 'unrs-resolver'


def test_jest_inline_snapshot_multiline() -> None:
    log = gha(
        "FAIL src/a.test.js",
        "  ● renders",
        "",
        "    expect(received).toMatchInlineSnapshot(snapshot)",
        "",
        "    Snapshot name: `renders 1`",
        "",
        "    - Snapshot  - 1",
        "    + Received  + 1",
        "",
        "      <div>",
        "    -   Hello",
        "    +   Hello world",
        "      </div>",
        "",
        "      3 | test('renders', () => {",
        "    > 4 |   expect(render()).toMatchInlineSnapshot(`",
        "        |                    ^",
        "",
        "      at Object.toMatchInlineSnapshot (src/a.test.js:4:20)",
    )
    [m] = jest_mismatches(log)
    assert m.inline and m.line == 4
    source = (
        "import { render } from './a';\n\n"
        "test('renders', () => {\n"
        "  expect(render()).toMatchInlineSnapshot(`\n"
        "    <div>\n"
        "      Hello\n"
        "    </div>\n"
        "  `);\n"
        "});\n"
    )
    [proposal] = snapshot_proposals(log)
    assert paths_needed(proposal) == ["src/a.test.js"]
    new = verify(materialise(proposal, {"src/a.test.js": source}), {"src/a.test.js": source}).results["src/a.test.js"]
    assert new == source.replace("      Hello\n", "      Hello world\n")


def test_vitest_inline_snapshot_single_line() -> None:
    log = gha(
        " FAIL  src/b.test.ts > greets",
        "Error: Snapshot `greets 1` mismatched",
        "",
        "- Expected",
        "+ Received",
        "",
        '- "hello"',
        '+ "hello world"',
        "",
        " \u276f src/b.test.ts:2:18",
        "      1| test('greets', () => {",
        '      2|   expect(greet()).toMatchInlineSnapshot(`"hello"`)',
    )
    [m] = jest_mismatches(log)
    assert m.inline and (m.test_file, m.line) == ("src/b.test.ts", 2)
    source = "test('greets', () => {\n  expect(greet()).toMatchInlineSnapshot(`\"hello\"`)\n})\n"
    [proposal] = snapshot_proposals(log)
    new = verify(materialise(proposal, {"src/b.test.ts": source}), {"src/b.test.ts": source}).results["src/b.test.ts"]
    assert new == source.replace('`"hello"`', '`"hello world"`')
