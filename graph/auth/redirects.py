"""Where a sign-in may return to: same-origin paths only, so /auth/login is no open redirect."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_NEXT_LENGTH = 2048


class UnsafeRedirect(ValueError):
    """The ``next`` value is not a path on this site."""


def safe_next(raw: str | None, *, default: str = "/") -> str:
    """Return ``raw`` when it is a same-origin path (``/orders?x=1``), ``default`` when it is empty.

    Refused: absolute and scheme-relative URLs (``https://evil.com``, ``//evil.com``), backslashes
    (browsers read ``/\\evil.com`` as ``//evil.com``), control characters and whitespace (browsers
    strip tabs and newlines, turning ``/\\t/evil.com`` into ``//evil.com``), and ``javascript:`` or
    any other scheme.
    """
    if raw is None or raw == "":
        return default
    if len(raw) > MAX_NEXT_LENGTH:
        raise UnsafeRedirect("the return address is too long")
    if not raw.startswith("/") or raw.startswith("//"):
        raise UnsafeRedirect("the return address must be a path on this site")
    if "\\" in raw or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in raw):
        raise UnsafeRedirect("the return address contains characters that are not allowed")
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        raise UnsafeRedirect("the return address must be a path on this site")
    return raw


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lowercased as browsers send it in an ``Origin`` header."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


__all__ = ["MAX_NEXT_LENGTH", "UnsafeRedirect", "origin_of", "safe_next"]
