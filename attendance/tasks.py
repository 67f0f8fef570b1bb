from celery import shared_task

from attendance.models import VideoJob
from attendance.services.retention import purge_expired_evidence as purge_evidence
from attendance.services.videos import process_video_job
from faceapi.jobs import run_job


@shared_task(name="attendance.run_video_job")
def run_video_job(job_id: str) -> str:
    return run_job(VideoJob, process_video_job, job_id)


@shared_task(name="attendance.purge_expired_evidence")
def purge_expired_evidence() -> int:
    """Scheduled by Celery beat (``CELERY_BEAT_SCHEDULE``) next to the job purge."""
    return purge_evidence()
