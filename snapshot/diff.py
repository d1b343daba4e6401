"""Pure comparisons of a capture with the last green one: pixels changed, new console errors, new failures."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from PIL import Image, ImageChops

# Per-channel difference below which a pixel counts as unchanged (anti-aliasing, font hinting noise).
DEFAULT_TOLERANCE = 16
MAX_DECODED_PIXELS = 64_000_000


@dataclass(frozen=True)
class PixelDiff:
    changed_pixels: int
    total_pixels: int  # of the larger canvas: what is on one image only counts as changed
    width: int
    height: int
    size_changed: bool
    bbox: tuple[int, int, int, int] | None  # left, top, right, bottom (exclusive) of the changed area

    @property
    def changed_share(self) -> float:
        return self.changed_pixels / self.total_pixels if self.total_pixels else 0.0


def _decode(png: bytes) -> Image.Image:
    with Image.open(io.BytesIO(png)) as image:
        if image.width * image.height > MAX_DECODED_PIXELS:
            raise ValueError(f"image of {image.width}x{image.height} pixels is too large to compare")
        return image.convert("RGB") if image.mode != "RGB" else image.copy()


def pixel_diff(current_png: bytes, baseline_png: bytes, *, tolerance: int = DEFAULT_TOLERANCE) -> PixelDiff:
    """Share of pixels that differ by more than ``tolerance`` in any channel, over both canvases."""
    current, baseline = _decode(current_png), _decode(baseline_png)
    width, height = max(current.width, baseline.width), max(current.height, baseline.height)
    overlap = (0, 0, min(current.width, baseline.width), min(current.height, baseline.height))
    # Per-channel |a - b| and its maximum over channels, all inside Pillow (C): ~10x numpy on int16.
    red, green, blue = ImageChops.difference(current.crop(overlap), baseline.crop(overlap)).split()
    delta = np.asarray(ImageChops.lighter(ImageChops.lighter(red, green), blue))
    changed = np.ones((height, width), dtype=bool)  # outside the overlap: present on one side only
    changed[: overlap[3], : overlap[2]] = delta > tolerance
    count = int(changed.sum())
    bbox = None
    if count:
        rows = np.flatnonzero(changed.any(axis=1))
        cols = np.flatnonzero(changed.any(axis=0))
        bbox = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
    return PixelDiff(count, height * width, width, height, current.size != baseline.size, bbox)


_VOLATILE = re.compile(
    r"(?P<url>https?://[^\s'\"):]+)|(?P<hex>\b0x[0-9a-f]+\b|\b[0-9a-f]{8,}\b)|(?P<num>\b\d+(\.\d+)?\b)", re.I
)


def _mask(match: re.Match[str]) -> str:
    if match.group("url"):
        parts = urlsplit(match.group("url"))
        return f"{parts.scheme}://{parts.netloc}{re.sub(r'[0-9a-f]{8,}', '<hex>', parts.path, flags=re.I)}"
    return "<hex>" if match.group("hex") else "<n>"


def normalize_message(text: str) -> str:
    """Mask what changes from run to run (numbers, hashes, query strings) so equal errors compare equal."""
    return _VOLATILE.sub(_mask, " ".join(text.split()))[:500]


def _path_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{re.sub(r'[0-9a-f]{8,}', '<hex>', parts.path, flags=re.I)}"


def _console_key(message: Mapping[str, Any]) -> tuple[str, str]:
    return (normalize_message(str(message.get("text", ""))), _path_key(str(message.get("url") or "")))


def new_console_errors(
    current: Sequence[Mapping[str, Any]],
    baseline: Iterable[Mapping[str, Any]],
    *,
    levels: tuple[str, ...] = ("error",),
) -> list[Mapping[str, Any]]:
    """Console messages at ``levels`` in ``current`` with no normalized equal in ``baseline``."""
    known = {_console_key(m) for m in baseline if m.get("level") in levels}
    found: list[Mapping[str, Any]] = []
    for message in current:
        key = _console_key(message)
        if message.get("level") in levels and key not in known:
            known.add(key)
            found.append(message)
    return found


def new_page_errors(
    current: Sequence[Mapping[str, Any]], baseline: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    known = {normalize_message(str(e.get("message", ""))) for e in baseline}
    found = []
    for error in current:
        key = normalize_message(str(error.get("message", "")))
        if key not in known:
            known.add(key)
            found.append(error)
    return found


def _request_key(request: Mapping[str, Any]) -> tuple[str, str, str]:
    outcome = str(request.get("status") or request.get("failure") or "")
    return (str(request.get("method", "GET")), _path_key(str(request.get("url", ""))), outcome)


def new_failed_requests(
    current: Sequence[Mapping[str, Any]], baseline: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """Failed requests (method, URL without query, status or error) that the baseline did not have."""
    known = {_request_key(r) for r in baseline}
    found = []
    for request in current:
        key = _request_key(request)
        if key not in known:
            known.add(key)
            found.append(request)
    return found


@dataclass(frozen=True)
class RouteDiff:
    pixels: PixelDiff | None  # None when either side has no screenshot
    new_console_errors: tuple[Mapping[str, Any], ...]
    new_page_errors: tuple[Mapping[str, Any], ...]
    new_failed_requests: tuple[Mapping[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        pixels = None
        if self.pixels is not None:
            pixels = {
                "changed_pixels": self.pixels.changed_pixels,
                "total_pixels": self.pixels.total_pixels,
                "changed_share": round(self.pixels.changed_share, 6),
                "size_changed": self.pixels.size_changed,
                "bbox": list(self.pixels.bbox) if self.pixels.bbox else None,
                "width": self.pixels.width,
                "height": self.pixels.height,
            }
        return {
            "pixels": pixels,
            "new_console_errors": list(self.new_console_errors),
            "new_page_errors": list(self.new_page_errors),
            "new_failed_requests": list(self.new_failed_requests),
        }


def compare(
    current_summary: Mapping[str, Any],
    baseline_summary: Mapping[str, Any],
    current_png: bytes | None,
    baseline_png: bytes | None,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
) -> RouteDiff:
    """Compare two capture summaries (``RouteCapture.summary()`` shape) and their screenshots."""
    pixels = None
    if current_png and baseline_png:
        pixels = pixel_diff(current_png, baseline_png, tolerance=tolerance)
    return RouteDiff(
        pixels=pixels,
        new_console_errors=tuple(
            new_console_errors(current_summary.get("console", []), baseline_summary.get("console", []))
        ),
        new_page_errors=tuple(
            new_page_errors(current_summary.get("page_errors", []), baseline_summary.get("page_errors", []))
        ),
        new_failed_requests=tuple(
            new_failed_requests(current_summary.get("failed_requests", []), baseline_summary.get("failed_requests", []))
        ),
    )
