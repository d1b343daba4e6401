"""Where a pull request's preview deployment lives: a recorded deployment of the head sha, else a URL template
from the repository config (``https://pr-{pr}.preview.example.com``, placeholders ``{pr}``, ``{sha}``,
``{branch}``)."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from storage import snapshots as queries
from storage.db import Conn
from storage.snapshots import DeploymentStatus

PLACEHOLDERS = ("pr", "sha", "branch")
_DNS_LABEL_MAX = 63


class PreviewTemplateError(ValueError):
    """The repository's preview URL template is unusable; the message is shown to the repository owners."""


@dataclass(frozen=True)
class PreviewURL:
    url: str
    source: str  # "deployment" | "template"


def _fields(template: str) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PreviewTemplateError(f"preview URL template {template!r}: {exc}") from None
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise PreviewTemplateError(
                f"preview URL template {template!r}: unknown placeholder {{{name}}}; use {allowed}"
            )
        names.append(name)
    return names


def validate_template(template: str) -> str:
    """Check a template once (when the config is read): http(s), a host, only known placeholders."""
    _fields(template)
    sample = template.replace("{pr}", "1").replace("{sha}", "0" * 40).replace("{branch}", "main")
    parts = urlsplit(sample)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PreviewTemplateError(f"preview URL template {template!r} must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise PreviewTemplateError(f"preview URL template {template!r} must not carry credentials")
    return template


def host_label(value: str) -> str:
    """``feature/Login_v2`` -> ``feature-login-v2``: a DNS label, as preview hosts name branches."""
    label = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return label[:_DNS_LABEL_MAX].rstrip("-")


def preview_url_for(template: str, pr: int | None, sha: str | None, branch: str | None) -> str | None:
    """Fill ``template``; None when a placeholder it uses has no value (e.g. ``{pr}`` on a push build).

    Values in the host become DNS labels; values elsewhere are percent-encoded.
    """
    names = _fields(validate_template(template))
    values: dict[str, str | None] = {
        "pr": str(pr) if pr is not None else None,
        "sha": sha.lower() if sha and re.fullmatch(r"[0-9a-fA-F]{7,64}", sha) else None,
        "branch": branch or None,
    }
    if any(values[name] is None for name in names):
        return None
    scheme_end = template.index("://") + 3
    host_end = min((i for i in (template.find(c, scheme_end) for c in "/?#") if i != -1), default=len(template))
    host_part, rest = template[:host_end], template[host_end:]
    host = host_part.format(**{k: host_label(v) if v else "" for k, v in values.items()})
    tail = rest.format(**{k: quote(v, safe="") if v else "" for k, v in values.items()})
    url = host + tail
    hostname = urlsplit(url).hostname or ""
    if not hostname or any(not label or len(label) > _DNS_LABEL_MAX for label in hostname.split(".")):
        return None
    return url


def deployment_status_from_event(payload: dict[str, Any]) -> DeploymentStatus | None:
    """The row to record for a ``deployment_status`` webhook; None when it lacks what we key on."""
    installation = (payload.get("installation") or {}).get("id")
    deployment = payload.get("deployment") or {}
    status = payload.get("deployment_status") or {}
    repository = payload.get("repository") or {}
    if not (
        installation and deployment.get("id") and status.get("id") and deployment.get("sha") and repository.get("id")
    ):
        return None
    url = status.get("environment_url") or status.get("target_url") or None
    if url and not str(url).startswith(("http://", "https://")):
        url = None

    created = status.get("created_at") or status.get("updated_at")
    created_at = datetime.fromisoformat(created.replace("Z", "+00:00")) if created else datetime.now().astimezone()
    return DeploymentStatus(
        installation_id=int(installation),
        repository_id=int(repository["id"]),
        repository=str(repository.get("full_name", "")),
        deployment_id=int(deployment["id"]),
        status_id=int(status["id"]),
        sha=str(deployment["sha"]).lower(),
        ref=deployment.get("ref"),
        environment=str(status.get("environment") or deployment.get("environment") or "unknown"),
        state=str(status.get("state") or "unknown"),
        url=url,
        created_at=created_at,
        transient=deployment.get("transient_environment"),
        production=deployment.get("production_environment"),
    )


async def resolve_preview_url(
    conn: Conn,
    *,
    installation_id: int,
    repository_id: int,
    sha: str,
    template: str | None = None,
    pr: int | None = None,
    branch: str | None = None,
) -> PreviewURL | None:
    """A successful deployment of ``sha`` first, else the repository's template, else None."""
    recorded = await queries.preview_url_for_sha(conn, installation_id, repository_id, sha.lower())
    if recorded:
        return PreviewURL(recorded, "deployment")
    if template:
        url = preview_url_for(template, pr, sha, branch)
        if url:
            return PreviewURL(url, "template")
    return None
