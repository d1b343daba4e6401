"""Repeats of one message folded into one failure keep their true count and files (``analysis.repeats``)."""

from __future__ import annotations

from analysis.engine import analyze_text
from analysis.repeats import MAX_FILES_COUNTED, MAX_FILES_LISTED, Repeats


def _mypy(path: str, line: int, name: str) -> str:
    """A mypy error line as mypy documents it: ``file:line: error: message  [code]``."""
    return f'{path}:{line}: error: Name "{name}" is not defined  [name-defined]'


def test_a_repeated_message_keeps_its_count_and_files_in_log_order() -> None:
    log = "\n".join([
        "$ mypy src",
        _mypy("src/gen/v2.py", 3, "x2"),
        _mypy("src/gen/v1.py", 4, "x1"),
        _mypy("src/gen/v2.py", 9, "x2"),
        _mypy("src/gen/v3.py", 5, "x3"),
        "src/app.py:7: error: Incompatible return value type (got \"int\", expected \"str\")  [return-value]",
        "Found 5 errors in 4 files (checked 9 source files)",
    ])
    failures = analyze_text(log).failures
    [folded] = [f for f in failures if "is not defined" in f.message]
    assert folded.occurrences == 4
    assert folded.files == (("src/gen/v2.py", 2), ("src/gen/v1.py", 1), ("src/gen/v3.py", 1))
    assert folded.file_count == 3
    [once] = [f for f in failures if "Incompatible" in f.message]
    assert (once.occurrences, once.files, once.file_count) == (1, (), 0)


def test_the_file_list_is_capped_and_the_total_is_true_up_to_the_bound() -> None:
    repeats = Repeats.first("f0.py")
    for n in range(1, 150):
        repeats.add(f"f{n}.py")
    repeats.add("f0.py")
    repeats.add(None)  # an occurrence whose line named no file
    count, files, total = repeats.frozen(lambda path: path)
    assert (count, total) == (152, 150)
    assert len(files) == MAX_FILES_LISTED and files[0] == ("f0.py", 2) and files[1] == ("f1.py", 1)
    bounded = Repeats.first(None)
    for n in range(MAX_FILES_COUNTED + 10):
        bounded.add(f"g{n}.py")
    assert bounded.frozen(lambda path: path)[2] == MAX_FILES_COUNTED  # memory stays bounded: a lower bound
