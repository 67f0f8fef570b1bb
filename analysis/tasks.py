import logging

from celery import shared_task

from analysis.models import AnalysisJob
from analysis.services import process_analysis_job
from faceapi.jobs import JobCrashed, finish_job

logger = logging.getLogger(__name__)


@shared_task(name="analysis.run_job")
def run_analysis_job(job_id: str) -> str:
    try:
        return process_analysis_job(job_id=job_id).status
    except Exception:
        logger.exception("analysis job %s crashed", job_id)
        job = AnalysisJob.unscoped.get(pk=job_id)
        return finish_job(job, result=job.result, error=JobCrashed()).status
