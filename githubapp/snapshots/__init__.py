"""Preview-deployment snapshots: when to capture, storing artifacts, diffs against the last green, report."""
