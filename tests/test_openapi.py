"""The public OpenAPI schema documents every API route, and each analysis operation fully."""

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import URLPattern

from analysis import urls as analysis_urls
from attendance import urls as attendance_urls

pytestmark = pytest.mark.django_db

API_PREFIX = "/api/v1/"


def openapi_path(pattern: URLPattern) -> str:
    """``jobs/<uuid:job_id>`` → ``/api/v1/jobs/{job_id}``, as the schema names it."""
    return API_PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))


def paths_of(module: Any) -> list[str]:
    return [openapi_path(pattern) for pattern in module.urlpatterns]


@pytest.fixture
def schema(client) -> dict[str, Any]:
    response = client.get("/api/schema", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("path", paths_of(analysis_urls) + paths_of(attendance_urls))
def test_schema_lists_every_api_path(schema, path):
    assert path in schema["paths"]


@pytest.mark.parametrize("path", paths_of(analysis_urls))
def test_analysis_operations_have_schemas_and_examples(schema, path):
    for method, operation in schema["paths"][path].items():
        successes = {code: response for code, response in operation["responses"].items() if code.startswith("2")}
        assert successes, f"{method} {path} has no 2xx response"
        content = [body for response in successes.values() for body in response.get("content", {}).values()]
        assert content, f"{method} {path}: 2xx without a body"
        assert all("schema" in body for body in content), f"{method} {path}: 2xx without a schema"
        assert any(body.get("examples") for body in content), f"{method} {path}: 2xx without an example"
        if method == "post":
            bodies = operation.get("requestBody", {}).get("content", {})
            assert bodies, f"POST {path} has no request body"
            assert all("schema" in body for body in bodies.values()), f"POST {path}: request body without a schema"


def test_swagger_ui_is_html(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"swagger-ui" in response.content


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/students/{student_id}/faces" in (tmp_path / "schema.yml").read_text()
