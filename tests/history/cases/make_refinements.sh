# Real tool output for tests/history/test_signature_refinements.py (issue 17: the faulting code itself).
# Run in a scratch directory with cargo, gcc, javac, maven (offline, JUnit 5.10 and Surefire 3.2 cached), pytest,
# node 18+, cmake + googletest (Debian libgtest-dev), perl/prove and flake8 on PATH. Each case is one fault
# (`-a`, `-b`: the same message at two places of one file; `-shifted`: `-a` moved down by lines added above it;
# `-plain`: `-a` in a format that prints no code). Workspace paths become /home/runner/work/<repo>/<repo>.
set -u
WORK=${WORK:-/tmp/refine-cases}
OUT=${OUT:-$PWD/out}; mkdir -p "$OUT"
run() { # name repo dir cmd...
  local name=$1 repo=$2 dir=$3; shift 3
  ( cd "$dir" && echo "##[group]Run $*" && echo "##[endgroup]" && "$@" 2>&1 | sed "s#$dir#/home/runner/work/$repo/$repo#g"
    echo "##[error]Process completed with exit code 1." ) > "$OUT/$name.log"
}
shift_down() { sed -i "1i $2" "$1"; sed -i "1i $2" "$1"; }
# --- rustc: mismatched types at two places
R=$WORK/rs; rm -rf $R; mkdir -p $R && (cd $R && cargo new -q --vcs none shapes); R=$R/shapes
rs() { cat > $R/src/main.rs <<X
fn area(w: u32, h: u32) -> u32 {
    let scale: u32 = $1;
    w * h * scale
}

fn perimeter(w: u32, h: u32) -> u32 {
    let k: u32 = $2;
    k * (w + h)
}

fn main() {
    println!("{} {}", area(2, 3), perimeter(2, 3));
}
X
}
rs '"2"' 2; run rustc-a shapes $R cargo build --offline -q
rs 2 '"2"'; run rustc-b shapes $R cargo build --offline -q
rs '"2"' 2; shift_down $R/src/main.rs "// a note"; run rustc-a-shifted shapes $R cargo build --offline -q
# --- gcc: a missing semicolon in two functions
G=$WORK/c; rm -rf $G; mkdir -p $G
c() { cat > $G/ring.c <<X
int push(int *b, int v) {
    b[0] = v$1
    return 0;
}
int pop(int *b) {
    int v = b[0]$2
    return v;
}
X
}
c '' ';'; run gcc-a ring $G gcc -c ring.c
c ';' ''; run gcc-b ring $G gcc -c ring.c
c '' ';'; shift_down $G/ring.c "/* a note */"; run gcc-a-shifted ring $G gcc -c ring.c
# --- javac: cannot find symbol at two places
J=$WORK/java; rm -rf $J; mkdir -p $J
j() { cat > $J/Invoice.java <<X
class Invoice {
    int subtotal(int[] items) { return $1; }
    int count(int[] items) { return $2; }
}
X
}
j 'items.size()' 'items.length'; run javac-a invoice $J javac Invoice.java
j 'items.length' 'items.size()'; run javac-b invoice $J javac Invoice.java
j 'items.size()' 'items.length'; shift_down $J/Invoice.java "// a note"; run javac-a-shifted invoice $J javac Invoice.java
# --- flake8: the same unnamed check (E225) at two places; without --show-source no code is printed
F=$WORK/f8; rm -rf $F; mkdir -p $F/pkg
f8() { printf 'def area(w, h):\n    s%s= w * h\n    return s\n\n\ndef perimeter(w, h):\n    k%s= w + h\n    return 2 * k\n' "$1" "$2" > $F/pkg/calc.py; }
f8 '' ' '; run flake8-a calc $F flake8 --show-source pkg
f8 ' ' ''; run flake8-b calc $F flake8 --show-source pkg
f8 '' ' '; shift_down $F/pkg/calc.py "# a note"; run flake8-a-shifted calc $F flake8 --show-source pkg
f8 '' ' '; run flake8-a-plain calc $F flake8 pkg
# --- Maven Surefire + JUnit 5: one test, a NullPointerException thrown in two methods
M=$WORK/mvn; rm -rf $M; mkdir -p $M/src/main/java/com/acme $M/src/test/java/com/acme
cat > $M/pom.xml <<'X'
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>com.acme</groupId><artifactId>ship</artifactId><version>1</version>
<properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
<dependencies><dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5.10.2</version><scope>test</scope></dependency></dependencies>
<build><plugins><plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin><plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin><plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>3.2.5</version></plugin></plugins></build>
</project>
X
cat > $M/src/test/java/com/acme/ShippingTest.java <<'X'
package com.acme;
import static org.junit.jupiter.api.Assertions.assertEquals;
import java.util.Map;
import org.junit.jupiter.api.Test;
class ShippingTest {
    @Test
    void cost() {
        Shipping s = new Shipping(Map.of("eu", 3, "w", 1));
        assertEquals(18, s.cost("eu", "parcel"));
    }
}
X
ship() { cat > $M/src/main/java/com/acme/Shipping.java <<X
package com.acme;
import java.util.Map;
public class Shipping {
    private final Map<String, Integer> rates;
    public Shipping(Map<String, Integer> rates) { this.rates = rates; }
    int rate(String zone) {
        return rates.get($1);
    }
    int weight(String label) {
        return label.length() * rates.get($2);
    }
    public int cost(String zone, String label) {
        return rate(zone) * weight(label);
    }
}
X
}
ship 'zone.toUpperCase()' '"w"'; run surefire-npe-a ship $M mvn -o -q -B test
ship 'zone' '"W"'; run surefire-npe-b ship $M mvn -o -q -B test
ship 'zone.toUpperCase()' '"w"'; sed -i 's#^public class Shipping {#// a note\n// a note\npublic class Shipping {#' $M/src/main/java/com/acme/Shipping.java
run surefire-npe-a-shifted ship $M mvn -o -q -B test
# --- pytest: one test, a KeyError raised in two functions (long and short tracebacks)
P=$WORK/py; rm -rf $P; mkdir -p $P/src $P/tests
printf 'import sys\nsys.path.insert(0, "src")\nfrom cart import total\n\n\ndef test_total():\n    assert total(["apple"]) == 3\n' > $P/tests/test_cart.py
py() { printf '%s\n\n\ndef price(name):\n    return PRICES[name]\n\n\ndef weight(name):\n    return {%s: 1}[name]\n\n\ndef total(names):\n    return sum(price(n) * weight(n) for n in names)\n' "$1" "$2" > $P/src/cart.py; }
py 'PRICES = {"pear": 3}' '"apple"'; run pytest-keyerror-a shop $P python -m pytest -q -p no:cacheprovider tests
py 'PRICES = {"apple": 3}' '"pear"'; run pytest-keyerror-b shop $P python -m pytest -q -p no:cacheprovider tests
py 'PRICES = {"pear": 3}' '"apple"'; shift_down $P/src/cart.py "# a note"; run pytest-keyerror-a-shifted shop $P python -m pytest -q -p no:cacheprovider --tb=short tests
# --- node --test: one test, a TypeError thrown in two functions
N=$WORK/node; rm -rf $N; mkdir -p $N/src $N/test
printf 'const test = require("node:test");\nconst assert = require("node:assert");\nconst { parse } = require("../src/argv");\ntest("parses flags", () => {\n  assert.deepStrictEqual(parse(["--mode=fast", "--out", "x"]), { mode: "fast", out: "x" });\n});\n' > $N/test/argv.test.js
nd() { printf 'function flag(args, name) {\n  return args.find((a) => a.startsWith(%s)).slice(name.length);\n}\nfunction value(args, name) {\n  return args[args.indexOf(name) + %s].trim();\n}\nfunction parse(args) {\n  return { mode: flag(args, "--mode="), out: value(args, "--out") };\n}\nmodule.exports = { parse };\n' "$1" "$2" > $N/src/argv.js; }
nd 'name + "x"' 1; run node-typeerror-a argv $N node --test --test-reporter=spec test/
nd 'name' 5; run node-typeerror-b argv $N node --test --test-reporter=spec test/
nd 'name + "x"' 1; shift_down $N/src/argv.js "// a note"; run node-typeerror-a-shifted argv $N node --test --test-reporter=spec test/
# --- CTest + googletest: two assertions of one test
T=$WORK/gtest; rm -rf $T; mkdir -p $T
printf 'cmake_minimum_required(VERSION 3.14)\nproject(matrix CXX)\nset(CMAKE_CXX_STANDARD 17)\nfind_package(GTest REQUIRED)\nenable_testing()\nadd_executable(matrix_test matrix_test.cpp)\ntarget_link_libraries(matrix_test GTest::gtest_main)\nadd_test(NAME matrix_test COMMAND matrix_test)\n' > $T/CMakeLists.txt
gt() { printf '#include <gtest/gtest.h>\nstatic int rows(int n) { return %s; }\nstatic int cols(int n) { return %s; }\nTEST(Matrix, Shape) {\n    EXPECT_EQ(rows(2), 2);\n    EXPECT_EQ(cols(3), 3);\n}\n' "$1" "$2" > $T/matrix_test.cpp; }
ct() { cmake -S $T -B $T/build > /dev/null && cmake --build $T/build > /dev/null && run "$1" matrix $T ctest --test-dir build --output-on-failure; }
gt 'n + 1' 'n'; ct ctest-gtest-a
gt 'n' 'n - 1'; ct ctest-gtest-b
gt 'n + 1' 'n'; shift_down $T/matrix_test.cpp "// a note"; ct ctest-gtest-a-shifted
# --- prove: two unnamed Test::More assertions of one .t file
L=$WORK/perl; rm -rf $L; mkdir -p $L/t $L/lib
printf 'package Csv;\nsub split_line { my ($l) = @_; return split /,/, $l; }\nsub join_line { return join ",", @_; }\n1;\n' > $L/lib/Csv.pm
pl() { printf "use strict; use warnings;\nuse Test::More tests => 2;\nuse lib 'lib';\nuse Csv;\nis_deeply([Csv::split_line(\"a,b\")], %s);\nis(Csv::join_line(\"a\",\"b\"), %s);\n" "$1" "$2" > $L/t/csv.t; }
pl '["a","c"]' '"a,b"'; run prove-unnamed-a csvlite $L prove -l t
pl '["a","b"]' '"a;b"'; run prove-unnamed-b csvlite $L prove -l t
pl '["a","c"]' '"a,b"'; sed -i '2i # a note' $L/t/csv.t; run prove-unnamed-a-shifted csvlite $L prove -l t
# --- CTest + Catch2 (Debian catch2, v2): two REQUIREs of one test case
C=$WORK/catch2; rm -rf $C; mkdir -p $C
printf 'cmake_minimum_required(VERSION 3.14)\nproject(matrix CXX)\nset(CMAKE_CXX_STANDARD 17)\nenable_testing()\nadd_executable(matrix_test matrix_test.cpp)\nadd_test(NAME matrix_test COMMAND matrix_test)\n' > $C/CMakeLists.txt
c2() { printf '#define CATCH_CONFIG_MAIN\n#include <catch2/catch.hpp>\nstatic int rows(int n) { return %s; }\nstatic int cols(int n) { return %s; }\nTEST_CASE("matrix shape") {\n    REQUIRE(rows(2) == 2);\n    REQUIRE(cols(3) == 3);\n}\n' "$1" "$2" > $C/matrix_test.cpp; }
c2ct() { cmake -S $C -B $C/build > /dev/null && cmake --build $C/build > /dev/null && run "$1" matrix $C ctest --test-dir build --output-on-failure; }
c2 'n + 1' 'n'; c2ct ctest-catch2-a
c2 'n' 'n - 1'; c2ct ctest-catch2-b
c2 'n + 1' 'n'; shift_down $C/matrix_test.cpp "// a note"; c2ct ctest-catch2-a-shifted
# --- prove: a script dying with one message in the first or the second assertion
printf "use strict; use warnings;\nuse Test::More tests => 3;\nuse lib 'lib';\nuse Csv;\nis(Csv::field(\"a,b\", 0), \"a\", 'first field');\nis(Csv::field(\"a,b\", 1), \"b\", 'second field');\nok(1, 'loads');\n" > $L/t/csv.t
die_in() { printf 'package Csv;\nsub field {\n    my ($l, $i) = @_;\n    my @f = split /,/, $l;\n    die "no such field" if %s;\n    return $f[$i];\n}\n1;\n' "$1" > $L/lib/Csv.pm; }
die_in '$i == 0'; run prove-died-a csvlite $L prove -l t
die_in '$i == 1'; run prove-died-b csvlite $L prove -l t
die_in '$i == 0'; sed -i '2i # a note' $L/lib/Csv.pm; run prove-died-a-shifted csvlite $L prove -l t
