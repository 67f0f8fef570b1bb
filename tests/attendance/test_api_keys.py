import hmac
import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection

from attendance import api_keys
from attendance.models import ApiKey, AuditEvent
from attendance.services.schools import CLI_ACTOR, create_api_key, revoke_api_key

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
    revoke_api_key(api_key=ApiKey.objects.for_school(tenant.school).get(), actor="user:head")
    response = api.get("/api/v1/school")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_keys_are_stored_hashed_never_in_clear(tenant):
    _, second = create_api_key(school=tenant.school, actor="user:head", name="kiosk")
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


def test_the_presented_key_is_compared_in_constant_time(tenant, client, monkeypatch):
    compared = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api_keys.hmac, "compare_digest", spy)
    prefix = tenant.key.split("_")[1]
    wrong = f"fk_{prefix}_wrong-secret"
    assert client.get("/api/v1/school", HTTP_AUTHORIZATION=f"Api-Key {wrong}").status_code == 401
    stored = ApiKey.objects.for_school(tenant.school).get().key_hash
    assert compared == [(api_keys.hash_key(wrong), stored)]


def test_neither_the_key_nor_its_hash_is_shown_or_logged(tenant, api, admin_client, client, caplog):
    caplog.set_level(logging.DEBUG)
    api_key, key = create_api_key(school=tenant.school, actor="user:head", name="kiosk")
    secrets_ = [key, key.split("_", 2)[2], api_key.key_hash, tenant.key, tenant.key.split("_", 2)[2]]
    client.get("/api/v1/school", HTTP_AUTHORIZATION=f"Api-Key fk_{api_key.prefix}_wrong-secret")
    pages = [
        api.get("/api/v1/school"),
        api.get("/api/v1/audit"),
        admin_client.get("/admin/attendance/apikey/"),
        admin_client.get(f"/admin/attendance/apikey/{api_key.pk}/change/"),
    ]
    revoke_api_key(api_key=api_key, actor="user:head")
    assert all(page.status_code == 200 for page in pages)
    assert api_key.prefix in pages[-1].content.decode()  # the key is shown by its prefix only
    for secret in secrets_:
        assert not any(secret in page.content.decode() for page in pages)
        assert secret not in caplog.text


def test_revocation_in_the_admin_applies_to_the_very_next_request(tenant, api, admin_client, admin_user):
    assert api.get("/api/v1/school").status_code == 200  # whatever a process keeps of a key is warm now
    api_key = ApiKey.objects.for_school(tenant.school).get()
    response = admin_client.post("/admin/attendance/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]})
    assert response.status_code == 302
    assert api.get("/api/v1/school").status_code == 401
    event = AuditEvent.objects.for_school(tenant.school).get(action="revoke_api_key")
    assert (event.actor, event.target) == (f"user:{admin_user.username}", f"api-key:{api_key.prefix}")


def test_creating_and_revoking_keys_is_audited_once(tenant, api):
    api_key, _ = create_api_key(school=tenant.school, actor="user:head", name="kiosk")
    revoke_api_key(api_key=api_key, actor="user:deputy")
    revoke_api_key(api_key=api_key, actor="user:deputy")  # already revoked: nothing happens, nothing recorded
    events = api.get("/api/v1/audit").json()["results"]
    target = f"api-key:{api_key.prefix}"
    assert [(e["action"], e["actor"], e["details"]) for e in events if e["target"] == target] == [
        ("revoke_api_key", "user:deputy", {"name": "kiosk"}),
        ("create_api_key", "user:head", {"name": "kiosk"}),
    ]


def test_keys_made_by_the_commands_are_audited_as_the_command_line(tenant):
    call_command("create_api_key", tenant.school.slug, "--name", "cron", stdout=io.StringIO())
    event = AuditEvent.objects.for_school(tenant.school).filter(action="create_api_key").first()
    assert (event.actor, event.details) == (CLI_ACTOR, {"name": "cron"})
