import pytest
from django.http import Http404

from attendance.models import ApiKey, Membership
from attendance.tenancy import UnscopedTenantQuery, get_for_school

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [ApiKey, Membership])
def test_a_tenant_query_without_a_school_cannot_be_written(model):
    with pytest.raises(UnscopedTenantQuery):
        model.objects.all()
    with pytest.raises(UnscopedTenantQuery):
        model.objects.filter(pk=1)
    with pytest.raises(UnscopedTenantQuery):
        model.objects.for_school(None)


def test_for_school_sees_only_that_school(tenant, other_tenant):
    mine = ApiKey.objects.for_school(tenant.school)
    assert mine.count() == 1
    assert all(key.school_id == tenant.school.id for key in mine)


def test_another_schools_object_is_a_404_like_a_missing_one(tenant, other_tenant):
    theirs = ApiKey.objects.for_school(other_tenant.school).get()
    assert get_for_school(ApiKey, school=other_tenant.school, pk=theirs.pk) == theirs
    with pytest.raises(Http404) as cross_school:
        get_for_school(ApiKey, school=tenant.school, pk=theirs.pk)
    with pytest.raises(Http404) as missing:
        get_for_school(ApiKey, school=tenant.school, pk=10**9)
    with pytest.raises(Http404):
        get_for_school(ApiKey, school=tenant.school, pk="not-a-number")
    assert str(cross_school.value) == str(missing.value)
