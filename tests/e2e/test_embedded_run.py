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
    created = json.loads(manage(env, "create_school", "Embedded School"))
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
        assert (tmp_path / "db.sqlite3").exists()
    finally:
        os.killpg(serve.pid, signal.SIGINT)  # what Ctrl-C does in a terminal
        assert serve.wait(timeout=30) == 0
