"""Every DAG file parses, quickly, without touching a database, and carries what operators need."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from helpers import run_dag

from presswatch.airflow_support import DEFAULT_ARGS, OWNER
from presswatch.paths import DAGS

DAG_FILES = sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))


def _parse(path: Path):
    """Parse one DAG file with the database URL pointing at a closed port: parsing must not
    touch a database, and would fail (or hang) here if it did."""
    from airflow.dag_processing.dagbag import DagBag

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRESSWATCH_DB_URL", "postgresql://nobody@127.0.0.1:9/nowhere")
        return DagBag(dag_folder=str(path))


def test_there_are_dag_files():
    assert DAG_FILES, f"no DAG files in {DAGS}"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_has_no_import_errors_and_one_dag_named_after_it(path):
    bag = _parse(path)

    assert bag.import_errors == {}
    assert list(bag.dags) == [path.stem]


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_parses_in_under_a_second(path):
    _parse(path)  # the first parse pays for imports shared by every DAG file
    started = time.perf_counter()
    _parse(path)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_has_docs_tags_owner_retries_and_the_shared_defaults(path):
    dag = _parse(path).dags[path.stem]

    assert dag.doc_md and len(dag.doc_md) > 200, "doc_md must say what it checks and how to run it"
    assert "presswatch" in dag.tags and len(dag.tags) >= 2
    for task in dag.tasks:
        assert task.owner == OWNER, task.task_id
        assert task.retries >= 1, task.task_id
        assert task.execution_timeout is not None, task.task_id
        assert task.on_failure_callback, task.task_id
    assert dag.default_args["retry_delay"] == DEFAULT_ARGS["retry_delay"]


def test_registry_import_dag_runs_and_dry_run_writes_nothing(airflow_db, clean_db, monkeypatch):
    from presswatch.paths import DEMO_REGISTRY

    dag = _parse(DAGS / "registry_import.py").dags["registry_import"]
    monkeypatch.setenv("PRESSWATCH_DB_URL", clean_db)

    dry = run_dag(dag, run_conf={"registry_path": str(DEMO_REGISTRY), "dry_run": True})
    with psycopg.connect(clean_db) as conn:
        after_dry_run = conn.execute("SELECT count(*) FROM institution").fetchone()[0]
    real = run_dag(dag, run_conf={"registry_path": str(DEMO_REGISTRY), "dry_run": False})
    with psycopg.connect(clean_db) as conn:
        after_real_run = conn.execute("SELECT count(*) FROM institution").fetchone()[0]

    assert dry.state == "success" and real.state == "success"
    assert after_dry_run == 0
    assert after_real_run > 20
