"""Whether GitHub can reach PUBLIC_URL: loopback, private and local-network hosts and plain http are flagged."""

from __future__ import annotations

import pytest

from githubapp.intake.public_url import unreachable_reason, warning


@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1:8000", "loopback"),
    ("http://localhost:8000", "loopback"),
    ("https://[::1]:8443", "loopback"),
    ("http://app.localhost", "loopback"),
    ("https://10.0.0.5", "private"),
    ("https://192.168.1.20:8000", "private"),
    ("https://172.16.4.1", "private"),
    ("https://169.254.169.254", "private"),
    ("https://[fd00::1]", "private"),
    ("https://0.0.0.0:8000", "private"),
    ("https://triage", "local network"),
    ("https://triage.internal", "local network"),
    ("https://nas.local", "local network"),
    ("http://triage.example.com", "plain http"),
    ("http://8.8.4.4", "plain http"),
    ("ftp://triage.example.com", "not an http(s) URL"),
])
def test_unreachable(url: str, reason: str) -> None:
    found = unreachable_reason(url)
    assert found is not None and reason in found and url in found


@pytest.mark.parametrize("url", ["https://triage.example.com", "https://abc.trycloudflare.com",
                                 "https://8.8.8.8:8443", "https://triage.example.com/ci"])
def test_reachable(url: str) -> None:
    assert unreachable_reason(url) is None and warning(url) is None


def test_the_warning_says_what_to_do() -> None:
    text = warning("http://127.0.0.1:8000")
    assert text is not None
    assert "PUBLIC_URL=https://" in text and "tunnel" in text and "restart" in text
