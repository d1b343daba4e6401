"""Finding a pytest failure's file and line in its section of the log."""

from __future__ import annotations

from analysis.types import Failure, FailureKind
from githubapp.pipeline.locate import frames, locate, with_location

LOG = """\
2026-11-24T10:00:00.0000001Z ======================= FAILURES =======================
2026-11-24T10:00:00.0000002Z _______________ test_total _______________
2026-11-24T10:00:00.0000003Z
2026-11-24T10:00:00.0000004Z     def test_total():
2026-11-24T10:00:00.0000005Z >       assert total([1, 2]) == 3
2026-11-24T10:00:00.0000006Z E       assert 2 == 3
2026-11-24T10:00:00.0000007Z
2026-11-24T10:00:00.0000008Z tests/test_app.py:6: AssertionError
2026-11-24T10:00:00.0000009Z _____________ TestParse.test_empty[json] _____________
2026-11-24T10:00:00.0000010Z tests/test_parse.py:12: in test_empty
2026-11-24T10:00:00.0000011Z     parse("")
2026-11-24T10:00:00.0000012Z src/parse.py:40: in parse
2026-11-24T10:00:00.0000013Z     raise ValueError("empty")
2026-11-24T10:00:00.0000014Z E   ValueError: empty
2026-11-24T10:00:00.0000015Z src/parse.py:41: ValueError
2026-11-24T10:00:00.0000016Z =================== short test summary info ===================
""".splitlines()


def failure(test_id: str | None, **kw: object) -> Failure:
    return Failure(FailureKind.TEST, "pytest", "boom", test_id=test_id, **kw)  # type: ignore[arg-type]


def test_assertion_in_the_test_itself() -> None:
    assert locate(LOG, failure("tests/test_app.py::test_total")) == ("tests/test_app.py", 6)


def test_innermost_frame_inside_the_repository() -> None:
    f = failure("tests/test_parse.py::TestParse::test_empty[json]")
    assert frames(LOG, f) == [("tests/test_parse.py", 12), ("src/parse.py", 40), ("src/parse.py", 41)]
    assert locate(LOG, f) == ("src/parse.py", 41)
    in_library = [line.replace("src/parse.py", "/usr/lib/python3.11/json/decoder.py") for line in LOG]
    assert locate(in_library, f) == ("tests/test_parse.py", 12)  # the library frames are not ours


def test_nothing_to_find() -> None:
    assert locate(LOG, failure("tests/test_app.py::test_missing")) is None
    assert locate(LOG, failure(None)) is None
    known = failure("tests/test_app.py::test_total", file="x.py", line=1)
    assert with_location(LOG, known) is known  # the extraction's own location wins


def test_section_range_and_excerpt() -> None:
    from analysis.types import Analysis, LineRange
    from githubapp.pipeline.assemble import excerpt_lines
    from githubapp.pipeline.locate import section

    f = failure("tests/test_app.py::test_total", evidence=(LineRange(16, 16),))
    found = section([*LOG, "FAILED tests/test_app.py::test_total - assert 2 == 3"], f)
    assert found is not None and found.lines == LineRange(2, 8)
    lines = [*LOG, "FAILED tests/test_app.py::test_total - assert 2 == 3"]
    picked = excerpt_lines(lines, f, Analysis((), (), ""), around=found.lines, context=(0, 1))
    assert picked[0].endswith("_ test_total _______________") and picked[-1].startswith("FAILED")
    assert len(picked) == 7 + 2  # the section, then the evidence line and one after (the last line)
