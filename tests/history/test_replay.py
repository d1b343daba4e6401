"""``ci-triage replay`` end to end: real engine, a temporary embedded PostgreSQL, the real service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from githubapp.cli.main import main

LOGIN = """\
============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-8.2.0, pluggy-1.5.0
rootdir: /home/runner/work/shop/shop
collected 3 items

tests/test_api.py ..F                                                    [100%]

=================================== FAILURES ===================================
_________________________________ test_login ___________________________________

    def test_login(client):
        response = client.post("/login", json=CREDENTIALS)
>       assert response.status_code == 200
E       assert 503 == 200
E        +  where 503 = <Response [503]>.status_code

tests/test_api.py:{line}: AssertionError
=========================== short test summary info ============================
FAILED tests/test_api.py::test_login - assert 503 == 200
========================= 1 failed, 2 passed in {secs}s ==========================
"""

IMPORT = """\
============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-8.2.0, pluggy-1.5.0
collected 0 items / 1 error

==================================== ERRORS ====================================
___________________ ERROR collecting tests/test_billing.py ____________________
ImportError while importing test module '/home/runner/work/shop/shop/tests/test_billing.py'.
tests/test_billing.py:3: in <module>
    from shop.billing import invoice_total
E   ModuleNotFoundError: No module named 'shop.billing'
=========================== short test summary info ============================
ERROR tests/test_billing.py
!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!
=============================== 1 error in 0.31s ===============================
"""


def test_replay_json_marks_the_rerun_known_and_the_other_fault_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, rerun, other = tmp_path / "run1.log", tmp_path / "run2.log", tmp_path / "run3.log"
    first.write_text(LOGIN.format(line=42, secs="0.52"))
    rerun.write_text(LOGIN.format(line=45, secs="1.07"))  # shifted line, other duration
    other.write_text(IMPORT)
    assert main(["replay", "--json", str(first), str(rerun), str(other)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["input"] for o in out] == [str(first), str(rerun), str(other)]
    [f1], [f2] = out[0]["failures"][:1], out[1]["failures"][:1]
    assert set(f1) == {
        "test_id",
        "message",
        "fingerprint",
        "pattern_id",
        "known",
        "similarity",
        "how",
        "matched_input",
        "signature",
        "symbol",
        "code_line",
        "earlier",
    }
    assert f1["signature"]["tool"] == "pytest" and f1["signature"]["subject"].startswith("test:")
    assert len(f1["signature"]["key"]) == 24 and f2["signature"]["key"] == f1["signature"]["key"]
    assert f2["how"] == "signature" and [e["run_id"] for e in f2["earlier"]] == [1]
    assert not f1["known"] and f1["matched_input"] is None
    assert f2["known"] and f2["pattern_id"] == f1["pattern_id"] and f2["matched_input"] == str(first)
    assert all(not f["known"] for f in out[2]["failures"])
    assert {f["pattern_id"] for f in out[2]["failures"]}.isdisjoint({f1["pattern_id"]})


def test_replay_human_output_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "a.log"
    log.write_text(LOGIN.format(line=42, secs="0.52"))
    assert main(["replay", str(log), str(log)]) == 0
    text = capsys.readouterr().out
    assert "new" in text and "known" in text and f"(matched {log})" in text
    assert main(["replay", str(tmp_path / "missing.log")]) == 2
    assert "no such file" in capsys.readouterr().err


SETUP_NOISE = """\
/home/travis/.travis/functions: line 104: yarn: command not found
"""


def test_replay_decides_a_log_by_its_primary_failure_not_by_setup_noise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both logs print the same setup chatter; only the second one's test failure is the first log's again.
    first, noisy_rerun, other = tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log"
    first.write_text(LOGIN.format(line=42, secs="0.52"))
    noisy_rerun.write_text(SETUP_NOISE + LOGIN.format(line=44, secs="0.61"))
    other.write_text(SETUP_NOISE + IMPORT)
    assert main(["replay", "--json", str(first), str(noisy_rerun), str(other)]) == 0
    a, b, c = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert not a["known"] and a["matched_input"] is None and a["pattern_id"] == a["failures"][0]["pattern_id"]
    assert b["known"] and b["pattern_id"] == a["pattern_id"] and b["matched_input"] == str(first)
    assert not c["known"] and c["pattern_id"] not in {a["pattern_id"]}
    # the chatter is not a failure of its own once a real failure is there
    assert all("command not found" not in f["message"] for f in b["failures"] + c["failures"])


CONFIG_GO = """package confkit

import "fmt"

func (c *Config) Validate() error {
\treturn fmt.Errorf("bad port %d", "validate")
}

func (c *Config) Save(path string) error {
\treturn fmt.Errorf("cannot save %d", path)
}
"""


def test_replay_source_gives_lint_errors_their_symbol(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "config.go").write_text(CONFIG_GO)
    logs = []
    for name, line in (("validate", 6), ("save", 10)):
        log = tmp_path / f"{name}.log"
        log.write_text(
            f"# example.com/confkit\n./config.go:{line}:10: fmt.Errorf format %d has arg value of wrong type string\n"
        )
        logs.append(str(log))
    assert main(["replay", "--json", "--source", str(checkout), *logs]) == 0
    a, b = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert [a["failures"][0]["symbol"], b["failures"][0]["symbol"]] == ["Config.Validate", "Config.Save"]
    assert a["failures"][0]["signature"]["subject"] == "file:config.go#Config.Validate"
    assert not b["known"] and b["pattern_id"] != a["pattern_id"]
    # the logs alone cannot tell the two functions apart
    assert main(["replay", "--json", *logs]) == 0
    a, b = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert a["failures"][0]["symbol"] is None and b["known"] and b["pattern_id"] == a["pattern_id"]
    assert main(["replay", "--source", str(tmp_path / "nowhere"), *logs]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_replay_diff_gives_the_change_its_places(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "config.go").write_text(CONFIG_GO)
    diff = tmp_path / "change.diff"
    diff.write_text(
        "diff --git a/config.go b/config.go\n--- a/config.go\n+++ b/config.go\n"
        "@@ -9,3 +9,3 @@ func (c *Config) Save(path string) error {\n"
        '-\treturn fmt.Errorf("cannot save %s", path)\n+\treturn fmt.Errorf("cannot save %d", path)\n }\n'
    )
    log = tmp_path / "test.log"
    log.write_text(
        "=== RUN   TestSave\n    config_test.go:12: expected error, got nil\n--- FAIL: TestSave (0.00s)\nFAIL\n"
    )
    assert main(["replay", "--json", "--source", str(checkout), "--diff", str(diff), str(log)]) == 0
    [out] = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert out["change_loci"] == ["config.go#Config.Save"]
    assert main(["replay", "--diff", str(tmp_path / "none.diff"), str(log)]) == 2
    assert "--diff" in capsys.readouterr().err
