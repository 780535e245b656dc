# syntax=docker/dockerfile:1
# The presswatch image, for docker-compose.yaml: Airflow 3.3 and the domain package, installed
# from requirements.lock by the same commands as the Makefile's venv recipe ($(STAMP)): a venv,
# the uv pinned in the lock, `uv pip sync --compile-bytecode requirements.lock`, then the
# project itself, editable. tests/test_compose.py compares the two, command by command.
FROM python:3.11.16-slim-bookworm

ENV VENV=/opt/venv \
    AIRFLOW_HOME=/opt/airflow \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_LINK_MODE=copy
ENV PATH=/opt/venv/bin:$PATH

# The service user (Airflow's usual uid, group 0) and the folders it writes: Airflow's home
# (logs are a volume there) and out/ (reports, a volume). The source stays root's, read-only.
RUN useradd --uid 50000 --gid 0 --home-dir /home/presswatch --create-home presswatch \
 && mkdir -p /opt/airflow/logs /opt/airflow/presswatch /opt/presswatch/out \
 && chown -R presswatch:0 /opt/airflow /opt/presswatch/out

WORKDIR /opt/presswatch

# The locked dependencies first: this layer is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    UV_PIN="$(grep -E '^uv==' requirements.lock)" \
 && python -m venv "$VENV" \
 && "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$UV_PIN" \
 && VIRTUAL_ENV="$VENV" "$VENV/bin/uv" pip sync -q --compile-bytecode requirements.lock

# Then the project (what .dockerignore lets through), installed editable as in a checkout, so
# that presswatch.paths finds dags/, sql/ and include/ beside the package.
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv \
    VIRTUAL_ENV="$VENV" "$VENV/bin/uv" pip install -q --no-deps -e .

USER presswatch
CMD ["presswatch", "--help"]
