"""Logging in and out, the home page, and switching between the user's schools."""

import contextlib

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from attendance.dashboard import login_throttle
from attendance.dashboard.access import choose_school, member_required
from attendance.models import Membership

LOCKED_OUT = "Too many failed attempts. Wait a few minutes before trying again."


class LoginView(auth_views.LoginView):
    """Django's login, with failures counted per IP and per username (see ``login_throttle``)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = request.POST.get("username", "")
        if login_throttle.is_locked_out(request, username):
            # An unbound form: the password of a locked-out attempt is not even checked.
            context = self.get_context_data(form=self.get_form_class()(request), locked_out=LOCKED_OUT)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        login_throttle.record_success(self.request, form.get_user().get_username())
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        login_throttle.record_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)


@member_required
def home(request: HttpRequest) -> HttpResponse:
    if request.membership.role == Membership.Role.ADMIN:
        return redirect("dashboard:students")
    return redirect("dashboard:sessions")


@require_POST
@member_required
def switch_school(request: HttpRequest) -> HttpResponse:
    with contextlib.suppress(ValueError):  # not a number: nothing to switch to
        choose_school(request, int(request.POST.get("school", "")))
    return redirect("dashboard:home")
