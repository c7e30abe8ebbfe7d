"""SuiteGraph: a GraphQL aggregation API for customer portals built on Oracle NetSuite."""

__version__ = "0.1.0"
