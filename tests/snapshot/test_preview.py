"""Preview URLs: the deployment_status router records statuses; templates are filled and validated."""

import random
from dataclasses import replace

import asyncpg
import pytest
from gidgethub.sansio import Event

from githubapp.deps import Deps
from githubapp.handlers.deployments import router
from githubapp.snapshots.preview import (
    PreviewTemplateError,
    deployment_status_from_event,
    preview_url_for,
    resolve_preview_url,
    validate_template,
)
from tests.support.payloads import load_payload

SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"


@pytest.mark.parametrize(
    ("template", "pr", "sha", "branch", "expected"),
    [
        # the example
        ("https://pr-{pr}.preview.example.com", 12, SHA, "main", "https://pr-12.preview.example.com"),
        # the sha in the host is a DNS label already; lower-cased
        ("https://{sha}.previews.dev/", 1, SHA.upper(), "x", f"https://{SHA}.previews.dev/"),
        # branch names become DNS labels in the host (Vercel-style) ...
        (
            "https://app-git-{branch}.vercel.app",
            3,
            SHA,
            "feature/Login_v2",
            "https://app-git-feature-login-v2.vercel.app",
        ),
        # ... and are percent-encoded in the path or query
        (
            "https://preview.example.com/{branch}/?sha={sha}",
            3,
            SHA,
            "feat/a b",
            f"https://preview.example.com/feat%2Fa%20b/?sha={SHA}",
        ),
        # no PR (a push build) and the template needs one: no URL
        ("https://pr-{pr}.preview.example.com", None, SHA, "main", None),
        # a branch that makes no label at all
        ("https://{branch}.example.com", 1, SHA, "///", None),
        # a sha that is no sha is not put anywhere
        ("https://x.example.com/{sha}", 1, "not-a-sha", "main", None),
    ],
)
def test_preview_url_for(template: str, pr: int | None, sha: str, branch: str, expected: str | None) -> None:
    assert preview_url_for(template, pr, sha, branch) == expected


def test_long_branch_names_fit_a_dns_label() -> None:
    url = preview_url_for("https://{branch}.example.com", 1, SHA, "b" * 100)
    assert url == "https://" + "b" * 63 + ".example.com"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("https://pr-{number}.example.com", "unknown placeholder {number}"),
        ("https://pr-{pr!r}.example.com", "unknown placeholder"),
        ("ftp://pr-{pr}.example.com", "http(s) URL"),
        ("pr-{pr}.example.com", "http(s) URL"),
        ("https://user:pw@pr-{pr}.example.com", "credentials"),
        ("https://pr-{pr.example.com", "preview URL template"),
    ],
)
def test_bad_templates_are_explained(template: str, message: str) -> None:
    with pytest.raises(PreviewTemplateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_template(template)


def test_deployment_status_payload_is_read() -> None:
    payload = load_payload("deployment_status", "with-installation")
    payload["deployment_status"]["environment_url"] = "https://pr-7.preview.example.com"
    status = deployment_status_from_event(payload)
    assert status is not None
    assert (status.installation_id, status.repository_id, status.sha) == (1, 186853002, SHA)
    assert (status.environment, status.state, status.url) == (
        "production",
        "success",
        "https://pr-7.preview.example.com",
    )
    assert status.created_at.year == 2019
    # target_url when there is no environment_url; nothing without an installation
    payload["deployment_status"]["environment_url"] = ""
    payload["deployment_status"]["target_url"] = "https://deploy.example.com/7"
    assert deployment_status_from_event(payload).url == "https://deploy.example.com/7"  # type: ignore[union-attr]
    assert deployment_status_from_event(load_payload("deployment_status", "payload.json")) is None


async def test_router_records_statuses_and_resolution_prefers_them(session_deps: Deps, pool: asyncpg.Pool) -> None:
    installation = random.randint(10**9, 2 * 10**9)
    payload = load_payload("deployment_status", "with-installation")
    payload["installation"]["id"] = installation
    deps = replace(session_deps)

    async def deliver(status_id: int, state: str, url: str | None, created: str) -> None:
        payload["deployment_status"].update(id=status_id, state=state, environment_url=url, created_at=created)
        await router.dispatch(Event(payload, event="deployment_status", delivery_id=str(status_id)), None, deps=deps)

    await deliver(1, "in_progress", None, "2026-01-01T00:00:00Z")
    await deliver(2, "success", "https://pr-7-old.preview.example.com", "2026-01-01T00:01:00Z")
    await deliver(3, "success", "https://pr-7.preview.example.com", "2026-01-01T00:02:00Z")
    await deliver(3, "success", "https://pr-7.preview.example.com", "2026-01-01T00:02:00Z")  # redelivery
    await deliver(4, "failure", "https://broken.example.com", "2026-01-01T00:03:00Z")

    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT status_id, state, environment FROM deployments WHERE installation_id = $1 ORDER BY status_id",
            installation,
        )
        assert [(r["status_id"], r["state"]) for r in rows] == [
            (1, "in_progress"),
            (2, "success"),
            (3, "success"),
            (4, "failure"),
        ]
        found = await resolve_preview_url(
            conn,
            installation_id=installation,
            repository_id=186853002,
            sha=SHA,
            template="https://pr-{pr}.fallback.example.com",
            pr=7,
        )
        assert found is not None and (found.url, found.source) == ("https://pr-7.preview.example.com", "deployment")
        other_sha = "a" * 40
        fallback = await resolve_preview_url(
            conn,
            installation_id=installation,
            repository_id=186853002,
            sha=other_sha,
            template="https://pr-{pr}.fallback.example.com",
            pr=7,
        )
        assert fallback is not None and (fallback.url, fallback.source) == (
            "https://pr-7.fallback.example.com",
            "template",
        )
        assert (
            await resolve_preview_url(conn, installation_id=installation, repository_id=186853002, sha=other_sha)
            is None
        )
        # another installation never sees these deployments
        assert (
            await resolve_preview_url(conn, installation_id=installation + 1, repository_id=186853002, sha=SHA) is None
        )
