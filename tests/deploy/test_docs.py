"""docs/operations.md stays in step with the code: every documented setting exists, every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "operations.md"


def env_example_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def documented_variables() -> set[str]:
    section = DOCS.read_text().split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def test_every_variable_of_env_example_is_documented() -> None:
    missing = env_example_variables() - documented_variables()
    assert not missing, f"add to the configuration reference in docs/operations.md: {sorted(missing)}"


def test_the_reference_documents_no_unknown_variable() -> None:
    unknown = documented_variables() - env_example_variables()
    assert not unknown, f"documented but not in .env.example: {sorted(unknown)}"


def test_documented_defaults_follow_env_example() -> None:
    section = DOCS.read_text().split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    rows = {name: row for row in section.splitlines() if row.startswith("| `")
            for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}
    for name, value in re.findall(r"^([A-Z][A-Z0-9_]*)=(\S+)", (ROOT / ".env.example").read_text(), re.MULTILINE):
        assert f"`{value}`" in rows[name], f"{name}: docs/operations.md should give the default `{value}`"
