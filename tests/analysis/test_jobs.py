"""Batch analysis jobs end to end: HTTP → Redis → a real Celery worker → PostgreSQL → HTTP (and a callback)."""

import hashlib
import hmac
import io
import json
import threading
import time
import zipfile
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from analysis.models import AnalysisJob
from faceapi.tasks import purge_expired_jobs
from tests import images
from tests.conftest import PHOTOS, wait_for_job

JOBS = "/api/v1/analysis-jobs"


def files(*names: str) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, (PHOTOS / name).read_bytes()) for name in names]


def zip_of(entries: dict[str, bytes]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return SimpleUploadedFile("batch.zip", buffer.getvalue())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_batch_with_a_bad_image_reports_it_and_finishes_the_rest(api, tenant, other_tenant, celery_worker_process):
    bad = SimpleUploadedFile("broken.jpg", images.truncated_jpeg())
    response = api.post(
        JOBS,
        {"images": [*files("obama-480p.jpg", "two_people.jpg"), bad, *files("noface_rocket.jpg")]},
        format="multipart",
    )
    assert response.status_code == 202
    created = response.json()
    assert created["status"] == "queued"
    assert response["Location"] == created["url"]

    body = wait_for_job(api, created["url"])
    assert body["status"] == "succeeded"
    assert body["progress"] == 100
    results = body["result"]["images"]
    assert [r["name"] for r in results] == ["obama-480p.jpg", "two_people.jpg", "broken.jpg", "noface_rocket.jpg"]
    assert [len(r.get("faces", [])) for r in results] == [1, 2, 0, 0]
    assert results[2] == {"name": "broken.jpg", "status": "error", "error": results[2]["error"]}
    assert results[2]["error"]["code"] == "invalid_image"
    assert "emotion" in results[1]["faces"][0]
    assert (body["result"]["succeeded"], body["result"]["failed"]) == (3, 1)
    assert not AnalysisJob.objects.for_school(tenant.school).get().input_dir.exists()  # inputs are not kept

    assert other_tenant.client().get(created["url"]).status_code == 404  # another school cannot see it


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_zip_of_photos_runs_with_options(api, celery_worker_process):
    archive = zip_of({"class/a.jpg": (PHOTOS / "obama_small.jpg").read_bytes(), "class/b.png": b"not an image"})
    response = api.post(JOBS, {"images": [archive], "features": "emotion", "min_face_size": 40}, format="multipart")
    assert response.status_code == 202
    body = wait_for_job(api, response.json()["url"])
    names = [r["name"] for r in body["result"]["images"]]
    assert names == ["batch.zip/class/a.jpg", "batch.zip/class/b.png"]
    assert body["result"]["images"][1]["error"]["code"] == "unsupported_media_type"


class Receiver(BaseHTTPRequestHandler):
    """A real HTTP endpoint that fails the first delivery, then records the next one."""

    received: list[tuple[dict, bytes]] = []
    failures_left = 1

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.failures_left > 0:
            Receiver.failures_left -= 1
            self.send_response(500)
        else:
            Receiver.received.append((dict(self.headers), body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.received, Receiver.failures_left = [], 1
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_callback_is_signed_retried_and_recorded(api, tenant, celery_worker_process, receiver, settings):
    settings.FACEAPI_CALLBACK_ALLOW_PRIVATE = True  # the receiver listens on loopback
    response = api.post(JOBS, {"images": files("obama_small.jpg"), "callback_url": receiver}, format="multipart")
    url = response.json()["url"]
    wait_for_job(api, url)
    deadline = time.monotonic() + 60
    while not Receiver.received and time.monotonic() < deadline:
        time.sleep(0.2)
    headers, body = Receiver.received[0]
    secret = api.get("/api/v1/school").json()["callback_secret"]
    expected = hmac.new(secret.encode(), headers["X-Faceapi-Timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["X-Faceapi-Signature"] == f"sha256={expected.hexdigest()}"
    assert json.loads(body)["status"] == "succeeded"
    deadline = time.monotonic() + 10
    while api.get(url).json()["callback"]["status"] != "delivered" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert api.get(url).json()["callback"] == {
        "url": receiver,
        "status": "delivered",
        "attempts": 2,
        "last_error": None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://10.1.2.3/hook", "http://[::1]/hook", "http://169.254.169.254/"]
)
def test_callbacks_to_private_addresses_are_refused(api, url):
    response = api.post(JOBS, {"images": files("obama_small.jpg"), "callback_url": url}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_callback_url"
    assert not AnalysisJob.unscoped.exists()


@pytest.mark.django_db
def test_callback_must_be_http(api):
    response = api.post(
        JOBS, {"images": files("obama_small.jpg"), "callback_url": "ftp://example.com/x"}, format="multipart"
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_at_once(api):
    bomb = zip_of({f"{i}.jpg": bytes(5_000_000) for i in range(3)})
    response = api.post(JOBS, {"images": [bomb]}, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "zip_bomb"
    assert not AnalysisJob.unscoped.exists()


@pytest.mark.django_db
def test_traversal_in_a_zip_is_refused(api):
    response = api.post(JOBS, {"images": [zip_of({"../../etc/x.jpg": b"x"})]}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsafe_zip_path"


@pytest.mark.django_db
def test_too_many_images_and_none(api, settings):
    settings.FACEAPI_JOB_MAX_IMAGES = 2
    response = api.post(JOBS, {"images": files("obama_small.jpg", "obama_small.jpg", "biden.jpg")}, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_files"
    assert api.post(JOBS, {}, format="multipart").json()["error"]["code"] == "no_images"


@pytest.mark.django_db
def test_unknown_jobs_are_404(api):
    assert api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000").status_code == 404


@pytest.mark.django_db
def test_expired_jobs_are_purged_with_their_inputs(tenant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old = AnalysisJob.unscoped.create(school=tenant.school, expires_at=timezone.now() - timedelta(minutes=1))
    old.input_dir.mkdir(parents=True)
    (old.input_dir / "00000").write_bytes(b"photo")
    fresh = AnalysisJob.unscoped.create(school=tenant.school)
    assert purge_expired_jobs() == 1
    assert list(AnalysisJob.objects.for_school(tenant.school)) == [fresh]
    assert not old.input_dir.exists()
