"""Faults, with real processes where there are processes to fault: PostgreSQL unreachable behind the real service, a
private Redis broker restarted in the middle of a batch job, and a disk that fills up while an upload is stored.

The worker killed with kill -9 in the middle of a video job is tests/attendance/test_videos.py
(``test_a_worker_killed_mid_job_is_finished_exactly_once_by_the_next``).
"""

import errno
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from analysis.models import AnalysisJob
from attendance.models import VideoJob
from faceapi.celery import app
from faceapi.jobs import JobStatus
from faceapi.live_service import free_port, running_service
from faceapi.reaper import reap_stale_jobs
from tests.attendance.conftest import add_session
from tests.conftest import PHOTOS, _wait_for_worker, start_worker, worker_environment
from tests.hardening.tcp_proxy import TcpProxy

CLIP = PHOTOS.parent / "videos" / "short_hamilton_clip.mp4"
SINGLE_FACES = ("obama.jpg", "obama2.jpg", "biden.jpg", "lin-manuel-miranda.png", "alex-lacamoire.png")


def uploads(*names: str) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, (PHOTOS / name).read_bytes()) for name in names]


# --- a full disk -------------------------------------------------------------------------------------------------


@dataclass
class Disk:
    """What is left on the (simulated) disk that holds MEDIA_ROOT; every file written there uses it up."""

    room: int


class FillingFile:
    """A real file under MEDIA_ROOT that takes what room is left and then fails as a full disk does."""

    def __init__(self, stream: Any, disk: Disk) -> None:
        self.stream, self.disk = stream, disk

    def write(self, data: bytes) -> int:
        taken = min(len(data), self.disk.room)
        self.stream.write(data[:taken])
        self.disk.room -= taken
        if taken < len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return taken

    def __enter__(self) -> "FillingFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


@pytest.fixture
def disk(monkeypatch, settings, tmp_path) -> Disk:
    settings.MEDIA_ROOT = tmp_path / "media"
    disk, real_open = Disk(room=0), Path.open

    def open_(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        stream = real_open(path, mode, *args, **kwargs)
        return FillingFile(stream, disk) if "w" in mode and path.is_relative_to(settings.MEDIA_ROOT) else stream

    monkeypatch.setattr(Path, "open", open_)
    return disk


def stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def assert_storage_full(response) -> None:
    assert response.status_code == 507, response.content
    assert response.json()["error"]["code"] == "storage_full"


@pytest.mark.django_db
def test_a_video_upload_on_a_full_disk_is_507_and_leaves_nothing(api, disk, settings):
    session = add_session(api)
    disk.room = CLIP.stat().st_size // 2  # the disk fills up half-way through the video
    video = SimpleUploadedFile(CLIP.name, CLIP.read_bytes(), content_type="video/mp4")
    assert_storage_full(api.post(f"/api/v1/sessions/{session['id']}/videos", {"video": video}, format="multipart"))
    assert not VideoJob.unscoped.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_a_batch_job_on_a_full_disk_is_507_and_leaves_nothing(api, disk, settings):
    first, second = ((PHOTOS / name).stat().st_size for name in ("obama.jpg", "biden.jpg"))
    disk.room = first + second // 2  # the first image fits, the second does not
    response = api.post("/api/v1/analysis-jobs", {"images": uploads("obama.jpg", "biden.jpg")}, format="multipart")
    assert_storage_full(response)
    assert not AnalysisJob.unscoped.exists()
    assert stored_files(settings) == []


# --- PostgreSQL unreachable ----------------------------------------------------------------------------------------


def get(url: str, **kwargs: Any) -> requests.Response:
    return requests.get(url, timeout=60, **kwargs)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_real_service_answers_503_while_postgresql_is_unreachable(tmp_path):
    """gunicorn and the worker reach the test database through a proxy that the test cuts (PostgreSQL itself stays
    up for everyone else), then restores."""
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))).start()
    env = {
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
        "FACEAPI_WARM_UP_MODELS": "0",  # nothing here needs a model
    }
    try:
        with running_service(tmp_path / "service", env=env) as (base, api_key):
            students, auth = f"{base}/api/v1/students", {"Authorization": f"Api-Key {api_key}"}
            assert get(students, headers=auth).status_code == 200  # a pooled connection to the database now

            proxy.cut()
            for _ in range(2):  # the pooled connection breaks, then a new one is refused
                response = get(students, headers=auth)
                assert response.status_code == 503, response.text
                assert response.json() == {
                    "error": {
                        "code": "service_unavailable",
                        "message": "The service is temporarily unavailable; try again shortly.",
                        "details": {},
                    }
                }
            health = get(f"{base}/healthz")
            assert (health.status_code, health.json()["database"]) == (503, "down")

            proxy.start()  # the database is back: so is the service, without a restart
            assert get(students, headers=auth).status_code == 200
            assert get(f"{base}/healthz").status_code == 200
    finally:
        proxy.cut()


# --- Redis restarted in the middle of a job ----------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of this test alone, without persistence: a restart loses every message, as a broker that
    restarts without its data does. The shared Redis on 6379 is never touched."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([*command, "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "the private redis-server did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)


@pytest.fixture
def private_broker(tmp_path, monkeypatch, worker_id) -> Iterator[tuple[PrivateRedis, str]]:
    """This process and a fresh worker use a private redis-server as their broker, on a queue of their own."""
    server = PrivateRedis(tmp_path)
    server.start()
    queue = f"faceapi-redis-restart-{worker_id}-{os.getpid()}"
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)  # Celery's conf prefers the variable to its own setting
    monkeypatch.setitem(app.conf, "broker_url", server.url)
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    drop_broker_connections()  # those to the shared broker
    try:
        yield server, queue
    finally:
        monkeypatch.undo()  # the shared broker again, for the tests that follow
        drop_broker_connections()  # those to the private one
        server.stop()


def drop_broker_connections() -> None:
    """Celery pools connections and producers on the broker it first used: forget both, so the next call connects
    to the broker configured now (``app.close()`` alone keeps the producer pool)."""
    app._pool = None  # not closed: kombu shares it between apps by URL, and takes it back for the shared broker
    app.amqp._producer_pool = None


def job_status(job_id: str) -> AnalysisJob:
    return AnalysisJob.unscoped.get(pk=job_id)


def wait_until(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_broker_restart_mid_job_leaves_no_job_stuck(api, private_broker, settings):
    server, queue = private_broker
    worker = start_worker(queue, f"{queue}@localhost", {**worker_environment(queue), "CELERY_BROKER_URL": server.url})
    try:
        _wait_for_worker(app, worker, f"{queue}@localhost")
        running = api.post("/api/v1/analysis-jobs", {"images": uploads(*SINGLE_FACES * 4)}, format="multipart")
        waiting = api.post("/api/v1/analysis-jobs", {"images": uploads(*SINGLE_FACES[:2])}, format="multipart")
        running_id, waiting_id = running.json()["id"], waiting.json()["id"]
        wait_until(lambda: job_status(running_id).progress > 0, 240, "the first job makes progress")
        assert job_status(running_id).status == JobStatus.RUNNING

        server.stop()  # the broker goes, with the second job's message and the first one's unacked delivery
        server.start()

        wait_until(lambda: job_status(running_id).is_finished, 240, "the running job finishes")
        time.sleep(3)  # the worker is idle and back on the broker: a message still there would have been taken
        assert job_status(waiting_id).status == JobStatus.QUEUED  # its task went with the broker

        settings.FACEAPI_JOB_STALE_AFTER_S = 0  # the beat task's run, without waiting minutes for it
        assert reap_stale_jobs().requeued == 1
        wait_until(lambda: job_status(waiting_id).is_finished, 240, "the re-queued job finishes")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    for job in AnalysisJob.unscoped.all():
        assert job.status == JobStatus.SUCCEEDED or job.error_code, (job.status, job.error_code)
        if job.status == JobStatus.SUCCEEDED:
            assert job.result["succeeded"] == len(job.inputs)
    assert job_status(waiting_id).attempts == 2
    assert not AnalysisJob.unscoped.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).exists()
