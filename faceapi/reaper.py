"""The stale-job reaper: no job stays "queued" or "running" forever.

A job is stale when its last sign of life (``heartbeat_at``: the start of a run, each progress report, the last
re-queue; ``created_at`` before any of them) is older than ``FACEAPI_JOB_STALE_AFTER_S``. Its task was lost (a broker
restarted without its data, a worker killed and its message not redelivered yet) or its worker hangs. A stale job is
queued again, up to ``FACEAPI_JOB_MAX_ATTEMPTS`` attempts in all, then failed as ``job_stalled``.

Why this never finishes a job twice nor doubles attendance: each stale row is handled under a row lock, whose
condition PostgreSQL re-checks against a heartbeat that landed meanwhile; a run that was re-queued or failed here
stops at its next heartbeat (``JobSuperseded``); ``finish_job`` only finishes an unfinished job; and a run that
starts again resumes (analysis) or marks through ``mark_present``, which is idempotent (video).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from faceapi.celery import app
from faceapi.errors import ApiError
from faceapi.jobs import Job, JobStatus, finish_job, job_models

logger = logging.getLogger(__name__)


class JobStalled(ApiError):
    code = "job_stalled"
    status = 500
    default_message = "The job stopped making progress and was given up after several attempts."


@dataclass
class Reaped:
    requeued: int = 0
    failed: int = 0


def _stale(model: type[Job], cutoff: datetime, *, queued_too: bool) -> QuerySet:
    statuses = [JobStatus.RUNNING, JobStatus.QUEUED] if queued_too else [JobStatus.RUNNING]
    return (
        model.unscoped.annotate(last_seen=Coalesce("heartbeat_at", "created_at"))
        .filter(last_seen__lt=cutoff, status__in=statuses)
        .select_for_update(skip_locked=True)
    )


def workers_busy(cutoff: datetime) -> bool:
    """Whether some job made progress since ``cutoff``: queued jobs may then be waiting their turn behind it."""
    fresh = Q(status=JobStatus.RUNNING, heartbeat_at__gte=cutoff)
    return any(model.unscoped.filter(fresh).exists() for model in job_models())


def requeue(job: Job) -> None:
    """Queue the job again (its task once more, after the commit); a run still going stops at its next heartbeat."""
    type(job).unscoped.filter(pk=job.pk).update(
        status=JobStatus.QUEUED, heartbeat_at=timezone.now(), attempts=job.attempts + 1
    )
    transaction.on_commit(lambda: app.send_task(job.task_name, args=[str(job.id)]), robust=True)


def reap_stale_jobs(now: datetime | None = None) -> Reaped:
    """Re-queue or fail every stale job; queued jobs only while no job makes progress (they may just wait behind a
    long one: a lost task is then queued again once the workers are idle)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.FACEAPI_JOB_STALE_AFTER_S)
    queued_too = not workers_busy(cutoff)
    reaped = Reaped()
    for model in job_models():
        with transaction.atomic():
            for job in _stale(model, cutoff, queued_too=queued_too):
                if job.attempts >= settings.FACEAPI_JOB_MAX_ATTEMPTS:
                    logger.warning("%s job %s stalled after %d attempts: failed", job.kind, job.pk, job.attempts)
                    finish_job(job, result=job.result, error=JobStalled())
                    reaped.failed += 1
                else:
                    logger.warning("%s job %s stalled (%s): queued again", job.kind, job.pk, job.status)
                    requeue(job)
                    reaped.requeued += 1
    return reaped
