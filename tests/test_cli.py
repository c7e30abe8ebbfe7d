"""The ``suitegraph`` command as a user runs it: a real process, real ports."""

import json
import os
import subprocess
import sys
import time

import httpx

from graph.serving import listening_socket

COMMAND = [sys.executable, "-m", "graph.cli"]


def free_port() -> int:
    with listening_socket() as sock:
        return sock.getsockname()[1]


def environment(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NETSUITE_", "PORTAL_"))}
    return {**clean, **extra}


def test_serve_without_an_account_starts_the_sandbox_and_prints_where_to_go(tmp_path):
    port, sandbox_port = free_port(), free_port()
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", str(port), "--sandbox-port", str(sandbox_port)],
        cwd=tmp_path,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        printed = []
        while not any(line.startswith("SuiteGraph on") for line in printed):
            line = process.stdout.readline()
            assert line, f"serve ended early: {printed}"
            printed.append(line)
        text = "".join(printed)
        assert f"Embedded NetSuite sandbox (account 1234567_SB1) on http://127.0.0.1:{sandbox_port}" in text
        assert "demo sign-in: " in text and "@" in text
        assert f"GraphiQL http://127.0.0.1:{port}/graphql" in text
        for _ in range(100):
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert ready.json() == {"status": "ok"}
        login = httpx.get(f"http://127.0.0.1:{port}/auth/login")
        assert login.status_code == 302
        assert login.headers["location"].startswith(
            f"http://127.0.0.1:{sandbox_port}/app/login/oauth2/authorize.nl?"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_sandbox_list_users_prints_sign_ins_other_tools_can_use():
    result = subprocess.run(
        [*COMMAND, "sandbox", "--list-users", "--customers", "20"],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    users = [json.loads(line) for line in result.stdout.splitlines()]
    assert users and all({"email", "password", "entity_id", "role"} <= user.keys() for user in users)
    assert len({user["email"] for user in users}) == len(users)


def test_a_configuration_error_exits_with_a_clear_message(tmp_path):
    result = subprocess.run(
        [*COMMAND, "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=environment(NETSUITE_CONCURRENCY="lots"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "configuration error: NETSUITE_CONCURRENCY must be an integer, not 'lots'" in result.stderr
