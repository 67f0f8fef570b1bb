"""``Authorization: Api-Key <key>`` → ``request.school``. Anything else fails closed with 401."""

from dataclasses import dataclass

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from attendance.models import ApiKey, School
from attendance.selectors import api_key_for_secret
from attendance.services.schools import record_api_key_use

KEYWORD = "Api-Key"


@dataclass(frozen=True)
class SchoolPrincipal:
    """The authenticated caller of the API: a school, through one of its keys."""

    school: School
    api_key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[SchoolPrincipal, ApiKey] | None:
        header = get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != KEYWORD.lower():
            return None
        if len(header) != 2:
            raise AuthenticationFailed("Use 'Authorization: Api-Key <key>'.")
        api_key = api_key_for_secret(header[1])
        if api_key is None:
            raise AuthenticationFailed("Invalid or revoked API key.")
        record_api_key_use(api_key=api_key)
        request.school = api_key.school
        return SchoolPrincipal(school=api_key.school, api_key=api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


class HasSchool(BasePermission):
    """The default permission: the caller authenticated as a school."""

    def has_permission(self, request: Request, view: object) -> bool:
        return isinstance(request.user, SchoolPrincipal)


def actor_of(request: Request) -> str:
    """Who is acting, for the audit log: the API key (by prefix) or the dashboard user."""
    if isinstance(request.user, SchoolPrincipal):
        return f"api-key:{request.user.api_key.prefix}"
    return f"user:{request.user.get_username()}"
