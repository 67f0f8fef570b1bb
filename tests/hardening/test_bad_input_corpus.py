"""Every file of the bad-input corpus (tests/data/make_bad_corpus.py) through every endpoint that takes it, over HTTP.

A refused file gets its stable code in the JSON error shape, never a 5xx, and leaves nothing behind (no enrolment,
no attendance, no job row, no stored file). A valid oddity is accepted. Accepted jobs are run here, in-process, by
the same function the worker calls, so a job that ends does so with a per-image code (no Celery worker needed).
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from analysis.models import AnalysisJob
from analysis.services import process_analysis_job
from attendance.models import AttendanceRecord, FaceEnrollment, School, VideoJob
from attendance.services.sessions import create_session
from attendance.services.students import create_student
from attendance.services.videos import process_video_job
from tests.conftest import PHOTOS, Tenant
from tests.data.make_bad_corpus import corpus, write_corpus

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")]

CORPUS = [item.manifest() for item in corpus()]
GOOD_PHOTO = (PHOTOS / "obama_small.jpg").read_bytes()


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str  # {student} and {session} are filled in
    field: str = "image"
    partner: str = ""  # verify: the other image, sent a good photo
    created: int = 200
    needs_face: bool = False  # a decodable image without a face is 422 no_face
    face_refusals: frozenset[str] = frozenset()  # 422 codes that still mean the face was read (check-in)


IMAGE_ENDPOINTS = [
    Endpoint("detect", "/api/v1/detect"),
    Endpoint("analyze", "/api/v1/analyze"),
    Endpoint("embed", "/api/v1/embed", needs_face=True),
    Endpoint("verify-image1", "/api/v1/verify", field="image1", partner="image2", needs_face=True),
    Endpoint("verify-image2", "/api/v1/verify", field="image2", partner="image1", needs_face=True),
    Endpoint("identify", "/api/v1/identify"),
    Endpoint("enrol", "/api/v1/students/{student}/faces", created=201, needs_face=True),
    Endpoint("session-photo", "/api/v1/sessions/{session}/photos"),
    Endpoint(
        "check-in",
        "/api/v1/sessions/{session}/check-in",
        needs_face=True,
        face_refusals=frozenset({"not_recognised", "spoof_detected"}),  # nobody is enrolled in this school
    ),
]
JOBS_URL = "/api/v1/analysis-jobs"


def marks(entry: dict[str, Any]) -> list[pytest.MarkDecorator]:
    """Refusals never reach a model and take milliseconds; accepted files run the networks: the slow part."""
    return [pytest.mark.slow] if entry["expect"] == "accepted" else []


def entries(kind: str, endpoint: str) -> list[Any]:
    return [
        pytest.param(entry, id=f"{entry['file']}->{endpoint}", marks=marks(entry))
        for entry in CORPUS
        if entry["kind"] == kind
    ]


def cases(kind: str, endpoints: list[Endpoint]) -> list[Any]:
    return [
        pytest.param(entry, endpoint, id=f"{entry['file']}->{endpoint.name}", marks=marks(entry))
        for entry in CORPUS
        if entry["kind"] == kind
        for endpoint in endpoints
    ]


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    write_corpus(folder)
    return folder


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@dataclass
class Target:
    api: APIClient
    school: School
    student: int
    session: int
    media: Path

    def url(self, path: str) -> str:
        return path.format(student=self.student, session=self.session)

    def footprint(self) -> dict[str, int]:
        """Everything an upload can write: rows of each kind, the gallery version, stored job files."""
        school = self.school
        return {
            "enrolments": FaceEnrollment.objects.for_school(school).count(),
            "attendance": AttendanceRecord.objects.for_school(school).count(),
            "analysis_jobs": AnalysisJob.objects.for_school(school).count(),
            "video_jobs": VideoJob.objects.for_school(school).count(),
            "gallery_version": School.objects.get(pk=school.pk).gallery_version,
            "stored_files": sum(1 for path in self.media.rglob("*") if path.is_file()),
        }


@pytest.fixture
def target(tenant: Tenant, media_root: Path) -> Target:
    student = create_student(school=tenant.school, external_id="S1", name="Some Student")
    start = timezone.now() - timedelta(minutes=5)
    session = create_session(
        school=tenant.school,
        course="Maths",
        room="B12",
        group="7B",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    return Target(tenant.client(), tenant.school, student.pk, session.pk, media_root)


def assert_error(response: Any, expect: dict[str, Any]) -> None:
    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json"), response.content
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert (response.status_code, body["error"]["code"]) == (expect["status"], expect["code"]), body


def assert_image_accepted(response: Any, entry: dict[str, Any], endpoint: Endpoint) -> None:
    assert response.status_code < 500, response.content
    body = response.json()
    if not entry["face"] and endpoint.needs_face:
        assert_error(response, {"status": 422, "code": "no_face"})
    elif entry["face"] and endpoint.face_refusals:
        assert (response.status_code, body["error"]["code"] in endpoint.face_refusals) == (422, True), body
    else:
        assert response.status_code == endpoint.created, body
        width, height = entry["size"]
        if "image" in body:
            assert body["image"] == {"width": width, "height": height}
        if entry["face"] and ("faces" in body or "unknown" in body):  # the one face was found, and nothing else
            assert len(body.get("faces", [])) + len(body.get("unknown", [])) == 1, body


def assert_outcome(target: Target, before: dict[str, int], response: Any, entry: dict[str, Any], endpoint: Endpoint):
    after = target.footprint()
    if entry["expect"] != "accepted":
        assert_error(response, entry["expect"])
        assert after == before
        return
    assert_image_accepted(response, entry, endpoint)
    if endpoint.name == "enrol" and response.status_code == 201:
        assert after["enrolments"] == before["enrolments"] + 1
        assert after["gallery_version"] == before["gallery_version"] + 1
        return
    assert after == before  # nobody is enrolled: nothing is marked, nothing is stored


def multipart(endpoint: Endpoint, name: str, data: bytes, content_type: str = "application/octet-stream") -> dict:
    body = {endpoint.field: SimpleUploadedFile(name, data, content_type=content_type)}
    if endpoint.partner:
        body[endpoint.partner] = SimpleUploadedFile("partner.jpg", GOOD_PHOTO, content_type="image/jpeg")
    return body


@pytest.mark.parametrize(("entry", "endpoint"), cases("image", IMAGE_ENDPOINTS))
def test_image_file(corpus_dir: Path, target: Target, entry: dict[str, Any], endpoint: Endpoint):
    before = target.footprint()
    data = (corpus_dir / entry["file"]).read_bytes()
    response = target.api.post(target.url(endpoint.path), multipart(endpoint, entry["file"], data), format="multipart")
    assert_outcome(target, before, response, entry, endpoint)


@pytest.mark.parametrize(("entry", "endpoint"), cases("base64", IMAGE_ENDPOINTS))
def test_base64_text(corpus_dir: Path, target: Target, entry: dict[str, Any], endpoint: Endpoint):
    before = target.footprint()
    body = {f"{endpoint.field}_base64": (corpus_dir / entry["file"]).read_text()}
    if endpoint.partner:
        body[f"{endpoint.partner}_base64"] = base64.b64encode(GOOD_PHOTO).decode()
    response = target.api.post(target.url(endpoint.path), body, format="json")
    assert_outcome(target, before, response, entry, endpoint)


def run_analysis_job(response: Any) -> dict[str, Any]:
    """The accepted job, run here by the worker's own function: its per-image results by name."""
    assert response.status_code == 202, response.content
    job = process_analysis_job(job_id=response.json()["id"])
    assert job.status == "succeeded", (job.error_code, job.error_message)
    assert not job.input_dir.exists()
    return {image["name"]: image for image in job.result["images"]}


@pytest.mark.parametrize("entry", entries("image", "analysis-jobs"))
def test_image_file_in_an_analysis_job(corpus_dir: Path, target: Target, entry: dict[str, Any]):
    """A job takes any file at once; each image's code comes with the result, the same code as the sync endpoints."""
    upload = SimpleUploadedFile(entry["file"], (corpus_dir / entry["file"]).read_bytes())
    images = run_analysis_job(target.api.post(JOBS_URL, {"images": [upload]}, format="multipart"))
    assert images, "the job analysed nothing"
    for image in images.values():  # a zip named .jpg is opened as the zip it is: its text file gets the same code
        if entry["expect"] == "accepted":
            assert image["status"] == "ok", image
            assert image["image"] == {"width": entry["size"][0], "height": entry["size"][1]}
        else:
            assert (image["status"], image["error"]["code"]) == ("error", entry["expect"]["code"]), image


@pytest.mark.parametrize("entry", entries("archive", "analysis-jobs"))
def test_archive(corpus_dir: Path, target: Target, entry: dict[str, Any]):
    before = target.footprint()
    upload = SimpleUploadedFile(entry["file"], (corpus_dir / entry["file"]).read_bytes(), "application/zip")
    response = target.api.post(JOBS_URL, {"images": [upload]}, format="multipart")
    if entry["expect"] != "accepted":
        assert_error(response, entry["expect"])
        assert target.footprint() == before
        return
    outcome = {
        name.removeprefix(f"{entry['file']}/"): image["error"]["code"] if image["status"] == "error" else "ok"
        for name, image in run_analysis_job(response).items()
    }
    assert outcome == entry["job_images"]


@pytest.mark.parametrize("entry", entries("video", "session-videos"))
def test_video(corpus_dir: Path, target: Target, entry: dict[str, Any]):
    before = target.footprint()
    upload = SimpleUploadedFile(entry["file"], (corpus_dir / entry["file"]).read_bytes(), "video/mp4")
    response = target.api.post(target.url("/api/v1/sessions/{session}/videos"), {"video": upload}, format="multipart")
    if entry["expect"] != "accepted":
        assert_error(response, entry["expect"])
        assert target.footprint() == before
        return
    assert response.status_code == 202, response.content
    job = process_video_job(job_id=response.json()["id"])
    assert job.status == "succeeded", (job.error_code, job.error_message)
    assert job.result["frames_sampled"] >= 1
    assert not job.input_dir.exists()


# --- the request itself wrong: content types and field names ------------------------------------------------------


def declared(content_type: str, name: str) -> Callable[[Endpoint], dict[str, Any]]:
    return lambda e: {"data": multipart(e, name, GOOD_PHOTO, content_type), "format": "multipart"}


def form(fields: Callable[[Endpoint], dict[str, Any]], fmt: str = "multipart") -> Callable[[Endpoint], dict[str, Any]]:
    return lambda e: {"data": fields(e), "format": fmt}


def raw(body: bytes, content_type: str) -> Callable[[Endpoint], dict[str, Any]]:
    return lambda e: {"data": body, "content_type": content_type}


INVALID_REQUEST = {"status": 400, "code": "invalid_request"}
PARSE_ERROR = {"status": 400, "code": "parse_error"}
REQUEST_VARIANTS: dict[str, tuple[Callable[[Endpoint], dict[str, Any]], dict[str, Any] | None]] = {
    # The declared type of a part is not trusted either way: the bytes decide.
    "part-declared-png": (declared("image/png", "a.png"), None),
    "part-declared-text": (declared("text/plain", "a.txt"), None),
    "wrong-field-name": (form(lambda e: {"file": SimpleUploadedFile("a.jpg", GOOD_PHOTO)}), INVALID_REQUEST),
    "image-as-text-field": (form(lambda e: {e.field: "a.jpg"}), INVALID_REQUEST),
    "base64-not-a-string": (form(lambda e: {f"{e.field}_base64": 12}, "json"), INVALID_REQUEST),
    "raw-jpeg-body": (raw(GOOD_PHOTO, "image/jpeg"), {"status": 415, "code": "unsupported_media_type"}),
    "jpeg-declared-json": (raw(GOOD_PHOTO, "application/json"), PARSE_ERROR),
    "multipart-without-boundary": (raw(b"--x\r\n\r\n", "multipart/form-data"), PARSE_ERROR),
}


@pytest.mark.parametrize("endpoint", IMAGE_ENDPOINTS, ids=lambda endpoint: endpoint.name)
@pytest.mark.parametrize(
    "variant",
    [pytest.param(name, marks=[] if expect else [pytest.mark.slow]) for name, (_, expect) in REQUEST_VARIANTS.items()],
)
def test_wrong_request(target: Target, endpoint: Endpoint, variant: str):
    make, expect = REQUEST_VARIANTS[variant]
    before = target.footprint()
    response = target.api.post(target.url(endpoint.path), **make(endpoint))
    entry = {"expect": expect or "accepted", "face": True, "size": [320, 240]}
    assert_outcome(target, before, response, entry, endpoint)


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        pytest.param({"image": "tiny_16x16.mp4"}, {"status": 400, "code": "invalid_request"}, id="field-image"),
        pytest.param({"video": "tiny_16x16.mp4", "type": "image/jpeg"}, None, id="part-declared-jpeg"),
        pytest.param({"video": "ftyp_only.mp4", "type": "video/mp4"}, {"status": 400, "code": "invalid_video"},
                     id="bad-video-declared-mp4"),
    ],
)  # fmt: skip
def test_wrong_video_request(corpus_dir: Path, target: Target, body: dict[str, str], expect: dict[str, Any] | None):
    field = "video" if "video" in body else "image"
    upload = SimpleUploadedFile(body[field], (corpus_dir / body[field]).read_bytes(), body.get("type", "video/mp4"))
    before = target.footprint()
    response = target.api.post(target.url("/api/v1/sessions/{session}/videos"), {field: upload}, format="multipart")
    if expect:
        assert_error(response, expect)
        assert target.footprint() == before
    else:
        assert response.status_code == 202, response.content


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        pytest.param({"image": "zip_nested.zip"}, {"status": 400, "code": "no_images"}, id="field-image"),
        pytest.param({"images": "zip_nested.zip", "type": "text/plain"}, None, id="zip-declared-text"),
    ],
)
def test_wrong_analysis_job_request(corpus_dir: Path, target: Target, body: dict[str, str], expect: dict | None):
    field = "images" if "images" in body else "image"
    upload = SimpleUploadedFile(
        body[field], (corpus_dir / body[field]).read_bytes(), body.get("type", "application/zip")
    )
    before = target.footprint()
    response = target.api.post(JOBS_URL, {field: [upload]}, format="multipart")
    if expect:
        assert_error(response, expect)
        assert target.footprint() == before
    else:
        assert response.status_code == 202, response.content


def test_the_script_writes_the_corpus_the_tests_use(corpus_dir: Path, tmp_path: Path):
    manifest = write_corpus(tmp_path)
    assert manifest == CORPUS
    assert json.loads((tmp_path / "manifest.json").read_text()) == manifest
    files = {path.name for path in tmp_path.iterdir()} - {"manifest.json"}
    assert files == {entry["file"] for entry in manifest}
    assert [f for f in sorted(files) if (tmp_path / f).read_bytes() != (corpus_dir / f).read_bytes()] == []
    assert len(files) >= 45
    assert {entry["kind"] for entry in manifest} == {"image", "base64", "video", "archive"}
