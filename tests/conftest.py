"""Shared fixtures. The suite runs on the real PostgreSQL and Redis (``make test``) and says so loudly if not."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from attendance.models import School
from attendance.services.schools import create_api_key
from ml_models.paths import shared_data_dir
from tests.factories import SchoolFactory

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = shared_data_dir()
PHOTOS = SHARED_DATA / "photos"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to run on the embedded defaults unless asked: what the tests prove is PostgreSQL and Redis."""
    if os.environ.get("FACEAPI_TEST_EMBEDDED") == "1":
        return
    from django.conf import settings

    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL is not PostgreSQL")
    if not str(settings.CELERY_BROKER_URL).startswith("redis://"):
        problems.append("CELERY_BROKER_URL is not Redis")
    if not problems:
        problems += _unreachable(settings)
    if problems:
        pytest.exit(
            "faceapi tests need the real services: " + "; ".join(problems) + ". Run `make test` "
            "(it starts PostgreSQL and Redis), or set FACEAPI_TEST_EMBEDDED=1 for a quick local run.",
            returncode=3,
        )


def _unreachable(settings: object) -> list[str]:
    import psycopg2
    import redis

    problems = []
    db = settings.DATABASES["default"]
    try:
        psycopg2.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres", connect_timeout=3
        ).close()
    except psycopg2.OperationalError as exc:
        problems.append(f"PostgreSQL unreachable ({exc})")
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis unreachable ({exc})")
    return problems


@pytest.fixture(autouse=True)
def _cache_per_test(settings: object) -> None:
    """Throttle counters live in the cache: each test gets its own (ids repeat across rolled-back tests)."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }


@dataclass
class Tenant:
    school: School
    key: str

    def client(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.key}")
        return client


def make_tenant() -> Tenant:
    school = SchoolFactory()
    _, key = create_api_key(school=school, actor="cli:tests", name="test")
    return Tenant(school=school, key=key)


@pytest.fixture
def tenant(db: None) -> Tenant:
    return make_tenant()


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    return make_tenant()


@pytest.fixture
def api(tenant: Tenant) -> APIClient:
    return tenant.client()


def wait_for_job(api: APIClient, url: str, timeout_s: float = 240) -> dict:
    """Poll a job's URL until it has finished; its final JSON."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = api.get(url).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.3)
    raise AssertionError(f"job did not finish in {timeout_s} s: {body}")


def worker_environment(queue: str) -> dict[str, str]:
    """The worker sees the test database (not the development one), the same files and test-speed retries."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "FACEAPI_VAR_DIR": str(settings.VAR_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "FACEAPI_CALLBACK_ALLOW_PRIVATE": "1",
        "FACEAPI_CALLBACK_BACKOFF_S": "0.2",
    }


@pytest.fixture(scope="session")
def celery_worker_process(worker_id: str, django_db_setup: None) -> Iterator[str]:
    """A real ``celery worker`` process on its own queue (so parallel test runs never take each other's tasks)."""
    from faceapi.celery import app

    queue = f"faceapi-test-{worker_id}-{os.getpid()}"
    hostname = f"{queue}@localhost"
    app.conf.task_default_queue = queue
    process = start_worker(queue, hostname, worker_environment(queue))
    try:
        _wait_for_worker(app, process, hostname)
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def start_worker(queue: str, hostname: str, env: dict[str, str]) -> subprocess.Popen:
    """A real solo-pool worker consuming only ``queue``, in its own process group (so a test can kill -9 it)."""
    command = [
        sys.executable, "-m", "celery", "-A", "faceapi", "worker", "-Q", queue, "-n", hostname,
        "--pool", "solo", "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, start_new_session=True)


def _wait_for_worker(app: object, process: subprocess.Popen, hostname: str, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited with {process.returncode}")
        if app.control.ping(destination=[hostname], timeout=1.0):
            return
    raise RuntimeError("celery worker did not answer within the timeout")
