from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from attendance.authentication import actor_of
from attendance.models import ApiKey, Membership, School
from attendance.services.schools import revoke_api_key


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "school", "created_at", "last_used_at", "revoked_at")
    list_filter = ("school",)
    exclude = ("key_hash",)  # not even the hash of a key is shown anywhere
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            revoke_api_key(api_key=api_key, actor=actor_of(request))

    def has_add_permission(self, request: object) -> bool:
        return False  # keys are created by `manage.py create_api_key` or the dashboard, which show them once


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "school", "role", "created_at")
    list_filter = ("school", "role")
