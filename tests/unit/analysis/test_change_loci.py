"""Where a change touched the code: changed lines from GitHub's patches, git diffs and two texts, and the symbols
they are in."""

from __future__ import annotations

from analysis.change_loci import (
    MAX_LINES_PER_FILE,
    MAX_LOCI,
    MAX_SOURCE_LINES,
    UNKNOWN,
    Places,
    apart,
    changed_between,
    changed_code,
    changed_lines,
    diff_changes,
    file_loci,
    loci,
    places,
    shared,
)

COUPON_GO = """package invoice

import "errors"

var ErrUnknownCoupon = errors.New("unknown coupon")

func lookup(code string) (Coupon, error) {
\tc, ok := coupons[code]
\tif !ok {
\t\treturn Coupon{}, ErrUnknownCoupon
\t}
\treturn c, nil
}

func (inv *Invoice) ApplyCoupon(code string) error {
\tc, err := lookup(code)
\tif err != nil {
\t\treturn err
\t}
\tinv.Discount = c.Percent
\treturn nil
}
"""


def test_a_patch_names_the_lines_it_adds_or_changes_on_the_new_side() -> None:
    # GitHub's `patch` for one file of GET /pulls/{n}/files: hunks only, no file headers
    patch = "\n".join(
        [
            "@@ -8,4 +8,4 @@ func lookup(code string) (Coupon, error) {",
            " \tc, ok := coupons[code]",
            " \tif !ok {",
            "-\t\treturn Coupon{}, ErrUnknownCoupon",
            "+\t\treturn Coupon{}, nil",
            " \t}",
            "@@ -30,2 +30,3 @@",
            " a",
            "+b",
            " c",
        ]
    )
    assert changed_lines(patch) == {10, 31}


def test_a_removal_counts_where_the_lines_were() -> None:
    patch = "\n".join(
        [
            "@@ -16,5 +16,4 @@ func (inv *Invoice) ApplyCoupon(code string) error {",
            " \tc, err := lookup(code)",
            " \tif err != nil {",
            "-\t\treturn err",
            " \t}",
            " \tinv.Discount = c.Percent",
        ]
    )
    assert changed_lines(patch) == {18}
    assert changed_lines("@@ -1,3 +1,2 @@\n a\n b\n-c") == {3}
    assert changed_lines("\\ No newline at end of file") == frozenset()


def test_a_git_diff_maps_each_file_to_its_changed_lines() -> None:
    diff = "\n".join(
        [
            "diff --git a/x.go b/x.go",
            "index 1111111..2222222 100644",
            "--- a/x.go",
            "+++ b/x.go",
            "@@ -3,3 +3,4 @@ func a() {",
            " one",
            "-two",
            "+TWO",
            "+three",
            " four",
            "diff --git a/gone.py b/gone.py",
            "deleted file mode 100644",
            "--- a/gone.py",
            "+++ /dev/null",
            "@@ -1,2 +0,0 @@",
            "-x",
            "--- y is a removed line that looks like a header",
            "diff --git a/new.py b/new.py",
            "new file mode 100644",
            "--- /dev/null",
            "+++ b/new.py",
            "@@ -0,0 +1,2 @@",
            "+x",
            "+y",
        ]
    )
    assert diff_changes(diff) == {"x.go": {4, 5}, "gone.py": frozenset(), "new.py": {1, 2}}


def test_two_texts_give_the_lines_the_new_one_changed() -> None:
    old = "a\nb\nc\nd\n"
    assert changed_between(old, "a\nB\nc\nd\n") == {2}
    assert changed_between(old, "a\nb\nc\nx\ny\nd\n") == {4, 5}
    assert changed_between(old, "a\nc\nd\n") == {2}
    assert changed_between(None, "a\nb\n") == {1, 2}
    assert changed_between(old, old) == frozenset()


def test_loci_are_the_functions_the_change_is_in() -> None:
    swallowed = COUPON_GO.replace("\t\treturn err\n", "\t\treturn nil\n")
    accepted = COUPON_GO.replace("return Coupon{}, ErrUnknownCoupon", "return Coupon{}, nil")
    one = file_loci("invoice/coupon.go", swallowed, changed_between(COUPON_GO, swallowed))
    two = file_loci("invoice/coupon.go", accepted, changed_between(COUPON_GO, accepted))
    assert one == {"invoice/coupon.go#Invoice.ApplyCoupon"}
    assert two == {"invoice/coupon.go#lookup"}
    assert apart(one, two)


def test_a_change_outside_any_function_is_the_whole_file() -> None:
    shifted = COUPON_GO.replace('import "errors"\n', 'import "errors"\n\n// release notes\n')
    assert file_loci("invoice/coupon.go", shifted, changed_between(COUPON_GO, shifted)) == {"invoice/coupon.go"}
    # ...but beside a change inside one, the function is what it touched
    both = shifted.replace("return Coupon{}, ErrUnknownCoupon", "return Coupon{}, nil")
    assert file_loci("invoice/coupon.go", both, changed_between(COUPON_GO, both)) == {"invoice/coupon.go#lookup"}
    # a file whose text cannot be had, or that was deleted, is a locus as a whole
    assert file_loci("lib/gone.py", None, {3}) == {"lib/gone.py"}
    assert loci({"lib/gone.py": frozenset(), "README.md": {2}}, {"README.md": "# t\nx\n"}) == (
        "README.md",
        "lib/gone.py",
    )


def test_apart_needs_both_changes_known_and_none_shared() -> None:
    assert apart(["a.go#f"], ["a.go#g"])
    assert not apart(["a.go#f", "b.go#h"], ["a.go#g", "b.go#h"])
    assert shared(["a.go#f", "b.go#h"], ["a.go#g", "b.go#h"]) == ("b.go#h",)
    assert not apart([], ["a.go#g"]) and not apart(["a.go#f"], [])
    # a pattern with a member whose change was unknown (a push, a flaky test) is never told apart by place
    assert not apart(["a.go#f", UNKNOWN], ["a.go#g"])


def test_the_changed_code_is_each_edited_line_in_its_function_with_its_data_masked() -> None:
    one = COUPON_GO.replace("inv.Discount = c.Percent", "inv.Discount = c.Percent * 2")
    other_data = COUPON_GO.replace("inv.Discount = c.Percent", "inv.Discount = c.Percent * 3")
    shifted = other_data.replace('import "errors"\n', 'import "errors"\n\n// release notes\n')
    another = COUPON_GO.replace("\t\treturn err\n", "\t\treturn nil\n")
    codes = [
        changed_code({"invoice/coupon.go": changed_between(COUPON_GO, text)}, {"invoice/coupon.go": text})
        for text in (one, other_data, shifted, another)
    ]
    assert len(codes[0]) == 1 and codes[0][0].startswith("invoice/coupon.go#Invoice.ApplyCoupon@")
    assert codes[0] == codes[1] == codes[2]  # other data, then moved down by a comment outside any function
    assert codes[3] != codes[0] and codes[3][0].startswith("invoice/coupon.go#Invoice.ApplyCoupon@")
    # a closing brace or a file GitHub could not give says nothing
    braced = COUPON_GO.replace("\treturn nil\n}\n", "\treturn nil\n}\n}\n")
    assert changed_code({"a.go": changed_between(COUPON_GO, braced)}, {"a.go": braced}) == ()
    assert changed_code({"a.go": {3}}, {}) == ()
    assert places({"invoice/coupon.go": changed_between(COUPON_GO, one)}, {"invoice/coupon.go": one}) == Places(
        ("invoice/coupon.go#Invoice.ApplyCoupon",), codes[0]
    )


def test_a_whole_file_overlaps_any_place_in_it() -> None:
    # a file whose symbols could not be read may hold the other change's function: not apart
    assert not apart(["a.go"], ["a.go#f"]) and not apart(["a.go#g"], ["a.go"])
    assert shared(["a.go#g"], ["a.go", "b.go#h"]) == ("a.go",)
    assert apart(["a.go"], ["b.go#f"])


def test_a_huge_file_or_edit_is_read_as_a_whole_within_bounds() -> None:
    # finding a line's symbol walks up to its definition: a fork's 16,000-line function edited throughout would
    # make that walk quadratic, so such a file is one place, its symbols not read
    body = "def f():\n" + "".join(f"    x{i} = {i}\n" for i in range(MAX_SOURCE_LINES * 4))
    found = places({"big.py": range(1, MAX_SOURCE_LINES * 4)}, {"big.py": body})
    assert found == Places(("big.py",), ())
    few = places({"big.py": range(10, 10 + MAX_LINES_PER_FILE)}, {"big.py": body})
    assert few == Places(("big.py",), ())
    small = "def f():\n" + "".join(f"    x{i} = {i}\n" for i in range(100))
    assert places({"s.py": range(2, 2 + MAX_LINES_PER_FILE + 1)}, {"s.py": small}).functions == ("s.py",)
    assert places({"s.py": range(2, 2 + MAX_LINES_PER_FILE)}, {"s.py": small}).functions == ("s.py#f",)
    # a change touching more places than anyone can tell apart says nothing
    many = {f"m{i}.py": frozenset() for i in range(MAX_LOCI + 1)}
    assert loci(many, {}) == (UNKNOWN,)
