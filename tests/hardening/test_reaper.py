"""The stale-job reaper on the real PostgreSQL and Redis (no worker: a re-queued task is looked for in the queue)."""

import json
import uuid
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from analysis.models import AnalysisJob
from attendance.models import ClassSession, VideoJob
from faceapi.celery import app
from faceapi.jobs import JobStatus, JobSuperseded, finish_job, heartbeat, mark_running, run_job
from faceapi.reaper import reap_stale_jobs

pytestmark = pytest.mark.django_db

STALE_AFTER_S = 300


@pytest.fixture
def queue(monkeypatch, settings, tmp_path):
    """A private queue on the test broker: what the reaper sends lands there, and is removed afterwards."""
    settings.FACEAPI_JOB_STALE_AFTER_S = STALE_AFTER_S
    settings.FACEAPI_JOB_MAX_ATTEMPTS = 3
    settings.MEDIA_ROOT = tmp_path
    name = f"faceapi-reaper-test-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.conf, "task_default_queue", name)
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    yield lambda: [json.loads(message)["headers"] for message in client.lrange(name, 0, -1)]
    client.delete(name)


def job_at(tenant, *, status: str, silent_s: float, model=AnalysisJob, **fields) -> AnalysisJob:
    """A job whose last sign of life (its heartbeat, or its creation if it has none) was ``silent_s`` ago."""
    if model is VideoJob:
        now = timezone.now()
        fields["session"] = ClassSession.unscoped.create(
            school=tenant.school, course="Maths", starts_at=now, ends_at=now + timedelta(hours=1)
        )
    job = model.unscoped.create(school=tenant.school, status=status, **fields)
    then = timezone.now() - timedelta(seconds=silent_s)
    model.unscoped.filter(pk=job.pk).update(
        created_at=then - timedelta(seconds=5), heartbeat_at=then if status == JobStatus.RUNNING else None
    )
    return model.unscoped.get(pk=job.pk)


def test_a_silent_running_job_is_queued_again_and_its_task_sent(tenant, queue, django_capture_on_commit_callbacks):
    analysis = job_at(tenant, status=JobStatus.RUNNING, silent_s=STALE_AFTER_S + 10, progress=40)
    video = job_at(tenant, status=JobStatus.RUNNING, silent_s=STALE_AFTER_S + 10, model=VideoJob)
    with django_capture_on_commit_callbacks(execute=True):
        reaped = reap_stale_jobs()
    assert (reaped.requeued, reaped.failed) == (2, 0)
    for job in (analysis, video):
        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.QUEUED, 2)
        assert timezone.now() - job.heartbeat_at < timedelta(seconds=30)  # not stale again before another period
    assert analysis.progress == 40  # a re-run resumes where the last one stopped
    sent = {(headers["task"], headers["argsrepr"]) for headers in queue()}
    assert sent == {("analysis.run_job", f"['{analysis.pk}']"), ("attendance.run_video_job", f"['{video.pk}']")}
    assert reap_stale_jobs().requeued == 0  # the re-queue counts as a sign of life


def test_jobs_that_show_life_or_have_finished_are_left_alone(tenant, queue, django_capture_on_commit_callbacks):
    alive = job_at(tenant, status=JobStatus.RUNNING, silent_s=STALE_AFTER_S - 30)
    done = job_at(tenant, status=JobStatus.SUCCEEDED, silent_s=10 * STALE_AFTER_S)
    with django_capture_on_commit_callbacks(execute=True):
        assert reap_stale_jobs().requeued == 0
    assert AnalysisJob.unscoped.get(pk=alive.pk).status == JobStatus.RUNNING
    assert AnalysisJob.unscoped.get(pk=done.pk).status == JobStatus.SUCCEEDED
    assert queue() == []


def test_a_queued_job_waits_while_another_job_makes_progress(tenant, queue, django_capture_on_commit_callbacks):
    waiting = job_at(tenant, status=JobStatus.QUEUED, silent_s=STALE_AFTER_S + 10)
    busy = job_at(tenant, status=JobStatus.RUNNING, silent_s=5)
    assert reap_stale_jobs().requeued == 0  # it may simply be behind the busy one in the queue
    assert AnalysisJob.unscoped.get(pk=waiting.pk).status == JobStatus.QUEUED
    finish_job(busy, result={})
    with django_capture_on_commit_callbacks(execute=True):
        assert reap_stale_jobs().requeued == 1  # the workers are idle and it still waits: its task was lost
    assert [headers["argsrepr"] for headers in queue()] == [f"['{waiting.pk}']"]


def test_after_the_last_attempt_the_job_fails_as_stalled_once(tenant, queue, settings):
    job = job_at(tenant, status=JobStatus.RUNNING, silent_s=STALE_AFTER_S + 10, attempts=3)
    job.input_dir.mkdir(parents=True)
    (job.input_dir / "00000").write_bytes(b"image")
    assert reap_stale_jobs().failed == 1
    job.refresh_from_db()
    assert (job.status, job.error_code, job.progress) == (JobStatus.FAILED, "job_stalled", 100)
    assert not job.input_dir.exists()
    assert queue() == []

    # The silent run was only slow: its progress and its outcome arrive too late and change nothing.
    with pytest.raises(JobSuperseded):
        heartbeat(job, progress=80)
    assert finish_job(job, result={"images": ["late"]}).error_code == "job_stalled"
    job.refresh_from_db()
    assert (job.status, job.error_code, job.result, job.progress) == (JobStatus.FAILED, "job_stalled", {}, 100)


def test_a_run_whose_job_was_queued_again_stops_and_leaves_it_to_the_next(tenant, queue):
    job = job_at(tenant, status=JobStatus.RUNNING, silent_s=STALE_AFTER_S + 10)
    reap_stale_jobs()

    def old_run(*, job_id: str) -> AnalysisJob:
        heartbeat(job, progress=50)  # the next progress report of the run that had gone silent
        return finish_job(job, result={"by": "old run"})

    assert run_job(AnalysisJob, old_run, str(job.pk)) == JobStatus.QUEUED
    job.refresh_from_db()
    assert (job.status, job.progress, job.result) == (JobStatus.QUEUED, 0, {})

    mark_running(job)  # the re-queued task starts: the job is its to finish
    assert finish_job(job, result={"by": "new run"}).status == JobStatus.SUCCEEDED
    with pytest.raises(JobSuperseded):
        mark_running(job)  # a duplicate delivery of either task finds the job finished
