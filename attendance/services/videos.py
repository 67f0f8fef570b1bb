"""Video attendance: sample frames, detect in batches, track faces, identify each track by vote, mark present."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from attendance.gallery import gallery_for
from attendance.models import AttendanceRecord, ClassSession, School, Student, VideoJob
from attendance.services.recognition import student_summary
from attendance.services.sessions import mark_present
from attendance.thumbnails import jpeg_thumbnail
from faceapi.callbacks import validate_callback_url
from faceapi.errors import ApiError
from faceapi.jobs import CallbackStatus, finish_job, heartbeat, mark_running
from ml_models import registry
from ml_models.errors import FaceApiInputError, FileTooLarge
from ml_models.heads import FaceBatch, FaceHead
from ml_models.matching import Match
from ml_models.pipeline import crops_of
from ml_models.timing import Timings
from ml_models.tracking import FaceTracker, Sighting, identify_track, seen_intervals
from ml_models.video import VideoFrame, probe_video, sample_frames, video_min_face_size

logger = logging.getLogger(__name__)

FRAMES_PER_BATCH = 8
VIDEO_HEADS = ("emotion", "liveness")


class MissingVideo(ApiError):
    code = "invalid_request"
    status = 400
    default_message = "Send the video as multipart field 'video'."


def create_video_job(
    *,
    school: School,
    session: ClassSession,
    upload: UploadedFile | None,
    sample_fps: float,
    min_face_size: int | None = None,
    callback_url: str = "",
) -> VideoJob:
    """Store the video, check that it decodes, and queue the job (202); a non-video is refused at once."""
    from attendance.tasks import run_video_job

    if upload is None:
        raise MissingVideo()
    if upload.size > settings.FACEAPI_MAX_VIDEO_BYTES:
        raise FileTooLarge(size_bytes=upload.size, max_bytes=settings.FACEAPI_MAX_VIDEO_BYTES)
    if callback_url:
        validate_callback_url(callback_url)
    job = VideoJob(
        school=school,
        session=session,
        options={"sample_fps": sample_fps, "min_face_size": min_face_size},  # None: from the frame height
        video_name=upload.name[:255],
        callback_url=callback_url,
        callback_status=CallbackStatus.PENDING if callback_url else CallbackStatus.NONE,
    )
    with job.storing_inputs():
        path = video_path(job)
        with path.open("wb") as stream:
            for chunk in upload.chunks():
                stream.write(chunk)
        job.result = {"video": probe_video(path).__dict__}
        with transaction.atomic():
            job.save()
            # robust: with the broker down the job stays queued, and the stale-job reaper queues it again
            transaction.on_commit(lambda: run_video_job.delay(str(job.id)), robust=True)
    return job


def video_path(job: VideoJob) -> Path:
    return job.input_dir / "video"


@dataclass
class Evidence:
    similarity: float
    thumbnail: bytes
    timestamp_s: float


@dataclass
class VideoRun:
    """What one pass over the video accumulates."""

    tracker: FaceTracker = field(default_factory=FaceTracker)
    matches: dict[int, list[Match | None]] = field(default_factory=lambda: defaultdict(list))  # per track
    evidence: dict[int, Evidence] = field(default_factory=dict)  # best frame per student id
    timings: Timings = field(default_factory=Timings)
    heads: dict[str, FaceHead] = field(default_factory=dict)  # emotion and liveness, where installed
    frames: int = 0


def process_video_job(*, job_id: str) -> VideoJob:
    """Run the job from the start; marking is idempotent, so a redelivered task finishes it exactly once."""
    job = VideoJob.unscoped.select_related("school", "session").get(pk=job_id)
    if job.is_finished:
        return job
    mark_running(job)
    school, session = job.school, job.session
    try:
        info = probe_video(video_path(job))
    except FaceApiInputError as error:
        return finish_job(job, result=job.result, error=error)
    run = VideoRun(heads={f: registry.head(f) for f in VIDEO_HEADS if f in registry.available_features()})
    gallery = gallery_for(school)
    expected = max(1, int(info.duration_s * job.options["sample_fps"]) + 1)
    min_face_size = job.options.get("min_face_size") or video_min_face_size(info.height)
    batch: list[VideoFrame] = []
    frames = sample_frames(video_path(job), sample_fps=job.options["sample_fps"])
    while True:
        with run.timings.stage("decode"):
            frame = next(frames, None)
        if frame is None:
            break
        batch.append(frame)
        if len(batch) == FRAMES_PER_BATCH:
            _process_batch(batch, run, gallery, school.match_threshold, min_face_size)
            batch = []
            _report_progress(job, run.frames, expected)
    if batch:
        _process_batch(batch, run, gallery, school.match_threshold, min_face_size)
    result = _mark_tracks(job, school, session, run, info_dict=job.result.get("video", info.__dict__))
    result["min_face_size"] = min_face_size
    return finish_job(job, result=result)


def _report_progress(job: VideoJob, done: int, expected: int) -> None:
    heartbeat(job, progress=min(99, int(100 * done / expected)))


def _head_results(run: VideoRun, faces: FaceBatch) -> tuple[list[str | None], list[bool | None]]:
    """Each face's dominant emotion and liveness verdict (None where that head is not installed)."""
    emotion, liveness = run.heads.get("emotion"), run.heads.get("liveness")
    moods = [e["dominant"] for e in emotion.predict(faces)] if emotion else [None] * len(faces)
    verdicts = [v["is_real"] for v in liveness.predict(faces)] if liveness else [None] * len(faces)
    return moods, verdicts


def _process_batch(batch: list[VideoFrame], run: VideoRun, gallery: Any, threshold: float, min_face_size: int) -> None:
    with run.timings.stage("detect"):
        detections = registry.detector().detect_batch([f.image for f in batch], min_face_size=min_face_size)
    with run.timings.stage("embed"):
        crops = [crops_of(frame.image, faces) for frame, faces in zip(batch, detections, strict=True)]
        flat = np.concatenate(crops) if any(len(c) for c in crops) else np.zeros((0, 160, 160, 3), np.uint8)
        embeddings = registry.embedder().embed(flat)
    offset = 0
    for frame, faces, frame_crops in zip(batch, detections, crops, strict=True):
        vectors = embeddings[offset : offset + len(faces)]
        offset += len(faces)
        if not faces:
            continue
        with run.timings.stage("heads"):
            moods, verdicts = _head_results(run, FaceBatch(frame.image, faces, crops=frame_crops, embeddings=vectors))
        with run.timings.stage("identify"):
            best = [row[0] if row else None for row in gallery.search(vectors, k=1)]
        sightings = [
            Sighting(frame.index, frame.timestamp_s, face.box, vector, face.confidence * face.box.area, mood, real)
            for face, vector, mood, real in zip(faces, vectors, moods, verdicts, strict=True)
        ]
        with run.timings.stage("track"):
            track_ids = run.tracker.update(sightings)
        for track_id, match, crop, sighting in zip(track_ids, best, frame_crops, sightings, strict=True):
            run.matches[track_id].append(match)
            _keep_best_evidence(run, match, crop, sighting, threshold)
    run.frames += len(batch)


def _keep_best_evidence(
    run: VideoRun, match: Match | None, crop: np.ndarray, sighting: Sighting, threshold: float
) -> None:
    if match is None or match.similarity < threshold:
        return
    current = run.evidence.get(match.label)
    if current is None or match.similarity > current.similarity:
        run.evidence[match.label] = Evidence(match.similarity, jpeg_thumbnail(crop), sighting.timestamp_s)


def _mark_tracks(
    job: VideoJob, school: School, session: ClassSession, run: VideoRun, info_dict: dict[str, Any]
) -> dict[str, Any]:
    sample_period = 1.0 / job.options["sample_fps"]
    identities = [
        (track, identify_track(track, run.matches[track.track_id], school.match_threshold))
        for track in run.tracker.tracks
    ]
    by_student: dict[int, list] = defaultdict(list)
    for track, identity in identities:
        if identity.label is not None and track.looks_live():  # a photo held up to the camera marks nobody
            by_student[identity.label].append((track, identity))
    students = {s.pk: s for s in Student.objects.for_school(school).filter(pk__in=by_student)}
    present = []
    for student_id, tracks in by_student.items():
        student = students.get(student_id)
        if student is None:  # deleted while the job ran
            continue
        sightings = [s for track, _ in tracks for s in track.sightings]
        first_seen_s = min(s.timestamp_s for s in sightings)
        confidence = max(identity.confidence for _, identity in tracks)
        evidence = run.evidence.get(student_id)
        timeline = {
            "intervals": seen_intervals([s.timestamp_s for s in sightings], max_gap_s=2.5 * sample_period),
            "emotions": [
                {"t": s.timestamp_s, "emotion": s.emotion}
                for s in sorted(sightings, key=lambda s: s.timestamp_s)
                if s.emotion
            ],
        }
        mark_present(
            school=school, session=session, student=student,
            seen_at=session.starts_at + timedelta(seconds=first_seen_s), confidence=confidence,
            source=AttendanceRecord.Source.VIDEO, evidence=evidence.thumbnail if evidence else b"",
            evidence_time_s=evidence.timestamp_s if evidence else None, timeline=timeline,
        )  # fmt: skip
        present.append({**student_summary(student), "first_seen_s": first_seen_s, "confidence": round(confidence, 4)})
    elapsed = sum(run.timings.stages.values()) / 1000
    return {
        "video": info_dict,
        "frames_sampled": run.frames,
        "present": present,
        "tracks": [_track_summary(track, identity) for track, identity in identities],
        "unknown_tracks": sum(1 for _, identity in identities if identity.label is None),
        "spoof_tracks": sum(1 for track, _ in identities if not track.looks_live()),
        "liveness": {"checked": "liveness" in run.heads},
        "timings_ms": run.timings.as_dict(),
        "frames_per_s": round(run.frames / elapsed, 2) if elapsed else None,
    }


def _track_summary(track: Any, identity: Any) -> dict[str, Any]:
    times = [s.timestamp_s for s in track.sightings]
    return {
        "track_id": track.track_id,
        "student_id": identity.label,
        "confidence": round(identity.confidence, 4),
        "votes": identity.votes,
        "frames": identity.frames,
        "first_seen_s": min(times),
        "last_seen_s": max(times),
        "live": track.looks_live(),
    }
