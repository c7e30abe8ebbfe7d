"""The HTTP side of sign-in: GET /auth/login, GET /auth/callback, POST /auth/logout."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from graph.audit import audit, viewer_label
from graph.auth.oauth import PROMPTS, OAuthFailure, OAuthUnavailable, TokenSet, company_matches
from graph.auth.pages import NO_STORE, auth_page
from graph.auth.pending import PENDING_TTL, PendingLogin
from graph.auth.redirects import UnsafeRedirect, origin_of, safe_next
from graph.netsuite import FixedToken, NetSuiteClient, NetSuiteError, as_int, render

if TYPE_CHECKING:
    from graph.auth.service import AuthService

log = logging.getLogger(__name__)

# What authorize.nl answers to prompt=none when it cannot proceed silently (the sandbox and, by
# the docs, NetSuite say access_denied; OpenID Connect servers say login_required & co).
SILENT_FAILURES = frozenset({"access_denied", "login_required", "consent_required", "interaction_required"})
ERROR_MESSAGES = {
    "access_denied": "Access was not granted in NetSuite, so you are not signed in.",
    "invalid_scope": "NetSuite refused the access this portal asks for. Please tell the portal's operator.",
    "unauthorized_client": "NetSuite does not recognise this portal. Please tell the portal's operator.",
}


Handler = Callable[[Request], Awaitable[Response]]


class AuthViews:
    def __init__(self, service: AuthService) -> None:
        self.service = service

    def routes(self) -> list[Route]:
        return [
            Route("/auth/login", self.login, methods=["GET"], name="auth_login"),
            Route(
                "/auth/callback",
                self._audited("sign_in", self.callback),
                methods=["GET"],
                name="auth_callback",
            ),
            Route(
                "/auth/logout", self._audited("sign_out", self.logout), methods=["POST"], name="auth_logout"
            ),
        ]

    def _audited(self, event: str, handler: Handler) -> Handler:
        """``handler`` with an audit line saying who signed in or out and how it ended; the handler
        names the session in ``request.state.audited_session``."""

        async def run(request: Request) -> Response:
            status = 500
            try:
                response = await handler(request)
                status = response.status_code
                return response
            finally:
                session = getattr(request.state, "audited_session", None)
                done = status < 400 and (event == "sign_out" or session is not None)
                audit(
                    event,
                    account=self.service.account_id,
                    viewer=viewer_label(session),
                    outcome="ok" if done else "refused",
                    status=status,
                )

        return run

    # -- GET /auth/login -----------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        service, query = self.service, request.query_params
        try:
            next_path = safe_next(query.get("next"))
        except UnsafeRedirect:
            return auth_page(
                "Sign-in link not valid",
                "The sign-in link asks to return to a page outside this portal, which is not allowed.",
                status=400,
            )
        prompt = query.get("prompt") or None
        if prompt is not None and prompt not in PROMPTS:
            return auth_page("Sign-in link not valid", "The sign-in link has an unknown prompt.", status=400)
        if prompt is None and query.get("silent") != "0" and await service.returning_near_reconsent(request):
            prompt = "none"  # the weekly re-consent, without a click when NetSuite allows it

        cookies = service.cookies
        nonce = request.cookies.get(cookies.login_name) or ""
        if not (32 <= len(nonce) <= 64 and nonce.replace("-", "").replace("_", "").isalnum()):
            nonce = secrets.token_urlsafe(32)
        authorization = service.oauth.authorization_request(prompt=prompt)
        pending = PendingLogin(
            code_verifier=authorization.code_verifier,
            next_path=next_path,
            binding=service.pending.binding_for(nonce),
            prompt=prompt,
        )
        await service.pending.put(authorization.state, pending)
        response = RedirectResponse(authorization.url, status_code=302, headers=NO_STORE)
        response.set_cookie(
            cookies.login_name,
            nonce,
            max_age=int(PENDING_TTL),
            path=cookies.login_path,
            httponly=True,
            samesite="lax",
            secure=cookies.secure,
        )
        return response

    # -- GET /auth/callback --------------------------------------------------------------------

    async def callback(self, request: Request) -> Response:
        service, query = self.service, request.query_params
        state = query.get("state")
        if not state:
            return auth_page("Sign-in failed", "The answer from NetSuite is missing its state.", status=400)
        pending = await service.pending.take(state)
        if pending is None:
            return auth_page(
                "Sign-in link expired",
                "This sign-in was already completed or has expired. Please start again.",
                status=400,
            )
        if not service.pending.same_browser(pending, request.cookies.get(service.cookies.login_name)):
            return auth_page(
                "Sign-in failed",
                "This sign-in was started in another browser or tab session. Please start again here.",
                status=400,
            )

        error = query.get("error")
        if error:
            if pending.prompt == "none" and error in SILENT_FAILURES:
                retry = "/auth/login?" + urlencode({"next": pending.next_path, "silent": "0"})
                return RedirectResponse(retry, status_code=302, headers=NO_STORE)
            message = ERROR_MESSAGES.get(error, "NetSuite could not complete the sign-in.")
            return auth_page(
                "Sign-in not completed", message, status=403 if error == "access_denied" else 400
            )

        code = query.get("code")
        if not code:
            return auth_page("Sign-in failed", "The answer from NetSuite is missing its code.", status=400)
        if not company_matches(query.get("company"), service.account_id):
            return auth_page(
                "Account not served here",
                "You signed in to a NetSuite account this portal does not serve.",
                status=403,
            )
        try:
            role_id, entity_id = int(query.get("role", "")), int(query.get("entity", ""))
        except ValueError:
            return auth_page("Sign-in failed", "The answer from NetSuite is missing the user.", status=400)

        lane = f"{service.account_id}:sign-in"
        try:
            tokens = await service.oauth.exchange_code(code, pending.code_verifier)
        except OAuthFailure as failure:
            log.info("code exchange refused: %s", failure.error)
            return auth_page(
                "Sign-in failed",
                "NetSuite did not accept the sign-in (the link may have been used already). "
                "Please start again.",
                status=400,
            )
        except (OAuthUnavailable, NetSuiteError):
            return _unavailable()

        try:
            customer_id = await self._customer_of(entity_id, tokens, lane=f"{service.account_id}:{entity_id}")
        except NetSuiteError:
            await service.revoke_quietly(tokens, lane=lane)
            return _unavailable()
        if customer_id is None:
            await service.revoke_quietly(tokens, lane=lane)
            return auth_page(
                "No customer account",
                "Your NetSuite user is not linked to a customer, so there is nothing to show in this portal.",
                status=403,
            )

        # A new id for every sign-in (no session fixation); the browser's previous session goes.
        previous = service.session_id(request)
        if previous is not None:
            old = await service.sessions.load(previous)
            await service.tokens.end(previous)
            if old is not None and old.tokens.refresh_token != tokens.refresh_token:
                await service.revoke_quietly(old.tokens, lane=lane)
        session = await service.sessions.create(
            account_id=service.account_id,
            customer_id=customer_id,
            entity_id=entity_id,
            role_id=role_id,
            tokens=tokens,
        )
        service.tokens.remember(session.id, tokens)
        request.state.audited_session = session
        log.info("signed in customer %s (entity %s)", customer_id, entity_id)

        cookies = service.cookies
        response = RedirectResponse(pending.next_path, status_code=302, headers=NO_STORE)
        response.set_cookie(
            cookies.session_name,
            service.sessions.cookie_value(session.id),
            # Outlives the consent by a day so that a returning browser can re-consent silently.
            max_age=int(session.consent_remaining().total_seconds()) + 86_400,
            path="/",
            httponly=True,
            samesite="lax",
            secure=cookies.secure,
        )
        response.delete_cookie(
            cookies.login_name, path=cookies.login_path, secure=cookies.secure, httponly=True
        )
        return response

    async def _customer_of(self, entity_id: int, tokens: TokenSet, *, lane: str) -> int | None:
        """The customer an entity acts for: itself when a customer, else a contact's company."""
        client = NetSuiteClient(self.service.account, FixedToken(tokens.access_token), lane=lane)
        rows = await client.suiteql(render("SELECT id FROM customer WHERE id = :entity", entity=entity_id))
        if rows:
            return entity_id
        rows = await client.suiteql(
            render("SELECT company FROM contact WHERE id = :entity", entity=entity_id)
        )
        return as_int(rows[0].get("company")) if rows else None

    # -- POST /auth/logout ---------------------------------------------------------------------

    async def logout(self, request: Request) -> Response:
        service = self.service
        origin = request.headers.get("origin")
        if origin and origin.lower() != origin_of(service.settings.public_url):
            return JSONResponse({"error": "cross-origin sign-out refused"}, status_code=403, headers=NO_STORE)
        session_id = service.session_id(request)
        revoked: bool | None = None
        if session_id is not None:
            record = await service.sessions.load(session_id)
            # Local state first: the user is signed out here whatever NetSuite says.
            await service.tokens.end(session_id)
            if record is not None:
                request.state.audited_session = record.session
                revoked = await service.revoke_quietly(record.tokens, lane=service.lane(record.session))
        if "application/json" in request.headers.get("accept", ""):
            response: Response = JSONResponse({"status": "signed_out", "revoked": revoked}, headers=NO_STORE)
        else:
            response = RedirectResponse("/", status_code=303, headers=NO_STORE)
        cookies = service.cookies
        response.delete_cookie(cookies.session_name, path="/", secure=cookies.secure, httponly=True)
        return response


def _unavailable() -> Response:
    return auth_page(
        "NetSuite is unavailable", "NetSuite could not be reached. Please try again in a moment.", status=503
    )


__all__ = ["AuthViews"]
