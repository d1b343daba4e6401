"""Secrets in logs, webhook signature checks, the SSRF guard's host forms."""

from __future__ import annotations

import json
import logging
import secrets

import pytest

from githubapp.intake.signatures import sign, signature_valid
from githubapp.observability.logs import JsonFormatter, redact

JWT = ("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiI0MjQyIiwiaWF0IjoxNzAwMDAwMDAwfQ"
       ".c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2VuLXRoYXQtaXMtbG9uZw")
TOKENS = [
    "ghs_" + "A" * 36,  # classic installation token
    f"ghs_4242_{JWT}",  # stateless ghs_<app id>_<JWT> format (facts.json)
    "ghp_" + "b1" * 18, "gho_" + "c" * 36, "ghu_" + "d" * 36, "ghr_" + "e" * 76,
    "github_pat_11ABCDEFG0" + "x" * 70,
    JWT,  # an App JWT
    "cit_" + secrets.token_urlsafe(32),  # our API keys
    "v1." + "f" * 40,
]


@pytest.mark.parametrize("token", TOKENS)
def test_redact_hides_every_part_of_real_token_formats(token: str) -> None:
    for text in (f"token {token}", f"Authorization: Bearer {token}", f"url?access_token={token}&x=1",
                 f"GitHub said 401 for {token}.", json.dumps({"token": token})):
        cleaned = redact(text)
        assert token not in cleaned
        assert token[-12:] not in cleaned, cleaned  # nothing after a dot or dash survives


def test_redact_private_key_and_secret_assignments() -> None:
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
    assert "MIIEowIBAAKCAQEA" not in redact(f"key: {pem}")
    assert "hunter2hunter2" not in redact("webhook secret=hunter2hunter2")


def test_log_fields_are_redacted_too() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "minted %s", (TOKENS[1],), None)
    record.fields = {"token": f"token {TOKENS[0]}"}
    line = JsonFormatter().format(record)
    assert TOKENS[0] not in line and TOKENS[1] not in line and JWT[-12:] not in line


def test_signature_tries_every_secret_and_refuses_lookalikes() -> None:
    body = b'{"action":"completed"}'
    assert signature_valid(body, sign(body, "old"), ["new", "old"])
    assert signature_valid(body, sign(body, "new"), ["new", "old"])
    assert not signature_valid(body, sign(body, "other"), ["new", "old"])
    assert not signature_valid(body, sign(body, "new").upper(), ["new"])
    assert not signature_valid(body, "sha1=" + sign(body, "new")[7:], ["new"])
    assert not signature_valid(body, sign(body, "new") + "00", ["new"])
    assert not signature_valid(body, "sha256=\u00e9" + sign(body, "new")[8:], ["new"])
    assert not signature_valid(body, sign(body, ""), [])


@pytest.mark.parametrize(
    "url",
    [
        "http://0/", "http://0.0.0.0/", "http://127.0.0.1./", "http://LOCALHOST/", "http://LocalHost./",
        "HTTP://127.0.0.1/", "http://a@127.0.0.1/", "http://a:b@example.com/", "http://[::1]/",
        "http://[0:0:0:0:0:0:0:1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "http://[::ffff:169.254.169.254]/", "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::1]/", "http://[fe80::1%25eth0]/", "http://0x7f000001/", "http://127.000.000.001/",
        "http://[::127.0.0.1]/", "http://169.254.169.254.:80/", "http://100.64.0.1/", "http://192.168.1.1/",
        "file:///etc/passwd", "gopher://127.0.0.1/", "http:///path", "http://example.com\\@127.0.0.1/",
    ],
)
async def test_guard_refuses_host_spellings(url: str) -> None:
    from snapshot.guard import BlockedURL, Guard

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]  # any name here points home

    with pytest.raises(BlockedURL):
        await Guard(resolver=resolver).check_url(url)
