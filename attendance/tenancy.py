"""Tenant scoping in one place.

Every tenant model inherits :class:`TenantModel`. Its ``objects`` manager refuses to build a query until it is
given a school (``Model.objects.for_school(school)``), so an unscoped query cannot be written by accident.
Django's own machinery (admin, cascades, unique checks) uses the explicit ``unscoped`` manager.
"""

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from attendance.models import School

M = TypeVar("M", bound=models.Model)


class UnscopedTenantQuery(RuntimeError):
    """A tenant model was queried without a school."""


class TenantManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        raise UnscopedTenantQuery(
            f"{self.model.__name__}.objects needs a school: use {self.model.__name__}.objects.for_school(school)"
        )

    def for_school(self, school: "School") -> models.QuerySet:
        if school is None or school.pk is None:
            raise UnscopedTenantQuery(f"{self.model.__name__}.objects.for_school() needs a saved school")
        return super().get_queryset().filter(school=school)


class TenantModel(models.Model):
    school = models.ForeignKey("attendance.School", on_delete=models.CASCADE, related_name="+")

    objects = TenantManager()
    unscoped = models.Manager()  # noqa: DJ012 (a manager, not a field)

    class Meta:
        abstract = True
        default_manager_name = "unscoped"


def get_for_school(model: type[M], *, school: "School", **lookup: Any) -> M:
    """One object of ``school``; another school's object is a 404 exactly like a missing one."""
    try:
        return model.objects.for_school(school).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
