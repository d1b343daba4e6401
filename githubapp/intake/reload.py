"""Picking up App credentials written by the setup flow without a restart.

The manifest flow stores the new App in ``<data dir>/github-app.json``. The process that ran it swaps its
settings at once; any other process (a separate worker or web replica sharing the data dir) notices the file
the next time it needs credentials. Once configured, settings are not re-read.
"""

from __future__ import annotations

import logging

from ..deps import Deps
from ..settings import Settings, SettingsError

log = logging.getLogger("ci_triage.reload")


def current_settings(deps: Deps) -> Settings:
    """``deps.settings``, refreshed from the data dir while no App is configured yet."""
    settings = deps.settings
    if settings.app_configured:
        return settings
    try:
        reloaded = settings.with_stored_credentials()
    except SettingsError as exc:
        log.warning("stored App credentials unreadable: %s", exc)
        return settings
    if reloaded.app_configured:
        log.info("GitHub App credentials loaded from the data dir (App %s)", reloaded.github_app_id)
        deps.settings = reloaded
    return deps.settings
