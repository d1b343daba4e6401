"""Rebuild tests/data/github/ from GitHub's published descriptions (pinned npm packages).

    python scripts/vendor_github.py                     # npm pack both packages (needs the npm registry)
    python scripts/vendor_github.py --openapi-tgz a.tgz --webhooks-tgz b.tgz   # from tarballs already fetched

The OpenAPI description is trimmed to the operations listed in `openapi/operations.txt` (what the app calls
and what the fake GitHub serves) plus every component they reference, transitively, so request validation
of those operations is exactly that of the full 13 MB description. The webhook examples are octokit's
examples of the events the app handles, written one file per example under the names octokit's repository
gives them. `webhooks/extra/` is kept: it holds payloads that are not in the package (see the README there).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEST = ROOT / "tests" / "data" / "github"
OPENAPI = ("@octokit/openapi", "23.0.2", "package/generated/api.github.com.json")
WEBHOOKS = ("@octokit/webhooks-examples", "7.6.1", "package/api.github.com/index.json")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# File names of octokit/webhooks' payload-examples/api.github.com/<event>/ for the examples of the package's
# index.json, by position (the index carries no names). None: an example the repository has no file for.
EXAMPLE_FILES: dict[str, list[str | None]] = {
    "check_run": [None, "completed.1.payload.json", "completed.payload.json",
                  "completed.with-organization.payload.json", "created.payload.json",
                  "created.with-organization.payload.json", "requested_action.payload.json",
                  "rerequested.payload.json", "rerequested.with-organization.payload.json"],
    "check_suite": [None, "completed.1.payload.json", "completed.payload.json",
                    "completed.with-organization.payload.json", "requested.payload.json",
                    "requested.payload.with-email-with-special-characters.json",
                    "requested.with-organization.payload.json", "rerequested.payload.json",
                    "rerequested.with-organization.payload.json"],
    "deployment_status": [None, "gh-pages.payload.json", "payload.json", "with-installation.payload.json"],
    "installation": [None, "created.payload.json", "created.with-requester.payload.json", "deleted.payload.json",
                     "new_permissions_accepted.payload.json", "suspend.payload.json", "unsuspend.payload.json"],
    "installation_repositories": [None, "added.payload.json", "removed.payload.json"],
    "issue_comment": [None, "created.1.payload.json", "created.payload.json",
                      "created.with-installation.payload.json", "created.with-organization.payload.json",
                      "deleted.payload.json", "deleted.with-organization.payload.json", "edited.payload.json",
                      "edited.with-organization.payload.json"],
    "ping": [None, "payload.json", "with-app_id.payload.json", "with-organization.payload.json"],
    "pull_request": [None, "assigned.payload.json", "assigned.with-organization.payload.json",
                     "closed.payload.json", "closed.with-organization.payload.json",
                     "converted_to_draft.payload.json", "converted_to_draft.with-installation.payload.json",
                     "converted_to_draft.with-organization.payload.json", "labeled.payload.json",
                     "labeled.with-organization.payload.json", "locked.payload.json",
                     "locked.with-organization.payload.json", "opened.payload.json",
                     "opened.with-null-body.json", "opened.with-organization.payload.json",
                     "ready_for_review.payload.json", "ready_for_review.with-installation.payload.json",
                     "ready_for_review.with-organization.payload.json", "reopened.payload.json",
                     "reopened.with-organization.payload.json", "review_request_removed.payload.json",
                     "review_requested.payload.json", "synchronize.payload.json", "unassigned.payload.json",
                     "unassigned.with-organization.payload.json", "unlabeled.payload.json",
                     "unlabeled.with-organization.payload.json", "unlocked.payload.json",
                     "unlocked.with-organization.payload.json"],
    "pull_request_review_comment": [None, "created.payload.json", "created.with-organization.payload.json",
                                    "deleted.payload.json", "edited.payload.json"],
    "workflow_job": [None, "completed.failure.with-organization.payload.json",
                     "completed.success.with-organization.payload.json", "in_progress.payload.json",
                     "in_progress.with-queued-steps.payload.json", "queued.payload.json",
                     "queued.with-deployment.payload.json", "waiting.payload.json"],
    "workflow_run": [None, "completed.payload.json", "completed.with-pull-requests.payload.json",
                     "requested.payload.json", "requested.with-conclusion.payload.json"],
}
# octokit has no failed workflow_run example: the one with pull requests, with the conclusion a failure has.
DERIVED_FAILURE = ("workflow_run", "completed.with-pull-requests.payload.json",
                   "workflow_run.completed.failure.DERIVED-from-octokit-completed.with-pull-requests.json")


def npm_pack(package: str, version: str, into: Path) -> Path:
    out = subprocess.run(["npm", "pack", f"{package}@{version}", "--pack-destination", str(into), "--silent"],
                         check=True, capture_output=True, text=True).stdout.split()
    return into / out[-1]


def read_member(tgz: Path, member: str) -> Any:
    with tarfile.open(tgz) as archive:
        handle = archive.extractfile(member)
        if handle is None:
            raise SystemExit(f"{member} not found in {tgz}")
        return json.loads(handle.read())


def read_operations(path: Path) -> list[tuple[str, str]]:
    """`METHOD /template` lines; `#` starts a comment."""
    found = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            method, template = line.split(None, 1)
            found.append((method.lower(), template))
    return found


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/"):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _component(spec: dict[str, Any], ref: str) -> tuple[str, str, Any]:
    kind, name = ref.removeprefix("#/components/").split("/", 1)
    name = name.replace("~1", "/").replace("~0", "~")
    return kind, name, spec["components"][kind][name]


def trim(spec: dict[str, Any], operations: list[tuple[str, str]]) -> dict[str, Any]:
    """`spec` with only `operations` and the components they reach, in the description's own order."""
    wanted: dict[str, set[str]] = {}
    for method, template in operations:
        item = spec["paths"].get(template)
        if item is None or method not in item:
            raise SystemExit(f"{method.upper()} {template} is not an operation of the description")
        wanted.setdefault(template, set()).add(method)
    paths: dict[str, Any] = {}
    for template, item in spec["paths"].items():
        if template in wanted:
            paths[template] = {k: v for k, v in item.items() if k not in METHODS or k in wanted[template]}
    keep: set[str] = set()
    todo = _refs(paths)
    while todo:
        ref = todo.pop()
        if ref not in keep:
            keep.add(ref)
            todo |= _refs(_component(spec, ref)[2]) - keep
    components: dict[str, dict[str, Any]] = {}
    for kind, entries in spec["components"].items():
        kept = {name: value for name, value in entries.items()
                if f"#/components/{kind}/{name.replace('~', '~0').replace('/', '~1')}" in keep}
        if kept:
            components[kind] = kept
    tags = {tag for item in paths.values() for key, op in item.items() if key in METHODS for tag in op.get("tags", ())}
    out = {key: value for key, value in spec.items() if key not in ("paths", "components", "tags", "x-webhooks")}
    out["tags"] = [tag for tag in spec.get("tags", []) if tag.get("name") in tags]
    out["paths"] = paths
    out["components"] = components
    return out


def write_json(path: Path, data: Any, *, indent: int | None = 2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=indent, ensure_ascii=False) + "\n")


def vendor_openapi(tgz: Path) -> None:
    spec = read_member(tgz, OPENAPI[2])
    trimmed = trim(spec, read_operations(DEST / "openapi" / "operations.txt"))
    write_json(DEST / "openapi" / "api.github.com.json", trimmed, indent=1)  # one key a line: reviewable diffs
    print(f"openapi: {sum(len(v) for v in trimmed['components'].values())} components, {len(trimmed['paths'])} "
          f"paths, {(DEST / 'openapi' / 'api.github.com.json').stat().st_size:,} bytes")


def vendor_webhooks(tgz: Path) -> None:
    index = {event["name"]: event["examples"] for event in read_member(tgz, WEBHOOKS[2])}
    examples = DEST / "webhooks" / "api.github.com"
    count = 0
    for event, files in EXAMPLE_FILES.items():
        if len(index[event]) != len(files):
            raise SystemExit(f"{event}: the package has {len(index[event])} examples, the name table "
                             f"{len(files)}: update EXAMPLE_FILES for this version")
        for name, payload in zip(files, index[event], strict=True):
            if name is not None:
                write_json(examples / event / name, payload)
                count += 1
    event, source, target = DERIVED_FAILURE
    derived = json.loads((examples / event / source).read_text())
    derived["workflow_run"]["conclusion"] = "failure"
    write_json(DEST / "webhooks" / "extra" / target, derived)
    print(f"webhooks: {count} examples of {len(EXAMPLE_FILES)} events, 1 derived")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--openapi-tgz", type=Path, help=f"{OPENAPI[0]}-{OPENAPI[1]}.tgz, instead of npm pack")
    parser.add_argument("--webhooks-tgz", type=Path, help=f"{WEBHOOKS[0]}-{WEBHOOKS[1]}.tgz, instead of npm pack")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        openapi = args.openapi_tgz or npm_pack(OPENAPI[0], OPENAPI[1], Path(tmp))
        webhooks = args.webhooks_tgz or npm_pack(WEBHOOKS[0], WEBHOOKS[1], Path(tmp))
        vendor_openapi(openapi)
        vendor_webhooks(webhooks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
