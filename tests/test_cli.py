"""The presswatch command line: help on every command, one-line errors, non-zero exits."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

COMMANDS = [
    [],
    ["db"], ["db", "migrate"], ["db", "up"], ["db", "url"],
    ["registry"], ["registry", "import"],
    ["demo"], ["demo", "seed"], ["demo", "run"],
    ["notices"], ["notices", "preview"], ["notices", "list"], ["notices", "readdress"],
    ["simulator"], ["env"], ["stop"], ["bench"],
    ["stories"], ["stories", "confirm"], ["stories", "dismiss"], ["stories", "clear"],
    ["stories", "show"], ["stories", "rematch"], ["stories", "respond"],
    ["aliases"], ["aliases", "add"], ["aliases", "list"], ["aliases", "remove"],
    ["rating"], ["rating", "compute"], ["rating", "reproduce"], ["rating", "dispute"],
    ["rating", "corrections"], ["rating", "finalize"], ["rating", "report"],
]  # fmt: skip


def presswatch(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "presswatch.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "presswatch")
def test_every_command_has_help(command):
    result = presswatch(*command, "--help")

    assert result.returncode == 0
    assert result.stdout.startswith("usage: presswatch")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "seed", "--institutions", "many"], "'many' is not a whole number"),
        (["demo", "seed", "--institutions", "0"], "'0' must be at least 1"),
        (["demo", "seed", "--end-date", "yesterday"], "is not a date (YYYY-MM-DD)"),
        (["simulator", "--port", "70000"], "'70000' is not a TCP port"),
        (["registry"], "required"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_a_usage_error_is_one_line_and_exits_2(args, message):
    result = presswatch(*args)

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


def test_an_unreachable_database_is_one_line_and_exits_1():
    result = presswatch("db", "migrate", PRESSWATCH_DB_URL="postgresql://nobody@127.0.0.1:9/x")

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("presswatch: error: cannot reach the database server")
