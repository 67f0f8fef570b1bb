from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    """The school domain: tenants (schools), API keys, memberships, students and attendance."""

    name = "attendance"
