"""OAuth 2.0 sign-in with NetSuite, server-side encrypted sessions and single-flight token refresh."""

from graph.auth.service import AuthService
from graph.auth.sessions import Session
from graph.auth.tokens import SessionEnded

__all__ = ["AuthService", "Session", "SessionEnded"]
