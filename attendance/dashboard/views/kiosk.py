"""The full-screen check-in page of a session: webcam, liveness first, then the recognised name or the refusal."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from attendance import selectors
from attendance.dashboard.access import member_required
from attendance.dashboard.forms import uploaded_image
from attendance.dashboard.refusals import REFUSALS, explain
from attendance.services import sessions as session_services


@member_required
def kiosk(request: HttpRequest, session_id: int) -> HttpResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    return render(request, "dashboard/kiosk.html", {"session": session})


@require_POST
@member_required
def kiosk_check_in(request: HttpRequest, session_id: int) -> JsonResponse:
    session = selectors.session(school=request.school, session_id=session_id)
    try:
        image = uploaded_image(request, missing="No camera frame arrived. Please try again.")
        outcome = session_services.check_in(school=request.school, session=session, image=image)
    except REFUSALS as error:
        message = explain(error, school=request.school)
        return JsonResponse({"checked_in": False, "code": error.code, "message": message}, status=422)
    name = outcome["student"]["name"]
    return JsonResponse({"checked_in": True, "name": name, "status": outcome["status"], "message": f"Welcome, {name}!"})
