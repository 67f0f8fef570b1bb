"""Video attendance through the real worker (Redis + PostgreSQL), including a worker killed mid-job."""

import os
import signal
import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from attendance.models import AttendanceRecord, VideoJob
from faceapi.celery import app
from faceapi.reaper import reap_stale_jobs
from faceapi.tasks import ping
from tests.attendance.conftest import add_session, add_student, enrol
from tests.conftest import PHOTOS, start_worker, wait_for_job, worker_environment

VIDEOS = PHOTOS.parent / "videos"
CLIP = VIDEOS / "short_hamilton_clip.mp4"


def video_upload(path=CLIP) -> dict:
    return {"video": SimpleUploadedFile(path.name, path.read_bytes(), content_type="video/mp4")}


@pytest.fixture
def lin_manuel(api):
    student = add_student(api, "LMM", "Lin-Manuel Miranda")
    assert enrol(api, student["id"], "lin-manuel-miranda.png").status_code == 201
    return student


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_classroom_video_marks_the_enrolled_student_with_evidence(
    api, lin_manuel, other_tenant, celery_worker_process
):
    session = add_session(api)
    response = api.post(f"/api/v1/sessions/{session['id']}/videos", video_upload(), format="multipart")
    assert response.status_code == 202, response.content
    job = wait_for_job(api, response.json()["url"])
    assert job["status"] == "succeeded", job
    assert job["progress"] == 100
    result = job["result"]
    assert [p["id"] for p in result["present"]] == [lin_manuel["id"]]
    assert result["frames_sampled"] >= 18
    assert result["min_face_size"] == 20  # 640×360: the detector's own minimum
    assert {"detect", "embed", "identify", "track"} <= set(result["timings_ms"])
    identified = [t for t in result["tracks"] if t["student_id"] == lin_manuel["id"]]
    assert identified
    assert all(t["votes"] >= 1 and t["live"] for t in identified)
    assert result["liveness"] == {"checked": True}

    record = api.get(f"/api/v1/sessions/{session['id']}/attendance").json()["attendance"][0]
    assert record["student"]["id"] == lin_manuel["id"]
    assert record["source"] == "video"
    assert record["evidence_time_s"] is not None
    assert api.get(record["evidence_url"])["Content-Type"] == "image/jpeg"
    assert record["timeline"]["intervals"]
    assert {e["emotion"] for e in record["timeline"]["emotions"]} <= {
        "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"
    }  # fmt: skip
    assert other_tenant.client().get(response.json()["url"]).status_code == 404
    assert not VideoJob.unscoped.get().input_dir.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_a_video_is_refused_at_once(api):
    session = add_session(api)
    fake = {"video": SimpleUploadedFile("lesson.mp4", (PHOTOS / "obama.jpg").read_bytes())}
    response = api.post(f"/api/v1/sessions/{session['id']}/videos", fake, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_video"
    empty = api.post(f"/api/v1/sessions/{session['id']}/videos", {"video": SimpleUploadedFile("e.mp4", b"")})
    assert empty.json()["error"]["code"] == "empty_file"
    assert api.post(f"/api/v1/sessions/{session['id']}/videos", {}, format="multipart").status_code == 400
    assert not VideoJob.unscoped.exists()


@pytest.mark.django_db
def test_a_smallest_face_under_the_detectors_is_refused(api):
    session = add_session(api)
    url = f"/api/v1/sessions/{session['id']}/videos"
    response = api.post(url, {**video_upload(), "min_face_size": "5"}, format="multipart")
    assert response.status_code == 400
    assert "min_face_size" in response.json()["error"]["details"]["fields"]
    assert not VideoJob.unscoped.exists()


@pytest.mark.django_db
def test_video_size_limit(api, settings):
    settings.FACEAPI_MAX_VIDEO_BYTES = 1000
    session = add_session(api)
    response = api.post(f"/api/v1/sessions/{session['id']}/videos", video_upload(), format="multipart")
    assert response.status_code == 413


def start_killable_worker(queue: str) -> subprocess.Popen:
    env = {**worker_environment(queue), "CELERY_VISIBILITY_TIMEOUT": "3"}  # redeliver a dead worker's task soon
    return start_worker(queue, f"{queue}-{time.time()}@localhost", env)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_is_finished_exactly_once_by_the_next(
    api, lin_manuel, monkeypatch, worker_id, settings
):
    """The dead worker's task comes twice: redelivered by the broker and re-queued by the stale-job reaper."""
    queue = f"faceapi-kill-test-{worker_id}-{os.getpid()}"
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    session = add_session(api)
    first = start_killable_worker(queue)
    try:
        response = api.post(
            f"/api/v1/sessions/{session['id']}/videos", {**video_upload(), "sample_fps": "10"}, format="multipart"
        )
        url = response.json()["url"]
        deadline = time.monotonic() + 180
        while api.get(url).json()["progress"] < 20:
            assert time.monotonic() < deadline, "the first worker never got going"
            time.sleep(0.2)
        os.killpg(first.pid, signal.SIGKILL)  # kill -9: no warm shutdown, no ack
        first.wait(timeout=10)
        assert api.get(url).json()["status"] == "running"
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    settings.FACEAPI_JOB_STALE_AFTER_S = 0  # the beat task's run, without waiting minutes for it
    assert reap_stale_jobs().requeued == 1
    second = start_killable_worker(queue)
    try:
        job = wait_for_job(api, url, timeout_s=300)
        assert ping.delay().get(timeout=300) == "pong"  # queued behind both deliveries: the duplicate ran too
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    assert job["status"] == "succeeded"
    assert api.get(url).json()["finished_at"] == job["finished_at"]  # finished once
    assert VideoJob.unscoped.get().attempts == 2
    assert [p["id"] for p in job["result"]["present"]] == [lin_manuel["id"]]
    assert AttendanceRecord.unscoped.filter(session_id=session["id"]).count() == 1
