import logging

from celery import shared_task

from attendance.models import VideoJob
from attendance.services.videos import process_video_job
from faceapi.jobs import JobCrashed, finish_job

logger = logging.getLogger(__name__)


@shared_task(name="attendance.run_video_job")
def run_video_job(job_id: str) -> str:
    try:
        return process_video_job(job_id=job_id).status
    except Exception:
        logger.exception("video job %s crashed", job_id)
        job = VideoJob.unscoped.get(pk=job_id)
        return finish_job(job, result=job.result, error=JobCrashed()).status
