# presswatch: the two commands are `make demo` and `make test` (see README.md).
# Everything the project starts lives under .presswatch/ (ignored) and `make stop` stops it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
UV_PIN := $(shell grep -E '^uv==' requirements.lock)
STAMP  := $(VENV)/.installed-from-lock

export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: demo up test lint format stop bench lock clean help

help:
	@echo "make demo   set up (venv, locked deps, embedded Postgres), migrate, load demo data, run the pipelines"
	@echo "make up     set up, then Airflow with its UI and the presswatch view on the demo data (Ctrl-C stops)"
	@echo "make test   set up, then ruff and the whole test suite"
	@echo "make bench  national-scale benchmark; writes bench/results.json"
	@echo "make stop   stop everything the project started in the background"
	@echo "make lock   re-compile requirements.lock from requirements.in"

# The venv is rebuilt whenever the lock or the package metadata changes.
$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: python3.11 not found on PATH"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "error: $(PYTHON) is not Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "$(UV_PIN)"
	# Bytecode at install: processes never write it where PYTHONDONTWRITEBYTECODE is set (CI),
	# and compiling Airflow from source costs every airflow process ~5 s.
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/uv pip sync -q --compile-bytecode requirements.lock
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/uv pip install -q --no-deps -e .
	@touch $@

demo: $(STAMP)
	$(BIN)/presswatch demo run

up: $(STAMP)
	$(BIN)/presswatch up

test: $(STAMP) lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/presswatch bench

stop:
	@if [ -x $(BIN)/presswatch ]; then $(BIN)/presswatch stop; else echo "nothing to stop (no venv)"; fi

lock: $(STAMP)
	$(BIN)/uv pip compile requirements.in -o requirements.lock --python-version 3.11 -q

clean: stop
	rm -rf $(VENV) .presswatch
