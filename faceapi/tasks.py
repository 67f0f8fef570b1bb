import logging

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from faceapi.callbacks import post_signed
from faceapi.jobs import CallbackStatus, job_model, job_models
from faceapi.reaper import reap_stale_jobs

logger = logging.getLogger(__name__)


@shared_task(name="faceapi.ping")
def ping() -> str:
    """A trivial task that proves a worker is consuming the broker."""
    return "pong"


@shared_task(bind=True, name="faceapi.deliver_callback", max_retries=None)
def deliver_callback(self: object, job_label: str, job_id: str) -> str:
    """POST the finished job to its callback URL; retried with exponential backoff, status kept on the job."""
    model = job_model(job_label)
    job = model.unscoped.select_related("school").get(pk=job_id)
    if job.callback_status in (CallbackStatus.DELIVERED, CallbackStatus.FAILED):
        return job.callback_status
    model.unscoped.filter(pk=job_id).update(callback_attempts=F("callback_attempts") + 1)
    attempts = job.callback_attempts + 1
    try:
        post_signed(job.callback_url, job.as_api_dict(), secret=job.school.callback_secret)
    except Exception as error:
        final = attempts >= settings.FACEAPI_CALLBACK_MAX_ATTEMPTS
        model.unscoped.filter(pk=job_id).update(
            callback_last_error=str(error)[:300],
            callback_status=CallbackStatus.FAILED if final else CallbackStatus.PENDING,
        )
        if final:
            logger.warning("callback for %s %s failed after %d attempts", job_label, job_id, attempts)
            return CallbackStatus.FAILED
        raise self.retry(countdown=settings.FACEAPI_CALLBACK_BACKOFF_S * 2 ** (attempts - 1)) from None
    model.unscoped.filter(pk=job_id).update(callback_status=CallbackStatus.DELIVERED, callback_last_error="")
    return CallbackStatus.DELIVERED


@shared_task(name="faceapi.purge_expired_jobs")
def purge_expired_jobs() -> int:
    """Delete jobs past their retention time, with their stored inputs (``FACEAPI_JOB_RETENTION_HOURS``)."""
    removed = 0
    for model in job_models():
        for job in model.unscoped.filter(expires_at__lt=timezone.now()):
            job.delete()  # Job.delete also removes the job's stored inputs
            removed += 1
    return removed


@shared_task(name="faceapi.reap_stale_jobs")
def reap_stale_jobs_task() -> dict[str, int]:
    """Re-queue or fail the jobs whose worker went silent (``FACEAPI_JOB_STALE_AFTER_S``); see faceapi/reaper.py."""
    return reap_stale_jobs().__dict__
