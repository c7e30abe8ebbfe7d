"""The few HTML pages the sign-in flow shows: each says what happened and how to go on."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

# Auth responses carry codes, states and cookies: never cache them, never leak them by Referer.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
PAGE_HEADERS = {
    **NO_STORE,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0}"
    "main{max-width:32rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:6px;"
    "box-shadow:0 1px 4px #0002}h1{font-size:1.3rem;margin-top:0}"
)


def auth_page(title: str, message: str, *, status: int) -> HTMLResponse:
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - SuiteGraph</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>"
        f'<p role="alert">{escape(message)}</p>'
        '<p><a href="/auth/login">Sign in again</a></p></main></body></html>'
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


__all__ = ["NO_STORE", "PAGE_HEADERS", "auth_page"]
