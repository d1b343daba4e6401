import json
from pathlib import Path

import pytest

from githubapp.settings import Settings, SettingsError


def test_defaults_need_nothing() -> None:
    s = Settings.from_env({})
    assert s.port == 8000 and s.host == "127.0.0.1"
    assert s.public_url == "http://127.0.0.1:8000"
    assert s.database_url is None and s.redis_url is None
    assert not s.app_configured


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PORT": "eighty"}, "PORT"),  # not an integer
        ({"PORT": "70000"}, "PORT"),  # out of range
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"GITHUB_API_URL": "ftp://x"}, "GITHUB_API_URL"),
        ({"GITHUB_PRIVATE_KEY": "not a key"}, "GITHUB_PRIVATE_KEY"),
        ({"GITHUB_PRIVATE_KEY_FILE": "/nonexistent/key.pem"}, "GITHUB_PRIVATE_KEY_FILE"),
        ({"S3_BUCKET": "b"}, "AWS_ACCESS_KEY_ID"),  # bucket without credentials
        ({"SIMILARITY_THRESHOLD": "high"}, "SIMILARITY_THRESHOLD"),
    ],
)
def test_bad_values_fail_fast_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_secret_from_file_and_rotation_list(tmp_path: Path, private_key_pem: str) -> None:
    key = tmp_path / "key.pem"
    key.write_text(private_key_pem)
    s = Settings.from_env(
        {"GITHUB_APP_ID": "12", "GITHUB_PRIVATE_KEY_FILE": str(key), "GITHUB_WEBHOOK_SECRET": "new, old"}
    )
    assert s.github_app_id == 12
    assert s.github_private_key == private_key_pem.strip()
    assert s.github_webhook_secrets == ("new", "old")
    assert s.app_configured
    assert "PRIVATE KEY" not in repr(s)  # secrets never printed


def test_both_value_and_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="either"):
        Settings.from_env({"REDIS_URL": "redis://x", "REDIS_URL_FILE": str(tmp_path)})


def test_credentials_from_manifest_flow_file(tmp_path: Path, private_key_pem: str) -> None:
    stored = {"id": 7, "slug": "triage", "pem": private_key_pem, "webhook_secret": "w", "client_id": "Iv1",
              "client_secret": "c"}
    (tmp_path / "github-app.json").write_text(json.dumps(stored))
    s = Settings.from_env({"CI_TRIAGE_DATA_DIR": str(tmp_path)})
    assert (s.github_app_id, s.github_app_slug, s.github_webhook_secrets) == (7, "triage", ("w",))
    assert s.app_configured
