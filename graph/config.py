"""Settings from the environment: the configuration contract, typed and validated in one place.

``Settings.from_env()`` reads ``os.environ`` (and a ``.env`` file in the working directory when
one exists) and raises ``ConfigError`` with a message naming the variable at fault.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ACCOUNT_ID = re.compile(r"^(?:[0-9]+|TSTDRV[0-9]+)(?:_(?:SB|RP)[0-9]+)?$")
ENVIRONMENTS = ("development", "production")
STORE_SCHEMES = ("sqlite", "memory", "redis")
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
PERSISTED_MODES = ("apq", "registered", "off")
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    account_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = ("rest_webservices",)
    concurrency: int = 1
    rest_url: str | None = None
    app_url: str | None = None
    restlet_url: str | None = None
    public_url: str = DEFAULT_PUBLIC_URL
    secret_key: str = field(default="", repr=False)
    secret_key_generated: bool = False
    store_url: str = "sqlite:///suitegraph.sqlite3"
    env: str = "development"
    # Operational knobs beyond the contract; defaults suit a portal.
    request_deadline: float = 20.0
    cache_ttl: float = 10.0
    # Abuse limits, checked before any upstream call.
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 5000
    max_body_bytes: int = 65_536
    rate_limit: float = 300.0  # requests a minute per viewer (or client address)
    rate_burst: int = 60
    account_rate_limit: float = 3000.0  # requests a minute for the whole account
    cors_origins: tuple[str, ...] = ()
    persisted_queries: str = "apq"  # apq | registered (only documents of the manifest) | off
    persisted_queries_file: str | None = None
    introspection: bool = True
    graphiql: bool = True

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def uses_sandbox(self) -> bool:
        """No account configured: the embedded sandbox is started and used."""
        return self.account_id is None

    @property
    def redirect_uri(self) -> str:
        return self.public_url.rstrip("/") + "/auth/callback"

    def with_sandbox(self, *, base_url: str, account_id: str, client_id: str, client_secret: str) -> Settings:
        """Point the service at an embedded sandbox listening on ``base_url``."""
        return replace(
            self,
            account_id=account_id,
            client_id=self.client_id or client_id,
            client_secret=self.client_secret or client_secret,
            rest_url=base_url,
            app_url=base_url,
            restlet_url=base_url,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: str | Path = ".env") -> Settings:
        values = dict(_read_env_file(Path(env_file))) if environ is None else {}
        values.update(os.environ if environ is None else environ)
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        mode = (get("PORTAL_ENV") or "development").lower()
        if mode not in ENVIRONMENTS:
            raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {mode!r}")

        account_id = get("NETSUITE_ACCOUNT_ID")
        if account_id is not None:
            account_id = account_id.upper().replace("-", "_")
            if not ACCOUNT_ID.match(account_id):
                raise ConfigError(
                    f"NETSUITE_ACCOUNT_ID {account_id!r} is not a NetSuite account id "
                    "(digits, optionally followed by _SB1, _SB2, ...; e.g. 1234567 or 1234567_SB1)"
                )

        concurrency = _integer(get("NETSUITE_CONCURRENCY") or "1", "NETSUITE_CONCURRENCY", minimum=1)
        scopes = tuple((get("NETSUITE_SCOPES") or "rest_webservices").split())

        secret_key = get("PORTAL_SECRET_KEY")
        generated = secret_key is None
        if secret_key is None:
            if mode == "production":
                raise ConfigError("PORTAL_SECRET_KEY is required when PORTAL_ENV=production")
            secret_key = secrets.token_urlsafe(32)
        elif len(secret_key) < 16:
            raise ConfigError("PORTAL_SECRET_KEY must be at least 16 characters long")

        if mode == "production" and account_id is None:
            raise ConfigError("NETSUITE_ACCOUNT_ID is required when PORTAL_ENV=production")
        client_id, client_secret = get("NETSUITE_CLIENT_ID"), get("NETSUITE_CLIENT_SECRET")
        if account_id is not None and (client_id is None or client_secret is None):
            raise ConfigError(
                "NETSUITE_CLIENT_ID and NETSUITE_CLIENT_SECRET are required with NETSUITE_ACCOUNT_ID"
            )

        store_url = get("PORTAL_STORE_URL") or "sqlite:///suitegraph.sqlite3"
        if urlsplit(store_url).scheme not in STORE_SCHEMES:
            raise ConfigError(
                f"PORTAL_STORE_URL must start with sqlite:///, memory:// or redis://, not {store_url!r}"
            )

        return cls(
            account_id=account_id,
            client_id=client_id,
            client_secret=client_secret,
            scopes=scopes,
            concurrency=concurrency,
            rest_url=_url(get("NETSUITE_REST_URL"), "NETSUITE_REST_URL"),
            app_url=_url(get("NETSUITE_APP_URL"), "NETSUITE_APP_URL"),
            restlet_url=_url(get("NETSUITE_RESTLET_URL"), "NETSUITE_RESTLET_URL"),
            public_url=_url(get("PORTAL_PUBLIC_URL"), "PORTAL_PUBLIC_URL") or DEFAULT_PUBLIC_URL,
            secret_key=secret_key,
            secret_key_generated=generated,
            store_url=store_url,
            env=mode,
            request_deadline=_positive(get("PORTAL_REQUEST_DEADLINE") or "20", "PORTAL_REQUEST_DEADLINE"),
            cache_ttl=_number(get("PORTAL_CACHE_TTL") or "10", "PORTAL_CACHE_TTL"),
            **_hardening(get, production=mode == "production"),
        )


def _hardening(get: Callable[[str], str | None], *, production: bool) -> dict[str, Any]:
    """The abuse limits, CORS, persisted queries and production switches (all ``PORTAL_*``)."""

    def integer(name: str, default: int) -> int:
        return _integer(get(name) or str(default), name, minimum=1)

    persisted = (get("PORTAL_PERSISTED_QUERIES") or "apq").lower()
    if persisted not in PERSISTED_MODES:
        raise ConfigError(f"PORTAL_PERSISTED_QUERIES must be one of {', '.join(PERSISTED_MODES)}")
    manifest = get("PORTAL_PERSISTED_QUERIES_FILE")
    if persisted == "registered" and manifest is None:
        raise ConfigError("PORTAL_PERSISTED_QUERIES=registered needs PORTAL_PERSISTED_QUERIES_FILE")
    if manifest is not None and not Path(manifest).is_file():
        raise ConfigError(f"PORTAL_PERSISTED_QUERIES_FILE {manifest!r} is not a file")
    return {
        "max_depth": integer("PORTAL_MAX_DEPTH", 12),
        "max_aliases": integer("PORTAL_MAX_ALIASES", 30),
        "max_tokens": integer("PORTAL_MAX_TOKENS", 2000),
        "max_cost": integer("PORTAL_MAX_COST", 5000),
        "max_body_bytes": integer("PORTAL_MAX_BODY_BYTES", 65_536),
        "rate_limit": _positive(get("PORTAL_RATE_LIMIT") or "300", "PORTAL_RATE_LIMIT"),
        "rate_burst": integer("PORTAL_RATE_BURST", 60),
        "account_rate_limit": _positive(
            get("PORTAL_ACCOUNT_RATE_LIMIT") or "3000", "PORTAL_ACCOUNT_RATE_LIMIT"
        ),
        "cors_origins": tuple(
            _origin(raw) for raw in (get("PORTAL_CORS_ORIGINS") or "").replace(",", " ").split()
        ),
        "persisted_queries": persisted,
        "persisted_queries_file": manifest,
        "introspection": _flag(get("PORTAL_INTROSPECTION"), "PORTAL_INTROSPECTION", default=not production),
        "graphiql": _flag(get("PORTAL_GRAPHIQL"), "PORTAL_GRAPHIQL", default=not production),
    }


def _positive(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"{name} must be positive, not {raw!r}")
    return value


def _flag(raw: str | None, name: str, *, default: bool) -> bool:
    if raw is None:
        return default
    value = raw.lower()
    if value not in TRUE_WORDS + FALSE_WORDS:
        raise ConfigError(f"{name} must be true or false, not {raw!r}")
    return value in TRUE_WORDS


def _origin(raw: str) -> str:
    """A CORS origin: ``scheme://host[:port]``, nothing else (no path, no wildcard)."""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(
            f"PORTAL_CORS_ORIGINS entries must be origins like https://shop.example.com, not {raw!r}"
        )
    return f"{parts.scheme}://{parts.netloc}".lower()


def _integer(raw: str, name: str, *, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _number(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _url(raw: str | None, name: str) -> str | None:
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} must be an absolute http(s) URL, not {raw!r}")
    return raw.rstrip("/")


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("\"'")
    return values


__all__ = ["DEFAULT_PUBLIC_URL", "ConfigError", "Settings"]
