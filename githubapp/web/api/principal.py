"""Who is asking: an API key (one installation, every repository) or a signed-in GitHub user (the
installations and repositories GitHub says they can access). Every query is scoped by one of these.
Keys become principals in ``auth``, dashboard users in ``githubapp.web.sessions``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    kind: str  # key | user
    actor: str  # shown in audit records: "api-key:<id>" or the GitHub login
    installations: tuple[int, ...]
    # None: every repository of those installations (API keys). Repositories of other CI systems (negative ids)
    # belong to the installation as a whole and are visible to everyone who can see the installation.
    repositories: tuple[int, ...] | None = None
    key_id: int | None = None
    user_id: int | None = None
    # API keys: what the key may do (storage.api_keys.SCOPES). Users: None; GitHub's permissions decide.
    scopes: tuple[str, ...] | None = None
    # Users: the repositories they may push to (GitHub's permissions at sign-in). Keys: None (their scope rules).
    writable: tuple[int, ...] | None = None

    def allows(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes

    def may_change(self, repository_ids: list[int]) -> bool:
        """Whether a write action on something that touches ``repository_ids`` is allowed: a user needs write
        permission on every GitHub repository among them (other CI systems' repositories, negative ids, belong
        to the installation and need no more than its visibility)."""
        if self.writable is None:
            return True
        return all(r < 0 or r in self.writable for r in repository_ids)

    def sees_repository(self, installation_id: int, repository_id: int) -> bool:
        if installation_id not in self.installations:
            return False
        return self.repositories is None or repository_id < 0 or repository_id in self.repositories

    @property
    def repo_filter(self) -> list[int] | None:
        """The ``$n::bigint[]`` argument of scoped queries (NULL means no repository restriction)."""
        return None if self.repositories is None else list(self.repositories)
