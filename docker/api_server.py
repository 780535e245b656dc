"""The compose service `airflow-apiserver`: writes SimpleAuthManager's passwords file from the
environment, then becomes `airflow api-server`.

SimpleAuthManager (Airflow's default, and the only auth manager in requirements.lock) reads its
users from AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS and their passwords from a JSON file
(AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE), generating and logging a password for a user
the file lacks. Writing the admin's password from AIRFLOW_ADMIN_PASSWORD (.env) at every start
means no generated password in the logs, and a changed password applies on the next start.
The file lives in the container only (not on a volume), readable by its user alone."""

from __future__ import annotations

import json
import os
import sys

MIN_PASSWORD_LENGTH = 12


def write_passwords(env: dict[str, str]) -> str:
    username = env["AIRFLOW_ADMIN_USERNAME"]
    password = env["AIRFLOW_ADMIN_PASSWORD"]
    users = [
        entry.split(":")[0] for entry in env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(",")
    ]
    if username not in users:
        raise SystemExit(
            f"api-server: error: AIRFLOW_ADMIN_USERNAME {username!r} is not among the users"
            f" of AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS ({', '.join(users)})"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SystemExit(
            f"api-server: error: AIRFLOW_ADMIN_PASSWORD is shorter than {MIN_PASSWORD_LENGTH}"
            " characters"
        )
    path = env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # O_CREAT's mode applies to a new file only: one left by an earlier start keeps its own.
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({username: password}, file)
        file.write("\n")
    return path


def main() -> None:
    write_passwords(dict(os.environ))
    os.execvp("airflow", ["airflow", "api-server", *sys.argv[1:]])


if __name__ == "__main__":
    main()
