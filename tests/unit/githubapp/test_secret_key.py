"""The generated secret key: one per data dir, never read half-written by a process starting alongside."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

from githubapp.secret_key import SECRET_KEY_FILE, _stored_key


def _read(data_dir: str) -> str:
    return _stored_key(Path(data_dir))


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    for attempt in range(5):
        data_dir = tmp_path / f"data{attempt}"
        with multiprocessing.get_context("fork").Pool(8) as pool:
            keys = pool.map(_read, [str(data_dir)] * 16)
        assert len(set(keys)) == 1 and len(keys[0]) == 64
        assert stat.S_IMODE((data_dir / SECRET_KEY_FILE).stat().st_mode) == 0o600
        assert [p.name for p in data_dir.iterdir()] == [SECRET_KEY_FILE]  # no drafts left behind
