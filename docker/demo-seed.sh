#!/bin/sh
# The compose service `demo-seed` (demo profile, one-shot, after airflow-init): the demo world
# in the domain database, then the platform connections pointing at the simulator, imported
# into Airflow's metadata database (where the tasks find them: the AIRFLOW_CONN_PRESSWATCH_*
# variables are empty in demo mode; docker/simulator_connections.py refuses if one is not).
# Seeding again replaces the demo history; it ends yesterday (Asia/Tashkent).
set -eu

echo "==> demo world: ${DEMO_INSTITUTIONS} institutions, ${DEMO_DAYS} days, seed ${DEMO_SEED}"
presswatch demo seed --institutions "${DEMO_INSTITUTIONS}" --seed "${DEMO_SEED}" --days "${DEMO_DAYS}"

echo "==> platform connections -> ${SIMULATOR_URL}"
python /opt/presswatch/docker/simulator_connections.py "${SIMULATOR_URL}" > /tmp/simulator-connections.json
airflow connections import --overwrite /tmp/simulator-connections.json
rm -f /tmp/simulator-connections.json
echo "==> ready"
