"""Persisted queries: Apollo's automatic persisted queries (APQ) and a registered-documents list.

APQ: a client sends ``extensions.persistedQuery.sha256Hash`` alone; an unknown hash answers
``PERSISTED_QUERY_NOT_FOUND`` and the client resends the hash with the document, which is checked
against its hash and kept in the shared store. With ``PORTAL_PERSISTED_QUERIES=registered`` only
the documents of the manifest (``PORTAL_PERSISTED_QUERIES_FILE``) run, by hash or by text.

The manifest is Apollo's persisted query manifest (``{"operations": [{"body": ...}, ...]}``) or a
plain ``{"<sha256>": "<document>"}`` object.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from graph.config import Settings
from graph.schema.errors import (
    BadRequest,
    PersistedQueryNotFound,
    PersistedQueryNotSupported,
    PortalError,
    QueryNotRegistered,
)
from graph.store import Store

APQ_TTL = 7 * 86_400.0
_KEY_PREFIX = "apq:"


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def load_manifest(path: str | Path) -> dict[str, str]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    bodies = (
        [operation["body"] for operation in data["operations"]]
        if isinstance(data, dict) and "operations" in data
        else list(data.values())
    )
    return {sha256_hex(body): body for body in bodies}


class PersistedQueries:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.mode = settings.persisted_queries
        self.store = store
        self.registered = (
            load_manifest(settings.persisted_queries_file) if settings.persisted_queries_file else {}
        )

    async def resolve(self, query: Any, extensions: Any) -> str | None:
        """The document to run for a request's ``query`` and ``extensions``; raises a ``PortalError``
        the client should see instead (the request is then not run)."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is None:
            if self.mode == "registered" and (
                not isinstance(query, str) or sha256_hex(query) not in self.registered
            ):
                raise QueryNotRegistered()
            return query
        if self.mode == "off":
            raise PersistedQueryNotSupported()
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(digest, str) or len(digest) != 64 or persisted.get("version", 1) != 1:
            raise BadRequest("persistedQuery needs version 1 and a sha256Hash.")
        digest = digest.lower()
        if query is None:
            return await self._known(digest)
        if not isinstance(query, str) or sha256_hex(query) != digest:
            raise BadRequest("provided sha does not match query")
        if self.mode == "registered":
            if digest not in self.registered:
                raise QueryNotRegistered()
        else:
            await self.store.set(_KEY_PREFIX + digest, query.encode("utf-8"), ttl=APQ_TTL)
        return query

    async def _known(self, digest: str) -> str:
        if digest in self.registered:
            return self.registered[digest]
        if self.mode == "apq":
            stored = await self.store.get(_KEY_PREFIX + digest)
            if stored is not None:
                return stored.decode("utf-8")
        raise PersistedQueryNotFound()


__all__ = ["PersistedQueries", "PortalError", "load_manifest", "sha256_hex"]
