"""The symbol of a lint error, and its line's text, read from the repository's source at the run's commit,
through the fake GitHub's tree and contents API: the symbol tells apart the same message under two keys, the
line the same go vet message on two lines of one function, and both survive a move; a file GitHub cannot give
(404, 5xx, too large) is no symbol, never a failed triage."""

from __future__ import annotations

from typing import Any

from analysis.types import Failure, FailureKind
from githubapp.deps import Deps
from githubapp.pipeline.jobs import triage_run
from githubapp.pipeline.source import MAX_LINES_PER_FILE, MappingSource, sites_by_job, sites_of
from githubapp.pipeline.triggers import RunRef
from tests.support.fake_github import FakeGitHub

from .gha import job_log
from .test_end_to_end import OWNER, REPO, serve_repository, serve_run
from .test_triage import ctx, ref

PATH = "config/deploy.yaml"
PORTS_FIRST = "service:\n  name: api\n  ports:\n  - 80\n  regions:\n  - eu-west-1\n"  # line 4 under ports
REGIONS_FIRST = "service:\n  name: api\n  regions:\n  - eu-west-1\n  ports:\n  - 80\n"  # line 4 under regions
PORTS_MOVED = "# deployment\n# of the api\n" + PORTS_FIRST  # the same list item, two lines down


def yamllint_log(line: int) -> bytes:
    return job_log((f"{PATH}:{line}:3: [error] wrong indentation: expected 4 but found 2 (indentation)",))


async def triage_with(deps: Deps, github: FakeGitHub, r: RunRef, text: str | None, line: int) -> None:
    if text is not None:
        github.files(OWNER, REPO, r.head_sha, {PATH: text, "README.md": "# demo\n"})
    serve_run(github, r.run_id, yamllint_log(line))
    assert await triage_run(ctx(deps), r.as_job_arg()) == "failure"


def source_calls(github: FakeGitHub) -> int:
    return sum(c.params["path"] == PATH for c in github.calls_to("GET", "/repos/{owner}/{repo}/contents/{path}"))


async def recorded(deps: Deps, r: RunRef) -> list[dict[str, Any]]:
    async with deps.pool.acquire() as conn:
        rows = await conn.fetch(
            """SELECT f.symbol, f.code_line, f.pattern_id, p.signature->>'subject' AS subject FROM failures f
               JOIN patterns p ON p.installation_id = f.installation_id AND p.id = f.pattern_id
               WHERE f.installation_id = $1 AND f.run_id = $2""",
            r.installation_id,
            r.run_id,
        )
    return [dict(row) for row in rows]


async def test_the_symbol_from_the_source_tells_two_keys_apart_and_follows_a_move(
    deps: Deps, github: FakeGitHub
) -> None:
    serve_repository(github)
    installation = ref().installation_id
    first, other, moved = (ref(installation_id=installation) for _ in range(3))
    await triage_with(deps, github, first, PORTS_FIRST, 4)
    await triage_with(deps, github, other, REGIONS_FIRST, 4)
    await triage_with(deps, github, moved, PORTS_MOVED, 6)

    [a], [b], [c] = [await recorded(deps, r) for r in (first, other, moved)]
    assert a["symbol"] == "service.ports[]" and a["subject"] == f"file:{PATH}#service.ports[]"
    assert b["symbol"] == "service.regions[]"
    assert b["pattern_id"] != a["pattern_id"]  # the same message, line and column under another key: another fault
    assert c["symbol"] == "service.ports[]" and c["pattern_id"] == a["pattern_id"]  # moved: the same fault
    calls = github.calls_to("GET", "/repos/{owner}/{repo}/contents/{path}")
    assert {(call.params["path"], call.query.get("ref")) for call in calls} >= {
        (PATH, first.head_sha),
        (PATH, other.head_sha),
        (PATH, moved.head_sha),
    }


GO_PATH = "config.go"
VET = "fmt.Errorf format %d has arg value of wrong type string"


def config_go(shift: int = 0) -> str:
    """One function whose two ``case`` arms pass a string to ``%d``: go vet says the same of both lines."""
    return (
        "package confkit\n\nimport \"fmt\"\n\n"
        + "// note\n" * shift
        + "func Set(key, value string) error {\n\tswitch key {\n"
        + '\tcase "port":\n\t\treturn fmt.Errorf("bad port %d", value)\n'
        + '\tcase "timeout":\n\t\treturn fmt.Errorf("bad timeout %d", value)\n'
        + "\t}\n\treturn nil\n}\n"
    )


async def vet_with(deps: Deps, github: FakeGitHub, r: RunRef, text: str, needle: str) -> dict[str, Any]:
    line = next(i for i, row in enumerate(text.splitlines(), 1) if needle in row)
    github.files(OWNER, REPO, r.head_sha, {GO_PATH: text, "go.mod": "module example.com/confkit\n"})
    serve_run(github, r.run_id, job_log(("# example.com/confkit", f"./{GO_PATH}:{line}:10: {VET}")))
    assert await triage_run(ctx(deps), r.as_job_arg()) == "failure"
    [row] = await recorded(deps, r)
    return row


async def test_the_line_from_the_source_tells_two_lines_of_one_function_apart_and_follows_a_move(
    deps: Deps, github: FakeGitHub
) -> None:
    serve_repository(github)
    installation = ref().installation_id
    port, timeout, moved = (ref(installation_id=installation) for _ in range(3))
    a = await vet_with(deps, github, port, config_go(), "bad port")
    b = await vet_with(deps, github, timeout, config_go(), "bad timeout")
    c = await vet_with(deps, github, moved, config_go(shift=3), "bad port")
    assert a["symbol"] == b["symbol"] == c["symbol"] == "Set"  # one function: the symbol alone is no help
    assert a["code_line"] == c["code_line"] == '\t\treturn fmt.Errorf("bad port %d", value)'
    assert b["code_line"] == '\t\treturn fmt.Errorf("bad timeout %d", value)'
    assert b["pattern_id"] != a["pattern_id"]  # the same message in one function, another line: another fault
    assert c["pattern_id"] == a["pattern_id"]  # moved three lines down: the same fault


async def test_a_file_seen_before_is_not_fetched_again(deps: Deps, github: FakeGitHub) -> None:
    serve_repository(github)
    before = source_calls(github)
    text = PORTS_FIRST + "# unchanged across commits\n"
    for r in (ref(), ref()):
        await triage_with(deps, github, r, text, 4)
        assert [row["symbol"] for row in await recorded(deps, r)] == ["service.ports[]"]
    # the second commit's tree gives the same blob sha: the text comes from the cache
    assert source_calls(github) == before + 1


async def test_a_source_github_cannot_give_is_no_symbol(deps: Deps, github: FakeGitHub) -> None:
    serve_repository(github)  # its catch-all answers 404 for every contents path nobody set up
    missing = ref()
    github.tree(OWNER, REPO, missing.head_sha, [PATH, "README.md"])
    await triage_with(deps, github, missing, None, 4)
    assert [row["symbol"] for row in await recorded(deps, missing)] == [None]

    failing = ref()
    github.files(OWNER, REPO, failing.head_sha, {PATH: PORTS_FIRST + "# failing\n"})
    github.fail_next("GET", f"/repos/{OWNER}/{REPO}/contents/{PATH}", status=502, times=10)
    await triage_with(deps, github, failing, None, 4)
    assert [row["symbol"] for row in await recorded(deps, failing)] == [None]
    github.take_violations()  # none expected: the 502s are our own injection


async def test_a_file_over_the_size_cap_is_not_requested(deps: Deps, github: FakeGitHub) -> None:
    serve_repository(github)
    big = ref()
    large = PORTS_FIRST + "# padding\n" * (deps.settings.source_file_max_bytes // 10 + 1)
    before = source_calls(github)
    await triage_with(deps, github, big, large, 4)
    assert [row["symbol"] for row in await recorded(deps, big)] == [None]
    assert source_calls(github) == before


def lint(path: str, line: int, tool: str = "yamllint") -> Failure:
    return Failure(kind=FailureKind.LINT, tool=tool, message="wrong indentation", file=path, line=line)


class Counting(MappingSource):
    """A mapping whose reads are counted (and one path that fails to read)."""

    def __init__(self, files: dict[str, str]) -> None:
        super().__init__(files)
        self.reads: list[str] = []

    async def read(self, path: str) -> str | None:
        self.reads.append(path)
        return await super().read(path)


async def test_sites_of_reads_each_file_once_within_the_budget() -> None:
    files = Counting({f"k{i}.yaml": PORTS_FIRST for i in range(4)})
    jobs = [
        [lint("k0.yaml", 4), lint("k0.yaml", 6), lint("k1.yaml", 4), lint("k1.yaml", 40)],
        [lint("k2.yaml", 4), lint("k3.yaml", 4), lint("gone.yaml", 4)],
    ]
    found = await sites_by_job(jobs, files, max_files=3)
    assert [f.symbols for f in found] == [
        {0: "service.ports[]", 1: "service.regions[]", 2: "service.ports[]"},
        {0: "service.ports[]"},
    ]
    # a YAML line is its key path (the symbol) and data: no code line
    assert [f.lines for f in found] == [{}, {}]
    assert files.reads == ["k0.yaml", "k1.yaml", "k2.yaml"]  # k3 is over the budget; gone.yaml is not in the tree
    assert [(f.symbols, f.lines) for f in await sites_by_job(jobs, None, max_files=3)] == [({}, {}), ({}, {})]
    nothing = await sites_of(jobs[0], files, max_files=0)
    assert (nothing.symbols, nothing.lines) == ({}, {})


async def test_a_log_naming_thousands_of_lines_of_a_long_function_is_read_within_bounds() -> None:
    # a fork controls both the log and the source: 3,000 errors deep in a 12,000-line function would make each
    # symbol walk up 12,000 lines; the first MAX_LINES_PER_FILE distinct lines get theirs, each read once
    body = "def handler():\n" + "".join(f"    x{i} = {i}\n" for i in range(12000))
    errors = [
        Failure(FailureKind.LINT, "flake8", "F841 local variable is assigned to but never used", file="big.py", line=n)
        for n in range(9000, 12000)
    ]
    found = await sites_of(errors + errors[:1], MappingSource({"big.py": body}), max_files=1)
    assert set(found.symbols.values()) == {"handler"}
    assert sorted(found.symbols) == [*range(MAX_LINES_PER_FILE), len(errors)]  # the repeated line: read once
