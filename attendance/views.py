"""Thin views of the attendance API: parse, call one service or selector, serialize."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from attendance import selectors
from attendance.authentication import actor_of
from attendance.responses import attendance_csv, jpeg
from attendance.serializers import (
    AttendanceSerializer,
    AuditEventSerializer,
    CheckInDoc,
    CorrectionSerializer,
    CurrentSchoolSerializer,
    FaceSerializer,
    IdentifyDoc,
    PhotoMarkingDoc,
    SessionSerializer,
    SessionUpdateSerializer,
    StudentSerializer,
    StudentUpdateSerializer,
    VideoParams,
    VideoUpload,
)
from attendance.services import sessions as session_services
from attendance.services import students as student_services
from attendance.services import videos as video_services
from attendance.services.recognition import recognise
from faceapi.image_input import image_from_request
from faceapi.schema_docs import JSON, MULTIPART, ErrorDoc, ImageUpload, JobDoc
from ml_models.pipeline import detect_and_embed


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


def paginated(request: Request, view: APIView, rows: Any, serializer_class: type) -> Response:
    """One page of ``rows`` (``limit``/``offset``) with ``count``, ``next`` and ``previous``."""
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


def validated(serializer_class: type, data: Any, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def job_response(request: Request, job: Any, status_code: int = status.HTTP_200_OK) -> Response:
    url = reverse("session-video", args=[job.session_id, job.id], request=request)
    headers = {"Location": url} if status_code == status.HTTP_202_ACCEPTED else {}
    return Response({**job.as_api_dict(), "url": url}, status=status_code, headers=headers)


class CurrentSchoolView(APIView):
    """The caller's school and the key it used."""

    @extend_schema(responses=CurrentSchoolSerializer)
    def get(self, request: Request) -> Response:
        serializer = CurrentSchoolSerializer(request.school, context={"api_key": request.auth})
        return Response(serializer.data)


class StudentsView(APIView):
    @extend_schema(responses=StudentSerializer(many=True), summary="The school's students (search, group, paged)")
    def get(self, request: Request) -> Response:
        rows = selectors.students(
            school=request.school,
            search=request.query_params.get("search", ""),
            group=request.query_params.get("group", ""),
        )
        return paginated(request, self, rows, StudentSerializer)

    @extend_schema(request=StudentSerializer, responses={201: StudentSerializer}, summary="Add a student")
    def post(self, request: Request) -> Response:
        student = student_services.create_student(school=request.school, **validated(StudentSerializer, request.data))
        return Response(StudentSerializer(student).data, status=status.HTTP_201_CREATED)


class StudentDetailView(APIView):
    @extend_schema(responses=StudentSerializer)
    def get(self, request: Request, student_id: int) -> Response:
        return Response(StudentSerializer(selectors.student(school=request.school, student_id=student_id)).data)

    @extend_schema(request=StudentUpdateSerializer, responses=StudentSerializer)
    def patch(self, request: Request, student_id: int) -> Response:
        student = selectors.student(school=request.school, student_id=student_id)
        changes = validated(StudentUpdateSerializer, request.data, partial=True)
        student = student_services.update_student(school=request.school, student=student, **changes)
        return Response(StudentSerializer(student).data)

    @extend_schema(responses={204: None}, summary="Delete a student and erase every face and evidence of them")
    def delete(self, request: Request, student_id: int) -> Response:
        student = selectors.student(school=request.school, student_id=student_id)
        student_services.delete_student(school=request.school, student=student, actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StudentFacesView(APIView):
    @extend_schema(responses=FaceSerializer(many=True), summary="The student's enrolled faces")
    def get(self, request: Request, student_id: int) -> Response:
        student = selectors.student(school=request.school, student_id=student_id)
        faces = selectors.faces(school=request.school, student=student)
        return Response(FaceSerializer(faces, many=True, context={"request": request}).data)

    @extend_schema(
        request={MULTIPART: ImageUpload, JSON: ImageUpload},
        responses={201: FaceSerializer, 409: ErrorDoc, 422: ErrorDoc},
        summary="Enrol a face (one face, good quality, not another student's)",
    )
    def post(self, request: Request, student_id: int) -> Response:
        student = selectors.student(school=request.school, student_id=student_id)
        enrollment = student_services.enroll_face(
            school=request.school, student=student, image=image_from_request(request), actor=actor_of(request)
        )
        return Response(FaceSerializer(enrollment, context={"request": request}).data, status=status.HTTP_201_CREATED)


class StudentFaceDetailView(APIView):
    @extend_schema(responses={204: None}, summary="Delete one enrolled face")
    def delete(self, request: Request, student_id: int, face_id: int) -> Response:
        student = selectors.student(school=request.school, student_id=student_id)
        enrollment = selectors.face(school=request.school, student=student, face_id=face_id)
        student_services.delete_face(school=request.school, enrollment=enrollment, actor=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StudentFaceThumbnailView(APIView):
    @extend_schema(responses={(200, "image/jpeg"): bytes})
    def get(self, request: Request, student_id: int, face_id: int) -> HttpResponse:
        student = selectors.student(school=request.school, student_id=student_id)
        return jpeg(selectors.face(school=request.school, student=student, face_id=face_id).thumbnail)


class IdentifyView(APIView):
    @extend_schema(
        request={MULTIPART: ImageUpload, JSON: ImageUpload},
        responses=IdentifyDoc,
        summary="Every face in the image → the best matching students, or unknown",
    )
    def post(self, request: Request) -> Response:
        image = image_from_request(request)
        recognitions = recognise(school=request.school, faces=detect_and_embed(image))
        return Response({"faces": [r.as_dict() for r in recognitions]})


class SessionsView(APIView):
    @extend_schema(responses=SessionSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.sessions(school=request.school, group=request.query_params.get("group", ""))
        return paginated(request, self, rows, SessionSerializer)

    @extend_schema(request=SessionSerializer, responses={201: SessionSerializer})
    def post(self, request: Request) -> Response:
        session = session_services.create_session(school=request.school, **validated(SessionSerializer, request.data))
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionDetailView(APIView):
    @extend_schema(responses=SessionSerializer)
    def get(self, request: Request, session_id: int) -> Response:
        return Response(SessionSerializer(selectors.session(school=request.school, session_id=session_id)).data)

    @extend_schema(request=SessionUpdateSerializer, responses=SessionSerializer)
    def patch(self, request: Request, session_id: int) -> Response:
        session = selectors.session(school=request.school, session_id=session_id)
        changes = validated(SessionUpdateSerializer, request.data, partial=True)
        return Response(SessionSerializer(session_services.update_session(session=session, **changes)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, session_id: int) -> Response:
        selectors.session(school=request.school, session_id=session_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionPhotoView(APIView):
    @extend_schema(
        request={MULTIPART: ImageUpload, JSON: ImageUpload},
        responses=PhotoMarkingDoc,
        summary="Mark present every enrolled student recognised in a (group) photo",
    )
    def post(self, request: Request, session_id: int) -> Response:
        session = selectors.session(school=request.school, session_id=session_id)
        image = image_from_request(request)
        return Response(session_services.mark_from_photo(school=request.school, session=session, image=image))


class SessionCheckInView(APIView):
    @extend_schema(
        request={MULTIPART: ImageUpload, JSON: ImageUpload},
        responses={200: CheckInDoc, 422: ErrorDoc},
        summary="One live face at a kiosk: liveness, identify, mark",
    )
    def post(self, request: Request, session_id: int) -> Response:
        session = selectors.session(school=request.school, session_id=session_id)
        image = image_from_request(request)
        return Response(session_services.check_in(school=request.school, session=session, image=image))


class SessionAttendanceView(APIView):
    @extend_schema(responses=AttendanceSerializer(many=True), summary="Who was present (also as .csv)")
    def get(self, request: Request, session_id: int, as_csv: bool = False) -> Response | HttpResponse:
        session = selectors.session(school=request.school, session_id=session_id)
        records = list(selectors.attendance(school=request.school, session=session))
        if as_csv:
            return attendance_csv(records, f"attendance-session-{session.pk}.csv")
        return Response(
            {
                "session": SessionSerializer(session).data,
                "attendance": AttendanceSerializer(records, many=True, context={"request": request}).data,
            }
        )


class AttendanceRecordView(APIView):
    @extend_schema(request=CorrectionSerializer, responses=AttendanceSerializer, summary="Manual correction (audited)")
    def patch(self, request: Request, session_id: int, student_id: int) -> Response:
        session = selectors.session(school=request.school, session_id=session_id)
        student = selectors.student(school=request.school, student_id=student_id)
        record = session_services.correct_attendance(
            school=request.school, session=session, student=student,
            status=validated(CorrectionSerializer, request.data)["status"], actor=actor_of(request),
        )  # fmt: skip
        return Response(AttendanceSerializer(record, context={"request": request}).data)


class AttendanceEvidenceView(APIView):
    @extend_schema(responses={(200, "image/jpeg"): bytes, 404: ErrorDoc})
    def get(self, request: Request, session_id: int, student_id: int) -> HttpResponse:
        session = selectors.session(school=request.school, session_id=session_id)
        return jpeg(selectors.attendance_evidence(school=request.school, session=session, student_id=student_id))


class SessionVideosView(APIView):
    @extend_schema(
        request={MULTIPART: VideoUpload},
        responses={202: JobDoc, 400: ErrorDoc, 413: ErrorDoc},
        summary="Attendance from a classroom video, on the worker",
    )
    def post(self, request: Request, session_id: int) -> Response:
        session = selectors.session(school=request.school, session_id=session_id)
        params = validated(VideoParams, {k: v for k, v in request.data.items() if isinstance(v, str)})
        job = video_services.create_video_job(
            school=request.school,
            session=session,
            upload=request.FILES.get("video"),
            sample_fps=params.get("sample_fps", settings.FACEAPI_VIDEO_SAMPLE_FPS),
            min_face_size=params.get("min_face_size"),
            callback_url=params.get("callback_url", ""),
        )
        return job_response(request, job, status.HTTP_202_ACCEPTED)


class SessionVideoDetailView(APIView):
    @extend_schema(responses=JobDoc, summary="A video job: progress 0–100 and the result")
    def get(self, request: Request, session_id: int, job_id: str) -> Response:
        session = selectors.session(school=request.school, session_id=session_id)
        return job_response(request, selectors.video_job(school=request.school, session=session, job_id=job_id))


class AuditView(APIView):
    @extend_schema(responses=AuditEventSerializer(many=True), summary="The audit log (newest first, paged)")
    def get(self, request: Request) -> Response:
        return paginated(request, self, selectors.audit_events(school=request.school), AuditEventSerializer)
