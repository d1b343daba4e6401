"""The scanner and the hooks never branch on a rule's name: what they do with its lines is declared on the rule.

A rule's ``name`` (and ``tool``, its first part) says what the rule is, for reports, tests and debugging;
``rules.py`` may use it to declare things. Anywhere else, comparing it with a string, or looking behaviour up
by it, would hide a behaviour from the rule table again.
"""

from __future__ import annotations

import ast
from pathlib import Path

from analysis.rules import RULES, Role

_ANALYSIS = Path(__file__).resolve().parents[2] / "analysis"
_CHECKED = ("scanner.py", "refine.py")
_NAME_FIELDS = {"name", "tool"}
_TEXT_TESTS = {"startswith", "endswith", "removeprefix", "removesuffix", "find", "index", "count"}


def _is_rule(node: ast.expr) -> bool:
    """``rule``, ``hit.rule``, ``self._open.rule``, ``_rule``: an expression that holds a Rule, by its name."""
    if isinstance(node, ast.Name):
        return "rule" in node.id.lower()
    return isinstance(node, ast.Attribute) and "rule" in node.attr.lower()


def _literal_strings(node: ast.expr) -> bool:
    """A string literal, or a literal tuple/list/set/dict of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(_literal_strings(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return bool(node.keys) and all(k is not None and _literal_strings(k) for k in node.keys)
    return False


class _NameTests(ast.NodeVisitor):
    """Finds the places a rule's name is compared with, tested against or keyed into string literals."""

    def __init__(self, tree: ast.Module) -> None:
        # module constants bound to literal strings (``_ALTERNATIVES = {"ruff": (...)}``)
        self.literals = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None and _literal_strings(node.value)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        self.aliases: set[str] = set()  # local names bound to a rule's name (``name = rule.name``)
        self.found: list[int] = []
        self.visit(tree)

    def _names_rule(self, node: ast.expr) -> bool:
        while isinstance(node, ast.Call | ast.Subscript):  # rule.name.lower(), rule.name.split(".")[0]
            node = node.func if isinstance(node, ast.Call) else node.value
            if isinstance(node, ast.Attribute) and node.attr not in _NAME_FIELDS:
                node = node.value
        if isinstance(node, ast.Name):
            return node.id in self.aliases
        return isinstance(node, ast.Attribute) and node.attr in _NAME_FIELDS and _is_rule(node.value)

    def _literal(self, node: ast.expr) -> bool:
        return _literal_strings(node) or (isinstance(node, ast.Name) and node.id in self.literals)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer, self.aliases = self.aliases, set()
        self.generic_visit(node)
        self.aliases = outer

    def visit_Assign(self, node: ast.Assign) -> None:
        if self._names_rule(node.value):
            self.aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        if any(self._names_rule(o) for o in operands) and any(self._literal(o) for o in operands):
            self.found.append(node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            text_test = func.attr in _TEXT_TESTS and self._names_rule(func.value)
            lookup = func.attr == "get" and self._literal(func.value) and any(self._names_rule(a) for a in node.args)
            if text_test or lookup:
                self.found.append(node.lineno)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self._literal(node.value) and self._names_rule(node.slice):
            self.found.append(node.lineno)
        self.generic_visit(node)


def _name_tests(source: str) -> list[int]:
    return _NameTests(ast.parse(source)).found


def test_the_scanner_and_the_hooks_never_branch_on_a_rule_name() -> None:
    for module in _CHECKED:
        source = (_ANALYSIS / module).read_text(encoding="utf-8")
        assert _name_tests(source) == [], f"analysis/{module} tests a rule's name: declare it on the rule instead"


def test_the_check_finds_each_way_of_asking_a_rule_its_name() -> None:
    asked = {
        'if rule.name == "go.test":\n    pass': [1],
        'if current.rule.name != "ctest.test":\n    pass': [1],
        'x = hit.rule.name in ("black.would_reformat", "ruff.would_reformat")': [1],
        'x = failure.rule.tool not in {"rspec", "numbered"}': [1],
        'x = rule.name.startswith("docker.")': [1],
        'x = rule.name.split(".")[0] == "go"': [1],
        'def f(rule):\n    name = rule.name\n    return name == "pytest.location"': [3],
        '_ALT = {"ruff": ("flake8",)}\ndef f(rule):\n    return rule.tool in _ALT': [3],
        '_ALT = {"ruff": ("flake8",)}\ndef f(rule):\n    return _ALT[rule.tool], _ALT.get(rule.tool)': [3, 3],
    }
    for source, lines in asked.items():
        assert sorted(_name_tests(source)) == lines, source


def test_the_check_leaves_declared_behaviour_and_other_names_alone() -> None:
    fine = (
        "if rule.locates and rule.test_log is None:\n    pass",
        'fp = fingerprint(rule.tool, kind.value, test, "", None)',
        "counts[(rule.name, step)] += 1",
        'if failure.tool == "numbered" or tool == "phpunit":\n    pass',  # a failure's tool, read from the log
        'name = step_name\nif name.startswith("#"):\n    pass',
        "x = rule.yields_to and (rule.yields_to, step) in reported",
    )
    for source in fine:
        assert _name_tests(source) == [], source


def test_paired_behaviour_is_declared_on_both_sides() -> None:
    """A behaviour that joins two rules' lines is useless on one side alone."""
    pairs = (
        ("takes_panic", "panic_of_test"),
        ("located_below", "locates_above"),
        ("output_below", "detail_in_output"),
        ("adopts_test_log", "test_log"),
        ("adopts_kept_location", "kept_for_summary"),
    )
    for first, second in pairs:
        assert any(getattr(r, first) for r in RULES) == any(getattr(r, second) for r in RULES), (first, second)
    failing_tools = {rule.tool for rule in RULES if rule.role is Role.FAILURE}
    for rule in RULES:
        if rule.yields_to is not None:
            assert rule.yields_to in failing_tools and rule.yields_to != rule.tool, rule.name
        if rule.test_below is not None:  # read on the line below the heading only
            assert rule.test_below.role is Role.FAILURE and not rule.test_below.needles, rule.name
