"""Render a real tool's output as a GitHub Actions job log, for new golden cases.

``python tests/analysis/gha_log.py --command "pytest -q" --exit 1 < output.txt > golden/<case>.log``: the
runner's timestamps, the step's ``##[group]Run`` header and the ``##[error]Process completed`` verdict around
what the tool printed (run it inside ``/home/runner/work/<repo>/<repo>/`` so paths are the runner's).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta


def render(output: str, command: str, exit_code: int, start: datetime) -> str:
    clock = iter(start + timedelta(milliseconds=7 * n) for n in range(1_000_000))

    def stamp(text: str) -> str:
        return f"{next(clock).strftime('%Y-%m-%dT%H:%M:%S.%f')}0Z {text}"

    lines = [
        stamp("##[group]Run actions/checkout@v4"),
        stamp("##[endgroup]"),
        stamp(f"##[group]Run {command}"),
        stamp(f"\x1b[36;1m{command}\x1b[0m"),
        stamp("shell: /usr/bin/bash -e {0}"),
        stamp("##[endgroup]"),
    ]
    shown = "\n".join(_as_runner_prints(line) for line in output.rstrip("\n").split("\n"))
    lines += [stamp(line) for line in shown.split("\n")]
    if exit_code:
        lines.append(stamp(f"##[error]Process completed with exit code {exit_code}."))
    lines.append(stamp("Post job cleanup."))
    return "\ufeff" + "\n".join(lines) + "\n"


def _as_runner_prints(line: str) -> str:
    """A workflow command a tool printed (``::error file=..,line=..::msg``) is shown as ``##[error]msg``, its
    escaped line breaks as lines; ``::group::title`` opens a ``##[group]title`` (``::endgroup::`` closes it)."""
    if line.startswith("::group::"):
        return "##[group]" + line.removeprefix("::group::")
    if line.startswith("::endgroup::"):
        return "##[endgroup]"
    for level in ("error", "warning", "notice"):
        if line.startswith(f"::{level} ") or line.startswith(f"::{level}::"):
            message = line.split("::", 2)[2]
            return f"##[{level}]" + message.replace("%0D", "").replace("%0A", "\n").replace("%25", "%")
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--command", required=True)
    parser.add_argument("--exit", type=int, default=1)
    args = parser.parse_args()
    sys.stdout.write(render(sys.stdin.read(), args.command, args.exit, datetime(2026, 3, 4, 9, 15, 2)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
