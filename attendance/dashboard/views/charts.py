"""Attendance rate per session over time, for one group."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from attendance import selectors
from attendance.dashboard.access import member_required
from attendance.dashboard.charts import rate_chart


@member_required
def attendance_charts(request: HttpRequest) -> HttpResponse:
    groups = selectors.groups(school=request.school)
    group = request.GET.get("group") or (groups[0] if groups else "")
    rates = selectors.attendance_rates(school=request.school, group=group) if group else []
    context = {"groups": groups, "group": group, "rates": rates, "chart": rate_chart(rates)}
    return render(request, "dashboard/charts.html", context)
