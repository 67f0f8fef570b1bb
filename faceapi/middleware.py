from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from faceapi.errors import json_error


class RequestSizeLimitMiddleware:
    """Refuses a body whose declared length is over ``FACEAPI_MAX_REQUEST_BYTES`` before reading any of it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error("bad_request", "Content-Length is not a number.", 400)
        if length > settings.FACEAPI_MAX_REQUEST_BYTES:
            return json_error(
                "file_too_large",
                "The request body is larger than allowed.",
                413,
                {"max_bytes": settings.FACEAPI_MAX_REQUEST_BYTES},
            )
        return self.get_response(request)
