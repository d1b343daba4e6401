"""History with the symbol from the source (``githubapp.pipeline.source``): the same go vet message in two
functions of one file is two patterns, the same one moved down by an edit above is one, and re-keying after
an upgrade keeps the symbol (it is stored with the failure)."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from githubapp.cli.history import replay_into
from githubapp.history.service import HistoryService, rekey_all
from githubapp.pipeline.source import MappingSource
from tests.history.go_vet_source import line_of, sources, vet_log


def config_go(shift: int = 0) -> str:
    return (
        'package confkit\n\nimport "fmt"\n\n'
        + "".join(f"// note {i}\n" for i in range(shift))
        + "type Config struct {\n\tPort int\n}\n\n"
        "func (c *Config) Validate() error {\n"
        '\treturn fmt.Errorf("bad port %d", "validate")\n'
        "}\n\n"
        "func (c *Config) Save(path string) error {\n"
        '\treturn fmt.Errorf("cannot save %d", path)\n'
        "}\n"
    )


async def test_same_message_in_two_functions_is_two_patterns_and_a_moved_one_matches(
    service: HistoryService, installation: int, tmp_path: Path
) -> None:
    base, moved = config_go(), config_go(shift=4)
    logs = [
        vet_log(tmp_path, "validate", line_of(base, '"validate"')),
        vet_log(tmp_path, "save", line_of(base, "cannot save")),
        vet_log(tmp_path, "validate-moved", line_of(moved, '"validate"')),
    ]
    trees = {"validate": base, "save": base, "validate-moved": moved}
    first, other, again = await replay_into(service, logs, installation_id=installation, source=sources(trees))
    assert [r.failures[0]["symbol"] for r in (first, other, again)] == [
        "Config.Validate",
        "Config.Save",
        "Config.Validate",
    ]
    assert first.primary and other.primary and again.primary
    assert not other.primary["known"] and other.primary["pattern_id"] != first.primary["pattern_id"]
    assert again.primary["known"] and again.primary["pattern_id"] == first.primary["pattern_id"]
    assert again.primary["how"] == "signature"


async def test_without_the_source_the_two_functions_are_one_pattern(
    service: HistoryService, installation: int, tmp_path: Path
) -> None:
    # what the symbol corrects: the log alone cannot tell the two functions apart
    base = config_go()
    logs = [
        vet_log(tmp_path, "validate", line_of(base, '"validate"')),
        vet_log(tmp_path, "save", line_of(base, "cannot save")),
    ]
    first, other = await replay_into(service, logs, installation_id=installation)
    assert first.primary and other.primary
    assert other.primary["known"] and other.primary["pattern_id"] == first.primary["pattern_id"]


async def test_a_source_without_the_file_is_no_symbol(
    service: HistoryService, installation: int, tmp_path: Path
) -> None:
    log = vet_log(tmp_path, "validate", 10)
    [result] = await replay_into(
        service, [log], installation_id=installation, source=lambda _log: MappingSource({"go.mod": "module x\n"})
    )
    # the tree has no config.go: the path is dropped as the pipeline drops it, and no symbol is made up
    assert result.failures[0]["symbol"] is None


async def test_rekey_keeps_the_symbol(
    service: HistoryService, history_pool: asyncpg.Pool, installation: int, tmp_path: Path
) -> None:
    base = config_go()
    logs = [vet_log(tmp_path, "validate", line_of(base, '"validate"'))]
    [first] = await replay_into(service, logs, installation_id=installation, source=sources({"validate": base}))
    assert first.primary is not None
    await rekey_all(history_pool)  # what an upgrade that changes the signature's definition runs
    async with history_pool.acquire() as conn:
        subject = await conn.fetchval(
            "SELECT signature->>'subject' FROM patterns WHERE installation_id = $1 AND id = $2",
            installation,
            first.primary["pattern_id"],
        )
    assert subject == "file:config.go#Config.Validate"
    moved = config_go(shift=2)
    # replay numbers runs from 1: the first log again takes run 1 (a retry of it), the moved one run 2
    later = [logs[0], vet_log(tmp_path, "validate-moved", line_of(moved, '"validate"'))]
    _, again = await replay_into(
        service, later, installation_id=installation, source=sources({"validate": base, "validate-moved": moved})
    )
    assert again.primary and again.primary["pattern_id"] == first.primary["pattern_id"]
    assert again.primary["how"] == "signature"
