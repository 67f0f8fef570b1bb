import pytest
from django.db import connection

from attendance.models import ApiKey
from attendance.services.schools import create_api_key, revoke_api_key

pytestmark = pytest.mark.django_db


def test_a_valid_key_reaches_its_school(tenant, api):
    response = api.get("/api/v1/school")
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == tenant.school.slug
    assert body["name"] == tenant.school.name
    assert body["api_key"] == {"prefix": tenant.key.split("_")[1], "name": "test"}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Api-Key fk_00000000_not-a-real-secret",
        "Api-Key garbage",
        "Api-Key",
        "Api-Key a b",
        "Bearer something",
        "Token abc",
    ],
)
def test_missing_wrong_or_malformed_keys_are_401(client, tenant, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/school", **kwargs)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}
    assert response["WWW-Authenticate"] == "Api-Key"


def test_a_right_prefix_with_a_wrong_secret_is_401(client, tenant):
    prefix = tenant.key.split("_")[1]
    response = client.get("/api/v1/school", HTTP_AUTHORIZATION=f"Api-Key fk_{prefix}_wrong-secret")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_revoked_key_is_401(tenant, api):
    revoke_api_key(api_key=ApiKey.objects.for_school(tenant.school).get())
    response = api.get("/api/v1/school")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_keys_are_stored_hashed_never_in_clear(tenant):
    _, second = create_api_key(school=tenant.school, name="kiosk")
    with connection.cursor() as cursor:
        cursor.execute("SELECT prefix, key_hash, name FROM attendance_apikey")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    for key in (tenant.key, second):
        assert key not in stored
        assert key.split("_", 2)[2] not in stored


def test_use_is_recorded(tenant, api):
    assert ApiKey.objects.for_school(tenant.school).get().last_used_at is None
    api.get("/api/v1/school")
    assert ApiKey.objects.for_school(tenant.school).get().last_used_at is not None


def test_one_school_key_never_sees_another_school(tenant, other_tenant):
    body = other_tenant.client().get("/api/v1/school").json()
    assert body["slug"] == other_tenant.school.slug
    assert tenant.school.slug not in str(body)
