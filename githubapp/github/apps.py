"""``GitHubApps``: the factory every feature uses (``deps.services.github``).

``as_app()`` talks as the App (JWT), ``for_installation(id)`` as one installation (cached token),
``anonymous()`` without credentials (the manifest conversion). Settings are read at call time, so
credentials created by the setup flow are used without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..deps import Deps, ServiceMissing
from ..intake.reload import current_settings
from ..observability.metrics import Metrics
from .auth import AppJwtSource, InstallationToken, InstallationTokenCache
from .client import GitHubClient, RetryPolicy


class AppNotConfigured(RuntimeError):
    """No App id / private key yet: finish /setup or set GITHUB_APP_ID and GITHUB_PRIVATE_KEY."""


@dataclass
class _AppCredentials:
    apps: GitHubApps

    @property
    def label(self) -> str:
        return "app"

    async def authorization(self, *, stale: str | None = None) -> str:
        return f"Bearer {self.apps.app_jwt(stale=stale.removeprefix('Bearer ') if stale else None)}"


@dataclass
class _InstallationCredentials:
    apps: GitHubApps
    installation_id: int

    @property
    def label(self) -> str:
        return str(self.installation_id)

    async def authorization(self, *, stale: str | None = None) -> str:
        token = await self.apps.tokens.get(self.installation_id, stale=stale.removeprefix("token ") if stale else None)
        return f"token {token}"


class GitHubApps:
    def __init__(self, deps: Deps, *, policy: RetryPolicy | None = None) -> None:
        self.deps = deps
        self.policy = policy or RetryPolicy()
        self._jwts = AppJwtSource()
        self.tokens = InstallationTokenCache(self._mint)

    @property
    def _metrics(self) -> Metrics | None:
        return self.deps.services.metrics

    def app_jwt(self, *, stale: str | None = None) -> str:
        settings = current_settings(self.deps)
        if settings.github_app_id is None or not settings.github_private_key:
            raise AppNotConfigured("no GitHub App configured: open /setup or set GITHUB_APP_ID and GITHUB_PRIVATE_KEY")
        if stale is not None and stale == self._jwts.get(settings.github_app_id, settings.github_private_key):
            self._jwts = AppJwtSource()
        return self._jwts.get(settings.github_app_id, settings.github_private_key)

    def _client(self, credentials: _AppCredentials | _InstallationCredentials | None) -> GitHubClient:
        return GitHubClient(
            self.deps.http,
            base_url=current_settings(self.deps).github_api_url,
            credentials=credentials,
            metrics=self._metrics,
            policy=self.policy,
        )

    def as_app(self) -> GitHubClient:
        return self._client(_AppCredentials(self))

    def for_installation(self, installation_id: int) -> GitHubClient:
        return self._client(_InstallationCredentials(self, installation_id))

    def anonymous(self) -> GitHubClient:
        return self._client(None)

    async def _mint(self, installation_id: int) -> InstallationToken:
        data = await self.as_app().post(
            "/app/installations/{installation_id}/access_tokens",
            {"installation_id": installation_id},
            data=b"",
        )
        return InstallationToken.from_response(data)


def github_of(deps: Deps) -> GitHubApps:
    apps = deps.services.github
    if apps is None:
        raise ServiceMissing("github")
    return apps


async def install_github(deps: Deps) -> None:
    deps.services.github = GitHubApps(deps)
