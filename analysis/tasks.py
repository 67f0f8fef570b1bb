from celery import shared_task

from analysis.models import AnalysisJob
from analysis.services import process_analysis_job
from faceapi.jobs import run_job


@shared_task(name="analysis.run_job")
def run_analysis_job(job_id: str) -> str:
    return run_job(AnalysisJob, process_analysis_job, job_id)
