"""Static pages: the demo customer portal and the offline GraphiQL IDE."""

from graph.web.pages import graphiql_html, graphiql_response, web_routes

__all__ = ["graphiql_html", "graphiql_response", "web_routes"]
