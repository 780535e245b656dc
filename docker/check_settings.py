"""Checks the settings compose passes to Airflow and presswatch, before anything uses them
(run by docker/init.sh; every Airflow service waits for it). Compose itself refuses a missing
secret; this refuses the ones that would fail later and obscurely: a Fernet key that is not one,
short signing keys, and passwords that do not survive being pasted into the URLs and the JSON
connection of docker-compose.yaml. Exits 1 with one line per problem."""

from __future__ import annotations

import json
import os
import re
import sys
from urllib.parse import urlsplit

from psycopg import conninfo

# Characters a password may hold and stay itself inside a URL's user info and a JSON string.
URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")
MIN_KEY_LENGTH = 32
GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


def problems(env: dict[str, str]) -> list[str]:
    found: list[str] = []
    safe = True
    for name in ("POSTGRES_PASSWORD", "REDIS_PASSWORD"):
        if not URL_SAFE.fullmatch(env[name]):
            safe = False
            found.append(
                f"{name} must be letters, digits and - . _ ~ only (it goes into URLs as it is);"
                f" generate one with: {GENERATE}"
            )
    if safe:  # then the URLs and the JSON built around them must carry them intact
        domain = conninfo.conninfo_to_dict(env["PRESSWATCH_DB_URL"])
        connection = json.loads(env["AIRFLOW_CONN_PRESSWATCH_DB"])
        broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
        if not (
            domain.get("password") == connection.get("password") == env["POSTGRES_PASSWORD"]
            and (domain.get("host"), domain.get("dbname")) == ("postgres", "presswatch")
            and broker.password == env["REDIS_PASSWORD"]
        ):
            found.append(
                "PRESSWATCH_DB_URL, AIRFLOW_CONN_PRESSWATCH_DB and AIRFLOW__CELERY__BROKER_URL"
                " do not carry POSTGRES_PASSWORD and REDIS_PASSWORD (docker-compose.yaml changed?)"
            )

    from cryptography.fernet import Fernet

    try:
        Fernet(env["AIRFLOW__CORE__FERNET_KEY"])
    except ValueError:
        found.append(
            "AIRFLOW_FERNET_KEY is not a Fernet key (32 bytes, url-safe base64); generate one"
            " with: python3 -c 'import base64, os;"
            " print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
        )

    for name, variable in (
        ("AIRFLOW_JWT_SECRET", "AIRFLOW__API_AUTH__JWT_SECRET"),
        ("AIRFLOW_API_SECRET_KEY", "AIRFLOW__API__SECRET_KEY"),
    ):
        if len(env[variable]) < MIN_KEY_LENGTH:
            found.append(
                f"{name} is shorter than {MIN_KEY_LENGTH} characters; generate one with: {GENERATE}"
            )
    return found


def main() -> int:
    found = problems(dict(os.environ))
    for problem in found:
        print(f"settings: error: {problem}", file=sys.stderr)
    if not found:
        print("settings: ok")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
