#!/bin/sh
# The compose service `airflow-init` (one-shot; every Airflow service waits for it to succeed).
# Each step is idempotent, so it runs again on every `docker compose up`.
set -eu

echo "==> settings (.env)"
python /opt/presswatch/docker/check_settings.py

echo "==> Airflow metadata database"
airflow db migrate

echo "==> presswatch domain database (created if missing, then migrated)"
presswatch db migrate

if [ "${IMPORT_DEMO_REGISTRY}" = "true" ]; then
    echo "==> demo registry (include/demo_registry: real institution names, invented people)"
    presswatch registry import /opt/presswatch/include/demo_registry
fi

# SimpleAuthManager keeps no users in the database: the admin is the configuration
# (AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS), and its password is written from
# AIRFLOW_ADMIN_PASSWORD by the API server as it starts (docker/api_server.py).
echo "==> Airflow admin: ${AIRFLOW_ADMIN_USERNAME} (password from AIRFLOW_ADMIN_PASSWORD)"
echo "==> ready"
