import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.fixes.patch import (
    PatchError,
    apply_file_patch,
    apply_patch,
    check_paths,
    parse_patch,
    split_lines,
    unified_diff,
)

# Lines drawn from a small alphabet so that diffs have repeated lines, shared context and ambiguity;
# "\r" and unicode separators check that only "\n" splits lines.
_line = st.text(alphabet="ab \t\r\x0c\u2028é{}", max_size=6)
_text = st.lists(_line, max_size=25).map("\n".join) | st.lists(_line, max_size=25).map(
    lambda ls: "".join(x + "\n" for x in ls)
)


@settings(max_examples=400, deadline=None)
@given(old=_text, new=_text, context=st.integers(0, 4))
def test_round_trip_through_our_diff(old: str, new: str, context: int) -> None:
    diff = unified_diff(old, new, "src/f.txt", context=context)
    if old == new:
        assert diff == ""
        return
    patch = parse_patch(diff)
    assert apply_patch(patch, {"src/f.txt": old}) == {"src/f.txt": new}


@settings(max_examples=300, deadline=None)
@given(old=st.lists(_line, max_size=25), new=st.lists(_line, max_size=25))
def test_round_trip_through_plain_difflib(old: list[str], new: list[str]) -> None:
    # Texts ending in a newline: difflib's own output is a complete unified diff.
    a = [x + "\n" for x in old]
    b = [x + "\n" for x in new]
    diff = "".join(difflib.unified_diff(a, b, "a/x.py", "b/x.py"))
    if a == b:
        return
    assert apply_patch(parse_patch(diff), {"x.py": "".join(a)}) == {"x.py": "".join(b)}


@settings(max_examples=150, deadline=None)
@given(old=_text, new=_text, junk=_text)
def test_a_diff_never_applies_to_other_text_silently(old: str, new: str, junk: str) -> None:
    # Applying to unrelated text either fails loudly or, when the context happens to match, yields what
    # the diff describes at that place: it never raises anything but PatchError.
    diff = unified_diff(old, new, "f")
    if not diff:
        return
    try:
        apply_patch(parse_patch(diff), {"f": junk})
    except PatchError:
        pass


def test_new_and_deleted_files() -> None:
    created = parse_patch(unified_diff(None, "hello\nworld\n", "docs/new.md"))
    assert created.files[0].is_new
    assert apply_patch(created, {"docs/new.md": None}) == {"docs/new.md": "hello\nworld\n"}
    with pytest.raises(PatchError, match="already exists"):
        apply_patch(created, {"docs/new.md": "x\n"})

    deleted = parse_patch(unified_diff("bye\n", None, "old.txt"))
    assert deleted.files[0].is_deleted
    assert apply_patch(deleted, {"old.txt": "bye\n"}) == {"old.txt": None}
    with pytest.raises(PatchError, match="does not apply"):
        apply_patch(deleted, {"old.txt": "changed\n"})


def test_git_headers_and_no_newline_markers() -> None:
    diff = (
        "diff --git a/a.txt b/a.txt\n"
        "index 1111111..2222222 100644\n"
        "--- a/a.txt\n"
        "+++ b/a.txt\n"
        "@@ -1,2 +1,2 @@\n"
        " one\n"
        "-two\n"
        "\\ No newline at end of file\n"
        "+two!\n"
        "\\ No newline at end of file\n"
    )
    assert apply_patch(parse_patch(diff), {"a.txt": "one\ntwo"}) == {"a.txt": "one\ntwo!"}
    # The old side says "no newline": a file that has one does not match (fuzz 0).
    with pytest.raises(PatchError, match="does not apply"):
        apply_patch(parse_patch(diff), {"a.txt": "one\ntwo\n"})


def test_crlf_files_keep_their_line_endings() -> None:
    old, new = "a\r\nb\r\n", "a\r\nB\r\n"
    assert apply_patch(parse_patch(unified_diff(old, new, "w.txt")), {"w.txt": old}) == {"w.txt": new}


def test_context_must_match_exactly_but_may_move() -> None:
    diff = unified_diff("a\nb\nc\nd\n", "a\nb\nC\nd\n", "f")
    # Two lines inserted above: the hunk moves (offset), as git apply does.
    assert apply_patch(parse_patch(diff), {"f": "x\ny\na\nb\nc\nd\n"}) == {"f": "x\ny\na\nb\nC\nd\n"}
    # One context line differs in whitespace only: refused (fuzz 0).
    with pytest.raises(PatchError, match="hunk 1"):
        apply_patch(parse_patch(diff), {"f": "a\nb \nc\nd\n"})


def test_timestamps_after_tab_and_plain_paths() -> None:
    # black --diff style headers
    diff = (
        "--- src/m.py\t2024-01-01 00:00:00.000000+00:00\n"
        "+++ src/m.py\t2024-01-01 00:00:01.000000+00:00\n"
        "@@ -1 +1 @@\n"
        "-x=1\n"
        "+x = 1\n"
    )
    patch = parse_patch(diff)
    assert patch.paths == ["src/m.py"]
    assert apply_patch(patch, {"src/m.py": "x=1\n"}) == {"src/m.py": "x = 1\n"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("nothing here\n", "no file diffs"),
        ("--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n", "truncated"),  # log cut mid-hunk
        ("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n-b\n+c\n", "line counts"),  # counts lie
        ("--- a/f\n+++ b/f\n@@ bogus @@\n", "malformed hunk header"),
        ("--- a/f\n+++ b/f\nplain text\n", "no hunks"),
        ("diff --git a/x b/y\nrename from x\nrename to y\n", "unsupported"),
        ("diff --git a/i.png b/i.png\nBinary files a/i.png and b/i.png differ\n", "unsupported"),
        ("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-b\n+c\n", "twice"),
    ],
)
def test_malformed_diffs_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(PatchError, match=reason):
        parse_patch(text)


@pytest.mark.parametrize(
    "path",
    [
        "../etc/passwd",  # leaves the repository
        "src/../../x",  # leaves it from inside
        "/etc/passwd",  # absolute
        "C:/Windows/x",  # drive letter
        ".github/workflows/ci.yml",  # workflow files are never changed
        ".GitHub/Workflows/ci.yml",  # not even by case games
        ".git/config",  # repository internals
        "src//x.py",  # empty segment
        "src\\x.py",  # backslash
        "./src/x.py",  # dot segment
    ],
)
def test_unsafe_paths_are_refused(path: str) -> None:
    patch = parse_patch(f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-a\n+b\n")
    with pytest.raises(PatchError):
        check_paths(patch)


def test_safe_paths_pass() -> None:
    check_paths(parse_patch("--- a/.github/dependabot.yml\n+++ b/.github/dependabot.yml\n@@ -1 +1 @@\n-a\n+b\n"))
    check_paths(parse_patch(unified_diff(None, "x\n", "pkg/new_file.py")))


def test_split_lines_only_splits_on_newline() -> None:
    assert split_lines("a\rb\u2028c\nd") == ["a\rb\u2028c\n", "d"]
    assert split_lines("") == []
    assert split_lines("\n\n") == ["\n", "\n"]


def test_deleting_needs_every_line_removed() -> None:
    fp = parse_patch("--- a/f\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n").files[0]
    with pytest.raises(PatchError, match="all of its lines"):
        apply_file_patch("a\nb\n", fp)
