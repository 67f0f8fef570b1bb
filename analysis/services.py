"""Analysis use cases: the synchronous endpoints and the batch jobs that the worker runs."""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from analysis.archives import TooManyFiles, ZipLimits, files_in_zip, is_zip
from analysis.models import AnalysisJob
from attendance.models import School
from faceapi.callbacks import validate_callback_url
from faceapi.errors import ApiError
from faceapi.image_input import image_limits
from faceapi.jobs import CallbackStatus, finish_job, heartbeat, mark_running
from ml_models import registry
from ml_models.analysis import analyze_image, embed_image, parse_features, verify_images
from ml_models.errors import FaceApiInputError, FileTooLarge, NoFace
from ml_models.images import RGBImage, decode_image
from ml_models.timing import Timings

logger = logging.getLogger(__name__)


class NoImages(ApiError):
    code = "no_images"
    status = 400
    default_message = "Send at least one image (multipart field 'images', repeated, or one zip)."


@dataclass(frozen=True)
class AnalysisOptions:
    features: tuple[str, ...]
    detect: bool = True
    min_face_size: int = 20

    def as_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "detect": self.detect, "min_face_size": self.min_face_size}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AnalysisOptions":
        return cls(tuple(data["features"]), data["detect"], data["min_face_size"])


def detect(*, image: RGBImage, min_face_size: int, timings: Timings | None = None) -> dict[str, Any]:
    return analyze_image(image, features=(), min_face_size=min_face_size, timings=timings)


def analyze(*, image: RGBImage, options: AnalysisOptions, timings: Timings | None = None) -> dict[str, Any]:
    return analyze_image(
        image, features=options.features, detect=options.detect, min_face_size=options.min_face_size, timings=timings
    )


def embed(*, image: RGBImage, detect: bool, min_face_size: int, timings: Timings | None = None) -> dict[str, Any]:
    """Embeddings of every face; an image without a face is an error here, since the caller needs one."""
    result = embed_image(image, detect=detect, min_face_size=min_face_size, timings=timings)
    if not result["faces"]:
        raise NoFace()
    return result


def verify(
    *, image1: RGBImage, image2: RGBImage, threshold: float | None, timings: Timings | None = None
) -> dict[str, Any]:
    threshold = settings.FACEAPI_VERIFY_THRESHOLD if threshold is None else threshold
    return verify_images(image1, image2, threshold=threshold, timings=timings)


def models_document() -> dict[str, Any]:
    return {"models": registry.models_info(), "features": list(registry.available_features())}


def zip_limits() -> ZipLimits:
    return ZipLimits(
        max_entries=settings.FACEAPI_ZIP_MAX_ENTRIES,
        max_total_bytes=settings.FACEAPI_ZIP_MAX_TOTAL_BYTES,
        max_ratio=settings.FACEAPI_ZIP_MAX_RATIO,
    )


def expand_uploads(uploads: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Uploaded files as a flat list of named images; each zip is replaced by the files inside it."""
    files: list[tuple[str, bytes]] = []
    for name, data in uploads:
        if is_zip(data):
            files.extend((f"{name}/{inner}", content) for inner, content in files_in_zip(data, zip_limits()))
        elif len(data) > (max_bytes := image_limits().max_bytes):
            raise FileTooLarge(name=name, size_bytes=len(data), max_bytes=max_bytes)  # refused now, not on the worker
        else:
            files.append((name, data))
    if not files:
        raise NoImages()
    if len(files) > settings.FACEAPI_JOB_MAX_IMAGES:
        raise TooManyFiles(count=len(files), max_files=settings.FACEAPI_JOB_MAX_IMAGES)
    return files


def create_analysis_job(
    *, school: School, uploads: list[tuple[str, bytes]], options: AnalysisOptions, callback_url: str = ""
) -> AnalysisJob:
    """Store the images and queue the job; the worker picks it up once the row is committed."""
    from analysis.tasks import run_analysis_job

    if callback_url:
        validate_callback_url(callback_url)
    files = expand_uploads(uploads)
    job = AnalysisJob(
        school=school,
        options=options.as_dict(),
        callback_url=callback_url,
        callback_status=CallbackStatus.PENDING if callback_url else CallbackStatus.NONE,
    )
    with job.storing_inputs() as folder:
        for index, (name, data) in enumerate(files):
            stored = f"{index:05d}"
            (folder / stored).write_bytes(data)
            job.inputs.append({"name": name, "file": stored})
        with transaction.atomic():
            job.save()
            # robust: with the broker down the job stays queued, and the stale-job reaper queues it again
            transaction.on_commit(lambda: run_analysis_job.delay(str(job.id)), robust=True)
    return job


def _analyse_one(job: AnalysisJob, item: dict[str, str], options: AnalysisOptions) -> dict[str, Any]:
    try:
        image = decode_image((job.input_dir / item["file"]).read_bytes(), limits=image_limits())
        result = analyze(image=image, options=options)
    except FaceApiInputError as error:
        return {"name": item["name"], "status": "error", "error": {"code": error.code, "message": error.message}}
    except FileNotFoundError:
        return {"name": item["name"], "status": "error", "error": {"code": "input_missing", "message": "Lost input."}}
    return {"name": item["name"], "status": "ok", **result}


def process_analysis_job(*, job_id: str) -> AnalysisJob:
    """Run (or resume) a job: images already done are kept, so a redelivered task does not redo them."""
    job = AnalysisJob.unscoped.get(pk=job_id)
    if job.is_finished:
        return job
    options = AnalysisOptions.from_dict(job.options)
    parse_features(options.features)  # the installation may have changed since the job was queued
    mark_running(job)
    done: list[dict[str, Any]] = list(job.result.get("images", []))
    for item in job.inputs[len(done) :]:
        done.append(_analyse_one(job, item, options))
        heartbeat(job, result={"images": done}, progress=min(99, int(100 * len(done) / len(job.inputs))))
    return finish_job(job, result=_summary(done))


def _summary(images: list[dict[str, Any]]) -> dict[str, Any]:
    failed = sum(1 for image in images if image["status"] == "error")
    return {"images": images, "succeeded": len(images) - failed, "failed": failed}
