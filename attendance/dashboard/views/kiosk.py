"""The full-screen check-in page of a session: webcam, liveness first, then the recognised name or the refusal."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from attendance import selectors
from attendance.dashboard.access import member_required
from attendance.dashboard.forms import ImageForm
from attendance.dashboard.refusals import explain
from attendance.services import sessions as session_services
from faceapi.errors import ApiError
from faceapi.image_input import decode_upload
from ml_models.errors import FaceApiInputError


@member_required
def kiosk(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    return render(request, "dashboard/kiosk.html", {"session": session})


@require_POST
@member_required
def kiosk_check_in(request: HttpRequest, session_id: int) -> JsonResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"checked_in": False, "code": "invalid_request", "message": "No camera frame."}, status=400)
    try:
        image = decode_upload(form.cleaned_data["image"])
        outcome = session_services.check_in(school=request.school, session=session, image=image)
    except (ApiError, FaceApiInputError) as error:
        message = explain(error, school=request.school)
        return JsonResponse({"checked_in": False, "code": error.code, "message": message}, status=422)
    name = outcome["student"]["name"]
    return JsonResponse({"checked_in": True, "name": name, "status": outcome["status"], "message": f"Welcome, {name}!"})
