"""Where an account's NetSuite services live: hosts derived from the account id, or overridden."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from graph.config import Settings

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_RECORD_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RECORD_ID = re.compile(r"^(?:[0-9]+|eid:[^/?#\s]+)$")


def account_slug(account_id: str) -> str:
    """The hostname form NetSuite uses: lowercase, ``_`` → ``-`` (``1234567_SB1`` → ``1234567-sb1``)."""
    slug = account_id.strip().lower().replace("_", "-")
    if not _SLUG.match(slug):
        raise ValueError(f"{account_id!r} is not a NetSuite account id")
    return slug


@dataclass(frozen=True)
class AccountHosts:
    """Base URLs of one account's REST, UI (authorize.nl) and RESTlet services, without trailing slash."""

    account_id: str
    rest_url: str
    app_url: str
    restlet_url: str

    @classmethod
    def for_account(
        cls,
        account_id: str,
        *,
        rest_url: str | None = None,
        app_url: str | None = None,
        restlet_url: str | None = None,
    ) -> AccountHosts:
        slug = account_slug(account_id)
        return cls(
            account_id=account_id.strip().upper().replace("-", "_"),
            rest_url=(rest_url or f"https://{slug}.suitetalk.api.netsuite.com").rstrip("/"),
            app_url=(app_url or f"https://{slug}.app.netsuite.com").rstrip("/"),
            restlet_url=(restlet_url or f"https://{slug}.restlets.api.netsuite.com").rstrip("/"),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> AccountHosts:
        if settings.account_id is None:
            raise ValueError(
                "NETSUITE_ACCOUNT_ID is not set; point the settings at an account or the sandbox"
            )
        return cls.for_account(
            settings.account_id,
            rest_url=settings.rest_url,
            app_url=settings.app_url,
            restlet_url=settings.restlet_url,
        )

    @property
    def suiteql_url(self) -> str:
        return f"{self.rest_url}/services/rest/query/v1/suiteql"

    @property
    def token_url(self) -> str:
        return f"{self.rest_url}/services/rest/auth/oauth2/v1/token"

    @property
    def revoke_url(self) -> str:
        return f"{self.rest_url}/services/rest/auth/oauth2/v1/revoke"

    @property
    def authorize_url(self) -> str:
        return f"{self.app_url}/app/login/oauth2/authorize.nl"

    @property
    def restlet_endpoint(self) -> str:
        return f"{self.restlet_url}/app/site/hosting/restlet.nl"

    def record_url(self, record_type: str, record_id: int | str | None = None) -> str:
        """``…/services/rest/record/v1/<type>[/<id>]``; the id is an internal id or ``eid:<externalId>``."""
        if not _RECORD_TYPE.match(record_type):
            raise ValueError(f"{record_type!r} is not a NetSuite record type")
        url = f"{self.rest_url}/services/rest/record/v1/{record_type}"
        if record_id is None:
            return url
        if isinstance(record_id, bool) or not _RECORD_ID.match(str(record_id)):
            raise ValueError(f"{record_id!r} is not a NetSuite record id")
        return f"{url}/{quote(str(record_id), safe=':')}"

    def resolve(self, location: str) -> str:
        """The REST URL a ``Location`` header points at (a path, as for async jobs, or a full URL).

        Only the path and query are kept and rebased on ``rest_url``, so that a bearer token is
        never sent to a host other than the account's own.
        """
        parts = urlsplit(location)
        path = parts.path if parts.path.startswith("/") else "/" + parts.path
        return self.rest_url + path + (f"?{parts.query}" if parts.query else "")


__all__ = ["AccountHosts", "account_slug"]
