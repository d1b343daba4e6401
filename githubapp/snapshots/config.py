"""The ``snapshot:`` section of ``.github/ci-triage.yml`` and its defaults (pure). The section is read and
validated with the rest of the file by ``githubapp.pipeline.config`` (``RepoConfig.snapshot``).

```yaml
snapshot:
  preview_url: https://pr-{pr}.preview.example.com   # used when no deployment reported a URL
  routes: ["/", "/login"]
  viewport: {width: 1280, height: 800}   # the default (snapshot.capture.Viewport)
  wait_for_selector: "#app"
  timeout_seconds: 30
  baseline: true    # capture a passing run when a route has no green baseline yet
```
"""

from __future__ import annotations

from dataclasses import dataclass, field

from snapshot.capture import CaptureLimits, CaptureOptions, Viewport

MAX_ROUTES = 10


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
