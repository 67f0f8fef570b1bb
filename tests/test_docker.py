"""docker/ cannot run here (no Docker engine); these checks keep it in step with what the code reads."""

import re

import yaml

from tests.conftest import PROJECT_ROOT

DOCKER = PROJECT_ROOT / "docker"


def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yml").read_text())


def environment_names_the_code_reads() -> set[str]:
    sources = [*(PROJECT_ROOT / "faceapi").glob("*.py"), *(PROJECT_ROOT / "ml_models").glob("*.py")]
    pattern = re.compile(r"""(?:env_\w+|os\.environ\.get|os\.environ\.setdefault)\(\s*["']([A-Z][A-Z0-9_]+)["']""")
    return {name for path in sources for name in pattern.findall(path.read_text())}


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
    for name in ("web", "worker"):
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
