set -u
PY=${PY:-python}  # a Python with pytest only (no PyYAML, no dateutil)
MYPY=${MYPY:-python}  # a Python with mypy and pip
WORK=${WORK:-/tmp/cases}
OUT=${OUT:-$PWD/out}; rm -rf $OUT; mkdir -p $OUT
run() { # name dir cmd...
  local name=$1 dir=$2; shift 2
  ( cd $dir && echo "##[group]Run $*" && echo "$ $*" && "$@" 2>&1; rc=$?; echo "##[error]Process completed with exit code $rc." ) > $OUT/$name.log
}
# --- pytest
P=$WORK/py; rm -rf $P; mkdir -p $P/tests
w() { mkdir -p $(dirname $1); cat > $1; }
py_case() { rm -rf $P/tests/*; }
# two tests in different files, both assert x == y
py_case
w $P/tests/test_cart.py <<'X'
def total(): return 81
def test_total():
    x, y = total(), 90
    assert x == y
X
w $P/tests/test_stock.py <<'X'
def test_ok(): pass
X
run pytest-cart $P $PY -m pytest -q -p no:cacheprovider tests
sed -i 's/81/82/' $P/tests/test_cart.py; echo "def test_more(): pass" >> $P/tests/test_stock.py
run pytest-cart-data $P $PY -m pytest -q -p no:cacheprovider tests
py_case
w $P/tests/test_cart.py <<'X'
def test_ok(): pass
X
w $P/tests/test_stock.py <<'X'
def level(): return 3
def test_level():
    x, y = level(), 4
    assert x == y
X
run pytest-stock $P $PY -m pytest -q -p no:cacheprovider tests
# same test other reason
py_case
w $P/tests/test_cart.py <<'X'
def total(): return {}["sku"]
def test_total():
    x, y = total(), 90
    assert x == y
X
run pytest-cart-keyerror $P $PY -m pytest -q -p no:cacheprovider tests
# missing modules
py_case
w $P/tests/test_io.py <<'X'
import yaml
def test_load(): pass
X
run pytest-yaml $P $PY -m pytest -q -p no:cacheprovider tests
sed -i '1i # an edit above' $P/tests/test_io.py
run pytest-yaml-shifted $P $PY -m pytest -q -p no:cacheprovider tests
py_case
w $P/tests/test_io.py <<'X'
import dateutil_missing_mod
def test_load(): pass
X
sed -i 's/dateutil_missing_mod/dateutil/' $P/tests/test_io.py
run pytest-dateutil $P $PY -m pytest -q -p no:cacheprovider tests
# sibling parametrised cases with another fault
py_case
w $P/tests/test_parse.py <<'X'
import pytest
def parse(s):
    if s.isascii(): return s.upper()
    return s.encode("ascii")
@pytest.mark.parametrize("s", ["ascii", "ünï"], ids=["ascii", "unicode"])
def test_parse(s):
    assert parse(s) == s
X
run pytest-siblings $P $PY -m pytest -q -p no:cacheprovider tests
# --- mypy
M=$WORK/my; rm -rf $M; mkdir -p $M/src
w $M/src/a.py <<'X'
def name(x: str | None) -> str:
    return x
X
w $M/src/b.py <<'X'
def ok() -> int:
    return 1
X
run mypy-a $M $MYPY -m mypy --no-incremental --cache-dir=/dev/null src
sed -i '1i import os' $M/src/a.py
run mypy-a-shifted $M $MYPY -m mypy --no-incremental --cache-dir=/dev/null src
w $M/src/a.py <<'X'
def name(x: str) -> str:
    return x
X
w $M/src/b.py <<'X'
def title(x: str | None) -> str:
    return x
X
run mypy-b $M $MYPY -m mypy --no-incremental --cache-dir=/dev/null src
# many errors in one run
$PY - "$M" <<'X'
import sys
types = ["int", "float", "bytes", "str | None", "list[int]", "dict[str, int]", "bool"]
for m in range(4):
    out = []
    for i in range(14):
        t = types[(i + m) % len(types)]
        out.append(f"def f{i}(x: {t}) -> str:\n    return x\n")
    open(f"{sys.argv[1]}/src/m{m}.py", "w").write("\n".join(out))
X
run mypy-56 $M $MYPY -m mypy --no-incremental --cache-dir=/dev/null src
# --- gcc
G=$WORK/c; rm -rf $G; mkdir -p $G
w $G/codec.c <<'X'
int decode(const char *s) {
    return len;
}
X
w $G/parse.c <<'X'
int parse(void) { return 0; }
X
run gcc-codec $G gcc -c codec.c parse.c
w $G/codec.c <<'X'
int decode(const char *s) { return 0; }
X
w $G/parse.c <<'X'
int parse(void) {
    return len;
}
X
run gcc-parse $G gcc -c codec.c parse.c
# --- cargo
R=$WORK/rs; rm -rf $R; mkdir -p $R/src
w $R/Cargo.toml <<'X'
[package]
name = "widgets"
version = "0.1.0"
edition = "2021"
[dependencies]
X
w $R/src/lib.rs <<'X'
pub mod render;
pub mod parse;
X
w $R/src/render.rs <<'X'
pub fn width() -> u32 { let w: u32 = "10"; w }
X
w $R/src/parse.rs <<'X'
pub fn parse(s: &str) -> usize { s.len() }
#[cfg(test)]
mod tests {
    #[test]
    fn rejects_empty() { assert_eq!(super::parse(""), 1); }
}
X
run cargo-render $R cargo build --offline -q
w $R/src/render.rs <<'X'
pub fn width() -> u32 { 10 }
X
w $R/src/parse.rs <<'X'
pub fn parse(s: &str) -> usize { let n: usize = "1"; n + s.len() }
X
run cargo-parse $R cargo build --offline -q
w $R/src/parse.rs <<'X'
pub fn parse(s: &str) -> usize { s.len() }
#[cfg(test)]
mod tests {
    #[test]
    fn rejects_empty() { assert_eq!(super::parse(""), 1); }
}
X
run cargo-test-eq $R cargo test --offline -q
w $R/src/parse.rs <<'X'
pub fn parse(s: &str) -> usize { s.len() }
#[cfg(test)]
mod tests {
    #[test]
    fn rejects_empty() { let v: Vec<u8> = vec![]; assert_eq!(v[3] as usize, super::parse("")); }
}
X
run cargo-test-index $R cargo test --offline -q
# --- pip pins
run pip-widgets /tmp $MYPY -m pip install --no-index --disable-pip-version-check widgets==1.2
run pip-widgets-2 /tmp $MYPY -m pip install --no-index --disable-pip-version-check widgets==1.3
run pip-gadgets /tmp $MYPY -m pip install --no-index --disable-pip-version-check gadgets==1.2
# --- generic
printf '##[group]Run ./scripts/check.sh\n$ ./scripts/check.sh\nchecking...\n##[error]Process completed with exit code 1.\n' > $OUT/generic-a.log
printf '##[group]Run ./scripts/other.sh\n$ ./scripts/other.sh\nrunning other\n##[error]Process completed with exit code 1.\n' > $OUT/generic-b.log
printf '##[group]Run make\n$ make\nmake: *** [Makefile:3: all] Error 2\n##[error]Process completed with exit code 2.\n' > $OUT/generic-make.log
