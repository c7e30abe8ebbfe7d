"""Sessions at rest and over time, over real HTTP: encrypted in the SQLite store, surviving a restart,
and the weekly re-consent NetSuite imposes on confidential clients."""

import dataclasses
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from support.portal import Portal, running_portal

from graph.app import create_app
from graph.sandbox.oauth import server
from graph.serving import serve

PROFILE = "{ viewer { customer { companyName } } }"
CONSENT = "{ viewer { session { consentExpiresAt reconsentSoon } } }"


def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {"PORTAL_STORE_URL": f"sqlite:///{tmp_path}/s.sqlite3"}


def store_bytes(tmp_path: Path) -> bytes:
    # The database and its write-ahead log: recent writes live in the -wal file.
    return b"".join(path.read_bytes() for path in sorted(tmp_path.glob("s.sqlite3*")))


def issued_tokens(portal: Portal) -> list[str]:
    auth = server(portal.sandbox)
    return [*auth.refresh, *auth.access]


async def test_the_store_holds_no_token_in_plain_text(tmp_path: Path):
    async with running_portal(env=sqlite_env(tmp_path)) as portal:
        async with portal.browser() as browser:
            await portal.sign_in(browser, portal.users[0])
            async with portal.control() as control:
                await control.post("/__sandbox/tokens/expire", json={"tokens": "access"})
            await portal.graphql(browser, PROFILE)  # refreshes: a second access token is stored
            session_id = browser.cookies["sg_session"].rsplit(".", 1)[0]
        tokens = issued_tokens(portal)
        assert len(tokens) == 3 and server(portal.sandbox).requests["refresh_token"] == 1
        raw = store_bytes(tmp_path)
        assert b"session:" in raw  # the record is there, just unreadable
        for secret in [*tokens, session_id]:
            for fragment in {secret, secret.split(".")[-1], secret[:40], secret[-24:]}:
                assert fragment.encode() not in raw


async def test_a_session_survives_a_restart_with_the_same_secret_key(tmp_path: Path):
    async with running_portal(env=sqlite_env(tmp_path)) as portal:
        user = portal.users[0]
        async with portal.browser() as browser:
            await portal.sign_in(browser, user)
            before = await portal.graphql(browser, PROFILE)
            await portal.stop_app()
            async with serve(create_app(portal.settings), lifespan="on") as url:
                browser.base_url = httpx.URL(url)  # the cookie is the browser's, whatever the port
                assert await portal.graphql(browser, PROFILE) == before
                # The restarted service also refreshes the stored token set when NetSuite asks.
                async with portal.control() as control:
                    await control.post("/__sandbox/tokens/expire", json={"tokens": "access"})
                assert await portal.graphql(browser, "{ viewer { customer { email } } }")
        assert server(portal.sandbox).requests["authorization_code"] == 1


async def test_a_restart_with_another_secret_key_signs_everyone_out_cleanly(tmp_path: Path):
    async with running_portal(env=sqlite_env(tmp_path)) as portal:
        async with portal.browser() as browser:
            await portal.sign_in(browser, portal.users[0])
            await portal.stop_app()
            settings = dataclasses.replace(portal.settings, secret_key="a-different-portal-secret-key")
            async with serve(create_app(settings), lifespan="on") as url:
                browser.base_url = httpx.URL(url)
                result = await portal.post_graphql(browser, PROFILE)
        assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_weekly_reconsent_is_announced_and_done_silently_when_netsuite_allows():
    # A refresh token that ends within a day, as on the last day of NetSuite's 7-day consent.
    async with running_portal(refresh_token_ttl=3600) as portal:
        async with portal.browser() as browser:
            await portal.sign_in(browser, portal.users[0])
            session = (await portal.graphql(browser, CONSENT))["viewer"]["session"]
            assert session["reconsentSoon"] is True
            first_cookie = browser.cookies["sg_session"]

            login = await browser.get("/auth/login", params={"next": "/orders"})
            authorize = parse_qs(urlsplit(login.headers["location"]).query)
            assert authorize["prompt"] == ["none"]
            # NetSuite still knows the browser and its consent: straight back with a code.
            answer = await browser.get(login.headers["location"])
            assert answer.status_code == 302
            landed = await browser.get(answer.headers["location"])
            assert landed.status_code == 302 and landed.headers["location"] == "/orders"
            assert browser.cookies["sg_session"] != first_cookie
            assert await portal.graphql(browser, PROFILE)
        assert len([t for t in server(portal.sandbox).refresh if server(portal.sandbox).live_grant(t)]) == 1


async def test_a_silent_reconsent_that_netsuite_refuses_falls_back_to_the_sign_in_form():
    async with running_portal(refresh_token_ttl=3600) as portal, portal.browser() as browser:
        await portal.sign_in(browser, portal.users[0])
        async with portal.control() as control:
            await control.delete("/__sandbox/sessions")  # NetSuite forgot the browser
        login = await browser.get("/auth/login")
        answer = await browser.get(login.headers["location"])
        assert parse_qs(urlsplit(answer.headers["location"]).query)["error"] == ["access_denied"]
        retry = await browser.get(answer.headers["location"])
        assert retry.status_code == 302 and "silent=0" in retry.headers["location"]
        interactive = await browser.get(retry.headers["location"])
        assert "prompt" not in parse_qs(urlsplit(interactive.headers["location"]).query)
        assert (await browser.get(interactive.headers["location"])).status_code == 200  # the form


async def test_a_fresh_consent_is_not_announced_as_ending(portal: Portal):
    async with portal.browser() as browser:
        await portal.sign_in(browser, portal.users[0])
        session = (await portal.graphql(browser, CONSENT))["viewer"]["session"]
        login = await browser.get("/auth/login")
    assert session["reconsentSoon"] is False
    assert "prompt" not in parse_qs(urlsplit(login.headers["location"]).query)


async def test_the_account_id_may_be_configured_in_its_hostname_form():
    env = {"NETSUITE_ACCOUNT_ID": "1234567-sb1"}
    async with running_portal(env=env) as portal, portal.browser() as browser:
        landed = await portal.sign_in(browser, portal.users[0])
        assert landed.status_code == 302
        assert await portal.graphql(browser, PROFILE)


async def test_a_sandbox_account_signs_in_when_netsuite_names_the_company_without_its_suffix():
    # What NetSuite sends as `company` for a sandbox account is not documented: tolerate both forms.
    env = {"NETSUITE_ACCOUNT_ID": "1234567_SB1"}
    async with running_portal(account_id="1234567", env=env) as portal, portal.browser() as browser:
        callback = await portal.authorize(browser, portal.users[0])
        assert parse_qs(urlsplit(callback).query)["company"] == ["1234567"]
        assert (await browser.get(callback)).status_code == 302
        assert await portal.graphql(browser, PROFILE)
