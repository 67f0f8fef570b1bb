"""One place that turns every exception into ``{"error": {"code", "message", "details"}}``."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from ml_models import errors as ml

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A domain error raised by services; subclasses set ``code`` and ``status``."""

    code = "error"
    status = 400
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


INPUT_ERROR_STATUS: dict[type[ml.FaceApiInputError], int] = {
    ml.UnsupportedMediaType: 415,
    ml.FileTooLarge: 413,
    ml.ImageTooLarge: 413,
    ml.NoFace: 422,
    ml.ManyFaces: 422,
}

DRF_ERROR_CODES: dict[type[drf.APIException], str] = {
    drf.ValidationError: "invalid_request",
    drf.ParseError: "parse_error",
    drf.NotAuthenticated: "not_authenticated",
    drf.AuthenticationFailed: "authentication_failed",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "throttled",
}


# A database that cannot be reached (or dropped the connection): the client may retry; nothing of ours is broken.
SERVICE_UNAVAILABLE = ("service_unavailable", "The service is temporarily unavailable; try again shortly.")


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def json_error(code: str, message: str, status: int, details: dict[str, Any] | None = None) -> JsonResponse:
    """For plain Django views and middleware, outside DRF."""
    return JsonResponse(error_body(code, message, details), status=status)


def _input_error_status(exc: ml.FaceApiInputError) -> int:
    for cls in type(exc).__mro__:
        if cls in INPUT_ERROR_STATUS:
            return INPUT_ERROR_STATUS[cls]
    return 400


def _drf_error(exc: drf.APIException) -> tuple[str, str, dict[str, Any]]:
    code = next((c for cls, c in DRF_ERROR_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, drf.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return code, "The request is invalid.", {"fields": details}
    if isinstance(exc, drf.Throttled):
        return code, "Too many requests; slow down.", {"retry_after_s": exc.wait}
    return code, str(exc.detail), {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: domain, input, framework and unknown errors, one shape for all."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        code, message, details, status = exc.code, exc.message, exc.details, exc.status
    elif isinstance(exc, ml.FaceApiInputError):
        code, message, details, status = exc.code, exc.message, exc.details, _input_error_status(exc)
    elif isinstance(exc, Http404):
        code, message, details, status = "not_found", "Not found.", {}, 404
    elif isinstance(exc, PermissionDenied):
        code, message, details, status = "permission_denied", "Permission denied.", {}, 403
    elif isinstance(exc, RequestDataTooBig):
        code, message, details, status = "file_too_large", "The request body is too large.", {}, 413
    elif isinstance(exc, SuspiciousOperation):
        code, message, details, status = "bad_request", "The request was refused.", {}, 400
    elif isinstance(exc, OperationalError | InterfaceError):
        logger.warning("Database unavailable: %s", exc)
        code, message, details, status = (*SERVICE_UNAVAILABLE, {}, 503)
    elif isinstance(exc, drf.APIException):
        (code, message, details), status = _drf_error(exc), exc.status_code
        if auth_header := getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))
    else:
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        code, message, details, status = "internal_error", "Something went wrong on our side.", {}, 500
    return Response(error_body(code, message, details), status=status, headers=headers)
