"""Prints the demo's platform connections (every connector pointed at the simulator at the URL
given) as a file for `airflow connections import` (run by docker/demo-seed.sh).

They are presswatch.simulator.airflow_connections, read from the seeded domain database
(PRESSWATCH_DB_URL). Refuses if the environment already sets one of them (AIRFLOW_CONN_* in
.env): such a variable wins over the imported connection, and the demo would call the real
platform instead of the simulator."""

from __future__ import annotations

import json
import os
import sys

from presswatch import db, simulator


def import_file(base_url: str, env: dict[str, str]) -> dict[str, dict]:
    with db.connect() as conn:
        variables = simulator.airflow_connections(conn, base_url)
    shadowed = sorted(name for name in variables if env.get(name))
    if shadowed:
        raise SystemExit(
            f"demo-seed: error: {', '.join(shadowed)} set in .env would win over the simulator's"
            " connections; leave them empty for the demo profile"
        )
    connections = {}
    for name, value in variables.items():
        fields = json.loads(value)
        fields["extra"] = json.dumps(fields.get("extra") or {})
        connections[name.removeprefix("AIRFLOW_CONN_").lower()] = fields
    return connections


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: simulator_connections.py SIMULATOR_URL")
    json.dump(import_file(sys.argv[1], dict(os.environ)), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
