"""Failed dashboard logins are counted per client IP and per username; too many lock both out for a while."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger("faceapi.security")


def _keys(request: HttpRequest, username: str) -> list[str]:
    ip = request.META.get("REMOTE_ADDR", "")
    return [f"login-failures:ip:{ip}", f"login-failures:user:{username.strip().lower()}"]


def is_locked_out(request: HttpRequest, username: str) -> bool:
    limit = settings.FACEAPI_LOGIN_MAX_FAILURES
    return any((cache.get(key) or 0) >= limit for key in _keys(request, username))


def record_failure(request: HttpRequest, username: str) -> None:
    for key in _keys(request, username):
        cache.add(key, 0, timeout=settings.FACEAPI_LOGIN_LOCKOUT_S)
        cache.incr(key)
    logger.warning("dashboard login failed for %r from %s", username, request.META.get("REMOTE_ADDR", ""))


def record_success(request: HttpRequest, username: str) -> None:
    cache.delete(_keys(request, username)[1])
