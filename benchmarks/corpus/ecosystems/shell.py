"""Shell and YAML: bash scripts under set -euo pipefail, shellcheck, yamllint."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.corpus.faultkit import Fault, Generator, Project, Scenario, run
from benchmarks.corpus.model import RawCase, Step

TOOLS = ("bash", "shellcheck", "yamllint")
APT = ("shellcheck", "yamllint")

RELEASE_SH = """#!/usr/bin/env bash
# Builds the release tarball for the given version.
set -euo pipefail
{{SHIFT}}
{{CD}}
source scripts/lib.sh

VERSION="${1:?usage: release.sh VERSION}"
DIST="dist"
{{ARCHIVE}}
{{MKDIR}}
log "building release $VERSION"
{{WRITE}}
{{TAR}}
{{CHECK}}
log "done: $(cat "$DIST/VERSION")"
"""

LIB_SH = """#!/usr/bin/env bash
# Helpers shared by the release scripts.
{{SHIFT}}
log() {
    {{LOG}}
}

checksum() {
    {{SUM}}
    log "checksum $(cut -d' ' -f1 "$1.sha256")"
}
"""

DEPLOY_YAML = """---
{{SHIFT}}
service:
  {{NAME}}
  replicas: 3
  ports:
{{PORTS}}
database:
  host: db.internal
  {{DBPORT}}
  pool: 10
features:
  {{FEATURE}}
  regions:
{{REGIONS}}
"""

DEFAULTS = {
    "CD": 'cd "$(dirname "$0")/.." || exit 1',
    "ARCHIVE": 'ARCHIVE="$DIST/app-$VERSION.tar.gz"',
    "MKDIR": 'mkdir -p "$DIST"',
    "WRITE": "printf '%s\\n' \"$VERSION\" > \"$DIST/VERSION\"",
    "TAR": 'tar -czf "$ARCHIVE" -C src .',
    "CHECK": 'checksum "$ARCHIVE"',
    "LOG": "printf '[release] %s\\n' \"$*\"",
    "SUM": 'sha256sum "$1" > "$1.sha256"',
    "NAME": "name: billing",
    "PORTS": "    - 8080",
    "DBPORT": "port: 5432",
    "FEATURE": "audit: true",
    "REGIONS": "    - eu-west-1",
}


def _bash(key: str, file: str, switch: str, bad: tuple[str, ...], *evidence: str, **kw: object) -> Fault:
    # set -e stops at the first failing command: no second bash fault can show in the same run.
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="bash", kind="crash", evidence=evidence,
                 group=f"bash:{key}", **kw)  # type: ignore[arg-type]


def _sc(key: str, file: str, switch: str, bad: tuple[str, ...], code: str, message: str, **kw: object) -> Fault:
    # tty format: "In FILE line N:" ... "SC2086 (info): msg"; gcc format (-f gcc): "FILE:N:C: note: msg [SC2086]".
    f = file.replace(".", r"\.")
    return Fault(key=key, file=file, switch=switch, bad=bad, tool="shellcheck", kind="lint",
                 evidence=(rf"^(In {f} line \d+:|{f}:\d+:\d+: \w+: {message} \[{code}\])$",
                           rf"({code} \(\w+\): {message}|{f}:\d+:\d+: \w+: {message} \[{code}\])"),
                 message=code, group="shellcheck", **kw)  # type: ignore[arg-type]


def _yl(key: str, switch: str, bad: tuple[str, ...], rule: str, message: str, **kw: object) -> Fault:
    # github format under GITHUB_ACTIONS ("::error file=..::L:C [rule] msg"), parsable with -f parsable.
    return Fault(key=key, file="config/deploy.yaml", switch=switch, bad=bad, tool="yamllint", kind="lint",
                 evidence=(rf"(\d+:\d+ \[{rule}\] {message}"
                           rf"|config/deploy\.yaml:\d+:\d+: \[\w+\] {message} \({rule}\))",),
                 message=rule, group="yamllint", **kw)  # type: ignore[arg-type]


FAULTS: tuple[Fault, ...] = (
    _bash("write-typo-pritnf", "scripts/release.sh", "WRITE",
          ("pritnf '%s\\n' \"$VERSION\" > \"$DIST/VERSION\"", "prinft '%s\\n' \"$VERSION\" > \"$DIST/VERSION\""),
          r"^scripts/release\.sh: line \d+: (pritnf|prinft): command not found$"),
    _bash("log-typo-pritnf", "scripts/lib.sh", "LOG", ("pritnf '[release] %s\\n' \"$*\"",),
          r"^scripts/lib\.sh: line \d+: pritnf: command not found$", negative_of="write-typo-pritnf",
          hard_negative="same-message-other-place"),
    _bash("checksum-typo-sha256sun", "scripts/lib.sh", "SUM", ('sha256sun "$1" > "$1.sha256"',),
          r"^scripts/lib\.sh: line \d+: sha256sun: command not found$", negative_of="write-typo-pritnf",
          hard_negative="same-code-other-symbol"),
    _bash("tar-wrong-source-dir", "scripts/release.sh", "TAR",
          ('tar -czf "$ARCHIVE" -C source .', 'tar -czf "$ARCHIVE" -C app .'),
          r"^tar: (source|app): Cannot open: No such file or directory$",
          r"^tar: Error is not recoverable: exiting now$"),
    _bash("mkdir-unbound-variable", "scripts/release.sh", "MKDIR", ('mkdir -p "$DSIT"', 'mkdir -p "$DIST_DIR"'),
          r"^scripts/release\.sh: line \d+: (DSIT|DIST_DIR): unbound variable$"),
    _bash("checksum-wrong-extension", "scripts/release.sh", "CHECK",
          ('checksum "$DIST/app-$VERSION.tgz"', 'checksum "$DIST/app-v$VERSION.tar.gz"'),
          r"^sha256sum: dist/app-v?1\.4\.2\.(tgz|tar\.gz): No such file or directory$"),
    _sc("mkdir-unquoted", "scripts/release.sh", "MKDIR", ("mkdir -p $DIST/v$VERSION", "mkdir -p \"$DIST\"/$VERSION"),
        "SC2086",
        r"Double quote to prevent globbing and word splitting\."),
    _sc("sum-unquoted", "scripts/lib.sh", "SUM", ('sha256sum $1 > "$1.sha256"',), "SC2086",
        r"Double quote to prevent globbing and word splitting\.", negative_of="mkdir-unquoted",
        hard_negative="same-message-other-place"),
    _sc("cd-unquoted-substitution", "scripts/release.sh", "CD",
        ('cd $(dirname "$0")/.. || exit 1', 'cd $(dirname "$0")/../ || exit 1'), "SC2046",
        r"Quote this to prevent word splitting\."),
    _sc("log-unquoted-date", "scripts/lib.sh", "LOG", ("printf '[release] %s %s\\n' $(date +%T) \"$*\"",), "SC2046",
        r"Quote this to prevent word splitting\.", negative_of="cd-unquoted-substitution",
        hard_negative="same-message-other-place"),
    _sc("archive-name-typo", "scripts/release.sh", "ARCHIVE",
        ('ARCHVE="$DIST/app-$VERSION.tar.gz"\nARCHIVE="$DIST/app.tar.gz"',
         'ARCHIV="$DIST/app-$VERSION.tar.gz"\nARCHIVE="$DIST/app.tar.gz"'),
        "SC2034", r"ARCH\w+ appears unused\. Verify use \(or export if used externally\)\."),
    _yl("dbport-duplicate-key", "DBPORT", ("host: db2.internal", "host: db-replica.internal"), "key-duplicates",
        r'duplication of key "host" in mapping'),
    _yl("feature-truthy-yes", "FEATURE", ("audit: yes", "audit: on"), "truthy",
        r"truthy value should be one of \[false, true\]"),
    _yl("dbport-truthy-ssl", "DBPORT", ("ssl: yes",), "truthy", r"truthy value should be one of \[false, true\]",
        negative_of="feature-truthy-yes", hard_negative="same-message-other-place"),
    _yl("ports-sequence-indent", "PORTS", ("  - 8080", "  - 8443"), "indentation",
        r"wrong indentation: expected 4 but found 2"),
    _yl("regions-sequence-indent", "REGIONS", ("  - eu-west-1",), "indentation",
        r"wrong indentation: expected 4 but found 2", negative_of="ports-sequence-indent",
        hard_negative="same-message-other-place"),
    _yl("name-trailing-spaces", "NAME", ("name: billing   ", "name: billing "), "trailing-spaces",
        r"trailing spaces"),
)


def _project() -> Project:
    files = {"scripts/release.sh": RELEASE_SH, "scripts/lib.sh": LIB_SH, "config/deploy.yaml": DEPLOY_YAML,
             "src/app.txt": "billing service payload\n"}
    return Project(name="sh-release-tools", ecosystem="shell", files=files, defaults=DEFAULTS, faults=FAULTS,
                   comment="#", job_name="release", matrix_job_name="release (ubuntu-22.04)",
                   executable=("scripts/release.sh",),
                   supported=("timestamps", "shifted", "data", "verbose", "extra"))


# --- sh-backup (held-out): a snapshot script, shellcheck, yamllint ----------------------------------------

BACKUP_SH = """#!/usr/bin/env bash
# Copies the data folder into a named snapshot and prunes the old ones.
set -euo pipefail
{{SHIFT}}
cd "$(dirname "$0")/.." || exit 1
. scripts/common.sh

SOURCE="data"
{{TARGET}}
STAMP="${1:?usage: backup.sh NAME}"
{{MAKE}}
{{COPY}}
note "copied $(find "$TARGET/$STAMP" -type f | wc -l) files into $STAMP"
{{PRUNE}}
"""

COMMON_SH = """#!/usr/bin/env bash
# Helpers for the backup scripts.
{{SHIFT}}
note() {
    {{NOTE}}
}

prune_old() {
    {{PRUNE_FIND}}
    note "pruned old snapshots in $1"
}
"""

SCHEDULE_YAML = """---
{{SHIFT}}
backup:
  {{CRON}}
  keep: 7
  paths:
    - data
notify:
  {{EMAIL}}
  on_failure: true
"""

BACKUP_DEFAULTS = {
    "TARGET": 'TARGET="backups"',
    "MAKE": 'mkdir -p "$TARGET/$STAMP"',
    "COPY": 'cp -R "$SOURCE/." "$TARGET/$STAMP/"',
    "PRUNE": 'prune_old "$TARGET"',
    "NOTE": "printf '[backup] %s\\n' \"$*\"",
    "PRUNE_FIND": "find \"$1\" -mindepth 1 -maxdepth 1 -type d -name 'old-*' -exec rm -rf {} +",
    "CRON": 'cron: "0 3 * * *"',
    "EMAIL": "email: ops@example.com",
}


def _byl(key: str, switch: str, bad: tuple[str, ...], rule: str, message: str, **kw: object) -> Fault:
    return Fault(key=key, file="config/schedule.yaml", switch=switch, bad=bad, tool="yamllint", kind="lint",
                 evidence=(rf"(\d+:\d+ \[{rule}\] {message}"
                           rf"|config/schedule\.yaml:\d+:\d+: \[\w+\] {message} \({rule}\))",),
                 message=rule, group="yamllint", **kw)  # type: ignore[arg-type]


BACKUP_FAULTS: tuple[Fault, ...] = (
    _bash("copy-missing-subfolder", "scripts/backup.sh", "COPY",
          ('cp -R "$SOURCE/files/." "$TARGET/$STAMP/"', 'cp -R "src/." "$TARGET/$STAMP/"'),
          r"^cp: cannot stat '(data/files|src)/\.': No such file or directory$"),
    _bash("make-typo-mkdri", "scripts/backup.sh", "MAKE", ('mkdri -p "$TARGET/$STAMP"', 'mdkir -p "$TARGET/$STAMP"'),
          r"^scripts/backup\.sh: line \d+: (mkdri|mdkir): command not found$"),
    _bash("note-typo-prinf", "scripts/common.sh", "NOTE", ("prinf '[backup] %s\\n' \"$*\"",),
          r"^scripts/common\.sh: line \d+: prinf: command not found$", negative_of="make-typo-mkdri",
          hard_negative="same-message-other-place"),
    _bash("target-unset-root", "scripts/backup.sh", "TARGET", ('TARGET="$BACKUP_ROOT"', 'TARGET="$BACKUPS_DIR"'),
          r"^scripts/backup\.sh: line \d+: (BACKUP_ROOT|BACKUPS_DIR): unbound variable$"),
    _bash("prune-unset-dir", "scripts/common.sh", "PRUNE_FIND",
          ("find \"$dir\" -mindepth 1 -maxdepth 1 -type d -name 'old-*' -exec rm -rf {} +",),
          r"^scripts/common\.sh: line \d+: dir: unbound variable$", negative_of="target-unset-root",
          hard_negative="same-code-other-symbol"),
    _sc("note-backtick-time", "scripts/common.sh", "NOTE",
        ("printf '[backup %s] %s\\n' \"`date -u +%T`\" \"$*\"", "printf '[backup] %s %s\\n' \"`hostname`\" \"$*\""),
        "SC2006", r"Use \$\(\.\.\.\) notation instead of legacy backticks `\.\.\.`\."),
    _sc("copy-backtick-name", "scripts/backup.sh", "COPY", ('cp -R "$SOURCE/." "$TARGET/`basename "$STAMP"`/"',),
        "SC2006", r"Use \$\(\.\.\.\) notation instead of legacy backticks `\.\.\.`\.",
        negative_of="note-backtick-time", hard_negative="same-message-other-place"),
    _sc("prune-wipes-target", "scripts/backup.sh", "PRUNE", ('rm -rf "$TARGET"/*', 'rm -rf "${TARGET}"/*'), "SC2115",
        r'Use "\$\{var:\?\}" to ensure this never expands to /\* \.'),
    _byl("cron-extra-spaces", "CRON", ('cron:  "0 3 * * *"', 'cron:   "30 2 * * *"'), "colons",
         r"too many spaces after colon"),
    _byl("email-duplicate-key", "EMAIL", ("email: ops@example.com\n  email: oncall@example.com",
                                          "email: ops@example.com\n  email: backup-team@example.com"),
         "key-duplicates", r'duplication of key "email" in mapping', line_offset=1),
    _byl("cron-duplicate-keep", "CRON", ('cron: "0 3 * * *"\n  keep: 14',), "key-duplicates",
         r'duplication of key "keep" in mapping', negative_of="email-duplicate-key",
         hard_negative="same-code-other-symbol"),
)


def _backup() -> Project:
    files = {"scripts/backup.sh": BACKUP_SH, "scripts/common.sh": COMMON_SH, "config/schedule.yaml": SCHEDULE_YAML,
             "data/notes.txt": "shopping list\n", "data/todo.txt": "water the plants\n"}
    return Project(name="sh-backup", ecosystem="shell", files=files, defaults=BACKUP_DEFAULTS, faults=BACKUP_FAULTS,
                   comment="#", job_name="backup", matrix_job_name="backup", executable=("scripts/backup.sh",),
                   supported=("timestamps", "shifted", "data", "verbose", "extra"))


def backup_steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    groups = {f.group for f in scenario.faults}
    if "shellcheck" in groups:
        fmt = " -f gcc" if scenario.verbose else ""
        return [run(f"shellcheck{fmt} scripts/*.sh", root, repo)]
    if "yamllint" in groups:
        fmt = " -f parsable" if scenario.verbose else ""
        return [run(f"yamllint --strict{fmt} config/", root, repo, {"GITHUB_WORKFLOW": "CI"})]
    if not all(g.startswith("bash:") for g in groups):
        raise ValueError(f"no step runs {groups}")
    trace = "bash -x " if scenario.verbose else ""
    return [run(f"{trace}scripts/backup.sh nightly", root, repo)]


def steps(root: Path, scenario: Scenario, repo: str) -> Sequence[Step]:
    groups = {f.group for f in scenario.faults}
    if "shellcheck" in groups:
        fmt = " -f gcc" if scenario.verbose else ""
        return [run(f"shellcheck{fmt} scripts/*.sh", root, repo)]
    if "yamllint" in groups:
        fmt = " -f parsable" if scenario.verbose else ""
        return [run(f"yamllint --strict{fmt} config/", root, repo, {"GITHUB_WORKFLOW": "CI"})]
    if not all(g.startswith("bash:") for g in groups):
        raise ValueError(f"no step runs {groups}")
    trace = "bash -x " if scenario.verbose else ""
    return [run(f"{trace}scripts/release.sh 1.4.2", root, repo)]


def projects() -> tuple[Project, ...]:
    """The ecosystem's projects (templates and faults), without running anything."""
    return (_project(), _backup())


def cases(workdir: Path, rng: random.Random) -> Iterator[RawCase]:
    project = _project()
    yield from Generator(project, lambda root, sc: steps(root, sc, project.name), workdir, rng).cases()
    # A project added later draws from a stream of its own: the committed project's draws stay as they were.
    backup = _backup()
    yield from Generator(backup, lambda root, sc: backup_steps(root, sc, backup.name), workdir,
                         random.Random(f"corpus/shell/{backup.name}")).cases()
