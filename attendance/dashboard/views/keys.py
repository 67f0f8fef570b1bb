"""API keys of the school (admins): create (shown once), list, revoke."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from attendance import selectors
from attendance.authentication import actor_of
from attendance.dashboard.access import member_required
from attendance.dashboard.forms import ApiKeyForm
from attendance.services import schools as school_services


@member_required(admin_only=True)
def key_list(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        # Rendered in this response only (never redirected through a message or stored): the key is shown once.
        _, new_key = school_services.create_api_key(
            school=request.school, actor=actor_of(request), name=form.cleaned_data["name"]
        )
        form = ApiKeyForm()
    context = {"keys": selectors.api_keys(school=request.school), "form": form, "new_key": new_key}
    response = render(request, "dashboard/keys.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@member_required(admin_only=True)
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    api_key = selectors.api_key(school=request.school, key_id=key_id)
    school_services.revoke_api_key(api_key=api_key, actor=actor_of(request))
    messages.success(request, f"Revoked the key {api_key.prefix}…; it stops working at once.")
    return redirect("dashboard:keys")
