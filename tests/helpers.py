"""Helpers shared by test modules (fixtures live in conftest.py and fixtures_*.py)."""

from __future__ import annotations


def run_dag(dag, **kwargs):
    """``dag.test()`` with retries off: a failing task fails the test at once, not after the
    production retry delays."""
    for task in dag.tasks:
        task.retries = 0
    return dag.test(**kwargs)
