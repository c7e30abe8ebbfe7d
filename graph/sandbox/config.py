"""Settings of the embedded NetSuite emulator (its integration record, account and behaviour)."""

from __future__ import annotations

from dataclasses import dataclass, field

# The sandbox's own integration record, used when no NetSuite account is configured.
DEFAULT_CLIENT_ID = "5c1b6f0e2a9d4e7fb38c0a1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f7"
DEFAULT_CLIENT_SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100"  # noqa: S105 (the sandbox's own)
DEFAULT_ACCOUNT_ID = "1234567_SB1"


@dataclass(slots=True)
class SandboxConfig:
    account_id: str = DEFAULT_ACCOUNT_ID
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)
    # Redirect URIs registered on the integration record. Real NetSuite accepts only https (or a
    # custom scheme); the sandbox also accepts http on loopback so that a laptop can run it.
    redirect_uris: list[str] = field(default_factory=lambda: ["http://127.0.0.1:8000/auth/callback"])
    scopes: tuple[str, ...] = ("rest_webservices", "restlets")
    # Public base URL of the sandbox, used in generated hrefs and Location headers.
    base_url: str = "http://127.0.0.1:8100"
    concurrency: int = 5
    latency_ms: float = 0.0
    seed: int = 42
    customers: int = 200
    invoices_per_customer: int = 12
    # Every customer gets exactly this many invoices (scale benchmarks); None: around the mean above.
    invoice_count: int | None = None
    orders_per_customer: int = 8
    cases_per_customer: int = 4
    access_token_ttl: int = 3600
    refresh_token_ttl: int = 7 * 24 * 3600
    code_ttl: int = 600


__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "SandboxConfig"]
