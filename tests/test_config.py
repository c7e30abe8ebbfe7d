import pytest

from graph.config import ConfigError, Settings

ACCOUNT = {
    "NETSUITE_ACCOUNT_ID": "1234567_sb1",
    "NETSUITE_CLIENT_ID": "client",
    "NETSUITE_CLIENT_SECRET": "secret",
}


def test_nothing_set_means_the_embedded_sandbox_in_development():
    settings = Settings.from_mapping({})
    assert settings.uses_sandbox and not settings.production
    assert settings.concurrency == 1 and settings.scopes == ("rest_webservices",)
    assert settings.secret_key_generated and len(settings.secret_key) >= 32
    assert settings.redirect_uri == "http://127.0.0.1:8000/auth/callback"


def test_an_account_is_normalised_to_netsuite_form():
    settings = Settings.from_mapping(
        {**ACCOUNT, "NETSUITE_CONCURRENCY": "5", "NETSUITE_SCOPES": "restlets rest_webservices"}
    )
    assert settings.account_id == "1234567_SB1" and not settings.uses_sandbox
    assert settings.concurrency == 5 and settings.scopes == ("restlets", "rest_webservices")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"NETSUITE_ACCOUNT_ID": "acme; drop"}, "NETSUITE_ACCOUNT_ID .* is not a NetSuite account id"),
        ({"NETSUITE_CONCURRENCY": "five"}, "NETSUITE_CONCURRENCY must be an integer, not 'five'"),
        ({"NETSUITE_CONCURRENCY": "0"}, "NETSUITE_CONCURRENCY must be at least 1"),
        ({"PORTAL_ENV": "production"}, "PORTAL_SECRET_KEY is required when PORTAL_ENV=production"),
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be one of development, production"),
        ({"PORTAL_SECRET_KEY": "short"}, "PORTAL_SECRET_KEY must be at least 16 characters"),
        ({"NETSUITE_CLIENT_SECRET": ""}, "NETSUITE_CLIENT_ID and NETSUITE_CLIENT_SECRET are required"),
        ({"NETSUITE_REST_URL": "ftp://x"}, "NETSUITE_REST_URL must be an absolute http"),
        ({"PORTAL_STORE_URL": "postgres://db"}, "PORTAL_STORE_URL must start with"),
        ({"PORTAL_REQUEST_DEADLINE": "soon"}, "PORTAL_REQUEST_DEADLINE must be a number, not 'soon'"),
        ({"PORTAL_REQUEST_DEADLINE": "0"}, "PORTAL_REQUEST_DEADLINE must be positive"),
    ],
)
def test_a_bad_value_names_the_variable_at_fault(changes, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_mapping({**ACCOUNT, **changes})


def test_production_needs_an_account():
    with pytest.raises(ConfigError, match="NETSUITE_ACCOUNT_ID is required when PORTAL_ENV=production"):
        Settings.from_mapping({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "x" * 32})


def test_a_dotenv_file_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text('# portal\nNETSUITE_CONCURRENCY="3"\nPORTAL_CACHE_TTL=4\n', encoding="utf-8")
    monkeypatch.setenv("PORTAL_CACHE_TTL", "7")
    monkeypatch.delenv("NETSUITE_CONCURRENCY", raising=False)
    settings = Settings.from_env(env_file=env_file)
    assert settings.concurrency == 3 and settings.cache_ttl == 7.0
