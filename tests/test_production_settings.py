"""Production settings from the environment: `check --deploy` is clean, HTTPS behind a TLS proxy, JSON logs."""

import json
import logging
import os
import runpy
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from faceapi.log_format import JsonFormatter
from tests.conftest import PROJECT_ROOT

SETTINGS_FILE = PROJECT_ROOT / "faceapi" / "settings.py"
HOST = "faceapi.example.org"
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": HOST,
    "FACEAPI_BEHIND_TLS_PROXY": "1",
}
HTTPS_SETTINGS = (
    "ALLOWED_HOSTS",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)
PASSWORD = "correct horse battery staple 42"


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_with(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict:
    """The settings module evaluated afresh under ``env``."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_check_deploy_is_clean_with_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_the_tls_proxy_setting():
    plain_http = {**PRODUCTION_ENV, "FACEAPI_BEHIND_TLS_PROXY": ""}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=plain_http)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.fixture
def behind_tls_proxy(settings, monkeypatch):
    production = settings_with(monkeypatch, PRODUCTION_ENV)
    for name in HTTPS_SETTINGS:
        setattr(settings, name, production[name])
    return production


def test_hsts_defaults_to_one_year_and_can_be_tuned(behind_tls_proxy, monkeypatch):
    assert behind_tls_proxy["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    tuned = settings_with(monkeypatch, {"SECURE_HSTS_SECONDS": "3600", "SECURE_HSTS_PRELOAD": "0"})
    assert (tuned["SECURE_HSTS_SECONDS"], tuned["SECURE_HSTS_PRELOAD"]) == (3600, False)


@pytest.mark.django_db
def test_https_through_the_proxy_gets_hsts_and_secure_cookies(behind_tls_proxy, client, django_user_model):
    django_user_model.objects.create_superuser("admin", password=PASSWORD)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": PASSWORD},
        HTTP_HOST=HOST,
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == 302, response.content
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    for name in ("sessionid", "csrftoken"):
        assert response.cookies[name]["secure"], name
    assert response.cookies["sessionid"]["httponly"]


@pytest.mark.django_db
def test_plain_http_is_redirected_except_the_health_probe(behind_tls_proxy, client):
    response = client.get("/api/v1/school", HTTP_HOST=HOST)
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/api/v1/school"
    health = client.get("/healthz", HTTP_HOST=HOST)
    assert health.status_code == 200, health.content
    assert "Strict-Transport-Security" not in health  # HSTS is only sent over HTTPS


@pytest.mark.django_db
def test_browser_hardening_headers_are_always_on(client):
    response = client.get("/healthz")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_json_logs_are_one_object_per_line():
    code = "import logging; logging.getLogger('faceapi.probe').warning('hello %s', 'world')"
    result = manage("shell", "-c", code, env={"LOG_FORMAT": "json"})
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert {key: entry[key] for key in ("level", "logger", "message")} == {
        "level": "WARNING",
        "logger": "faceapi.probe",
        "message": "hello world",
    }
    assert entry["time"].endswith("+00:00")


def test_the_json_formatter_keeps_the_traceback_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("faceapi", logging.ERROR, __file__, 1, "failed: %s", ("job",), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed: job"
    assert "ValueError: boom" in entry["exception"]


def test_an_unknown_log_format_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        settings_with(monkeypatch, {"LOG_FORMAT": "xml"})
