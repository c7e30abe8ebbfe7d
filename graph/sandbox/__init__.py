"""An embedded NetSuite emulator that answers like NetSuite on the wire (see NETSUITE.md).

Usage::

    from graph.sandbox import SandboxConfig, create_sandbox, list_users

    config = SandboxConfig(base_url="http://127.0.0.1:8100")
    app = create_sandbox(config)          # a Starlette app; serve it with uvicorn
    users = list_users(config)            # the seeded portal sign-ins (email, password, role, ...)

Unlike NetSuite, the sandbox also accepts http redirect URIs on loopback hosts (127.0.0.1,
localhost, ::1), so that the portal can run on a laptop.
"""

from __future__ import annotations

from graph.sandbox.app import create_sandbox
from graph.sandbox.config import SandboxConfig
from graph.sandbox.db import portal_users as list_users

__all__ = ["SandboxConfig", "create_sandbox", "list_users"]
