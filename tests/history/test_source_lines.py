"""History with the offending line read from the source (``githubapp.pipeline.source``, ``analysis.source_line``):
go vet prints no code, so the same message at two lines of one function (two ``case`` arms of one switch) is
one pattern by the log alone; the lines' text from the repository's file tells them apart, the same line moved
down by an edit above is still one pattern, and re-keying after an upgrade keeps the line (it is stored with the
failure)."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from githubapp.cli.history import replay_into
from githubapp.history.service import HistoryService, rekey_all
from tests.history.go_vet_source import line_of, sources, vet_log


def config_go(shift: int = 0) -> str:
    return (
        'package confkit\n\nimport "fmt"\n\n'
        + "".join(f"// note {i}\n" for i in range(shift))
        + "type Config struct {\n\tPort int\n}\n\n"
        "func (c *Config) Set(key, value string) error {\n"
        "\tswitch key {\n"
        '\tcase "port":\n'
        '\t\treturn fmt.Errorf("bad port %d", value)\n'
        '\tcase "timeout":\n'
        '\t\treturn fmt.Errorf("bad timeout %d", value)\n'
        "\t}\n"
        "\treturn nil\n"
        "}\n"
    )


async def test_same_message_on_two_lines_of_one_function_is_two_patterns_and_a_moved_one_matches(
    service: HistoryService, installation: int, tmp_path: Path
) -> None:
    base, moved = config_go(), config_go(shift=3)
    logs = [
        vet_log(tmp_path, "port", line_of(base, "bad port")),
        vet_log(tmp_path, "timeout", line_of(base, "bad timeout")),
        vet_log(tmp_path, "port-moved", line_of(moved, "bad port")),
    ]
    trees = {"port": base, "timeout": base, "port-moved": moved}
    first, other, again = await replay_into(service, logs, installation_id=installation, source=sources(trees))
    assert [r.failures[0]["symbol"] for r in (first, other, again)] == ["Config.Set"] * 3  # one function
    assert [r.failures[0]["code_line"] for r in (first, other, again)] == [
        '\t\treturn fmt.Errorf("bad port %d", value)',
        '\t\treturn fmt.Errorf("bad timeout %d", value)',
        '\t\treturn fmt.Errorf("bad port %d", value)',
    ]
    assert first.primary and other.primary and again.primary
    # the format string is the code's own template: kept, so the two lines differ
    assert first.primary["signature"]["refinements"] == ['code:return fmt.Errorf("bad port %d", value)']
    assert not other.primary["known"] and other.primary["pattern_id"] != first.primary["pattern_id"]
    assert again.primary["known"] and again.primary["pattern_id"] == first.primary["pattern_id"]
    assert again.primary["how"] == "signature"


async def test_without_the_source_the_two_lines_are_one_pattern(
    service: HistoryService, installation: int, tmp_path: Path
) -> None:
    # what the line corrects: the log alone names one function and one message
    base = config_go()
    logs = [
        vet_log(tmp_path, "port", line_of(base, "bad port")),
        vet_log(tmp_path, "timeout", line_of(base, "bad timeout")),
    ]
    first, other = await replay_into(service, logs, installation_id=installation)
    assert first.failures[0]["code_line"] is None
    assert first.primary and other.primary
    assert other.primary["known"] and other.primary["pattern_id"] == first.primary["pattern_id"]


async def test_rekey_keeps_the_line(
    service: HistoryService, history_pool: asyncpg.Pool, installation: int, tmp_path: Path
) -> None:
    base = config_go()
    logs = [vet_log(tmp_path, "port", line_of(base, "bad port"))]
    [first] = await replay_into(service, logs, installation_id=installation, source=sources({"port": base}))
    assert first.primary is not None
    await rekey_all(history_pool)  # what an upgrade that changes the signature's definition runs
    async with history_pool.acquire() as conn:
        refinements = await conn.fetchval(
            "SELECT signature->'refinements'->>0 FROM patterns WHERE installation_id = $1 AND id = $2",
            installation,
            first.primary["pattern_id"],
        )
    assert refinements == 'code:return fmt.Errorf("bad port %d", value)'
    moved = config_go(shift=2)
    later = [
        logs[0],
        vet_log(tmp_path, "timeout", line_of(base, "bad timeout")),
        vet_log(tmp_path, "port-moved", line_of(moved, "bad port")),
    ]
    trees = {"port": base, "timeout": base, "port-moved": moved}
    _, other, again = await replay_into(service, later, installation_id=installation, source=sources(trees))
    assert other.primary and other.primary["pattern_id"] != first.primary["pattern_id"]
    assert again.primary and again.primary["pattern_id"] == first.primary["pattern_id"]
    assert again.primary["how"] == "signature"
