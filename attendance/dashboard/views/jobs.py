"""Background jobs (video and batch analysis) with a live progress bar."""

import uuid

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from attendance.dashboard.access import member_required
from faceapi.jobs import Job, find_job, recent_jobs


def _job(request: HttpRequest, job_id: uuid.UUID) -> Job:
    job = find_job(school=request.school, job_id=job_id)
    if job is None:
        raise Http404("No such job.")
    return job


@member_required
def job_list(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/jobs/list.html", {"jobs": recent_jobs(school=request.school)})


@member_required
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    return render(request, "dashboard/jobs/detail.html", {"job": _job(request, job_id)})


@member_required
def job_status(request: HttpRequest, job_id: uuid.UUID) -> JsonResponse:
    """What the progress bar polls: the job exactly as the API shows it."""
    return JsonResponse(_job(request, job_id).as_api_dict())
