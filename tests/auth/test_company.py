import pytest

from graph.auth.oauth import company_matches


@pytest.mark.parametrize("company", ["1234567_SB1", "1234567_sb1", "1234567-sb1", " 1234567_SB1 ", "1234567"])
def test_a_sandbox_account_accepts_its_id_in_every_form_netsuite_may_send(company: str):
    assert company_matches(company, "1234567_SB1")


@pytest.mark.parametrize(
    "company", [None, "", "1234567_SB2", "7654321", "7654321_SB1", "1234567_SB1_X", "12345"]
)
def test_another_account_or_no_company_is_refused(company: str | None):
    assert not company_matches(company, "1234567_SB1")


def test_a_production_account_does_not_accept_one_of_its_sandboxes():
    assert company_matches("1234567", "1234567")
    assert not company_matches("1234567_SB1", "1234567")
