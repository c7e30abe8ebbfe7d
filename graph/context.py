"""Per-request GraphQL context: the viewer's session and, lazily, its NetSuite dataloaders.

Strawberry builds a context for every HTTP request (IDE page loads included), so nothing here
touches NetSuite: the loaders and their client are made on first use by a resolver.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from graph.auth import AuthService, Session
from graph.config import Settings
from graph.resolvers.cache import ViewerCache
from graph.resolvers.loaders import Loaders, Viewer
from graph.schema.errors import Unauthenticated


@dataclass
class Context:
    request: Request
    response: Response | None
    settings: Settings
    auth: AuthService
    cache: ViewerCache
    session: Session | None
    _loaders: Loaders | None = field(default=None, repr=False)

    @property
    def login_url(self) -> str:
        return self.auth.login_url()

    @property
    def viewer_session(self) -> Session:
        if self.session is None:
            raise Unauthenticated(loginUrl=self.login_url)
        return self.session

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            session = self.viewer_session
            viewer = Viewer(
                account_id=session.account_id,
                customer_id=session.customer_id,
                key=f"{session.account_id}:{session.customer_id}:{session.entity_id}:{session.role_id}",
            )
            self._loaders = Loaders(self.auth.client_for(session), viewer, self.cache)
        return self._loaders


__all__ = ["Context"]
