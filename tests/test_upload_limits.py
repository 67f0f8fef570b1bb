"""Every upload entry refuses an oversized body with 413 ``file_too_large`` and writes nothing (limits lowered here)."""

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from analysis.models import AnalysisJob
from attendance.models import AttendanceRecord, AuditEvent, ClassSession, FaceEnrollment, Student, VideoJob
from ml_models.paths import shared_data_dir
from tests import images
from tests.attendance.conftest import add_session, add_student

pytestmark = pytest.mark.django_db

LIMIT = 50_000
BIG_PHOTO = images.photo_bytes("biden.jpg")  # 125 kB
SMALL_PHOTO = images.encode(images.photo().resize((64, 64)), "JPEG")
VIDEO = shared_data_dir() / "videos" / "short_hamilton_clip.mp4"

# (path, oversized field, other fields the endpoint needs)
IMAGE_ENTRIES = [
    ("detect", "image", {}),
    ("analyze", "image", {}),
    ("embed", "image", {}),
    ("verify", "image1", {"image2": SMALL_PHOTO}),
    ("verify", "image2", {"image1": SMALL_PHOTO}),
    ("identify", "image", {}),
    ("students/{student}/faces", "image", {}),
    ("sessions/{session}/photos", "image", {}),
    ("sessions/{session}/check-in", "image", {}),
]
ALL_ENTRIES = [*{path for path, _, _ in IMAGE_ENTRIES}, "analysis-jobs", "sessions/{session}/videos"]
MODELS = (AnalysisJob, VideoJob, Student, FaceEnrollment, ClassSession, AttendanceRecord, AuditEvent)


@pytest.fixture
def ids(api) -> dict[str, int]:
    return {"student": add_student(api, "S1", "Ada")["id"], "session": add_session(api)["id"]}


@pytest.fixture
def limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.FACEAPI_MAX_IMAGE_BYTES = LIMIT
    settings.FACEAPI_MAX_VIDEO_BYTES = LIMIT
    return settings


@pytest.fixture
def nothing_written(ids, limits):
    """Asserts, after the test, that no row of any kind was added and no file stored."""
    before = {model: model.unscoped.count() for model in MODELS}
    yield
    assert {model: model.unscoped.count() for model in MODELS} == before
    assert not [path for path in limits.MEDIA_ROOT.rglob("*") if path.is_file()]


def url(path: str, ids: dict[str, int]) -> str:
    return "/api/v1/" + path.format(**ids)


def assert_too_large(response, max_bytes: int | None) -> None:
    assert response.status_code == 413, response.content
    error = response.json()["error"]
    assert error["code"] == "file_too_large"
    assert error["details"].get("max_bytes") == max_bytes


@pytest.mark.parametrize(("path", "field", "others"), IMAGE_ENTRIES)
def test_an_oversized_multipart_image_is_413(api, ids, nothing_written, path, field, others):
    body = {field: BIG_PHOTO, **others}
    files = {name: SimpleUploadedFile(f"{name}.jpg", data) for name, data in body.items()}
    assert_too_large(api.post(url(path, ids), files, format="multipart"), LIMIT)


@pytest.mark.parametrize(("path", "field", "others"), IMAGE_ENTRIES)
def test_an_oversized_base64_image_is_413(api, ids, nothing_written, path, field, others):
    body = {f"{name}_base64": base64.b64encode(data).decode() for name, data in {field: BIG_PHOTO, **others}.items()}
    assert_too_large(api.post(url(path, ids), body, format="json"), LIMIT)


def test_an_oversized_image_in_a_batch_job_is_413_at_once(api, ids, nothing_written):
    files = [SimpleUploadedFile("small.jpg", SMALL_PHOTO), SimpleUploadedFile("big.jpg", BIG_PHOTO)]
    response = api.post("/api/v1/analysis-jobs", {"images": files}, format="multipart")
    assert_too_large(response, LIMIT)
    assert response.json()["error"]["details"]["name"] == "big.jpg"


def test_an_oversized_video_is_413(api, ids, nothing_written):
    video = SimpleUploadedFile(VIDEO.name, VIDEO.read_bytes(), content_type="video/mp4")
    assert_too_large(api.post(url("sessions/{session}/videos", ids), {"video": video}, format="multipart"), LIMIT)


@pytest.mark.parametrize("path", ALL_ENTRIES)
def test_a_body_over_the_request_limit_is_413_before_it_is_read(api, ids, nothing_written, settings, path):
    settings.FACEAPI_MAX_REQUEST_BYTES = 10_000
    fields = {"image": SMALL_PHOTO, "image1": SMALL_PHOTO, "image2": SMALL_PHOTO, "images": SMALL_PHOTO * 3}
    body = {name: SimpleUploadedFile(f"{name}.jpg", data) for name, data in fields.items()}
    body["video"] = SimpleUploadedFile("clip.mp4", SMALL_PHOTO * 3)
    assert_too_large(api.post(url(path, ids), body, format="multipart"), 10_000)


@pytest.mark.parametrize("path", sorted({path for path, _, _ in IMAGE_ENTRIES}))
def test_a_json_body_over_the_in_memory_limit_is_413_before_it_is_parsed(api, ids, nothing_written, settings, path):
    """A JSON body is read into memory whole: DATA_UPLOAD_MAX_MEMORY_SIZE refuses it first, whatever it holds."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    small = base64.b64encode(SMALL_PHOTO).decode()
    body = {"image_base64": small, "image1_base64": small, "image2_base64": small, "padding": "x" * 20_000}
    response = api.post(url(path, ids), json.dumps(body), content_type="application/json")
    assert_too_large(response, max_bytes=None)
