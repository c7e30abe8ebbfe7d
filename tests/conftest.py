"""Checks over the whole test session: no log line of the run carries a secret the run produced.

Every log record of the session (the project's own loggers down to DEBUG) is formatted and kept
(as its distinct words), and every secret is registered as it comes into being: the sandboxes'
client secrets, authorization codes, access and refresh tokens and sign-in sessions
(``graph.sandbox.oauth.SECRET_OBSERVERS``), the portal's secret keys, session ids and the signed
cookie values that carry them. At the end of
the session each secret is looked for in every kept line; a find fails the session, naming the kind
of secret and the logger, never the secret.

What is scanned: every record that reaches the root logger. The service's own ``graph.*`` (sandbox
included) and ``suitegraph.*`` loggers are set to DEBUG for the session: they must never log a
secret at any level. Libraries (uvicorn, authlib, asyncio) keep their levels, as in a deployment;
httpx and httpcore are skipped below WARNING even when a test lowers the root level: the service
holds them at WARNING (``graph.cli.configure_logging``), and in tests the same loggers also trace
the test's own browsers, whose callback URLs carry authorization codes.
"""

from __future__ import annotations

import logging
import re
import sys
from collections import defaultdict

import pytest

from graph.auth import crypto
from graph.sandbox import oauth as sandbox_oauth

# Characters of every secret the session makes (JWTs, hex, url-safe base64, signed values); a log
# line holding a secret therefore holds it inside one maximal run of them.
_WORD = re.compile(r"[A-Za-z0-9_.~+/=-]+")
# Shorter runs are words, numbers and ids, never one of the secrets (all are 16 characters or more).
_PROBE = 12
_HTTP_CLIENT_LOGGERS = ("httpx", "httpcore")
_PROJECT_LOGGERS = ("graph", "suitegraph")


class SessionLogScan(logging.Handler):
    """Keeps each distinct word of every in-scope log line, with the loggers that wrote it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.words: defaultdict[str, set[str]] = defaultdict(set)
        self.secrets: dict[str, str] = {}
        self.lines = 0

    def register(self, kind: str, value: str) -> None:
        if value:
            self.secrets.setdefault(value, kind)

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in _HTTP_CLIENT_LOGGERS and record.levelno < logging.WARNING:
            return
        try:
            line = self.format(record)
        except Exception:  # a broken log call is the caller's bug, reported elsewhere
            return
        self.lines += 1
        for word in _WORD.findall(line):
            if len(word) >= _PROBE:
                self.words[word].add(record.name)

    def leaks(self) -> list[tuple[str, str]]:
        """(kind of secret, logger) for every secret found in a kept line."""
        by_probe: defaultdict[str, list[str]] = defaultdict(list)
        for secret in self.secrets:
            probe = max(_WORD.findall(secret), key=len, default="")
            if len(probe) >= _PROBE:
                by_probe[probe[:_PROBE]].append(probe)
        found: set[tuple[str, str]] = set()
        for word, loggers in self.words.items():
            for start in range(len(word) - _PROBE + 1):
                for probe in by_probe.get(word[start : start + _PROBE], ()):
                    if word.startswith(probe, start):
                        kinds = {kind for secret, kind in self.secrets.items() if probe in secret}
                        found.update((kind, name) for kind in kinds for name in loggers)
        return sorted(found)


SCAN = SessionLogScan()


def _watch_portal_secrets() -> None:
    """Register the portal's secret keys, session ids and cookie values as they are used."""
    derive_key, sign = crypto.derive_key, crypto.Signer.sign

    def registering_derive_key(secret_key: str, purpose: str) -> bytes:
        SCAN.register("PORTAL_SECRET_KEY", secret_key)
        return derive_key(secret_key, purpose)

    def registering_sign(self: crypto.Signer, value: str) -> str:
        signed = sign(self, value)
        SCAN.register("session id", value)
        SCAN.register("session cookie", signed)
        return signed

    crypto.derive_key = registering_derive_key  # type: ignore[assignment]
    crypto.Signer.sign = registering_sign  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(SCAN)
    # The project's own loggers at DEBUG; the libraries keep the levels a deployment gives them.
    for name in _PROJECT_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    sandbox_oauth.SECRET_OBSERVERS.append(SCAN.register)
    _watch_portal_secrets()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(SCAN)
    leaks = SCAN.leaks()
    if not leaks:
        return
    for kind, name in leaks:
        print(f"\nlog scan: a secret ({kind}) is in a line of logger {name!r}", file=sys.stderr)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
