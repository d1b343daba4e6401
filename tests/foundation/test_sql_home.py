"""SQL lives in ``storage/``: no other package of ours holds a query (callers keep only the orchestration).

Read with ``ast``: every string constant that starts like a statement is a query; comments and docstrings that
only mention a keyword are not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_STORAGE = ("githubapp", "analysis", "snapshot")
_STATEMENT = re.compile(r"^\s*(SELECT\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|WITH\s+\w+\s+AS\s*\()")


def queries_in(source: str) -> list[int]:
    """Line numbers of string constants (f-string parts included) that are SQL statements."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _STATEMENT.match(node.value)
    )


def test_no_sql_outside_storage() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in OUTSIDE_STORAGE
        for path in sorted((ROOT / package).rglob("*.py"))
        for line in queries_in(path.read_text())
    ]
    assert found == []


def test_the_walker_finds_queries() -> None:
    """It sees plain and f-string queries, and not prose that names a keyword (else the test above proves nothing)."""
    assert queries_in('Q = """\nSELECT id FROM deliveries"""\n') == [1]
    assert queries_in('async def f(c, t):\n    await c.execute(f"DELETE FROM {t} WHERE id = $1")\n') == [2]
    assert queries_in('"""The writer does one INSERT per batch; SELECT is cheap."""\n') == []
    assert len(queries_in((ROOT / "storage" / "deliveries.py").read_text())) >= 5
