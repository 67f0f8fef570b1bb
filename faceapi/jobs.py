"""What every background job shares (analysis jobs, video jobs): a tenant row with status, progress, a result or
a stable error code, an expiry, and an optional signed callback."""

import errno
import logging
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class CallbackStatus(models.TextChoices):
    NONE = "none"
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class JobCrashed(ApiError):
    code = "internal_error"
    status = 500
    default_message = "The job failed on our side; the error was logged."


class StorageFull(ApiError):
    code = "storage_full"
    status = 507
    default_message = "The server has no room left to store the upload; try again later."


class JobSuperseded(Exception):
    """This run no longer owns its job: the job was finished by another run, failed as stalled or re-queued."""


def default_expiry() -> Any:
    return timezone.now() + timedelta(hours=settings.FACEAPI_JOB_RETENTION_HOURS)


class Job(TenantModel):
    kind = "job"  # each concrete job names its kind, e.g. "analysis", "video"
    task_name = ""  # and the Celery task that runs it (by the job's id), e.g. "analysis.run_job"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The running task's last sign of life (its start and each progress report); see faceapi.reaper.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)  # 1 + the times the reaper re-queued it
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

    @contextmanager
    def storing_inputs(self) -> Iterator[Path]:
        """The folder to write the inputs into; if anything in the block fails, none of them is left behind, and a
        full disk is a 507 ``storage_full`` instead of a crash."""
        try:
            self.input_dir.mkdir(parents=True, exist_ok=True)
            yield self.input_dir
        except BaseException as error:
            self.discard_inputs()
            if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull() from error
            raise

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


def recent_jobs(*, school: "School", limit: int = 50) -> list[Job]:
    """The school's newest jobs of every kind, newest first."""
    rows = [job for model in job_models() for job in model.objects.for_school(school).order_by("-created_at")[:limit]]
    return sorted(rows, key=lambda job: job.created_at, reverse=True)[:limit]


def job_model(label: str) -> type[Job]:
    model = apps.get_model(label)
    if not issubclass(model, Job):
        raise LookupError(f"{label} is not a job model")
    return model


def run_job(model: type[Job], process: Callable[..., Job], job_id: str) -> str:
    """A task's body: ``process(job_id=...)``; a crash (a bug of ours) ends the job as ``internal_error``, logged."""
    try:
        return process(job_id=job_id).status
    except JobSuperseded:
        logger.info("%s job %s was taken from this run (finished, failed as stalled or re-queued)", model.kind, job_id)
        return model.unscoped.get(pk=job_id).status
    except Exception:
        logger.exception("%s job %s crashed", model.kind, job_id)
        job = model.unscoped.get(pk=job_id)
        return finish_job(job, result=job.result, error=JobCrashed()).status


def mark_running(job: Job) -> None:
    """The run starts (or starts again): status, start time and a first heartbeat."""
    now = timezone.now()
    job.started_at = job.started_at or now
    if (
        not type(job)
        .unscoped.filter(pk=job.pk, status__in=UNFINISHED)
        .update(status=JobStatus.RUNNING, started_at=job.started_at, heartbeat_at=now)
    ):
        raise JobSuperseded()
    job.status, job.heartbeat_at = JobStatus.RUNNING, now


def heartbeat(job: Job, **fields: Any) -> None:
    """Report progress (``fields``, e.g. ``progress``) and that the run is alive; raises ``JobSuperseded`` when the job
    is no longer this run's to work on, so that the run stops at once."""
    if not type(job).unscoped.filter(pk=job.pk, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now(), **fields):
        raise JobSuperseded()


def finish_job(job: Job, *, result: dict[str, Any], error: ApiError | FaceApiInputError | None = None) -> Job:
    """Record the outcome, drop the stored inputs and send the callback (once the row is committed). A job is finished
    once: when another run (or the reaper) finished it first, this outcome is dropped and the stored one returned."""
    from faceapi.tasks import deliver_callback

    outcome = {
        "result": result,
        "status": JobStatus.FAILED if error else JobStatus.SUCCEEDED,
        "error_code": error.code if error else "",
        "error_message": error.message if error else "",
        "progress": 100,
        "finished_at": timezone.now(),
    }
    model = type(job)
    if not model.unscoped.filter(pk=job.pk, status__in=UNFINISHED).update(**outcome):
        logger.info("%s job %s was already finished; this outcome is dropped", job.kind, job.pk)
        return model.unscoped.get(pk=job.pk)
    for name, value in outcome.items():
        setattr(job, name, value)
    job.discard_inputs()
    if job.callback_url:
        transaction.on_commit(lambda: deliver_callback.delay(job._meta.label, str(job.id)))
    return job
