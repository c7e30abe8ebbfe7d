"""HTML of the sandbox's sign-in, consent and error pages (what NetSuite's authorize.nl shows).

Every value is HTML-escaped; the pages carry no script and load nothing from elsewhere.
"""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

# No script, no framing, nothing cached: these pages hold a signed request and sign-in forms.
# No form-action: browsers apply it to the redirect that answers a form too, and the sign-in and
# consent forms are answered with a redirect to the client's redirect URI, on another origin.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
LOOPBACK_NOTE = (
    "This is the SuiteGraph NetSuite sandbox. Like NetSuite it accepts https and custom-scheme redirect "
    "URIs; unlike NetSuite it also accepts http redirect URIs on loopback hosts (127.0.0.1, localhost, ::1)."
)
_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0}"
    "main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:6px;"
    "box-shadow:0 1px 4px #0002}h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem}"
    "input[type=email],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}"
    "button{margin-top:1.2rem;padding:.5rem 1.2rem;margin-right:.5rem}.error{color:#b00020}"
    "footer{font-size:.8rem;color:#666;margin-top:2rem}"
)


def _page(title: str, body: str, *, status: int = 200) -> HTMLResponse:
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - NetSuite (sandbox)</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}<footer>{escape(LOOPBACK_NOTE)}</footer></main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def sign_in_page(
    action: str, request_token: str, *, account_id: str, email: str = "", error: str = ""
) -> HTMLResponse:
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f"<p>Sign in to account {escape(account_id)} to continue.</p>{message}"
        f'<form method="post" action="{escape(action)}">'
        f"{_hidden('request', request_token)}"
        '<label for="email">Email address</label>'
        f'<input id="email" type="email" name="email" value="{escape(email)}" '
        'autocomplete="username" required>'
        '<label for="password">Password</label>'
        '<input id="password" type="password" name="password" autocomplete="current-password" required>'
        '<button type="submit" name="action" value="login">Log In</button></form>'
        "<p><small>Seeded portal users are listed at <code>/__sandbox/users</code>.</small></p>"
    )
    return _page("Log in", body)


def consent_page(
    action: str,
    request_token: str,
    *,
    user_name: str,
    client_id: str,
    scopes: tuple[str, ...],
    account_id: str,
) -> HTMLResponse:
    items = "".join(f"<li>{escape(scope)}</li>" for scope in scopes)
    body = (
        f"<p>Signed in as {escape(user_name)} (account {escape(account_id)}).</p>"
        f"<p>The application <code>{escape(client_id[:12])}…</code> asks for access to:</p><ul>{items}</ul>"
        f'<form method="post" action="{escape(action)}">'
        f"{_hidden('request', request_token)}"
        '<button type="submit" name="action" value="allow">Allow</button>'
        '<button type="submit" name="action" value="deny">Deny</button></form>'
    )
    return _page("Allow access?", body)


def error_page(title: str, message: str, *, status: int = 400) -> HTMLResponse:
    return _page(title, f'<p class="error" role="alert">{escape(message)}</p>', status=status)


__all__ = ["LOOPBACK_NOTE", "PAGE_HEADERS", "consent_page", "error_page", "sign_in_page"]
