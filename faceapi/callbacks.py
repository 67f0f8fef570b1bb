"""Signed job callbacks: URL checks against SSRF, HMAC-SHA256 signatures, delivery with retries.

A receiver verifies ``X-Faceapi-Signature: sha256=<hex>``, the HMAC-SHA256 under its school's callback secret
of ``"<X-Faceapi-Timestamp>.<raw body>"``, and refuses timestamps older than a few minutes (replays).
"""

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from faceapi.errors import ApiError

SIGNATURE_HEADER = "X-Faceapi-Signature"
TIMESTAMP_HEADER = "X-Faceapi-Timestamp"


class InvalidCallbackUrl(ApiError):
    code = "invalid_callback_url"
    status = 400
    default_message = "callback_url must be a public http(s) URL."


class CallbackFailed(Exception):
    """One delivery attempt failed (network error or a non-2xx answer)."""


def _refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def validate_callback_url(url: str) -> str:
    """The URL if it is http(s) to a public address (private ones only when the setting allows them)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidCallbackUrl("callback_url must be an http or https URL.")
    if parts.username or parts.password:
        raise InvalidCallbackUrl("callback_url must not carry credentials.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, ValueError, UnicodeError):
        raise InvalidCallbackUrl("callback_url's host does not resolve.") from None
    if not settings.FACEAPI_CALLBACK_ALLOW_PRIVATE and any(_refused_address(a) for a in addresses):
        raise InvalidCallbackUrl("callback_url points to a private, loopback or reserved address.")
    return url


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def post_signed(url: str, payload: dict[str, Any], *, secret: str) -> int:
    """POST ``payload`` as JSON with its signature; returns the status, raises CallbackFailed unless 2xx."""
    validate_callback_url(url)  # again at delivery: the name may resolve elsewhere now
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "faceapi-callback/1",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=settings.FACEAPI_CALLBACK_TIMEOUT_S) as response:
            return response.status
    except urllib.error.HTTPError as error:
        raise CallbackFailed(f"HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise CallbackFailed(str(getattr(error, "reason", error))[:200]) from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to an address we refused; treat it as a failed delivery."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
