from __future__ import annotations

import pytest

from graph.config import Settings
from graph.netsuite import AccountHosts


def test_sandbox_account_id_becomes_lowercase_hyphenated_hosts() -> None:
    hosts = AccountHosts.for_account("1234567_SB1")
    assert hosts.account_id == "1234567_SB1"
    assert hosts.rest_url == "https://1234567-sb1.suitetalk.api.netsuite.com"
    assert hosts.app_url == "https://1234567-sb1.app.netsuite.com"
    assert hosts.restlet_url == "https://1234567-sb1.restlets.api.netsuite.com"


def test_endpoints_of_a_production_account() -> None:
    hosts = AccountHosts.for_account("7654321")
    rest = "https://7654321.suitetalk.api.netsuite.com/services/rest"
    assert hosts.suiteql_url == f"{rest}/query/v1/suiteql"
    assert hosts.token_url == f"{rest}/auth/oauth2/v1/token"
    assert hosts.revoke_url == f"{rest}/auth/oauth2/v1/revoke"
    assert hosts.authorize_url == "https://7654321.app.netsuite.com/app/login/oauth2/authorize.nl"
    assert hosts.restlet_endpoint == "https://7654321.restlets.api.netsuite.com/app/site/hosting/restlet.nl"
    assert hosts.record_url("salesOrder") == f"{rest}/record/v1/salesOrder"
    assert hosts.record_url("customer", 107) == f"{rest}/record/v1/customer/107"
    assert hosts.record_url("customer", "eid:CUST-9") == f"{rest}/record/v1/customer/eid:CUST-9"


def test_overrides_replace_each_derived_host() -> None:
    hosts = AccountHosts.for_account(
        "1234567_SB1",
        rest_url="http://127.0.0.1:8100/",
        app_url="http://127.0.0.1:8101",
        restlet_url="http://127.0.0.1:8102",
    )
    assert hosts.suiteql_url == "http://127.0.0.1:8100/services/rest/query/v1/suiteql"
    assert hosts.authorize_url == "http://127.0.0.1:8101/app/login/oauth2/authorize.nl"
    assert hosts.restlet_endpoint == "http://127.0.0.1:8102/app/site/hosting/restlet.nl"


def test_from_settings_uses_the_configuration_contract() -> None:
    settings = Settings.from_mapping(
        {
            "NETSUITE_ACCOUNT_ID": "1234567_sb2",
            "NETSUITE_CLIENT_ID": "id",
            "NETSUITE_CLIENT_SECRET": "secret",
            "NETSUITE_REST_URL": "https://rest.example.test",
        }
    )
    hosts = AccountHosts.from_settings(settings)
    assert hosts.account_id == "1234567_SB2"
    assert hosts.rest_url == "https://rest.example.test"
    assert hosts.app_url == "https://1234567-sb2.app.netsuite.com"


def test_from_settings_without_an_account_is_an_error() -> None:
    with pytest.raises(ValueError, match="NETSUITE_ACCOUNT_ID"):
        AccountHosts.from_settings(Settings())


@pytest.mark.parametrize("bad", ["", "12 34", "1234567.evil.com/", "a_b/c"])
def test_malformed_account_ids_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        AccountHosts.for_account(bad)


@pytest.mark.parametrize(
    ("record_type", "record_id"),
    [("customer/../x", None), ("customer", "1/../2"), ("customer", True), ("c", "-1")],
)
def test_record_urls_refuse_path_tricks(record_type: str, record_id: object) -> None:
    with pytest.raises(ValueError):
        AccountHosts.for_account("1").record_url(record_type, record_id)  # type: ignore[arg-type]


def test_resolve_keeps_locations_on_the_account_host() -> None:
    hosts = AccountHosts.for_account("1")
    assert hosts.resolve("/services/rest/async/v1/job/5") == f"{hosts.rest_url}/services/rest/async/v1/job/5"
    assert hosts.resolve("https://evil.test/services/rest/async/v1/job/5?x=1") == (
        f"{hosts.rest_url}/services/rest/async/v1/job/5?x=1"
    )
