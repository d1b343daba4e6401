"""Screenshots of every dashboard page at 1280 and 390 px wide, into docs/screenshots/ (the README shows them).

Starts the app as the dashboard's page test does (real PostgreSQL and Redis, the fake GitHub, seeded data:
a week of GitHub Actions runs, a resolved pattern, a flaky test, runs from another CI, a suggested fix), opens
each page in Chromium with Playwright, checks it (no console error, no horizontal overflow, every link answers)
and keeps the screenshots. Usage: ``.venv/bin/python scripts/screenshots.py [--out DIR]``."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/api/test_dashboard_pages_browser.py::test_every_page_fits_logs_no_error_and_every_link_answers"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where the PNGs go")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CI_TRIAGE_SCREENSHOTS": str(out)}
    with tempfile.TemporaryDirectory(prefix="ci-triage-shots-") as scratch:  # the test's own tmp dirs
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", scratch, TEST]
        done = subprocess.call(command, cwd=ROOT, env=env)
    if done == 0:
        print(f"screenshots in {out}: {len(list(out.glob('*.png')))} files")
    return done


if __name__ == "__main__":
    sys.exit(main())
