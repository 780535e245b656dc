"""``make demo``: set everything up on embedded defaults and show what was done.

Steps: the database server (embedded unless PRESSWATCH_DB_URL is set), the domain schema,
Airflow's metadata database on the same server, the demo registry. Later pipelines add their
runs here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from presswatch import airflow_env, db, migrate, registry
from presswatch.errors import PresswatchError
from presswatch.paths import DEMO_REGISTRY


def _step(title: str) -> float:
    print(f"==> {title}", flush=True)
    return time.perf_counter()


def _airflow(env: dict[str, str], *args: str) -> None:
    airflow = Path(sys.executable).parent / "airflow"
    result = subprocess.run(
        [str(airflow), *args], env={**os.environ, **env}, capture_output=True, text=True
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise PresswatchError(f"`airflow {' '.join(args)}` failed:\n{tail}")


def main() -> int:
    started = time.perf_counter()
    summary: list[tuple[str, str]] = []

    _step("database server")
    server = db.server_url()
    kind = "configured (PRESSWATCH_DB_URL)" if db.configured_url() else "embedded (pgserver)"
    summary.append(("PostgreSQL", f"{kind}: {db.redact(server)}"))

    _step("domain schema")
    domain = db.domain_url()
    report = migrate.migrate(domain)
    summary.append(
        (
            "domain database",
            f"{db.redact(domain)}; {len(report.applied)} migration(s) applied now, "
            f"{len(report.applied) + len(report.already_applied)} in all",
        )
    )

    _step("Airflow metadata database")
    env = airflow_env.environment(domain)
    metadata = db.with_database(domain, db.AIRFLOW_DATABASE)
    db.ensure_database(metadata)
    _airflow(env, "db", "migrate")
    summary.append(("Airflow metadata", f"{db.redact(metadata)}; migrated"))

    _step("demo registry")
    with db.connect(domain) as conn:
        imported = registry.import_folder(conn, DEMO_REGISTRY)
        counts = dict(
            conn.execute(
                "SELECT 'institutions', count(*) FROM institution UNION ALL "
                "SELECT 'officials', count(*) FROM official UNION ALL "
                "SELECT 'social accounts', count(*) FROM social_account"
            ).fetchall()
        )
    print(imported.summary())
    if imported.quarantined:
        raise PresswatchError(
            f"the demo registry has {imported.quarantined} bad row(s): {imported.reasons[0]}"
        )
    summary.append(
        (
            "demo registry",
            f"{counts['institutions']} institutions, {counts['officials']} officials, "
            f"{counts['social accounts']} social accounts "
            f"(loaded {imported.loaded}, updated {imported.updated}, "
            f"unchanged {imported.unchanged}, quarantined 0)",
        )
    )

    _step("sample notices")
    from presswatch.notices import preview

    rendered = preview.write_all()
    summary.append(
        (
            "sample notices",
            f"{sum(len(p) for p in rendered.values())} rendered in "
            f"{preview.OUT.relative_to(preview.ROOT)}/<kind>/<language>.html (and .txt):",
        )
    )
    for kind, paths in rendered.items():
        summary.append(("", f"  {kind}: {', '.join(p.name for p in paths)}"))

    print()
    print(f"presswatch demo: done in {time.perf_counter() - started:.1f} s")
    width = max(len(name) for name, _ in summary)
    for name, text in summary:
        print(f"  {name:<{width}}  {text}")
    print("  next: `make test`; `make stop` stops the embedded database")
    return 0
