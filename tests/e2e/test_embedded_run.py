"""The `make run` path: SQLite and the filesystem broker, real web and worker processes, nothing else installed."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    env.pop("CELERY_RESULT_BACKEND", None)
    return {**env, "FACEAPI_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "faceapi.settings"}


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def wait_until_healthy(base: str, process: subprocess.Popen, timeout_s: float = 90) -> requests.Response:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited early"
        try:
            response = requests.get(f"{base}/healthz", timeout=10)
            if response.status_code == 200:
                return response
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError("the embedded service never became healthy")


def test_serve_runs_web_and_worker_on_sqlite_and_the_filesystem_broker(tmp_path):
    env = embedded_env(tmp_path)
    manage(env, "migrate", "--noinput", "-v", "0")
    created = json.loads(manage(env, "create_school", "Embedded School"))
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)], cwd=PROJECT_ROOT, env=env, start_new_session=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_until_healthy(base, serve).json() == {"status": "ok", "database": "ok", "broker": "ok"}
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
