import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import images

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls")]

ECHO = "/api/v1/test/image-echo"


def upload(data: bytes, name: str = "photo.jpg") -> dict:
    return {"image": SimpleUploadedFile(name, data)}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body["error"]


def test_a_good_upload_and_base64_work(api):
    assert api.post(ECHO, upload(images.photo_bytes()), format="multipart").json() == {"width": 320, "height": 240}
    encoded = base64.b64encode(images.photo_bytes()).decode()
    assert api.post(ECHO, {"image_base64": encoded}, format="json").json() == {"width": 320, "height": 240}


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"", "empty.jpg", 400, "empty_file"),
        (images.truncated_jpeg(), "cut.jpg", 400, "invalid_image"),
        (images.RANDOM_BYTES, "noise.jpg", 400, "invalid_image"),
        (images.SVG, "logo.svg", 415, "unsupported_media_type"),
        (images.HTML, "page.html", 415, "unsupported_media_type"),
        (images.TEXT, "list.csv", 415, "unsupported_media_type"),
        (images.decompression_bomb_png(), "bomb.png", 413, "image_too_large"),
    ],
)
def test_every_image_error_has_its_code_and_status(api, data, name, status, code):
    assert_error(api.post(ECHO, upload(data, name), format="multipart"), status, code)


def test_a_file_over_the_byte_limit_is_413(api, settings):
    settings.FACEAPI_MAX_IMAGE_BYTES = 10_000
    error = assert_error(api.post(ECHO, upload(images.photo_bytes()), format="multipart"), 413, "file_too_large")
    assert error["details"]["max_bytes"] == 10_000


def test_a_body_over_the_request_limit_is_refused_before_reading(api, settings):
    settings.FACEAPI_MAX_REQUEST_BYTES = 1000
    assert_error(api.post(ECHO, upload(images.photo_bytes()), format="multipart"), 413, "file_too_large")


def test_a_missing_image_names_the_field(api):
    error = assert_error(api.post(ECHO, {}, format="json"), 400, "invalid_request")
    assert "image" in error["details"]["fields"]


def test_malformed_json_is_a_parse_error(api):
    assert_error(api.post(ECHO, b"{not json", content_type="application/json"), 400, "parse_error")


def test_unknown_api_routes_are_json_404(api):
    assert_error(api.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(api.get("/api/nothing-here"), 404, "not_found")


def test_wrong_method_is_405(api):
    assert_error(api.delete("/api/v1/school"), 405, "method_not_allowed")


def test_a_bug_is_500_internal_error_without_a_trace(api):
    api.raise_request_exception = False
    error = assert_error(api.get("/api/v1/test/broken"), 500, "internal_error")
    assert "secret internal detail" not in str(error)
    assert "Traceback" not in str(error)


def test_throttling_per_key_is_429(api, other_tenant, monkeypatch):
    from attendance.throttling import ApiKeyRateThrottle

    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "3/minute"})
    for _ in range(3):
        assert api.get("/api/v1/school").status_code == 200
    error = assert_error(api.get("/api/v1/school"), 429, "throttled")
    assert error["details"]["retry_after_s"] > 0
    assert other_tenant.client().get("/api/v1/school").status_code == 200  # another key has its own budget
