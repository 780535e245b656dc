"""
### Registry import

Loads the institution registry (a folder of CSV files: institutions, officials, social
accounts, Wikipedia titles, apps, media pool, public council; format in README.md, "The
registry") into the presswatch database. It is the source of truth for every check: R1
(which accounts each head must keep), R5-R8 (media pool, council, Wikipedia, apps), and the
addressees of every notice.

**Writes**: upserts into `institution`, `official`, `social_account`, `wikipedia_page`,
`mobile_app`, `media_pool_member`, `public_council_member`; each bad row goes to `quarantine`
with a reason naming the file, line and field. Institutions, officials, accounts and feeds that
a file present in the folder no longer lists are deactivated (never deleted); more than
`registry.max_deactivation_share` of a table's active rows is refused unless
`allow_mass_deactivation`. Every change is recorded in the registry's history as valid from
`as_of` (default today), so past days are computed on the registry as it was. Importing the
same folder again changes nothing.

**Run it** from the UI (Trigger DAG with config): `registry_path` is the folder on the workers;
`dry_run` (on by default) validates and counts without writing. There is no schedule and no
data interval: the registry is a snapshot, so there is nothing to backfill.

**When it fails**: the log names the file and what is wrong with it (a missing or unknown
column, an unknown file, an unreachable database); nothing was written. Bad *rows* do not fail
the run: the task logs each reason and returns the counts; look in `quarantine`.

Owner: presswatch data engineering.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from presswatch.airflow_support import DEFAULT_ARGS
from presswatch.paths import DEMO_REGISTRY


@dag(
    dag_id="registry_import",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="Asia/Tashkent"),
    catchup=False,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["presswatch", "registry"],
    params={
        "registry_path": Param(
            str(DEMO_REGISTRY),
            type="string",
            minLength=1,
            title="Registry folder",
            description="Folder of registry CSV files, as the workers see it.",
        ),
        "dry_run": Param(
            True,
            type="boolean",
            title="Dry run",
            description="Validate and count, then roll back: nothing is written.",
        ),
        "as_of": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Effective day",
            description="The day the changes take effect (YYYY-MM-DD); empty: today.",
        ),
        "allow_mass_deactivation": Param(
            False,
            type="boolean",
            title="Allow mass deactivation",
            description="Deactivate beyond registry.max_deactivation_share of a table.",
        ),
    },
    max_active_runs=1,
)
def registry_import():
    @task
    def import_registry(params: dict | None = None) -> dict:
        import datetime as dt
        import logging
        from pathlib import Path

        from presswatch import db, registry
        from presswatch.airflow_support import domain_url

        log = logging.getLogger("presswatch.registry_import")
        as_of = params.get("as_of")
        with db.connect(domain_url()) as conn:
            report = registry.import_folder(
                conn,
                Path(params["registry_path"]),
                dry_run=params["dry_run"],
                as_of=dt.date.fromisoformat(as_of) if as_of else None,
                allow_mass_deactivation=params.get("allow_mass_deactivation", False),
            )
        log.info("%s%s", report.summary(), " (dry run: rolled back)" if params["dry_run"] else "")
        for reason in report.reasons:
            log.warning("quarantined: %s", reason)
        return {
            "loaded": report.loaded,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "quarantined": report.quarantined,
            "deactivated": report.deactivated,
            "dry_run": params["dry_run"],
        }

    import_registry()


registry_import()
