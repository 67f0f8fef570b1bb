"""Who may see which school in the dashboard: the user's memberships, the school they picked, and their role."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from attendance import selectors
from attendance.models import Membership

SESSION_SCHOOL_KEY = "dashboard_school_id"
View = Callable[..., HttpResponse]


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership of the school the user picked, else their first; None for a user of no school."""
    memberships = list(selectors.memberships(user=request.user))
    chosen = request.session.get(SESSION_SCHOOL_KEY)
    return next((m for m in memberships if m.school_id == chosen), memberships[0] if memberships else None)


def choose_school(request: HttpRequest, school_id: int) -> bool:
    """Switch to one of the user's schools; False (nothing changed) for any other id."""
    if not selectors.memberships(user=request.user).filter(school_id=school_id).exists():
        return False
    request.session[SESSION_SCHOOL_KEY] = school_id
    return True


def member_required(view: View | None = None, *, admin_only: bool = False) -> Any:
    """Logged in and a member of a school: sets ``request.school`` and ``request.membership``.

    Every tenant read of a dashboard view goes through ``request.school``, so another school's object is a 404
    exactly like a missing one; a teacher asking for an admin page gets a 403.
    """

    def decorate(inner: View) -> View:
        @login_required
        @wraps(inner)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = current_membership(request)
            if membership is None:
                return render(request, "dashboard/no_school.html", status=403)
            if admin_only and membership.role != Membership.Role.ADMIN:
                raise PermissionDenied("This page is for the school's admins.")
            request.school = membership.school
            request.membership = membership
            return inner(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def page_query(**filters: str) -> str:
    """The list filters to keep in pagination links, as ``a=b&`` (empty when no filter is set)."""
    kept = {name: value for name, value in filters.items() if value}
    return f"{urlencode(kept)}&" if kept else ""
