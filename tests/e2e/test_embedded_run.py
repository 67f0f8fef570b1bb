"""The `make run` path: SQLite and the filesystem broker, real web and worker processes, nothing else installed."""

import json
import os
import signal
import subprocess
import sys

import pytest
import requests

from faceapi.live_service import free_port, manage, service_env, wait_until_healthy
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_serve_runs_web_and_worker_on_sqlite_and_the_filesystem_broker(tmp_path):
    env = service_env(tmp_path)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")  # as `make run` does
    created = json.loads(manage(env, "create_school", "Embedded School"))
    member = json.loads(manage(env, "add_member", created["school"], "edna", "--role", "admin"))
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)], cwd=PROJECT_ROOT, env=env, start_new_session=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(base, serve)
        assert requests.get(f"{base}/healthz", timeout=10).json() == {"status": "ok", "database": "ok", "broker": "ok"}
        auth = {"Authorization": f"Api-Key {created['api_key']}"}
        assert requests.get(f"{base}/api/v1/school", headers=auth, timeout=5).json()["slug"] == created["school"]
        assert requests.get(f"{base}/api/v1/school", timeout=5).status_code == 401

        ping = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); from faceapi.tasks import ping; "
             "print(ping.delay().get(timeout=60))"],
            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=90,
        )  # fmt: skip
        assert ping.stdout.strip() == "pong", ping.stderr
        assert_dashboard_works(base, member["username"], member["password"])
        assert (tmp_path / "db.sqlite3").exists()
    finally:
        os.killpg(serve.pid, signal.SIGINT)  # what Ctrl-C does in a terminal
        assert serve.wait(timeout=30) == 0


def assert_dashboard_works(base: str, username: str, password: str) -> None:
    """Served by gunicorn with its static files: the login page, a log-in with CSRF, a page and its stylesheet."""
    browser = requests.Session()
    login = browser.get(f"{base}/", timeout=10)
    assert login.url == f"{base}/login?next=/"
    token = browser.cookies["csrftoken"]
    landed = browser.post(
        f"{base}/login", data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login"}, timeout=10,
    )  # fmt: skip
    assert landed.url == f"{base}/students"
    assert "Embedded School" in landed.text
    stylesheet = landed.text.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert browser.get(f"{base}{stylesheet}", timeout=10).headers["Content-Type"].startswith("text/css")
