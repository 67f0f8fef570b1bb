import pytest

from faceapi.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_with_database_and_broker_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_naming_the_broker_when_it_is_down(client, monkeypatch, settings):
    settings.FACEAPI_HEALTH_BROKER_TIMEOUT = 0.5
    # Celery's conf prefers the CELERY_BROKER_URL environment variable over its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}


def test_schema_and_docs_are_public(client):
    schema = client.get("/api/schema")
    assert schema.status_code == 200
    assert b"/api/v1/school" in schema.content
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"cdn.jsdelivr" not in docs.content  # served from our own static files: no internet at run time
