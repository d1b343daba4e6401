"""The GitHub seam: App auth (``auth``), the retrying client (``client``) and the factory (``apps``)."""

from .apps import AppNotConfigured, GitHubApps, github_of
from .client import Download, DownloadFailed, GitHubClient, GitHubUnavailable, RateLimited, RetryPolicy

__all__ = [
    "AppNotConfigured",
    "Download",
    "DownloadFailed",
    "GitHubApps",
    "GitHubClient",
    "GitHubUnavailable",
    "RateLimited",
    "RetryPolicy",
    "github_of",
]
