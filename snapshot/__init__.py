"""Headless-browser snapshots of preview deployments, with an SSRF guard. Imports nothing of ours."""
