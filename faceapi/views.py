"""Project-level views: health, and JSON error pages for the API paths."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found, server_error

from faceapi.celery import app as celery_app
from faceapi.errors import json_error

logger = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/", "/healthz")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(JSON_PREFIXES)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return json_error("not_found", "Not found.", 404)
    return page_not_found(request, exception)


def internal_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return json_error("internal_error", "Something went wrong on our side.", 500)
    return server_error(request)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.warning("healthz: database unreachable", exc_info=True)
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.FACEAPI_HEALTH_BROKER_TIMEOUT)
        return True
    except Exception:
        logger.warning("healthz: broker unreachable", exc_info=True)
        return False


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness of the web process, the database and the broker: 200, or 503 naming what is down."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body: dict[str, str] = {"status": "ok" if all(checks.values()) else "unavailable"}
    body.update({name: "ok" if ok else "down" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
