"""Headless-browser snapshots of preview deployments, with an SSRF guard. Imports nothing of ours."""

from .capture import CaptureLimits, CaptureOptions, RouteCapture, Snapshotter, Viewport, route_url
from .guard import BlockedURL, Guard, parse_target, refusal_reason

__all__ = [
    "BlockedURL",
    "CaptureLimits",
    "CaptureOptions",
    "Guard",
    "RouteCapture",
    "Snapshotter",
    "Viewport",
    "parse_target",
    "refusal_reason",
    "route_url",
]
