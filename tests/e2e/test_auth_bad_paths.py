"""Sign-in gone wrong, over real HTTP: every bad path gets a clear answer, never a 500 or a session."""

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from support.portal import SECRET_KEY, Portal

from graph.auth.crypto import Signer

PROFILE = "{ viewer { customer { companyName } } }"


def with_params(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    params.update(changes)
    return parts._replace(query=urlencode(params)).geturl()


def assert_refused(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert words in response.text
    assert not any(h.startswith("sg_session=") for h in response.headers.get_list("set-cookie"))


async def assert_signed_out(portal: Portal, browser: httpx.AsyncClient) -> None:
    result = await portal.post_graphql(browser, PROFILE)
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example"])
async def test_a_foreign_next_is_refused_before_netsuite_is_asked(portal: Portal, target: str):
    async with portal.browser() as browser:
        refused = await browser.get("/auth/login", params={"next": target})
    assert_refused(refused, 400, "outside this portal")
    assert "location" not in refused.headers


async def test_a_callback_without_state_is_refused(portal: Portal):
    async with portal.browser() as browser:
        callback = await portal.authorize(browser, portal.users[0])
        parts = urlsplit(callback)
        params = {k: v for k, v in parse_qs(parts.query).items() if k != "state"}
        refused = await browser.get(parts._replace(query=urlencode(params, doseq=True)).geturl())
        assert_refused(refused, 400, "missing its state")
        await assert_signed_out(portal, browser)


async def test_a_callback_replayed_is_refused_and_the_first_session_stays(portal: Portal):
    async with portal.browser() as browser:
        callback = await portal.authorize(browser, portal.users[0])
        assert (await browser.get(callback)).status_code == 302
        assert_refused(await browser.get(callback), 400, "already completed or has expired")
        await portal.graphql(browser, PROFILE)


async def test_a_state_from_another_browser_is_refused(portal: Portal):
    async with portal.browser() as victim, portal.browser() as attacker:
        callback = await portal.authorize(attacker, portal.users[1])
        assert (await victim.get("/auth/login")).status_code == 302  # the victim has a login cookie too
        assert_refused(await victim.get(callback), 400, "another browser")
        await assert_signed_out(portal, victim)


async def test_a_code_used_twice_is_refused_and_netsuite_revokes_its_grant(portal: Portal):
    user = portal.users[0]
    async with portal.browser() as browser:
        first = await portal.authorize(browser, user)
        assert (await browser.get(first)).status_code == 302
        # A fresh state of this browser, carrying the spent code.
        second = await portal.authorize(browser, user)
        code = parse_qs(urlsplit(first).query)["code"][0]
        refused = await browser.get(with_params(second, code=code))
        assert_refused(refused, 400, "did not accept the sign-in")
        # RFC 6749 §4.1.2: the replayed code revoked what it was first exchanged for.
        await assert_signed_out(portal, browser)


async def test_a_denied_consent_says_so_and_signs_nobody_in(portal: Portal):
    async with portal.browser() as browser:
        callback = await portal.authorize(browser, portal.users[0], allow=False)
        assert parse_qs(urlsplit(callback).query)["error"] == ["access_denied"]
        assert_refused(await browser.get(callback), 403, "Access was not granted")
        await assert_signed_out(portal, browser)


async def test_a_callback_for_another_account_is_refused_before_the_code_is_spent(portal: Portal):
    async with portal.browser() as browser:
        callback = await portal.authorize(browser, portal.users[0])
        assert_refused(await browser.get(with_params(callback, company="7654321")), 403, "not serve")
    assert portal.sandbox_app.state.sandbox.oauth["server"].requests["authorization_code"] == 0


@pytest.mark.parametrize("forge", ["tampered", "unknown", "garbage"])
async def test_a_forged_session_cookie_is_not_signed_in(portal: Portal, forge: str):
    async with portal.browser() as browser:
        await portal.sign_in(browser, portal.users[0])
        real = browser.cookies["sg_session"]
        forged = {
            "tampered": real[:-1] + ("A" if real[-1] != "A" else "B"),
            "unknown": Signer(SECRET_KEY).sign("an-id-this-portal-never-issued"),
            "garbage": "%%%" * 100,
        }[forge]
    async with portal.browser(cookies={"sg_session": forged}) as stranger:
        await assert_signed_out(portal, stranger)
        signed_out = await stranger.post("/auth/logout", headers={"accept": "application/json"})
        assert signed_out.status_code == 200 and signed_out.json()["revoked"] is None
