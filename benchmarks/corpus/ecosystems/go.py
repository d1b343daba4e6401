"""Go: go test (-v and -json, table-driven subtests), go vet, go build; std-only modules."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.corpus.ecosystems import _go_invoice
from benchmarks.corpus.faultkit import Fault, Generator, Project, Scenario, run, tool_version
from benchmarks.corpus.model import RawCase, Step

TOOLS = ("go-test", "go-vet", "go-build")
APT = ("golang-go",)

CONFIG_GO = """// Package confkit loads the service's key=value configuration.
package confkit

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

{{SHIFT}}
// Config is the parsed configuration.
type Config struct {
	Host    string
	Port    int
	Timeout time.Duration
	Debug   bool
	Tags    []string
}

// Parse reads one key=value pair per line; '#' starts a comment.
func Parse(text string) (Config, error) {
	cfg := Config{Host: "localhost", Port: 8080, Timeout: 30 * time.Second}
	for n, raw := range strings.Split(text, "\\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return cfg, fmt.Errorf("line %d: missing '='", n+1)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "host":
			{{HOST}}
		case "port":
			p, err := strconv.Atoi(value)
			if err != nil {
				{{PORT_ERR}}
			}
			{{PORT}}
		case "timeout":
			d, err := time.ParseDuration(value)
			if err != nil {
				{{TIMEOUT_ERR}}
			}
			{{TIMEOUT}}
		case "debug":
			cfg.Debug = {{DEBUG}}
		case "tags":
			cfg.Tags = splitList(value)
		default:
			return cfg, fmt.Errorf("line %d: unknown key %q", n+1, key)
		}
	}
	return cfg, nil
}

// splitList splits "a, b, c" into its trimmed, non-empty items.
func splitList(value string) []string {
	parts := strings.Split(value, {{SEP}})
	items := make([]string, 0, len(parts))
	for i := 0; {{LOOP}}; i++ {
		item := strings.TrimSpace(parts[i])
		if item != "" {
			items = append(items, item)
		}
	}
	return items
}
"""

EXPAND_GO = """package confkit

import "strings"

{{SHIFT}}
// Expand replaces $NAME and ${NAME} by their values in env; unknown names become empty.
func Expand(s string, env map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if s[i+1] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				break
			}
			{{BRACE}}
			i += end
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		{{PLAIN}}
		i = j - 1
	}
	return b.String()
}
"""

CONFIG_TEST_GO = """package confkit

import (
	"reflect"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	cfg, err := Parse("# service\\nhost = API.Example.org\\nport = 9090\\ntimeout = 2s\\ndebug = true\\n")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	t.Run("host", func(t *testing.T) {
		if cfg.Host != "api.example.org" {
			t.Errorf("Host = %q, want %q", cfg.Host, "api.example.org")
		}
	})
	t.Run("port", func(t *testing.T) {
		if cfg.Port != 9090 {
			t.Errorf("Port = %d, want %d", cfg.Port, 9090)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		if cfg.Timeout != 2*time.Second {
			t.Errorf("Timeout = %v, want %v", cfg.Timeout, 2*time.Second)
		}
	})
	t.Run("debug", func(t *testing.T) {
		if !cfg.Debug {
			t.Errorf("Debug = %v, want true", cfg.Debug)
		}
	})
	t.Run("tags", func(t *testing.T) {
		want := []string{"a", "b", "c"}
		if got := splitList("a, b,, c"); !reflect.DeepEqual(got, want) {
			t.Errorf("Tags = %q, want %q", got, want)
		}
	})
}

func TestParseRejectsUnknownKey(t *testing.T) {
	if _, err := Parse("colour = blue"); err == nil {
		t.Fatal("Parse accepted an unknown key")
	}
}

func TestExpand(t *testing.T) {
	env := map[string]string{"HOME": "/home/app", "USER": "svc"}
	cases := []struct{ name, in, want string }{
		{"braces", "${HOME}/data", "/home/app/data"},
		{"plain", "$USER@host", "svc@host"},
		{"missing", "x${NOPE}y", "xy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Expand(tc.in, env); got != tc.want {
				t.Errorf("Expand(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
"""

CONFIG_DEFAULTS = {
    "HOST": "cfg.Host = strings.ToLower(value)",
    "PORT_ERR": 'return cfg, fmt.Errorf("line %d: bad port %q", n+1, value)',
    "PORT": "cfg.Port = p",
    "TIMEOUT_ERR": 'return cfg, fmt.Errorf("line %d: bad timeout %q", n+1, value)',
    "TIMEOUT": "cfg.Timeout = d",
    "DEBUG": 'value == "true"',
    "SEP": '","',
    "LOOP": "i < len(parts)",
    "BRACE": "b.WriteString(env[s[i+2:i+end]])",
    "PLAIN": "b.WriteString(env[s[i+1:j]])",
}


def _fail(test: str, *lines: str) -> tuple[str, ...]:
    parent, _, _ = test.partition("/")
    head = (rf"^--- FAIL: {re.escape(parent)} \(",) if "/" in test else ()
    return (*head, rf"^\s*--- FAIL: {re.escape(test)} \(", *lines)


def _t(key: str, file: str, switch: str, bad: tuple[str, ...], test: str, *lines: str, **kw: object) -> Fault:
    # The assertion site is the file:line go test prints before this test's own message.
    kw.setdefault("test_loc", lines[0].replace(r"config_test\.go:\d+:", r"(?P<file>config_test\.go):(?P<line>\d+):"))
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="go-test", kind="test", test_id=test,
                 evidence=_fail(test, *lines), group="test", **kw)  # type: ignore[arg-type]


def _build(key: str, switch: str, bad: tuple[str, ...], message: str, file: str = "config.go",
           **kw: object) -> Fault:
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="go-build", kind="compile",
                 evidence=(rf"^\./{re.escape(file)}:\d+:\d+: {message}",), group="build", **kw)  # type: ignore[arg-type]


def _vet(key: str, switch: str, bad: tuple[str, ...], message: str, **kw: object) -> Fault:
    return Fault(key=key, file="config.go", switch=switch, bad=bad, tool="go-vet", kind="lint",
                 evidence=(r"^# example\.com/confkit$", rf"^\./config\.go:\d+:\d+: {message}"), group="vet",
                 **kw)  # type: ignore[arg-type]


CONFIG_FAULTS: tuple[Fault, ...] = (
    _t("port-off-by-one", "config.go", "PORT", ("cfg.Port = p + 1", "cfg.Port = p - 10"), "TestParse/port",
       r"config_test\.go:\d+: Port = \d+, want 9090"),
    _t("host-not-lowercased", "config.go", "HOST", ("cfg.Host = value", "cfg.Host = strings.ToUpper(value)"),
       "TestParse/host", r"config_test\.go:\d+: Host = \".*\", want \"api\.example\.org\"",
       negative_of="port-off-by-one", hard_negative="sibling-subtest"),
    _t("timeout-in-milliseconds", "config.go", "TIMEOUT", ("cfg.Timeout = d * 1000", "cfg.Timeout = d / 2"),
       "TestParse/timeout", r"config_test\.go:\d+: Timeout = .*, want 2s"),
    _t("debug-accepts-yes-only", "config.go", "DEBUG", ('value == "yes"', 'value == "1"'), "TestParse/debug",
       r"config_test\.go:\d+: Debug = false, want true", negative_of="timeout-in-milliseconds",
       hard_negative="sibling-subtest"),
    _t("tags-split-on-semicolon", "config.go", "SEP", ('";"', '" "'), "TestParse/tags",
       r"config_test\.go:\d+: Tags = .*, want \[\"a\" \"b\" \"c\"\]"),
    _t("tags-loop-past-end", "config.go", "LOOP", ("i <= len(parts)", "i < len(parts)+1"), "TestParse/tags",
       r"^panic: runtime error: index out of range \[\d+\] with length \d+", r"^goroutine \d+ \[running\]:",
       rf"^\s+{re.escape('/home/runner/work/go-confkit/go-confkit/config.go')}:\d+",
       test_loc=r"^\s+/home/runner/work/go-confkit/go-confkit/(?P<file>config\.go):(?P<line>\d+)",
       negative_of="tags-split-on-semicolon", hard_negative="same-test-other-reason",
       variants=("timestamps", "shifted", "order")),
    _t("expand-braces-keeps-brace", "expand.go", "BRACE",
       ("b.WriteString(env[s[i+2:i+end+1]])", "b.WriteString(env[s[i+1:i+end]])"), "TestExpand/braces",
       r"config_test\.go:\d+: Expand\(\"\$\{HOME\}/data\"\) = \".*\", want \"/home/app/data\""),
    _t("expand-plain-drops-name", "expand.go", "PLAIN",
       ("b.WriteString(env[s[i:j]])", "b.WriteString(s[i+1:j])"), "TestExpand/plain",
       r"config_test\.go:\d+: Expand\(\"\$USER@host\"\) = \".*\", want \"svc@host\"",
       negative_of="expand-braces-keeps-brace", hard_negative="sibling-subtest"),
    _build("port-undefined-name", "PORT", ("cfg.Port = port", "cfg.Port = portNumber"), r"undefined: port"),
    _build("timeout-undefined-name", "TIMEOUT", ("cfg.Timeout = dur", "cfg.Timeout = timeout"),
           r"undefined: (dur|timeout)", negative_of="port-undefined-name", hard_negative="same-code-other-symbol"),
    _build("port-string-assigned", "PORT", ("cfg.Port = value", "cfg.Port = key"),
           r"cannot use (value|key) \(variable of type string\) as (type )?int( value)? in assignment"),
    _build("debug-string-assigned", "DEBUG", ("value", "key"),
           r"cannot use (value|key) \(variable of type string\) as (type )?bool( value)? in assignment",
           negative_of="port-string-assigned", hard_negative="same-code-other-symbol"),
    _vet("port-error-wrong-verb", "PORT_ERR", ('return cfg, fmt.Errorf("line %d: bad port %d", n+1, value)',
                                               'return cfg, fmt.Errorf("line %d: bad port %d", value, n+1)'),
         r"fmt\.Errorf format %d has arg value of wrong type string"),
    _vet("timeout-error-wrong-verb", "TIMEOUT_ERR",
         ('return cfg, fmt.Errorf("line %d: bad timeout %d", n+1, value)',),
         r"fmt\.Errorf format %d has arg value of wrong type string", negative_of="port-error-wrong-verb",
         hard_negative="same-message-other-place"),
    _vet("host-self-assignment", "HOST", ("cfg.Host = cfg.Host", "cfg.Port = cfg.Port"),
         r"self-assignment of cfg\.(Host|Port) to cfg\.(Host|Port)"),
)


def _confkit() -> Project:
    files = {"go.mod": "module example.com/confkit\n\ngo 1.19\n", "config.go": CONFIG_GO,
             "expand.go": EXPAND_GO, "config_test.go": CONFIG_TEST_GO}
    return Project(name="go-confkit", ecosystem="go", files=files, defaults=CONFIG_DEFAULTS, faults=CONFIG_FAULTS,
                   comment="//", job_name="test (1.19)", matrix_job_name="test (1.19, 386)",
                   toolchain_version=tool_version("go version", r"go(\d+\.\d+(?:\.\d+)?)"))


BUCKET_GO = """// Package ratelimit is a token bucket.
package ratelimit

import "time"

{{SHIFT}}
// Bucket holds up to Burst tokens and gains Rate tokens per second.
type Bucket struct {
	Rate   float64
	Burst  float64
	tokens float64
	last   time.Time
}

// New returns a full bucket.
func New(rate, burst float64, now time.Time) *Bucket {
	return &Bucket{Rate: rate, Burst: burst, tokens: {{START}}, last: now}
}

// Allow takes one token at time now if there is one.
func (b *Bucket) Allow(now time.Time) bool {
	elapsed := now.Sub(b.last).Seconds()
	b.last = now
	b.tokens += {{REFILL}}
	if {{CAP}} {
		b.tokens = b.Burst
	}
	if b.tokens {{CMP}} 1 {
		return false
	}
	b.tokens--
	return true
}
"""

BUCKET_TEST_GO = """package ratelimit

import (
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t.Run("burst", func(t *testing.T) {
		b := New(1, 3, start)
		allowed := 0
		for i := 0; i < 5; i++ {
			if b.Allow(start) {
				allowed++
			}
		}
		if allowed != 3 {
			t.Errorf("allowed %d of 5 at once, want 3", allowed)
		}
	})
	t.Run("refill", func(t *testing.T) {
		b := New(2, 2, start)
		b.Allow(start)
		b.Allow(start)
		if !b.Allow(start.Add(600 * time.Millisecond)) {
			t.Errorf("no token 600ms after emptying at rate 2/s")
		}
	})
	t.Run("idle", func(t *testing.T) {
		b := New(5, 2, start)
		later := start.Add(time.Hour)
		n := 0
		for b.Allow(later) {
			n++
			if n > 10 {
				t.Fatalf("bucket never ran dry after an hour idle (burst 2)")
			}
		}
	})
}
"""

BUCKET_DEFAULTS = {"START": "burst", "REFILL": "elapsed * b.Rate", "CMP": "<", "CAP": "b.tokens > b.Burst"}


def _j(key: str, switch: str, bad: tuple[str, ...], test: str, message: str, **kw: object) -> Fault:
    # go test -json: the evidence is the events carrying the test's output and its fail action.
    t = re.escape(test)
    return Fault(key=key, file="bucket.go", switch=switch, bad=bad, tool="go-test", kind="test", test_id=test,
                 evidence=(rf'"Test":"{t}","Output":"    bucket_test\.go:\d+: {message}',
                           rf'"Action":"fail","Package":"example\.com/ratelimit","Test":"{t}"'),
                 test_loc=rf'"Test":"{t}","Output":"    (?P<file>bucket_test\.go):(?P<line>\d+): ',
                 group="test", **kw)  # type: ignore[arg-type]


BUCKET_FAULTS: tuple[Fault, ...] = (
    _j("burst-starts-empty", "START", ("burst - 1", "burst / 2"), "TestBucket/burst",
       r"allowed \d of 5 at once, want 3"),
    _j("refill-per-minute", "REFILL", ("elapsed * b.Rate / 60", "elapsed / b.Rate"), "TestBucket/refill",
       r"no token 600ms after emptying"),
    _j("allow-compares-wrong-way", "CMP", ("<=", "< 2 *"), "TestBucket/burst", r"allowed \d of 5 at once, want 3",
       negative_of="burst-starts-empty", hard_negative="same-test-other-reason"),
    _j("idle-cap-too-high", "CAP", ("b.tokens < 0",), "TestBucket/idle",
       r"bucket never ran dry", negative_of="refill-per-minute", hard_negative="sibling-subtest"),
)


def _ratelimit() -> Project:
    files = {"go.mod": "module example.com/ratelimit\n\ngo 1.19\n", "bucket.go": BUCKET_GO,
             "bucket_test.go": BUCKET_TEST_GO}
    return Project(name="go-ratelimit", ecosystem="go", files=files, defaults=BUCKET_DEFAULTS,
                   faults=BUCKET_FAULTS, comment="//", job_name="unit", matrix_job_name="unit (386)",
                   toolchain_version=tool_version("go version", r"go(\d+\.\d+(?:\.\d+)?)"))


def steps(
    root: Path, scenario: Scenario, repo: str, json_report: bool, cache: Path, timeout: str | None = None
) -> Sequence[Step]:
    """go build, go vet, go test (-v, or -json; ``timeout``: the workflow's ``-timeout``), as a CI job runs them."""
    env = {"GOCACHE": str(cache / "build"), "GOPATH": str(cache / "gopath"), "GOFLAGS": "-mod=mod",
           "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}
    if scenario.matrix:
        env["GOARCH"] = "386"
    out = [run("go build -v ./...", root, repo, env)]
    if out[-1].exit_code:
        return out
    out.append(run("go vet ./...", root, repo, env))
    if out[-1].exit_code:
        return out
    flags = ["-v"] if not scenario.verbose else []
    if json_report:
        flags = ["-json"]
        if scenario.verbose:
            flags.append("-count=1")
    if scenario.seed is not None:
        flags.append(f"-shuffle={scenario.seed}")
    if timeout:
        flags.append(f"-timeout={timeout}")
    out.append(run(f"go test {' '.join(flags)} ./...".replace("  ", " "), root, repo, env))
    return out


def failed_tests(output: str) -> set[str]:
    """Failing leaf tests from go test's own report: -json fail events, else the `--- FAIL:` lines."""
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    if events:
        names = {e["Test"] for e in events if e.get("Action") == "fail" and e.get("Test")}
    else:
        names = set(re.findall(r"^\s*--- FAIL: (\S+) \(", output, re.M))
    return {n for n in names if not any(o.startswith(n + "/") for o in names)}


def check(scenario: Scenario, ran: Sequence[Step]) -> None:
    if ran[-1].command.startswith("go test"):
        expected = {f.test_id for f in scenario.faults}
        got = failed_tests(ran[-1].output)
        if got != expected:
            raise AssertionError(f"go test failed {sorted(got)}, injected {sorted(e or '' for e in expected)}")


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_confkit(), _ratelimit(), _go_invoice.project())


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    cache = workdir / "go-cache"
    for project, json_report in ((_confkit(), False), (_ratelimit(), True)):
        def runner(root: Path, sc: Scenario, p: Project = project, j: bool = json_report) -> Sequence[Step]:
            return steps(root, sc, p.name, j, cache)
        yield from Generator(project, runner, workdir, rng, check).cases()
    # Added after go-ratelimit, so that project's random draws (and its committed cases) stay the same.
    invoice = _go_invoice.project()

    def invoice_runner(root: Path, sc: Scenario) -> Sequence[Step]:
        return steps(root, sc, invoice.name, _go_invoice.json_report(sc), cache, timeout=_go_invoice.TIMEOUT)

    yield from Generator(invoice, invoice_runner, workdir, rng, _go_invoice.check).cases()
