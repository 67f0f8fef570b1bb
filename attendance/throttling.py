from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from attendance.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """A request budget per API key (``FACEAPI_THROTTLE_RATE``); over it → 429 ``throttled``."""

    scope = "api_key"

    def get_cache_key(self, request: Request, view: object) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
