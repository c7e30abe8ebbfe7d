"""The HTTP guards end to end: headers, request ids, CSRF, CORS, rate limits, persisted queries,
production mode. Nothing here signs in unless it needs a viewer."""

from __future__ import annotations

import hashlib
import json

from support.portal import running_portal

JSON = {"content-type": "application/json"}
TYPENAME = "{ __typename }"


def sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def code_of(response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def test_every_response_has_security_headers_and_a_request_id():
    async with running_portal() as portal, portal.browser() as browser:
        for response in (
            await browser.post("/graphql", json={"query": TYPENAME}),
            await browser.get("/healthz"),
            await browser.get("/"),
            await browser.get("/nowhere"),
        ):
            headers = response.headers
            assert headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert headers["referrer-policy"]
            assert len(headers["x-request-id"]) >= 8
            assert "strict-transport-security" not in headers  # development, plain http
        page = await browser.get("/")
        assert "script-src 'self'" in page.headers["content-security-policy"]  # the page's own policy


async def test_graphql_errors_carry_the_request_id_of_the_response():
    async with running_portal() as portal, portal.browser() as browser:
        response = await browser.post("/graphql", json={"query": "{ viewer { customer { id } } }"})
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert error["extensions"]["requestId"] == response.headers["x-request-id"]


async def test_csrf_simple_requests_are_refused_and_json_or_a_preflight_header_pass():
    async with running_portal() as portal, portal.browser() as browser:
        form = await browser.post("/graphql", data={"query": TYPENAME})
        assert form.status_code == 400 and code_of(form) == "BAD_REQUEST"
        text = await browser.post(
            "/graphql", content=json.dumps({"query": TYPENAME}), headers={"content-type": "text/plain"}
        )
        assert text.status_code == 400
        assert (await browser.post("/graphql", json={"query": TYPENAME})).json() == {
            "data": {"__typename": "Query"}
        }
        flagged = await browser.get(
            "/graphql", params={"query": TYPENAME}, headers={"apollo-require-preflight": "true"}
        )
        assert flagged.json()["data"] == {"__typename": "Query"}
        bare_get = await browser.get("/graphql", params={"query": TYPENAME})
        assert bare_get.status_code == 400


async def test_mutations_over_get_are_refused():
    mutation = 'mutation { updateContactInfo(input: {email: "x@example.com"}) { __typename } }'
    async with running_portal() as portal, portal.browser() as browser:
        portal.reset_counters()
        response = await browser.get(
            "/graphql", params={"query": mutation}, headers={"apollo-require-preflight": "1"}
        )
        assert response.status_code in (400, 405)
        assert portal.upstream_calls() == 0


async def test_cross_origin_requests_are_refused_unless_the_origin_is_configured():
    allowed = "https://shop.example.com"
    async with running_portal(env={"PORTAL_CORS_ORIGINS": allowed}) as portal, portal.browser() as browser:
        foreign = await browser.post(
            "/graphql", json={"query": TYPENAME}, headers={"origin": "https://evil.test"}
        )
        assert foreign.status_code == 403 and "access-control-allow-origin" not in foreign.headers
        friend = await browser.post("/graphql", json={"query": TYPENAME}, headers={"origin": allowed})
        assert friend.status_code == 200
        assert friend.headers["access-control-allow-origin"] == allowed
        preflight = await browser.options(
            "/graphql",
            headers={
                "origin": allowed,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
        assert preflight.status_code == 200
    async with running_portal() as portal, portal.browser() as browser:
        closed = await browser.options(
            "/graphql", headers={"origin": allowed, "access-control-request-method": "POST"}
        )
        assert "access-control-allow-origin" not in closed.headers


async def test_rate_limit_answers_429_with_retry_after_per_client():
    env = {"PORTAL_RATE_LIMIT": "1", "PORTAL_RATE_BURST": "3"}
    async with running_portal(env=env) as portal, portal.browser() as browser:
        statuses = [(await browser.post("/graphql", json={"query": TYPENAME})).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        limited = await browser.post("/graphql", json={"query": TYPENAME})
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert code_of(limited) == "RATE_LIMITED"


async def test_a_signed_in_viewer_has_a_bucket_of_their_own():
    env = {"PORTAL_RATE_LIMIT": "1", "PORTAL_RATE_BURST": "2"}
    async with running_portal(env=env) as portal:
        async with portal.browser() as anonymous:
            for _ in range(2):
                await anonymous.post("/graphql", json={"query": TYPENAME})
            assert (await anonymous.post("/graphql", json={"query": TYPENAME})).status_code == 429
        async with portal.browser() as signed_in:
            await portal.sign_in(signed_in, portal.users[0])  # same address, own bucket once signed in
            assert (await signed_in.post("/graphql", json={"query": TYPENAME})).status_code == 200


async def test_account_wide_rate_limit_covers_all_viewers():
    env = {"PORTAL_RATE_LIMIT": "600", "PORTAL_RATE_BURST": "1", "PORTAL_ACCOUNT_RATE_LIMIT": "1"}
    async with running_portal(env=env) as portal, portal.browser() as browser:
        assert (await browser.post("/graphql", json={"query": TYPENAME})).status_code == 200
        other = await browser.post(
            "/graphql", json={"query": TYPENAME}, headers={"x-forwarded-for": "1.2.3.4"}
        )
        assert other.status_code == 429


async def test_automatic_persisted_queries_follow_apollos_protocol():
    document = "query Name { __typename }"
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha(document)}}
    async with running_portal() as portal, portal.browser() as browser:
        unknown = await browser.post("/graphql", json={"extensions": extensions})
        assert unknown.status_code == 200
        assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
        assert code_of(unknown) == "PERSISTED_QUERY_NOT_FOUND"
        registered = await browser.post("/graphql", json={"query": document, "extensions": extensions})
        assert registered.json() == {"data": {"__typename": "Query"}}
        by_hash = await browser.post("/graphql", json={"extensions": extensions})
        assert by_hash.json() == {"data": {"__typename": "Query"}}
        by_get = await browser.get("/graphql", params={"extensions": json.dumps(extensions)}, headers=JSON)
        assert by_get.json() == {"data": {"__typename": "Query"}}
        wrong = {"persistedQuery": {"version": 1, "sha256Hash": sha("something else")}}
        mismatch = await browser.post("/graphql", json={"query": document, "extensions": wrong})
        assert mismatch.status_code == 400 and code_of(mismatch) == "BAD_REQUEST"


async def test_registered_mode_runs_only_the_documents_of_the_manifest(tmp_path):
    known = "query Known { __typename }"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": sha(known), "name": "Known", "type": "query", "body": known}],
            }
        )
    )
    env = {"PORTAL_PERSISTED_QUERIES": "registered", "PORTAL_PERSISTED_QUERIES_FILE": str(manifest)}
    async with running_portal(env=env) as portal, portal.browser() as browser:
        by_hash = await browser.post(
            "/graphql", json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(known)}}}
        )
        assert by_hash.json() == {"data": {"__typename": "Query"}}
        assert (await browser.post("/graphql", json={"query": known})).json()["data"] == {
            "__typename": "Query"
        }
        other = await browser.post("/graphql", json={"query": "{ __typename }"})
        assert code_of(other) == "QUERY_NOT_REGISTERED"
        new = "query New { __typename }"
        apq = await browser.post(
            "/graphql",
            json={"query": new, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(new)}}},
        )
        assert code_of(apq) == "QUERY_NOT_REGISTERED"


async def test_production_turns_off_introspection_and_the_ide_and_adds_hsts():
    async with running_portal(env={"PORTAL_ENV": "production"}) as portal, portal.browser() as browser:
        ide = await browser.get("/graphql", headers={"accept": "text/html"})
        assert ide.status_code != 200 or "graphiql" not in ide.text.lower()
        introspection = await browser.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        assert introspection.json()["errors"]
        assert introspection.json().get("data") is None
        typo = await browser.post("/graphql", json={"query": "{ viewr { id } }"})
        (error,) = typo.json()["errors"]
        assert "Did you mean" not in error["message"]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert ide.headers["strict-transport-security"].startswith("max-age=")


async def test_development_serves_the_ide_and_suggestions():
    async with running_portal() as portal, portal.browser() as browser:
        ide = await browser.get("/graphql", headers={"accept": "text/html"})
        assert ide.status_code == 200 and "graphiql" in ide.text.lower()
        typo = await browser.post("/graphql", json={"query": "{ viewr { id } }"})
        assert "Did you mean" in typo.json()["errors"][0]["message"]


async def test_a_body_over_the_size_limit_is_refused_before_it_is_parsed():
    async with running_portal(env={"PORTAL_MAX_BODY_BYTES": "1000"}) as portal, portal.browser() as browser:
        portal.reset_counters()
        huge = await browser.post("/graphql", json={"query": TYPENAME, "variables": {"x": "a" * 5000}})
        assert huge.status_code == 413
        assert huge.json()["errors"][0]["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "body size",
            "maximum": 1000,
            "requestId": huge.headers["x-request-id"],
        }
        assert portal.upstream_calls() == 0


async def test_query_limits_over_http_cost_no_upstream_call():
    env = {"PORTAL_MAX_DEPTH": "4"}
    async with running_portal(env=env) as portal, portal.browser() as browser:
        await portal.sign_in(browser, portal.users[0])
        portal.reset_counters()
        deep = "{ viewer { customer { subCustomers { nodes { subCustomers { nodes { id } } } } } } }"
        result = await portal.post_graphql(browser, deep)
        assert result["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert result["errors"][0]["extensions"]["limit"] == "depth"
        assert portal.upstream_calls() == 0
