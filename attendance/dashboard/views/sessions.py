"""Class sessions and their attendance (teachers and admins)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from attendance import selectors
from attendance.authentication import actor_of
from attendance.dashboard.access import member_required, page_query
from attendance.dashboard.charts import engagement_chart
from attendance.dashboard.forms import CorrectionForm, MissingUpload, SessionForm, VideoForm, uploaded_image
from attendance.dashboard.refusals import REFUSALS, explain
from attendance.responses import attendance_csv, jpeg
from attendance.services import sessions as session_services
from attendance.services import videos as video_services

PAGE_SIZE = 25


@member_required
def session_list(request: HttpRequest) -> HttpResponse:
    group = request.GET.get("group", "")
    rows = selectors.sessions(school=request.school, group=group)
    context = {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "group": group,
        "groups": selectors.groups(school=request.school),
        "query": page_query(group=group),
    }
    return render(request, "dashboard/sessions/list.html", context)


@member_required
def session_create(request: HttpRequest) -> HttpResponse:
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session = session_services.create_session(school=request.school, **form.cleaned_data)
        messages.success(request, f"Created {session}.")
        return redirect("dashboard:session", session_id=session.pk)
    return render(request, "dashboard/sessions/form.html", {"form": form})


@member_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    sheet = selectors.attendance_sheet(school=request.school, session=session)
    context = {
        "session": session,
        "sheet": sheet,
        "present_count": sum(1 for line in sheet if line.attended),
        "statuses": CorrectionForm.base_fields["status"].choices,
        "jobs": selectors.video_jobs(school=request.school, session=session)[:10],
        "has_timelines": any(line.record and line.record.timeline for line in sheet),
    }
    return render(request, "dashboard/sessions/detail.html", context)


@require_POST
@member_required
def session_photo(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    try:
        image = uploaded_image(request, missing="Choose a class photo first.")
        outcome = session_services.mark_from_photo(school=request.school, session=session, image=image)
    except REFUSALS as error:
        messages.error(request, explain(error, school=request.school))
    else:
        names = ", ".join(r["student"]["name"] for r in outcome["recognised"]) or "nobody"
        messages.success(request, f"Marked present: {names}. Faces not recognised: {len(outcome['unknown'])}.")
    return redirect("dashboard:session", session_id=session.pk)


@require_POST
@member_required
def session_video(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    form = VideoForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise MissingUpload("Choose a video first.")
        job = video_services.create_video_job(
            school=request.school, session=session, upload=form.cleaned_data["video"],
            sample_fps=form.cleaned_data["sample_fps"] or settings.FACEAPI_VIDEO_SAMPLE_FPS,
        )  # fmt: skip
    except REFUSALS as error:
        messages.error(request, explain(error, school=request.school))
        return redirect("dashboard:session", session_id=session.pk)
    return redirect("dashboard:job", job_id=job.pk)


@require_POST
@member_required
def correct_attendance(request: HttpRequest, session_id: int, student_id: int) -> HttpResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    student = selectors.student(school=request.school, student_id=student_id)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        session_services.correct_attendance(
            school=request.school, session=session, student=student, status=form.cleaned_data["status"],
            actor=actor_of(request),
        )  # fmt: skip
        messages.success(request, f"{student.name} is now {form.cleaned_data['status']}.")
    return redirect("dashboard:session", session_id=session.pk)


@member_required
def session_csv(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    return attendance_csv(selectors.attendance(school=request.school, session=session), f"attendance-{session.pk}.csv")


@member_required
def evidence(request: HttpRequest, session_id: int, student_id: int) -> HttpResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    return jpeg(selectors.attendance_evidence(school=request.school, session=session, student_id=student_id))


@member_required
def engagement(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    records = [r for r in selectors.attendance(school=request.school, session=session) if r.timeline]
    return render(request, "dashboard/sessions/engagement.html", {"session": session, **engagement_chart(records)})
