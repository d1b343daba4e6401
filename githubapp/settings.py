"""The one place that reads configuration. Build with ``Settings.from_env(os.environ)``."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

CREDENTIALS_FILE = "github-app.json"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _read_secret(env: Mapping[str, str], name: str) -> str | None:
    """``NAME`` or the contents of the file named by ``NAME_FILE`` (for Kubernetes/Docker secrets)."""
    value = env.get(name)
    path = env.get(f"{name}_FILE")
    if value and path:
        raise SettingsError(f"set either {name} or {name}_FILE, not both")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise SettingsError(f"{name}_FILE: cannot read {path}: {exc.strerror}") from exc
    return value or None


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = (env.get(name) or default).rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http(s) URL, got {value!r}")
    return value


def _csv(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (env.get(name) or "").split(",") if part.strip())


def _proxies(env: Mapping[str, str]) -> str:
    """TRUSTED_PROXIES (or the older FORWARDED_ALLOW_IPS): addresses and CIDR blocks, or "*"; checked here."""
    name = "TRUSTED_PROXIES" if env.get("TRUSTED_PROXIES") else "FORWARDED_ALLOW_IPS"
    raw = env.get(name) or "127.0.0.1"
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    for part in parts:
        if part == "*":
            continue
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise SettingsError(f"{name}: {part!r} is not an IP address or CIDR block") from None
    return ",".join(parts) or "127.0.0.1"


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(".ci-triage")
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    log_level: str = "info"

    github_app_id: int | None = None
    github_private_key: str | None = field(default=None, repr=False)
    github_webhook_secrets: tuple[str, ...] = field(default=(), repr=False)
    github_client_id: str | None = None
    github_client_secret: str | None = field(default=None, repr=False)
    github_app_slug: str | None = None
    github_api_url: str = "https://api.github.com"
    github_url: str = "https://github.com"

    database_url: str | None = field(default=None, repr=False)
    redis_url: str | None = field(default=None, repr=False)
    queue_name: str = "ci-triage:queue"

    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_prefix: str = ""
    aws_access_key_id: str | None = field(default=None, repr=False)
    aws_secret_access_key: str | None = field(default=None, repr=False)
    artifact_link_ttl_seconds: int = 7 * 24 * 3600

    openai_base_url: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)
    embedding_model: str | None = None
    llm_model: str | None = None

    slack_webhook_url: str | None = field(default=None, repr=False)
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str | None = None

    chromium_path: str | None = None
    chromium_sandbox: str = "auto"  # auto | on | off (snapshot.sandbox)
    snapshot_allow_hosts: tuple[str, ...] = ()

    log_byte_cap: int = 64 * 1024 * 1024
    excerpt_budget: int = 100
    # source files read per run for the symbol a compile/type/lint error is in (pipeline.source), and their size cap
    source_files_per_run: int = 8
    source_file_max_bytes: int = 512 * 1024
    analysis_cpu_seconds: int = 120  # per log, in the analysis child process
    analysis_memory_mb: int = 2048
    similarity_threshold: float = 0.97  # calibrated: benchmarks/matching.py, docs/history.md
    log_retention_days: int = 30
    failure_retention_days: int = 90
    installation_purge_days: int = 30
    webhook_max_bytes: int = 25 * 1024 * 1024
    job_max_tries: int = 6
    job_retry_base_seconds: float = 10.0
    reconcile_max_redeliveries: int = 700
    secret_key: str | None = field(default=None, repr=False)
    api_rate_limit: int = 100
    # TRUSTED_PROXIES: proxies (addresses, CIDR blocks) whose X-Forwarded-For is believed for the client address
    # (rate limits, logs); "*" trusts any. Also given to uvicorn. FORWARDED_ALLOW_IPS is the older name.
    forwarded_allow_ips: str = "127.0.0.1"
    api_auth_failure_limit: int = 20  # failed API authentications per window and client address
    metrics_token: str | None = field(default=None, repr=False)  # when set, GET /metrics needs it as a Bearer
    api_rate_window_seconds: int = 15 * 60
    session_ttl_seconds: int = 8 * 3600
    ingest_max_bytes: int = 20 * 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        data_dir = Path(env.get("CI_TRIAGE_DATA_DIR") or ".ci-triage")
        host = env.get("HOST") or "127.0.0.1"
        port = _int(env, "PORT", 8000)
        if port > 65535:
            raise SettingsError(f"PORT must be at most 65535, got {port}")
        log_level = (env.get("LOG_LEVEL") or "info").lower()
        if log_level not in LOG_LEVELS:
            raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
        app_id_raw = env.get("GITHUB_APP_ID")
        app_id = _int(env, "GITHUB_APP_ID", 0, minimum=1) if app_id_raw else None
        private_key = _read_secret(env, "GITHUB_PRIVATE_KEY")
        if private_key is not None and "PRIVATE KEY" not in private_key:
            raise SettingsError("GITHUB_PRIVATE_KEY is not a PEM private key")
        secrets = _read_secret(env, "GITHUB_WEBHOOK_SECRET")
        settings = cls(
            data_dir=data_dir,
            host=host,
            port=port,
            public_url=_url(env, "PUBLIC_URL", f"http://{host}:{port}"),
            log_level=log_level,
            github_app_id=app_id,
            github_private_key=private_key,
            github_webhook_secrets=tuple(s.strip() for s in (secrets or "").split(",") if s.strip()),
            github_client_id=env.get("GITHUB_CLIENT_ID") or None,
            github_client_secret=_read_secret(env, "GITHUB_CLIENT_SECRET"),
            github_api_url=_url(env, "GITHUB_API_URL", "https://api.github.com"),
            github_url=_url(env, "GITHUB_URL", "https://github.com"),
            database_url=_read_secret(env, "DATABASE_URL"),
            redis_url=_read_secret(env, "REDIS_URL"),
            queue_name=env.get("CI_TRIAGE_QUEUE") or "ci-triage:queue",
            s3_bucket=env.get("S3_BUCKET") or None,
            s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
            s3_region=env.get("S3_REGION") or "us-east-1",
            s3_prefix=env.get("S3_PREFIX") or "",
            aws_access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
            aws_secret_access_key=_read_secret(env, "AWS_SECRET_ACCESS_KEY"),
            artifact_link_ttl_seconds=_int(env, "ARTIFACT_LINK_TTL_SECONDS", 7 * 24 * 3600, minimum=60),
            openai_base_url=env.get("OPENAI_BASE_URL") or None,
            openai_api_key=_read_secret(env, "OPENAI_API_KEY"),
            embedding_model=env.get("EMBEDDING_MODEL") or None,
            llm_model=env.get("LLM_MODEL") or None,
            slack_webhook_url=_read_secret(env, "SLACK_WEBHOOK_URL"),
            smtp_url=_read_secret(env, "SMTP_URL"),
            mail_from=env.get("MAIL_FROM") or None,
            chromium_path=env.get("CHROMIUM_PATH") or None,
            chromium_sandbox=_choice(env, "CHROMIUM_SANDBOX", ("auto", "on", "off"), "auto"),
            snapshot_allow_hosts=_csv(env, "SNAPSHOT_ALLOW_HOSTS"),
            log_byte_cap=_int(env, "LOG_BYTE_CAP", 64 * 1024 * 1024, minimum=1024),
            excerpt_budget=_int(env, "EXCERPT_BUDGET", 100, minimum=5),
            source_files_per_run=_int(env, "SOURCE_FILES_PER_RUN", 8, minimum=0),
            source_file_max_bytes=_int(env, "SOURCE_FILE_MAX_BYTES", 512 * 1024, minimum=1024),
            analysis_cpu_seconds=_int(env, "ANALYSIS_CPU_SECONDS", 120, minimum=1),
            analysis_memory_mb=_int(env, "ANALYSIS_MEMORY_MB", 2048, minimum=64),
            similarity_threshold=_float(env, "SIMILARITY_THRESHOLD", 0.97),
            log_retention_days=_int(env, "LOG_RETENTION_DAYS", 30, minimum=1),
            failure_retention_days=_int(env, "FAILURE_RETENTION_DAYS", 90, minimum=1),
            installation_purge_days=_int(env, "INSTALLATION_PURGE_DAYS", 30, minimum=0),
            webhook_max_bytes=_int(env, "WEBHOOK_MAX_BYTES", 25 * 1024 * 1024, minimum=1024),
            job_max_tries=_int(env, "JOB_MAX_TRIES", 6, minimum=1),
            job_retry_base_seconds=_float(env, "JOB_RETRY_BASE_SECONDS", 10.0),
            reconcile_max_redeliveries=_int(env, "RECONCILE_MAX_REDELIVERIES", 700, minimum=1),
            secret_key=_read_secret(env, "CI_TRIAGE_SECRET_KEY"),
            api_rate_limit=_int(env, "API_RATE_LIMIT", 100, minimum=1),
            forwarded_allow_ips=_proxies(env),
            api_auth_failure_limit=_int(env, "API_AUTH_FAILURE_LIMIT", 20, minimum=1),
            metrics_token=_read_secret(env, "METRICS_TOKEN"),
            api_rate_window_seconds=_int(env, "API_RATE_LIMIT_WINDOW_SECONDS", 15 * 60, minimum=1),
            session_ttl_seconds=_int(env, "SESSION_TTL_SECONDS", 8 * 3600, minimum=60),
            ingest_max_bytes=_int(env, "INGEST_MAX_BYTES", 20 * 1024 * 1024, minimum=1024),
        )
        if settings.s3_bucket and not (settings.aws_access_key_id and settings.aws_secret_access_key):
            raise SettingsError("S3_BUCKET is set: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required too")
        return settings.with_stored_credentials()

    def with_stored_credentials(self) -> Settings:
        """Fill App credentials from the data dir (written by the manifest flow) where env left them unset."""
        path = self.data_dir / CREDENTIALS_FILE
        if self.github_app_id is not None or not path.exists():
            return self
        try:
            stored: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise SettingsError(f"cannot read App credentials from {path}: {exc}") from exc
        return replace(
            self,
            github_app_id=int(stored["id"]),
            github_app_slug=stored.get("slug"),
            github_private_key=stored.get("pem"),
            github_webhook_secrets=self.github_webhook_secrets or (
                (stored["webhook_secret"],) if stored.get("webhook_secret") else ()
            ),
            github_client_id=self.github_client_id or stored.get("client_id"),
            github_client_secret=self.github_client_secret or stored.get("client_secret"),
        )

    @property
    def app_configured(self) -> bool:
        return bool(self.github_app_id and self.github_private_key and self.github_webhook_secrets)
