"""``docker-compose.yaml``, ``Dockerfile``, ``.dockerignore``, ``.env.example`` and ``docker/``,
checked without Docker (no engine, no network): the file against the Compose Specification's
schema (``tests/data/compose-spec.json``), its variables against ``.env.example``, its services'
commands against the Airflow and presswatch command lines, its environment against
``presswatch.airflow_env`` and the connection ids the code uses, and the image's install step
against the Makefile's.

Compose's variable interpolation is reproduced here (``interpolate``) for the forms the file
uses, so that the file can be read as compose would read it with a given ``.env``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import inspect
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from presswatch import airflow_env, airflow_support
from presswatch.connectors import facebook, feeds, instagram, portal, telegram, wikipedia, x
from presswatch.notices import dispatch
from presswatch.paths import DAGS, ROOT

COMPOSE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"
MAKEFILE = ROOT / "Makefile"
SCHEMA = ROOT / "tests" / "data" / "compose-spec.json"
VENV_BIN = Path(sys.executable).parent

# Services that run once and exit (everything else runs until stopped).
ONE_SHOT = {"airflow-init", "demo-seed", "cli"}
# Services on images of their own, not the presswatch image.
THIRD_PARTY = {"postgres", "redis", "mailpit"}
# A value that passes docker/check_settings.py: 32 bytes, url-safe base64.
SAMPLE_FERNET_KEY = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="


# --- reading the files ------------------------------------------------------------------------


class MissingVariable(Exception):
    pass


_REFERENCE = re.compile(r"\$(?:(\$)|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?|:\+|\+)(.*))?", re.DOTALL)


def _substitute(match: re.Match, env: dict[str, str]) -> str:
    escaped, braced, bare = match.groups()
    if escaped:
        return "$"
    if bare:
        return env.get(bare, "")
    parsed = _BRACED.fullmatch(braced)
    if parsed is None:
        raise ValueError(f"cannot read ${{{braced}}}")
    name, operator, argument = parsed.groups()
    is_set, non_empty = name in env, bool(env.get(name))
    if operator is None:
        return env.get(name, "")
    if operator == ":-":
        return env[name] if non_empty else argument
    if operator == "-":
        return env[name] if is_set else argument
    if operator in (":?", "?"):
        if not (non_empty if operator == ":?" else is_set):
            raise MissingVariable(f"required variable {name} is missing a value: {argument}")
        return env[name]
    if operator == ":+":
        return argument if non_empty else ""
    return argument if is_set else ""


def interpolate(value, env: dict[str, str]):
    """``value`` (a loaded compose document or part) as compose interpolates it with ``env``."""
    if isinstance(value, str):
        return _REFERENCE.sub(lambda match: _substitute(match, env), value)
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    return value


def strings(value):
    """Every string in a loaded document (values, not keys)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)


def references(document) -> list[tuple[str, str | None, str | None]]:
    """Every ``${NAME...}`` in the document's values: (name, operator, argument)."""
    found = []
    for text in strings(document):
        for match in _REFERENCE.finditer(text):
            if match.group(2) is not None:
                found.append(_BRACED.fullmatch(match.group(2)).groups())
    return found


def raw_compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def env_example() -> tuple[set[str], dict[str, str]]:
    """``.env.example``: the required variables (set, empty) and the optional ones with the
    default each documents (``# NAME=value``)."""
    required, optional = set(), {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        active = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
        documented = re.fullmatch(r"# ([A-Z][A-Z0-9_]*)=(.*)", line)
        if active:
            assert active.group(2) == "", f".env.example gives {active.group(1)} a value"
            required.add(active.group(1))
        elif documented:
            optional[documented.group(1)] = documented.group(2)
    return required, optional


def sample_env() -> dict[str, str]:
    """A filled-in .env: each required secret set to a value of its kind."""
    required, _ = env_example()
    env = {name: f"sample-{name.lower().replace('_', '-')}-0123456789abcdef" for name in required}
    env["AIRFLOW_FERNET_KEY"] = SAMPLE_FERNET_KEY
    return env


def compose(env: dict[str, str] | None = None) -> dict:
    return interpolate(raw_compose(), sample_env() if env is None else env)


def service_env(service: str, env: dict[str, str] | None = None) -> dict[str, str]:
    return {k: str(v) for k, v in compose(env)["services"][service]["environment"].items()}


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, (INSTRUCTION, arguments), continuation lines joined."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def dockerfile_env() -> dict[str, str]:
    env = {}
    for keyword, arguments in dockerfile():
        if keyword == "ENV":
            for token in shlex.split(arguments):
                name, _, value = token.partition("=")
                env[name] = value
    return env


def image_root() -> str:
    (workdir,) = [arguments for keyword, arguments in dockerfile() if keyword == "WORKDIR"]
    return workdir


def dockerignored(path: str) -> bool:
    """Whether Docker leaves ``path`` (relative to the context) out of the build context: the
    rules of .dockerignore this file uses (``*``, ``**/``, ``!``, a folder excludes its
    contents), last match wins."""
    excluded = False
    for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        regex = (
            re.escape(pattern)
            .replace(r"\*\*/", "(?:.*/)?")
            .replace(r"\*", "[^/]*")
            .replace(r"\?", "[^/]")
        )
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


def tracked_files() -> list[str]:
    result = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def load_script(name: str):
    path = ROOT / "docker" / name
    spec = importlib.util.spec_from_file_location(f"compose_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def services() -> dict[str, dict]:
    return compose()["services"]


def presswatch_image_services() -> list[str]:
    return [name for name in services() if name not in THIRD_PARTY]


# --- the file itself --------------------------------------------------------------------------


def test_compose_file_is_valid_against_the_compose_specification():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    for document in (raw_compose(), compose()):
        errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]
        assert errors == []


def test_variables_are_written_in_braces_so_the_host_shell_fills_none_by_accident():
    # `$HOSTNAME` in a healthcheck would be the host's, interpolated by compose; `$$HOSTNAME`
    # is the container's.
    bare = [
        match.group(0)
        for text in strings(raw_compose())
        for match in _REFERENCE.finditer(text)
        if match.group(3)
    ]
    assert bare == []


def test_every_variable_used_is_documented_in_env_example_and_every_documented_one_is_used():
    required, optional = env_example()
    used = {name for name, _, _ in references(raw_compose())}

    assert sorted(used - required - optional.keys()) == []
    assert sorted((required | optional.keys()) - used) == []
    assert required & optional.keys() == set()


def test_the_required_secrets_are_required_wherever_they_are_used_and_only_they():
    required, _ = env_example()
    for name, operator, argument in references(raw_compose()):
        if name in required:
            assert operator == ":?", f"${{{name}}} without :? (compose would start without it)"
            assert ".env.example" in argument, f"${{{name}:?...}} should say where to look"
        else:
            assert operator not in (":?", "?"), f"{name} is required but .env.example says not"


def test_the_defaults_in_compose_are_the_ones_env_example_documents():
    _, optional = env_example()
    for name, operator, argument in references(raw_compose()):
        if name in optional:
            assert operator == ":-", f"${{{name}}} has no default"
            assert argument == optional[name], f"{name}: compose {argument!r}, .env.example"


def test_compose_refuses_to_start_without_each_secret():
    required, _ = env_example()
    assert len(required) >= 6
    compose()  # the filled-in .env works
    for name in sorted(required):
        env = sample_env()
        env[name] = ""
        with pytest.raises(MissingVariable, match=name):
            compose(env)


def test_no_secret_is_written_in_the_compose_file_or_in_env_example():
    """Filled in with sentinels for the secrets, every password in a URL, every JSON
    ``password``, every variable named like a secret and Redis's password are sentinels: none
    was written into the file. And every secret is used."""
    required, _ = env_example()
    sentinels = {name: f"SENTINEL{i}x" for i, name in enumerate(sorted(required))}
    document = compose(sentinels)
    allowed = set(sentinels.values())
    secretish = re.compile(r"PASSWORD$|SECRET|FERNET|TOKEN|(^|_)KEY$|REDISCLI_AUTH")
    found = []
    for service in document["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if secretish.search(name):
                found.append((name, value))
        command = service.get("command")
        if isinstance(command, list) and "--requirepass" in command:
            found.append(("--requirepass", command[command.index("--requirepass") + 1]))
    for text in strings(document):
        for match in re.finditer(r"[a-z][a-z0-9+.-]*://[^/@\s:]*:([^@\s/]*)@", text):
            found.append(("URL password", match.group(1)))
        if text.startswith("{"):
            found.append(("JSON password", json.loads(text).get("password", "")))

    assert found, "found no secret to check"
    assert [(where, value) for where, value in found if value not in allowed] == []
    assert {value for _, value in found} == allowed  # every secret is used somewhere


# --- services ---------------------------------------------------------------------------------


def test_every_long_running_service_has_a_healthcheck_and_restarts():
    duration = re.compile(r"(\d+(ns|us|ms|s|m|h))+")
    for name, service in services().items():
        if name in ONE_SHOT:
            assert service["restart"] == "no", f"{name} runs once: restarting it loops"
            assert "healthcheck" not in service
            continue
        assert service.get("restart") in ("always", "unless-stopped"), name
        check = service.get("healthcheck")
        assert check and check["test"][0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck"
        for key in ("interval", "timeout", "start_period"):
            assert duration.fullmatch(check[key]), f"{name} healthcheck {key}: {check[key]!r}"
        assert int(check["retries"]) >= 3


def test_dependencies_wait_for_what_each_dependency_can_promise():
    all_services = services()
    for name, service in all_services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in all_services, f"{name} depends on unknown {dependency}"
            target = all_services[dependency]
            expected = (
                "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            )
            assert rule["condition"] == expected, f"{name} -> {dependency}"
            assert "healthcheck" in target or dependency in ONE_SHOT
            # A service outside a profile cannot need one inside it (compose refuses to start).
            if not service.get("profiles"):
                assert not target.get("profiles"), f"{name} needs {dependency} of a profile"


def test_airflow_services_wait_for_the_databases_the_broker_and_the_migrations():
    all_services = services()
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                 "airflow-triggerer", "airflow-worker"):  # fmt: skip
        assert {"postgres", "redis", "airflow-init"} <= all_services[name]["depends_on"].keys()
    # Workers run tasks that call the execution API.
    assert "airflow-apiserver" in all_services["airflow-worker"]["depends_on"]
    for name in presswatch_image_services():
        if name != "airflow-init":
            assert "airflow-init" in all_services[name]["depends_on"] or name == "simulator"
    assert "demo-seed" in all_services["simulator"]["depends_on"]


def test_volumes_are_named_and_declared():
    document = compose()
    declared = set(document["volumes"])
    used = set()
    for name, service in document["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert not source.startswith((".", "/", "~")), f"{name} mounts a host path: {volume}"
            used.add(source)
    assert used == declared


def test_published_ports_bind_to_the_chosen_address_and_workers_can_be_scaled():
    for name, service in services().items():
        for port in service.get("ports", []):
            address, host_port, container_port = port.split(":")
            assert address == "127.0.0.1", f"{name} publishes {port} beyond this machine"
    worker = services()["airflow-worker"]
    # `--scale airflow-worker=N` starts N copies: a fixed name or host port would collide.
    assert "container_name" not in worker and "ports" not in worker
    assert all("container_name" not in service for service in services().values())


def test_the_simulator_and_the_demo_seed_are_only_in_the_demo_profile():
    all_services = services()
    assert all_services["simulator"]["profiles"] == ["demo"]
    assert all_services["demo-seed"]["profiles"] == ["demo"]
    profiled = {name for name, service in all_services.items() if service.get("profiles")}
    assert profiled == {"simulator", "demo-seed", "cli"}


def test_images_are_pinned_to_a_version():
    for name in THIRD_PARTY:
        image = services()[name]["image"]
        assert re.fullmatch(r"[a-z0-9/._-]+:v?\d+(\.\d+){1,2}(-[a-z]+)?", image), image
    for name in presswatch_image_services():
        assert services()[name]["image"] == "presswatch:local"
        assert services()[name]["build"] == {"context": "."}


# --- environment, connections ----------------------------------------------------------------


def test_the_environment_is_what_presswatch_env_sets_in_the_image_paths():
    env = service_env("airflow-scheduler")
    expected = airflow_env.environment(env["PRESSWATCH_DB_URL"])
    same = ["AIRFLOW__CORE__LOAD_EXAMPLES", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
            "PRESSWATCH_DB_URL"]  # fmt: skip
    paths = {"AIRFLOW__CORE__DAGS_FOLDER": DAGS, "AIRFLOW__CORE__PLUGINS_FOLDER": ROOT / "plugins"}
    # Differ on purpose; each is checked below.
    different = {"AIRFLOW__CORE__EXECUTOR", "AIRFLOW__CORE__PARALLELISM", "AIRFLOW_HOME", "PATH",
                 "AIRFLOW_CONN_PRESSWATCH_DB"}  # fmt: skip
    assert set(expected) == set(same) | paths.keys() | different, "presswatch env changed"

    for key in same:
        assert env[key] == expected[key], key
    for key, local in paths.items():
        assert env[key] == f"{image_root()}/{local.relative_to(ROOT).as_posix()}", key
        assert expected[key] == str(local)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert int(env["AIRFLOW__CORE__PARALLELISM"]) >= int(env["AIRFLOW__CELERY__WORKER_CONCURRENCY"])
    assert json.loads(env["AIRFLOW_CONN_PRESSWATCH_DB"]) == json.loads(
        expected["AIRFLOW_CONN_PRESSWATCH_DB"]
    )
    image = dockerfile_env()
    assert image["AIRFLOW_HOME"] and "AIRFLOW_HOME" not in env
    # The venv's bin first on PATH, as presswatch env puts it.
    assert image["PATH"].split(":")[0] == image["VENV"] + "/bin"


def test_every_airflow_process_shares_the_settings_and_keys():
    shared = compose()["x-airflow-env"]
    for name in presswatch_image_services():
        if name == "simulator":
            continue
        env = service_env(name)
        differing = {key for key, value in shared.items() if env.get(key) != str(value)}
        assert differing == set(), f"{name} differs in {sorted(differing)}"


def test_every_airflow_setting_is_a_real_airflow_option():
    from airflow.configuration import conf

    described = conf.configuration_description
    for name, service in compose()["services"].items():
        for key in service.get("environment") or {}:
            if key.startswith("AIRFLOW__"):
                section, option = key.removeprefix("AIRFLOW__").lower().split("__")
                assert option in described.get(section, {}).get("options", {}), f"{name}: {key}"


def test_the_tasks_reach_the_api_server_where_it_listens():
    env = service_env("airflow-worker")
    url = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert url.hostname == "airflow-apiserver" and url.path == "/execution/"
    assert url.hostname in services()
    published = services()["airflow-apiserver"]["ports"][0].rsplit(":", 1)[1]
    assert url.port == int(published) == 8080  # Airflow's [api] port, unchanged


def test_the_connections_are_the_ones_the_code_and_the_readme_use():
    env = service_env("airflow-worker")
    in_compose = {
        key.removeprefix("AIRFLOW_CONN_").lower() for key in env if key.startswith("AIRFLOW_CONN_")
    }
    smtp = inspect.signature(dispatch.AirflowSmtpSender).parameters["conn_id"].default
    in_code = {facebook.CONN_ID, instagram.CONN_ID, x.CONN_ID, telegram.CONN_ID,
               telegram.TME_CONN_ID, wikipedia.CONN_ID, portal.CONN_ID, feeds.CONN_ID,
               airflow_support.DOMAIN_CONN_ID, smtp}  # fmt: skip
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| Airflow connection | holds |", 1)[1].split("\n\n", 1)[0]
    in_readme = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE))
    from presswatch.simulator import _CONNECTIONS as simulated

    assert in_compose == in_code == in_readme
    assert set(simulated) | {"presswatch_db", "smtp_default"} == in_compose
    assert "smtp_default" in (ROOT / "dags" / "notices_dispatch.py").read_text(encoding="utf-8")


def test_an_empty_connection_variable_is_no_connection(monkeypatch):
    """What lets the demo profile's connections (metadata database) be used while compose sets
    AIRFLOW_CONN_PRESSWATCH_X="" (an unset .env variable): Airflow treats empty as absent."""
    from airflow.secrets.environment_variables import EnvironmentVariablesBackend

    monkeypatch.setenv("AIRFLOW_CONN_PRESSWATCH_X", "")
    assert EnvironmentVariablesBackend().get_connection("presswatch_x") is None
    monkeypatch.setenv("AIRFLOW_CONN_PRESSWATCH_X", '{"conn_type": "http", "host": "https://x"}')
    assert EnvironmentVariablesBackend().get_connection("presswatch_x").host == "https://x"
    assert service_env("airflow-worker")["AIRFLOW_CONN_PRESSWATCH_X"] == ""


def test_presswatch_variables_are_ones_the_code_reads():
    source = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "plugins" / "presswatch").rglob("*.py")
    )
    for name, service in compose()["services"].items():
        for key in service.get("environment") or {}:
            if key.startswith("PRESSWATCH_"):
                assert f'"{key}"' in source, f"{name}: no code reads {key}"


def test_the_worker_visibility_timeout_outlasts_the_longest_task():
    timeout = int(service_env("airflow-worker")[
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT"
    ])  # fmt: skip
    assert dt.timedelta(seconds=timeout) > airflow_support.DEFAULT_ARGS["execution_timeout"]


def test_healthchecks_ask_the_ports_the_services_listen_on():
    from airflow.configuration import conf

    all_services = services()

    def url_in(service: str) -> str:
        kind, program, option, code = all_services[service]["healthcheck"]["test"]
        assert (kind, program, option) == ("CMD", "python", "-c")
        return re.search(r"urlopen\('([^']*)'", code).group(1)

    assert url_in("airflow-apiserver") == "http://localhost:8080/api/v2/monitor/health"
    scheduler_port = conf.get_default_value("scheduler", "scheduler_health_check_server_port")
    assert url_in("airflow-scheduler") == f"http://localhost:{scheduler_port}/health"
    assert service_env("airflow-scheduler")["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "True"
    simulator = all_services["simulator"]["command"]
    port = simulator[simulator.index("--port") + 1]
    assert url_in("simulator") == f"http://localhost:{port}/_sim/health"
    assert simulator[simulator.index("--host") + 1] == "0.0.0.0"  # reached from other containers
    smtp = urlsplit(service_env("airflow-worker")["AIRFLOW_CONN_SMTP_DEFAULT"])
    assert (smtp.hostname, smtp.port) == ("mailpit", 1025)


# --- commands ---------------------------------------------------------------------------------


def _script_commands(path: Path, env: dict[str, str]) -> list[list[str]]:
    """The commands a docker/*.sh script runs, its ``${VAR}`` filled from ``env`` (each must be
    there: the scripts run with ``set -u``), output redirections dropped."""
    commands = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", line):
            assert name in env, f"{path.name} uses ${name}, which its service does not set"
        words = shlex.split(interpolate(line, env))
        if words[0] in ("airflow", "presswatch", "python", "rm"):
            commands.append(words[: words.index(">")] if ">" in words else words)
    return commands


def all_commands() -> list[tuple[str, list[str]]]:
    """Every command the presswatch image's services run: (service, argv)."""
    found = []
    for name in presswatch_image_services():
        service = services()[name]
        env = {**dockerfile_env(), **service_env(name)}
        command = service["command"]
        found.append((name, command))
        if command[0] == "sh":
            script = ROOT / Path(command[1]).relative_to(image_root())
            found += [(name, words) for words in _script_commands(script, env)]
        if "healthcheck" in service:
            kind, *test = service["healthcheck"]["test"]
            found.append((name, test if kind == "CMD" else shlex.split(test[0])))
    return found


def test_every_airflow_command_is_one_airflow_3_has():
    from airflow.cli.cli_parser import get_parser

    parser = get_parser()
    commands = [argv for _, argv in all_commands() if argv[0] == "airflow"]
    assert len(commands) >= 8
    for argv in commands:
        try:
            parser.parse_args(argv[1:])
        except SystemExit as exit:  # --help exits 0
            assert exit.code == 0, f"airflow refuses: {shlex.join(argv)}"


def test_every_presswatch_command_is_one_the_cli_has():
    from presswatch.cli import build_parser

    commands = [argv for _, argv in all_commands() if argv[0] == "presswatch"]
    assert len(commands) >= 4
    for argv in commands:
        try:
            build_parser().parse_args(argv[1:])
        except SystemExit as exit:  # --help exits 0
            assert exit.code == 0, f"presswatch refuses: {shlex.join(argv)}"


def test_every_program_the_services_run_is_in_the_venv_or_the_base_image():
    for name, argv in all_commands():
        program = argv[0]
        if program in ("sh", "rm"):
            continue  # the base image's
        assert (VENV_BIN / program).exists(), f"{name} runs {program}, not in the venv"


def test_every_file_the_services_name_is_in_the_image_and_every_script_parses():
    named = 0
    for name, argv in all_commands():
        for word in argv:
            if not word.startswith(image_root() + "/"):
                continue
            named += 1
            relative = Path(word).relative_to(image_root())
            assert (ROOT / relative).exists(), f"{name}: no {relative} in the project"
            assert not dockerignored(relative.as_posix()), f"{relative} is not in the image"
            if relative.suffix == ".sh":
                subprocess.run(["sh", "-n", str(ROOT / relative)], check=True)
            elif relative.suffix == ".py":
                compile((ROOT / relative).read_text(encoding="utf-8"), str(relative), "exec")
        if argv[:2] == ["python", "-c"]:
            compile(argv[2], f"{name} healthcheck", "exec")
    assert named >= 5


def test_the_worker_healthcheck_pings_the_celery_app_of_the_provider():
    kind, command = services()["airflow-worker"]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"  # ${HOSTNAME} is the container's, filled by its shell
    words = shlex.split(command)
    assert words[:2] == ["celery", "--app"]
    module, _, attribute = words[2].rpartition(".")
    from celery import Celery

    assert isinstance(getattr(importlib.import_module(module), attribute), Celery)
    assert words[3:6] == ["inspect", "ping", "--destination"]
    # celery@<hostname>, the default node name of `airflow celery worker`, in the container.
    assert words[6] == "celery@${HOSTNAME}"
    result = subprocess.run(
        [str(VENV_BIN / "celery"), "--app", words[2], "inspect", "ping", "--help"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "--destination" in result.stdout


# --- the image --------------------------------------------------------------------------------


def _makefile_install() -> tuple[list[list[str]], list[str]]:
    """The Makefile's venv recipe ($(STAMP)), its commands with the variables named, and the
    command that finds the uv pin."""
    text = MAKEFILE.read_text(encoding="utf-8")
    (uv_pin,) = re.findall(r"^UV_PIN\s*:=\s*\$\(shell (.*)\)$", text, re.MULTILINE)
    recipe = text.split("\n$(STAMP):", 1)[1].split("\n\n", 1)[0]
    lines, pending = [], ""
    for line in recipe.splitlines()[1:]:
        assert line.startswith("\t"), f"not a recipe line: {line!r}"
        if line.endswith("\\"):
            pending += line[1:-1]
            continue
        lines.append((pending + line[1:]).strip())
        pending = ""
    commands = []
    for line in lines:
        if line.startswith(("@", "#")):
            continue  # checks of the host's Python, comments, the stamp
        for name, placeholder in (("$(CURDIR)/$(VENV)", "{venv}"), ("$(BIN)", "{venv}/bin"),
                                  ("$(VENV)", "{venv}"), ("$(PYTHON)", "python"),
                                  ("$(UV_PIN)", "{uv_pin}")):  # fmt: skip
            line = line.replace(name, placeholder)
        assert "$(" not in line, f"a Makefile variable the test does not know: {line}"
        commands.append(shlex.split(line))
    return commands, shlex.split(uv_pin)


def _dockerfile_install() -> tuple[list[list[str]], list[str]]:
    commands, uv_pin = [], None
    for keyword, arguments in dockerfile():
        if keyword != "RUN":
            continue
        while arguments.startswith("--"):  # RUN's own options (--mount=...)
            arguments = arguments.split(" ", 1)[1].lstrip()
        for command in arguments.split(" && "):
            assignment = re.fullmatch(r'UV_PIN="\$\((.*)\)"', command.strip())
            if assignment:
                uv_pin = shlex.split(assignment.group(1))
                continue
            if "$VENV" not in command:
                continue
            command = command.replace("$VENV", "{venv}").replace("$UV_PIN", "{uv_pin}")
            commands.append(shlex.split(command))
    return commands, uv_pin


def test_the_image_installs_the_lock_with_the_makefiles_commands():
    make_commands, make_pin = _makefile_install()
    image_commands, image_pin = _dockerfile_install()

    assert len(make_commands) == 4
    assert image_commands == make_commands
    assert image_pin == make_pin
    assert dockerfile_env()["VENV"].startswith("/")


def test_the_image_copies_what_each_install_step_reads_before_it():
    copied: list[str] = []
    checked = []
    for keyword, arguments in dockerfile():
        if keyword == "COPY":
            copied += shlex.split(arguments)[:-1]
        if keyword == "RUN" and " pip sync " in arguments:
            assert "requirements.lock" in copied, "the lock is synced before it is copied"
            checked.append("sync")
        if keyword == "RUN" and " -e ." in arguments:
            assert "." in copied, "the project is installed before it is copied"
            checked.append("editable")
    assert checked == ["sync", "editable"]


def test_the_image_is_python_3_11_like_the_makefile_and_pyproject_require():
    (base,) = [arguments for keyword, arguments in dockerfile() if keyword == "FROM"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base), base
    assert "sys.version_info[:2] != (3, 11)" in MAKEFILE.read_text(encoding="utf-8")
    assert 'requires-python = ">=3.11,<3.12"' in (ROOT / "pyproject.toml").read_text()


def test_the_image_runs_as_a_user_who_can_write_where_the_services_write():
    steps = dockerfile()
    users = [arguments for keyword, arguments in steps if keyword == "USER"]
    assert users and users[-1] != "root"
    setup = " && ".join(arguments for keyword, arguments in steps if keyword == "RUN")
    env = service_env("airflow-worker")
    writable = [dockerfile_env()["AIRFLOW_HOME"], env["PRESSWATCH_HOME"],
                str(Path(env["PRESSWATCH_REPORTS_DIR"]).parent)]  # fmt: skip
    for name in presswatch_image_services():
        writable += [volume.split(":")[1] for volume in services()[name].get("volumes", [])]
    (owned,) = re.findall(r"chown -R \S+ ([^&]+)", setup)
    for folder in writable:
        assert any(folder == made or folder.startswith(made + "/") for made in owned.split()), (
            f"{folder} is not made writable for the service user"
        )


def test_dockerignore_keeps_secrets_and_local_state_out_and_lets_the_project_in():
    for path in (".env", ".env.production", ".venv/bin/python", ".presswatch/pg/data/PG_VERSION",
                 "out/reports/x.pdf", ".git/HEAD", "plugins/presswatch/__pycache__/db.cpython-311.pyc",
                 "tests/test_compose.py"):  # fmt: skip
        assert dockerignored(path), f"{path} would go into the image"
    needed = [
        path
        for path in tracked_files()
        if path in ("pyproject.toml", "README.md", "requirements.lock")
        or path.startswith(("dags/", "plugins/", "sql/", "include/", "docker/"))
    ]
    assert "plugins/.airflowignore" in needed
    assert [path for path in needed if dockerignored(path)] == []


def test_git_ignores_the_env_file_that_holds_the_secrets():
    result = subprocess.run(["git", "check-ignore", "--quiet", ".env"], cwd=ROOT)
    assert result.returncode == 0, ".env (the secrets) is not in .gitignore"


def test_the_dockerignore_matcher_follows_dockers_rules():
    assert dockerignored("out") and dockerignored("out/a/b")
    assert dockerignored("include/x/__pycache__/y.pyc")
    assert not dockerignored("include/templates")
    assert not dockerignored("outside/file")


# --- docker/ scripts --------------------------------------------------------------------------


def test_settings_check_accepts_the_filled_in_env_example():
    check = load_script("check_settings.py")
    assert check.problems(service_env("airflow-init")) == []


@pytest.mark.parametrize(
    "secret, value, complaint",
    [
        ("POSTGRES_PASSWORD", "p@ss/word", "POSTGRES_PASSWORD must be letters"),
        ("POSTGRES_PASSWORD", 'with"quote', "POSTGRES_PASSWORD must be letters"),
        ("REDIS_PASSWORD", "a:b@c", "REDIS_PASSWORD must be letters"),
        ("AIRFLOW_FERNET_KEY", "not-a-fernet-key", "AIRFLOW_FERNET_KEY is not a Fernet key"),
        ("AIRFLOW_JWT_SECRET", "short", "AIRFLOW_JWT_SECRET is shorter than 32"),
        ("AIRFLOW_API_SECRET_KEY", "short", "AIRFLOW_API_SECRET_KEY is shorter than 32"),
    ],
)
def test_settings_check_refuses_what_would_fail_later(secret, value, complaint):
    check = load_script("check_settings.py")
    env = service_env("airflow-init", {**sample_env(), secret: value})
    found = check.problems(env)
    assert any(complaint in problem for problem in found), found


def test_settings_check_exits_non_zero_with_one_line_per_problem():
    env = service_env("airflow-init", {**sample_env(), "AIRFLOW_JWT_SECRET": "short"})
    result = subprocess.run(
        [sys.executable, str(ROOT / "docker" / "check_settings.py")],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "settings: error: AIRFLOW_JWT_SECRET is shorter than 32 characters; generate one with:"
        " python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
    ]


def test_the_api_server_writes_the_admin_password_simple_auth_manager_reads(tmp_path, monkeypatch):
    from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

    env = service_env("airflow-apiserver")
    passwords = tmp_path / "passwords.json"
    passwords.write_text('{"admin": "an-older-password"}')
    passwords.chmod(0o644)  # left by an earlier start, readable by all
    env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] = str(passwords)
    load_script("api_server.py").write_passwords(env)

    for key in ("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"):  # fmt: skip
        monkeypatch.setenv(key, env[key])
    (user,) = SimpleAuthManager.get_users()
    assert (user.username, user.role) == ("admin", "admin")
    assert SimpleAuthManager.get_passwords() == {"admin": sample_env()["AIRFLOW_ADMIN_PASSWORD"]}
    assert passwords.stat().st_mode & 0o777 == 0o600


def test_the_api_server_refuses_a_short_password_and_an_unknown_admin(tmp_path):
    api_server = load_script("api_server.py")
    env = service_env("airflow-apiserver")
    env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] = str(tmp_path / "p.json")
    with pytest.raises(SystemExit, match="shorter than 12"):
        api_server.write_passwords({**env, "AIRFLOW_ADMIN_PASSWORD": "short"})
    with pytest.raises(SystemExit, match="'ops' is not among the users"):
        api_server.write_passwords({**env, "AIRFLOW_ADMIN_USERNAME": "ops"})
    assert not (tmp_path / "p.json").exists()


def test_the_api_server_script_becomes_airflow_api_server(tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    recorded = tmp_path / "argv"
    fake = fake_bin / "airflow"
    fake.write_text(f'#!/bin/sh\necho "$@" > {recorded}\n')
    fake.chmod(0o755)
    env = service_env("airflow-apiserver")
    env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] = str(tmp_path / "p.json")
    subprocess.run(
        [sys.executable, str(ROOT / "docker" / "api_server.py")],
        env={**os.environ, **env, "PATH": f"{fake_bin}:{os.environ['PATH']}"},
        check=True, timeout=60,
    )  # fmt: skip
    assert recorded.read_text().split() == ["api-server"]
    assert (tmp_path / "p.json").exists()


def test_the_demo_connections_are_the_simulators_in_airflows_import_format(conn, tmp_path):
    from airflow.secrets.local_filesystem import load_connections_dict

    from presswatch.demo import generator
    from presswatch.simulator import airflow_connections

    generator.seed(conn, institutions=2, seed=3, days=2, end_date=dt.date(2026, 3, 31))
    base_url = "http://simulator:8765"
    script = load_script("simulator_connections.py")
    path = tmp_path / "connections.json"
    path.write_text(json.dumps(script.import_file(base_url, service_env("demo-seed"))))

    imported = load_connections_dict(str(path))
    expected = {
        name.removeprefix("AIRFLOW_CONN_").lower(): json.loads(value)
        for name, value in airflow_connections(conn, base_url).items()
    }
    assert imported.keys() == expected.keys()
    for conn_id, connection in imported.items():
        assert connection.conn_type == expected[conn_id]["conn_type"]
        assert connection.host == expected[conn_id]["host"]
        assert (connection.password or "") == expected[conn_id]["password"]
        assert connection.extra_dejson == expected[conn_id]["extra"]
    assert imported["presswatch_facebook"].extra_dejson["own_ig_user_id"]


def test_the_demo_connections_refuse_a_platform_connection_set_in_env(conn):
    from presswatch.demo import generator

    generator.seed(conn, institutions=1, seed=3, days=1, end_date=dt.date(2026, 3, 31))
    env = service_env("demo-seed", {**sample_env(), "AIRFLOW_CONN_PRESSWATCH_X": "http://x"})
    with pytest.raises(SystemExit, match="AIRFLOW_CONN_PRESSWATCH_X set in .env"):
        load_script("simulator_connections.py").import_file("http://simulator:8765", env)
