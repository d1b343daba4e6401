"""GitHub Actions conclusions, named once: which runs and jobs failed or passed, and what our check run says.

A run also fails with ``startup_failure`` (the workflow file is broken); it has no job and no log to read, so
what reads jobs' logs uses ``FAILED_JOB``. ``cancelled``, ``skipped``, ``neutral`` and ``action_required`` say
nothing about health and are in none of these sets.
"""

from __future__ import annotations

FAILED_RUN = frozenset({"failure", "timed_out", "startup_failure"})
FAILED_JOB = frozenset({"failure", "timed_out"})
PASSED = frozenset({"success"})

# The conclusions a repository may configure for our own check run (``.github/ci-triage.yml``).
CHECK_RUN_CONCLUSIONS = ("failure", "neutral", "success", "action_required")
