"""The ``suitegraph`` command: ``serve``, ``sandbox`` and ``export-schema``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace

import uvicorn

from graph.app import create_app
from graph.config import DEFAULT_PUBLIC_URL, ConfigError, Settings
from graph.sandbox import create_sandbox, list_users
from graph.sandbox.config import SandboxConfig
from graph.sandbox.db import users_in
from graph.schema import build_schema


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suitegraph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service (and the sandbox when no account is set)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--sandbox-port", type=int, default=8100)
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])

    sandbox = commands.add_parser("sandbox", help="run the NetSuite emulator alone")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8100)
    add_sandbox_options(sandbox)
    sandbox.add_argument("--list-users", action="store_true", help="print the seeded portal users and exit")

    commands.add_parser("export-schema", help="print the GraphQL SDL")

    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return serve_command(args)
        if args.command == "sandbox":
            return sandbox_command(args)
        return export_schema_command()
    except ConfigError as error:
        print(f"suitegraph: configuration error: {error}", file=sys.stderr)
        return 2


def add_sandbox_options(parser: argparse.ArgumentParser) -> None:
    defaults = SandboxConfig()
    parser.add_argument("--account-id", default=defaults.account_id)
    parser.add_argument("--client-id", default=defaults.client_id)
    parser.add_argument("--client-secret", default=defaults.client_secret)
    parser.add_argument(
        "--redirect-uri",
        action="append",
        dest="redirect_uris",
        help="may be repeated; default is the portal's",
    )
    parser.add_argument("--base-url", help="public base URL of the sandbox (default http://HOST:PORT)")
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
    parser.add_argument("--latency-ms", type=float, default=defaults.latency_ms)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--customers", type=int, default=defaults.customers)
    parser.add_argument("--invoices-per-customer", type=int, default=defaults.invoices_per_customer)
    parser.add_argument("--access-token-ttl", type=int, default=defaults.access_token_ttl)
    parser.add_argument("--refresh-token-ttl", type=int, default=defaults.refresh_token_ttl)
    parser.add_argument(
        "--fault",
        action="append",
        dest="faults",
        default=[],
        help="a fault rule as JSON, e.g. '{\"status\": 503}'",
    )


def sandbox_config_from(args: argparse.Namespace) -> SandboxConfig:
    config = SandboxConfig(
        account_id=args.account_id,
        client_id=args.client_id,
        client_secret=args.client_secret,
        base_url=args.base_url or f"http://{args.host}:{args.port}",
        concurrency=args.concurrency,
        latency_ms=args.latency_ms,
        seed=args.seed,
        customers=args.customers,
        invoices_per_customer=args.invoices_per_customer,
        access_token_ttl=args.access_token_ttl,
        refresh_token_ttl=args.refresh_token_ttl,
    )
    if args.redirect_uris:
        config.redirect_uris = list(args.redirect_uris)
    return config


def sandbox_command(args: argparse.Namespace) -> int:
    config = sandbox_config_from(args)
    if args.list_users:
        for user in list_users(config):
            print(json.dumps(user))
        return 0
    app = create_sandbox(config, faults=[json.loads(rule) for rule in args.faults])
    print(f"NetSuite sandbox for account {config.account_id} on {config.base_url}", flush=True)
    print(f"  client id {config.client_id}; redirect URIs {', '.join(config.redirect_uris)}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def configure_logging(level: str) -> None:
    """Service logs to stderr; the audit trail to stdout as bare JSON lines.

    httpx and httpcore stay at WARNING whatever the level: below it they print request URLs and
    headers, bearer tokens included.
    """
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    audit = logging.getLogger("suitegraph.audit")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    audit.addHandler(handler)
    audit.setLevel(logging.INFO)
    audit.propagate = False
    for library in ("httpx", "httpcore"):
        logging.getLogger(library).setLevel(logging.WARNING)


def serve_command(args: argparse.Namespace) -> int:
    configure_logging(args.log_level)
    settings = Settings.from_env()
    if settings.public_url == DEFAULT_PUBLIC_URL:
        # No PORTAL_PUBLIC_URL: the portal is where this command listens (on every interface:
        # loopback is the address a browser on this machine can use).
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host  # noqa: S104
        settings = replace(settings, public_url=f"http://{host}:{args.port}")
    servers = []
    if settings.uses_sandbox:
        base_url = f"http://{args.host}:{args.sandbox_port}"
        config = SandboxConfig(base_url=base_url, redirect_uris=[settings.redirect_uri])
        settings = settings.with_sandbox(
            base_url=base_url,
            account_id=config.account_id,
            client_id=config.client_id,
            client_secret=config.client_secret,
        )
        sandbox_app = create_sandbox(config)
        servers.append(_server(sandbox_app, args.host, args.sandbox_port))
        users = users_in(sandbox_app.state.sandbox.db)[:3]  # the running sandbox's, not a second seed
        print(f"Embedded NetSuite sandbox (account {config.account_id}) on {base_url}")
        print("  demo sign-in: " + "; ".join(f"{u['email']} / {u['password']}" for u in users))
    if settings.secret_key_generated:
        print("PORTAL_SECRET_KEY is unset: generated one for this run (sessions end on restart).")
    app = create_app(settings)
    servers.append(_server(app, args.host, args.port))
    public = settings.public_url
    print(
        f"SuiteGraph on http://{args.host}:{args.port}: portal {public}/, GraphiQL {public}/graphql",
        flush=True,
    )

    async def run_all() -> None:
        await asyncio.gather(*(server.serve() for server in servers))

    asyncio.run(run_all())
    return 0


def _server(app, host: str, port: int) -> uvicorn.Server:
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))


def export_schema_command() -> int:
    sys.stdout.write(str(build_schema()) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["main"]
