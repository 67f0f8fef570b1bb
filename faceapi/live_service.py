"""The real service (``manage.py serve``: gunicorn and a Celery worker) started on SQLite and the filesystem broker in
a temporary FACEAPI_VAR_DIR, for the scripts that document it (``make docs``) and measure it (``make bench``)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Variables that would point the run at the developer's own database, broker or files.
ENV_DROPPED = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_BROKER_DIR",
    "CACHE_URL",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "FACEAPI_CALLBACK_ALLOW_PRIVATE",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ENV_DROPPED}
    return {**env, "FACEAPI_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "faceapi.settings"}


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # nosec B603  # our own argv, no shell
        [sys.executable, "manage.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def wait_until_healthy(base: str, process: subprocess.Popen, timeout_s: float = 600) -> None:
    """Until ``/healthz`` answers 200: each web worker first loads and warms every model, which takes minutes when
    the machine is busy."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"manage.py serve exited with {process.returncode}")
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.5)
    raise RuntimeError("the service never became healthy")


@contextmanager
def running_service(
    var_dir: Path,
    *,
    school: str = "Example School",
    serve_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[tuple[str, str]]:
    """The base URL and an API key of a fresh school; SIGINT to the process group stops web and worker. ``env`` adds
    or overrides variables (e.g. a ``DATABASE_URL``, a throttle rate)."""
    var_dir.mkdir()
    env = {**service_env(var_dir), **(env or {})}
    manage(env, "migrate", "--noinput", "-v", "0")
    api_key = json.loads(manage(env, "create_school", school))["api_key"]
    port = free_port()
    log = var_dir / "serve.log"
    with log.open("w") as log_file:
        serve = subprocess.Popen(  # nosec B603  # our own argv, no shell
            [sys.executable, "manage.py", "serve", "--port", str(port), *serve_args],
            cwd=PROJECT_ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, serve)
        yield base, api_key
    finally:
        stop(serve, log)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(serve: subprocess.Popen, log: Path, grace_s: float = 10) -> None:
    """SIGINT to the process group, as Ctrl-C does; then SIGKILL whatever of the group outlives ``serve`` by
    ``grace_s`` (a gunicorn worker can hang on exit once its master is gone, and keep the port)."""
    os.killpg(serve.pid, signal.SIGINT)
    if serve.wait(timeout=60) != 0:
        print(f"manage.py serve exited with {serve.returncode}; its log ends:", file=sys.stderr)
        print(log.read_text()[-4000:], file=sys.stderr)
    deadline = time.monotonic() + grace_s
    while group_alive(serve.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if group_alive(serve.pid):
        os.killpg(serve.pid, signal.SIGKILL)
        print(f"processes of manage.py serve outlived it by {grace_s} s; killed them", file=sys.stderr)
