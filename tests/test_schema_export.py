"""``schema.graphql`` is the checked-in copy of ``suitegraph export-schema``; this fails on drift.

Regenerate it with ``.venv/bin/suitegraph export-schema > schema.graphql``.
"""

import subprocess
import sys
from pathlib import Path

CHECKED_IN = Path(__file__).resolve().parents[1] / "schema.graphql"


def exported_schema() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "graph.cli", "export-schema"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_export_schema_prints_the_sdl():
    sdl = exported_schema()
    assert "type Query {" in sdl and "type Mutation {" in sdl
    assert "viewer: Viewer!" in sdl


def test_checked_in_schema_equals_the_export():
    assert CHECKED_IN.read_text() == exported_schema(), (
        "schema.graphql drifted from the code: run `suitegraph export-schema > schema.graphql`"
    )
