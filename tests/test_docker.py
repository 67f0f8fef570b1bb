"""docker/ cannot run here (no images, no internet); these checks keep it in step with what the code reads."""

import os
import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import PROJECT_ROOT
from tests.test_production_settings import PRODUCTION_ENV, manage

DOCKER = PROJECT_ROOT / "docker"
APP_SERVICES = ("web", "worker", "beat")


def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yml").read_text())


def environment_names_the_code_reads() -> set[str]:
    sources = [*(PROJECT_ROOT / "faceapi").glob("*.py"), *(PROJECT_ROOT / "ml_models").glob("*.py")]
    pattern = re.compile(r"""(?:env_\w+|os\.environ\.get|os\.environ\.setdefault)\(\s*["']([A-Z][A-Z0-9_]+)["']""")
    entrypoint = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):-", (DOCKER / "entrypoint.sh").read_text()))
    return entrypoint | {name for path in sources for name in pattern.findall(path.read_text())}


def test_compose_has_the_services_with_healthchecks():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert all("healthcheck" in service for service in services.values())
    assert services["web"]["command"] == ["web"]
    assert services["worker"]["command"] == ["worker"]
    assert services["web"]["healthcheck"]["test"][-1].endswith("/healthz")


def test_app_services_set_only_variables_the_code_reads():
    read = environment_names_the_code_reads()
    for name in ("web", "worker", "beat"):
        environment = compose()["services"][name]["environment"]
        assert set(environment) <= read, set(environment) - read
        assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "CACHE_URL"} <= set(environment)
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379")


def test_app_services_wait_for_healthy_postgres_and_redis():
    for name in APP_SERVICES:
        depends = compose()["services"][name]["depends_on"]
        assert depends == {"postgres": {"condition": "service_healthy"}, "redis": {"condition": "service_healthy"}}


def test_dockerfile_is_slim_python_311_non_root_and_prepares_models():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    assert re.search(r"^USER (?!root)\S+", dockerfile, re.M)
    assert "pip install -r requirements.txt" in dockerfile
    assert "python -m ml_models.prepare" in dockerfile


def test_entrypoint_commands_match_what_the_project_runs():
    entrypoint = (DOCKER / "entrypoint.sh").read_text()
    assert "gunicorn --config faceapi/gunicorn_conf.py faceapi.wsgi:application" in entrypoint
    assert "celery -A faceapi worker" in entrypoint
    assert "celery -A faceapi beat" in entrypoint
    assert "manage.py migrate" in entrypoint


def test_every_service_restarts_runs_as_a_non_root_user_and_checks_its_own_health():
    services = compose()["services"]
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name
        assert str(service.get("user", "root")).split(":")[0] not in ("root", "0"), name
    checks = {name: " ".join(service["healthcheck"]["test"]) for name, service in services.items()}
    assert "http://127.0.0.1:8000/healthz" in checks["web"]
    assert "inspect ping --destination celery@$$HOSTNAME" in checks["worker"]
    assert "celerybeat-schedule" in checks["beat"]
    assert "pg_isready" in checks["postgres"]
    assert "redis-cli ping" in checks["redis"]


def test_state_lives_in_named_volumes():
    data = compose()
    mounts = {name: service.get("volumes", []) for name, service in data["services"].items()}
    assert set(data["volumes"]) == {"pgdata", "redisdata", "media"}
    assert "pgdata:/var/lib/postgresql/data" in mounts["postgres"]
    assert "redisdata:/data" in mounts["redis"]
    for name in APP_SERVICES:
        assert "media:/var/lib/faceapi" in mounts[name]
        assert compose()["services"][name]["environment"]["FACEAPI_VAR_DIR"] == "/var/lib/faceapi"


def interpolated(value: str, given: dict[str, str]) -> str:
    """Compose's ``${NAME:-default}`` and ``${NAME:?error}``, with ``given`` as the operator's environment."""
    return re.sub(r"\$\{(\w+)(?::-([^}]*)|:\?[^}]*)\}", lambda m: given.get(m[1], m[2] or ""), value)


def test_the_compose_environment_passes_check_deploy():
    given = {"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"], "ALLOWED_HOSTS": "faceapi.example.org"}
    for name in APP_SERVICES:
        environment = compose()["services"][name]["environment"]
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")  # no default: compose refuses to start without
        env = {key: interpolated(str(value), given) for key, value in environment.items()}
        assert (env["DEBUG"], env["FACEAPI_BEHIND_TLS_PROXY"], env["LOG_FORMAT"]) == ("0", "1", "json")
        assert env["ALLOWED_HOSTS"] == "faceapi.example.org,127.0.0.1"  # and the health check's own host
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr


def compose_cli() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


@pytest.mark.skipif(compose_cli() is None, reason="neither docker compose nor docker-compose is installed")
def test_docker_compose_validates_the_file(tmp_path):
    cli, text = compose_cli(), (DOCKER / "compose.yml").read_text()
    if cli == ["docker-compose"]:  # 1.x predates the top-level `name`: validate the rest against its schema
        text = re.sub(r"^name: .*\n", "", text, flags=re.M)
    (tmp_path / "compose.yml").write_text(text)
    command = [*cli, "-f", str(tmp_path / "compose.yml"), "--project-directory", str(DOCKER), "config", "--quiet"]
    result = subprocess.run(command, env={**os.environ, "SECRET_KEY": "x"}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
