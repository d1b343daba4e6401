"""The ``snapshot:`` section of ``.github/ci-triage.yml``, parsed and validated (pure).

```yaml
snapshot:
  preview_url: https://pr-{pr}.preview.example.com   # used when no deployment reported a URL
  routes: ["/", "/login"]
  viewport: {width: 1280, height: 800}
  wait_for_selector: "#app"
  timeout_seconds: 30
  baseline: true    # capture a passing run when a route has no green baseline yet
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from snapshot.capture import CaptureLimits, CaptureOptions, Viewport

from .preview import PreviewTemplateError, validate_template

MAX_ROUTES = 10


class SnapshotConfigError(ValueError):
    """The ``snapshot`` section is invalid; the message names the key."""


@dataclass(frozen=True)
class SnapshotConfig:
    enabled: bool = True
    preview_url: str | None = None
    routes: tuple[str, ...] = ("/",)
    viewport: Viewport = field(default_factory=Viewport)
    wait_for_selector: str | None = None
    timeout_seconds: float = 30.0
    baseline: bool = True

    def capture_options(self) -> CaptureOptions:
        return CaptureOptions(
            viewport=self.viewport,
            wait_for_selector=self.wait_for_selector,
            limits=CaptureLimits(
                attempt_timeout_s=self.timeout_seconds, total_timeout_s=max(120.0, self.timeout_seconds * 4)
            ),
        )


def _route(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or len(value) > 2000:
        raise SnapshotConfigError(f"snapshot.routes: each route is a path starting with '/', got {value!r}")
    return value


def parse_snapshot_config(section: Mapping[str, Any] | None) -> SnapshotConfig:
    if section is None:
        return SnapshotConfig()
    if not isinstance(section, Mapping):
        raise SnapshotConfigError("snapshot: expected a mapping")
    known = {"enabled", "preview_url", "routes", "viewport", "wait_for_selector", "timeout_seconds", "baseline"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise SnapshotConfigError(f"snapshot: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    preview = section.get("preview_url")
    if preview is not None:
        if not isinstance(preview, str):
            raise SnapshotConfigError("snapshot.preview_url: expected a URL template string")
        try:
            validate_template(preview)
        except PreviewTemplateError as exc:
            raise SnapshotConfigError(f"snapshot.preview_url: {exc}") from None
    routes_raw = section.get("routes", ["/"])
    if isinstance(routes_raw, str):
        routes_raw = [routes_raw]
    if not isinstance(routes_raw, list) or not routes_raw or len(routes_raw) > MAX_ROUTES:
        raise SnapshotConfigError(f"snapshot.routes: expected a list of 1 to {MAX_ROUTES} paths")
    routes = tuple(dict.fromkeys(_route(r) for r in routes_raw))
    viewport_raw = section.get("viewport") or {}
    try:
        viewport = Viewport(int(viewport_raw.get("width", 1280)), int(viewport_raw.get("height", 800)))
    except (TypeError, ValueError, AttributeError) as exc:
        raise SnapshotConfigError(f"snapshot.viewport: {exc}") from None
    selector = section.get("wait_for_selector")
    if selector is not None and (not isinstance(selector, str) or not selector.strip() or len(selector) > 500):
        raise SnapshotConfigError("snapshot.wait_for_selector: expected a CSS selector")
    timeout = section.get("timeout_seconds", 30)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 1 <= timeout <= 120:
        raise SnapshotConfigError("snapshot.timeout_seconds: expected a number from 1 to 120")
    flags = {}
    for name in ("enabled", "baseline"):
        value = section.get(name, True)
        if not isinstance(value, bool):
            raise SnapshotConfigError(f"snapshot.{name}: expected true or false")
        flags[name] = value
    return SnapshotConfig(
        enabled=flags["enabled"],
        preview_url=preview,
        routes=routes,
        viewport=viewport,
        wait_for_selector=selector,
        timeout_seconds=float(timeout),
        baseline=flags["baseline"],
    )
