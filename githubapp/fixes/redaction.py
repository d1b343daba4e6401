"""What may leave the process for an LLM endpoint: secrets masked, secret-looking files never included."""

from __future__ import annotations

import posixpath

from analysis.regex import IGNORECASE, compile_linear

from ..observability.logs import redact

# Beyond githubapp.observability.logs.redact (GitHub tokens, PEM keys, token=/password= assignments).
_MORE_SECRETS = compile_linear(
    r"(AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
    r"|sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"  # OpenAI / Anthropic style API keys
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack tokens
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API keys
    r"|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"  # JWTs
    r"|(?i:(?:api[_-]?key|access[_-]?key|client[_-]?secret|private[_-]?key|passwd|pwd|credentials?)"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s\"',]{6,}"
    r"|(?i:bearer\s+)[A-Za-z0-9._~+/-]{16,}=*"
    r"|://[^/\s:@]+:[^/\s@]+@",  # credentials in URLs
)
_SECRET_FILES = compile_linear(
    r"(^|/)(\.env(\..*)?|\.npmrc|\.pypirc|\.netrc|id_(rsa|dsa|ecdsa|ed25519)(\.pub)?|credentials(\.\w+)?"
    r"|secrets?(\.\w+)?)$|\.(pem|key|p12|pfx|jks|keystore|gpg|asc)$",
    IGNORECASE,
)


def redact_for_model(text: str) -> str:
    return _MORE_SECRETS.sub(lambda m: m.group(0)[:4] + "…[redacted]", redact(text))


def may_send_file(path: str) -> bool:
    return not _SECRET_FILES.search(posixpath.normpath(path))
