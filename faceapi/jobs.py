"""What every background job shares (analysis jobs, video jobs): a tenant row with status, progress, a result or
a stable error code, an expiry, and an optional signed callback."""

import logging
import shutil
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from attendance.tenancy import TenantModel
from faceapi.errors import ApiError
from ml_models.errors import FaceApiInputError

if TYPE_CHECKING:
    from attendance.models import School

logger = logging.getLogger(__name__)


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class CallbackStatus(models.TextChoices):
    NONE = "none"
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class JobCrashed(ApiError):
    code = "internal_error"
    status = 500
    default_message = "The job failed on our side; the error was logged."


def default_expiry() -> Any:
    return timezone.now() + timedelta(hours=settings.FACEAPI_JOB_RETENTION_HOURS)


class Job(TenantModel):
    kind = "job"  # each concrete job names its kind, e.g. "analysis", "video"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=default_expiry)
    callback_url = models.URLField(max_length=500, blank=True)
    callback_status = models.CharField(max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.NONE)
    callback_attempts = models.PositiveSmallIntegerField(default=0)
    callback_last_error = models.CharField(max_length=300, blank=True)

    class Meta(TenantModel.Meta):
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def input_dir(self) -> Path:
        """Where the job's uploaded inputs wait for the worker; removed when the job ends or is deleted."""
        return Path(settings.MEDIA_ROOT) / "jobs" / str(self.id)

    def discard_inputs(self) -> None:
        shutil.rmtree(self.input_dir, ignore_errors=True)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self.discard_inputs()
        return super().delete(*args, **kwargs)

    def as_api_dict(self) -> dict[str, Any]:
        error = {"code": self.error_code, "message": self.error_message} if self.error_code else None
        return {
            "id": str(self.id),
            "kind": self.kind,
            "status": self.status,
            "progress": self.progress,
            "created_at": self.created_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "expires_at": self.expires_at.isoformat(),
            "result": self.result if self.is_finished or self.result else None,
            "error": error,
            "callback": {
                "url": self.callback_url,
                "status": self.callback_status,
                "attempts": self.callback_attempts,
                "last_error": self.callback_last_error or None,
            }
            if self.callback_url
            else None,
        }


def job_models() -> list[type[Job]]:
    return [model for model in apps.get_models() if issubclass(model, Job)]


def find_job(*, school: "School", job_id: uuid.UUID) -> Job | None:
    """Any kind of job of ``school``; None for a missing job and for another school's alike."""
    for model in job_models():
        if job := model.objects.for_school(school).filter(pk=job_id).first():
            return job
    return None


def job_model(label: str) -> type[Job]:
    model = apps.get_model(label)
    if not issubclass(model, Job):
        raise LookupError(f"{label} is not a job model")
    return model


def run_job(model: type[Job], process: Callable[..., Job], job_id: str) -> str:
    """A task's body: ``process(job_id=...)``; a crash (a bug of ours) ends the job as ``internal_error``, logged."""
    try:
        return process(job_id=job_id).status
    except Exception:
        logger.exception("%s job %s crashed", model.kind, job_id)
        job = model.unscoped.get(pk=job_id)
        return finish_job(job, result=job.result, error=JobCrashed()).status


def mark_running(job: Job) -> None:
    type(job).unscoped.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=job.started_at or timezone.now())


def finish_job(job: Job, *, result: dict[str, Any], error: ApiError | FaceApiInputError | None = None) -> Job:
    """Record the outcome, drop the stored inputs and send the callback (once the row is committed)."""
    from faceapi.tasks import deliver_callback

    job.result = result
    job.status = JobStatus.FAILED if error else JobStatus.SUCCEEDED
    job.error_code, job.error_message = (error.code, error.message) if error else ("", "")
    job.progress = 100
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "status", "error_code", "error_message", "progress", "finished_at"])
    job.discard_inputs()
    if job.callback_url:
        transaction.on_commit(lambda: deliver_callback.delay(job._meta.label, str(job.id)))
    return job
