"""Sign-in, token refresh, session end and sign-out over real HTTP, against the NetSuite sandbox."""

import asyncio
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
from support.oauth import parse_form
from support.portal import Portal, running_portal

from graph.sandbox.oauth import AUTHORIZE_PATH, server

PROFILE = "{ viewer { customer { id companyName } } }"
PAGE = "{ viewer { customer { companyName invoices(first: %d) { totalCount } } } }"


def company_name(portal: Portal, user: dict) -> str:
    sql = "SELECT companyname FROM customer WHERE id = ?"
    return portal.db.execute(sql, (user["customer_id"],)).fetchone()[0]


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def session_cookie(response: httpx.Response) -> str:
    (header,) = [h for h in response.headers.get_list("set-cookie") if h.startswith("sg_session=")]
    return header


def live_refresh_tokens(portal: Portal) -> list[str]:
    auth = server(portal.sandbox)
    return [token for token in auth.refresh if auth.live_grant(token) is not None]


async def control(portal: Portal, method: str, path: str, **kwargs: object) -> None:
    async with portal.control() as client:
        answer = await client.request(method, "/__sandbox" + path, **kwargs)  # type: ignore[arg-type]
        assert answer.status_code == 200, answer.text


async def stored_session_keys(portal: Portal) -> list[str]:
    items = portal.app.state.services.store._items  # the memory store's own dict
    return [key for key in items if key.startswith("session:")]


async def test_the_whole_dance_ends_in_an_opaque_session_cookie_and_a_working_query(portal: Portal):
    user = portal.users[0]
    async with portal.browser() as browser:
        login = await browser.get("/auth/login", params={"next": "/invoices?page=2"})
        assert login.status_code == 302
        location = login.headers["location"]
        assert location.startswith(portal.sandbox_url + AUTHORIZE_PATH + "?")
        params = query_of(location)
        assert params["response_type"] == "code"
        assert params["client_id"] == portal.settings.client_id
        assert params["redirect_uri"] == portal.url + "/auth/callback"
        assert params["scope"].split() == list(portal.settings.scopes)
        assert 22 <= len(params["state"]) <= 1024
        assert params["code_challenge_method"] == "S256"
        assert len(params["code_challenge"]) == 43

        sign_in = await browser.get(location)
        form = parse_form(sign_in.text)
        assert "email" in form.fields and "password" in form.fields
        consent = await browser.post(
            urljoin(location, form.action),
            data={**form.fields, "email": user["email"], "password": user["password"], "action": "login"},
        )
        form = parse_form(consent.text)
        assert "email" not in form.fields  # the consent page
        redirect = await browser.post(urljoin(location, form.action), data={**form.fields, "action": "allow"})
        assert redirect.status_code == 302
        callback = redirect.headers["location"]
        assert callback.startswith(portal.url + "/auth/callback?")
        answer = query_of(callback)
        assert answer["state"] == params["state"]
        assert answer["company"] == portal.sandbox.config.account_id

        landed = await browser.get(callback)
        assert landed.status_code == 302 and landed.headers["location"] == "/invoices?page=2"
        cookie = session_cookie(landed)
        attributes = [part.strip().lower() for part in cookie.split(";")]
        assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
        value = cookie.split(";")[0].split("=", 1)[1]
        (refresh_token,) = live_refresh_tokens(portal)
        access_tokens = list(server(portal.sandbox).access)
        for token in [refresh_token, *access_tokens]:
            for fragment in (token, token.split(".")[1], token[-20:]):
                assert fragment not in value
        assert "." not in value.split(".", 1)[0]  # an id and its signature, no JWT inside

        data = await portal.graphql(browser, PROFILE)
    assert data["viewer"]["customer"]["companyName"] == company_name(portal, user)


async def test_every_login_gets_its_own_state_and_pkce_challenge(portal: Portal):
    async with portal.browser() as one, portal.browser() as two:
        first = query_of((await one.get("/auth/login")).headers["location"])
        second = query_of((await two.get("/auth/login")).headers["location"])
    assert first["code_challenge"] != second["code_challenge"]
    assert first["state"] != second["state"]


async def test_an_access_token_expired_at_netsuite_is_refreshed_and_the_request_succeeds(portal: Portal):
    user = portal.users[0]
    async with portal.browser() as browser:
        await portal.sign_in(browser, user)
        auth = server(portal.sandbox)
        before = auth.requests["refresh_token"]
        await control(portal, "POST", "/tokens/expire", json={"tokens": "access"})
        data = await portal.graphql(browser, PROFILE)
        assert data["viewer"]["customer"]["companyName"] == company_name(portal, user)
        assert auth.requests["refresh_token"] == before + 1
        # The new token is kept: the next request needs no further refresh.
        await portal.graphql(browser, "{ viewer { customer { email } } }")
        assert auth.requests["refresh_token"] == before + 1


async def test_fifty_concurrent_requests_at_expiry_make_exactly_one_refresh():
    async with running_portal(concurrency=4, latency_ms=20, env={"PORTAL_CACHE_TTL": "0"}) as portal:
        user = portal.users[0]
        async with portal.browser() as browser:
            await portal.sign_in(browser, user)
            auth = server(portal.sandbox)
            before = auth.requests["refresh_token"]
            await control(portal, "POST", "/tokens/expire", json={"tokens": "access"})
            portal.reset_counters()
            # Fifty different queries, so that no two coalesce into one upstream call.
            queries = [PAGE % first for first in range(1, 51)]
            results = await asyncio.gather(*(portal.post_graphql(browser, query) for query in queries))
        assert all(not result.get("errors") for result in results), results[0]
        names = {result["data"]["viewer"]["customer"]["companyName"] for result in results}
        assert names == {company_name(portal, user)}
        assert portal.upstream_calls() > 50 and portal.sandbox.counters.peak_in_flight > 1
        assert auth.requests["refresh_token"] == before + 1


async def assert_session_ended(portal: Portal, browser: httpx.AsyncClient) -> None:
    result = await portal.post_graphql(browser, PROFILE)
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["loginUrl"] == portal.url + "/auth/login"
    assert result["data"] is None
    assert await stored_session_keys(portal) == []
    # And it stays ended: the next request does not reach NetSuite.
    calls = portal.upstream_calls()
    again = await portal.post_graphql(browser, PROFILE)
    assert again["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert portal.upstream_calls() == calls


async def test_a_refresh_token_revoked_at_netsuite_ends_the_session(portal: Portal):
    async with portal.browser() as browser:
        await portal.sign_in(browser, portal.users[0])
        await control(portal, "POST", "/tokens/revoke")
        await assert_session_ended(portal, browser)


async def test_an_expired_refresh_token_ends_the_session(portal: Portal):
    async with portal.browser() as browser:
        await portal.sign_in(browser, portal.users[0])
        await control(portal, "POST", "/tokens/expire", json={"tokens": "all"})
        await assert_session_ended(portal, browser)


async def test_logout_revokes_at_netsuite_and_clears_the_session(portal: Portal):
    async with portal.browser() as browser:
        await portal.sign_in(browser, portal.users[0])
        (refresh_token,) = live_refresh_tokens(portal)
        signed_out = await browser.post("/auth/logout", headers={"accept": "application/json"})
        assert signed_out.status_code == 200
        assert signed_out.json() == {"status": "signed_out", "revoked": True}
        cleared = session_cookie(signed_out).lower()
        assert 'sg_session=""' in cleared or "max-age=0" in cleared
        assert server(portal.sandbox).live_grant(refresh_token) is None
        assert live_refresh_tokens(portal) == []
        assert await stored_session_keys(portal) == []
        assert "sg_session" not in browser.cookies
        result = await portal.post_graphql(browser, PROFILE)
        assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_logout_from_a_page_redirects_home(portal: Portal):
    async with portal.browser() as browser:
        await portal.sign_in(browser, portal.users[0])
        signed_out = await browser.post("/auth/logout", headers={"origin": portal.url})
        assert signed_out.status_code == 303 and signed_out.headers["location"] == "/"
        assert await stored_session_keys(portal) == []


async def test_logout_clears_local_state_when_netsuite_is_unreachable(portal: Portal):
    async with portal.browser() as browser:
        await portal.sign_in(browser, portal.users[0])
        await portal.stop_sandbox()
        signed_out = await browser.post("/auth/logout", headers={"accept": "application/json"})
        assert signed_out.status_code == 200
        assert signed_out.json() == {"status": "signed_out", "revoked": False}
        assert "sg_session" not in browser.cookies
        assert await stored_session_keys(portal) == []
        result = await portal.post_graphql(browser, PROFILE)
        assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_cross_origin_logout_is_refused_and_the_session_kept(portal: Portal):
    async with portal.browser() as browser:
        await portal.sign_in(browser, portal.users[0])
        refused = await browser.post("/auth/logout", headers={"origin": "https://evil.example"})
        assert refused.status_code == 403
        await portal.graphql(browser, PROFILE)
        assert len(live_refresh_tokens(portal)) == 1
