"""Students and their enrolled faces (admins only: faces are biometric data)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from attendance import selectors
from attendance.authentication import actor_of
from attendance.dashboard.access import member_required, page_query
from attendance.dashboard.forms import StudentForm, uploaded_image
from attendance.dashboard.refusals import REFUSALS, explain
from attendance.responses import jpeg
from attendance.services import students as student_services
from faceapi.errors import ApiError

PAGE_SIZE = 25


@member_required(admin_only=True)
def student_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    rows = selectors.students(school=request.school, search=search)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "search": search, "query": page_query(q=search)}
    return render(request, "dashboard/students/list.html", context)


@member_required(admin_only=True)
def student_create(request: HttpRequest) -> HttpResponse:
    return _student_form(request, student=None)


@member_required(admin_only=True)
def student_edit(request: HttpRequest, student_id: int) -> HttpResponse:
    return _student_form(request, student=selectors.student(school=request.school, student_id=student_id))


def _student_form(request: HttpRequest, student: object | None) -> HttpResponse:
    form = StudentForm(request.POST or None, instance=student)
    if request.method == "POST" and form.is_valid():
        try:
            if student is None:
                student = student_services.create_student(school=request.school, **form.cleaned_data)
            else:
                student = student_services.update_student(school=request.school, student=student, **form.cleaned_data)
        except ApiError as error:
            form.add_error("external_id", explain(error, school=request.school))
        else:
            messages.success(request, f"Saved {student.name}.")
            return redirect("dashboard:student", student_id=student.pk)
    return render(request, "dashboard/students/form.html", {"form": form, "student": student})


@member_required(admin_only=True)
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student(school=request.school, student_id=student_id)
    faces = selectors.faces(school=request.school, student=student)
    context = {"student": student, "faces": faces, "max_faces": request.school.max_faces_per_student}
    return render(request, "dashboard/students/detail.html", context)


@member_required(admin_only=True)
def student_delete(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.student(school=request.school, student_id=student_id)
    if request.method == "POST":
        student_services.delete_student(school=request.school, student=student, actor=actor_of(request))
        messages.success(request, f"Deleted {student.name} and erased every enrolled face and evidence photo.")
        return redirect("dashboard:students")
    face_count = selectors.faces(school=request.school, student=student).count()
    return render(request, "dashboard/students/delete.html", {"student": student, "face_count": face_count})


@require_POST
@member_required(admin_only=True)
def enrol_face(request: HttpRequest, student_id: int) -> HttpResponse:
    """Upload form or webcam frame (``fetch`` asks for JSON): one face, enrolled or refused in words."""
    student = selectors.student(school=request.school, student_id=student_id)
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        image = uploaded_image(request, missing="Choose a photo first.")
        student_services.enroll_face(school=request.school, student=student, image=image, actor=actor_of(request))
    except REFUSALS as error:
        message = explain(error, school=request.school)
        if wants_json:
            return JsonResponse({"enrolled": False, "code": error.code, "message": message}, status=422)
        messages.error(request, message)
    else:
        message = f"Enrolled a new face for {student.name}."
        if wants_json:
            return JsonResponse({"enrolled": True, "message": message}, status=201)
        messages.success(request, message)
    return redirect("dashboard:student", student_id=student.pk)


@member_required(admin_only=True)
def face_thumbnail(request: HttpRequest, student_id: int, face_id: int) -> HttpResponse:
    student = selectors.student(school=request.school, student_id=student_id)
    return jpeg(selectors.face(school=request.school, student=student, face_id=face_id).thumbnail)


@require_POST
@member_required(admin_only=True)
def face_delete(request: HttpRequest, student_id: int, face_id: int) -> HttpResponse:
    student = selectors.student(school=request.school, student_id=student_id)
    enrollment = selectors.face(school=request.school, student=student, face_id=face_id)
    student_services.delete_face(school=request.school, enrollment=enrollment, actor=actor_of(request))
    messages.success(request, "Deleted the face.")
    return redirect("dashboard:student", student_id=student.pk)
