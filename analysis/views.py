"""Thin views: parse the request, call one service, return its document."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from analysis import schema_examples as examples
from analysis import services
from analysis.serializers import (
    AnalysisDoc,
    AnalyzeParams,
    AnalyzeUpload,
    DetectParams,
    DetectUpload,
    EmbedDoc,
    EmbedParams,
    EmbedUpload,
    JobParams,
    JobUpload,
    ModelsDoc,
    VerifyDoc,
    VerifyParams,
    VerifyUpload,
)
from faceapi.image_input import image_from_request
from faceapi.jobs import find_job
from faceapi.schema_docs import JSON, MULTIPART, JobDoc
from ml_models.analysis import parse_features
from ml_models.timing import Timings


def params(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Validated parameters from the query string and the non-file fields of the body (body wins)."""
    data = {key: request.query_params.get(key) for key in request.query_params}
    data.update({key: value for key, value in request.data.items() if isinstance(value, str | int | float | bool)})
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def options_from(data: dict[str, Any]) -> services.AnalysisOptions:
    return services.AnalysisOptions(
        features=parse_features(data.get("features") or None),
        detect=data["detect"],
        min_face_size=data["min_face_size"],
    )


def job_response(request: Request, job: Any, status_code: int = status.HTTP_200_OK) -> Response:
    body = {**job.as_api_dict(), "url": reverse("job-detail", args=[job.id], request=request)}
    headers = {"Location": body["url"]} if status_code == status.HTTP_202_ACCEPTED else {}
    return Response(body, status=status_code, headers=headers)


class DetectView(APIView):
    @extend_schema(
        summary="Find faces with 5 landmarks",
        request={MULTIPART: DetectUpload, JSON: DetectUpload},
        responses=AnalysisDoc,
        examples=[examples.IMAGE_BASE64_REQUEST, examples.DETECT_RESPONSE],
    )
    def post(self, request: Request) -> Response:
        data, timings = params(DetectParams, request), Timings()
        image = image_from_request(request, timings=timings)
        return Response(services.detect(image=image, min_face_size=data["min_face_size"], timings=timings))


class AnalyzeView(APIView):
    @extend_schema(
        summary="Faces with every analysis head (emotion, …)",
        request={MULTIPART: AnalyzeUpload, JSON: AnalyzeUpload},
        responses=AnalysisDoc,
        examples=[examples.ANALYZE_RESPONSE, examples.ANALYZE_CROP_RESPONSE],
    )
    def post(self, request: Request) -> Response:
        options, timings = options_from(params(AnalyzeParams, request)), Timings()
        image = image_from_request(request, timings=timings)
        return Response(services.analyze(image=image, options=options, timings=timings))


class EmbedView(APIView):
    @extend_schema(
        summary="Faces with unit-length 512-d FaceNet embeddings",
        request={MULTIPART: EmbedUpload, JSON: EmbedUpload},
        responses=EmbedDoc,
        examples=[examples.EMBED_RESPONSE],
    )
    def post(self, request: Request) -> Response:
        data, timings = params(EmbedParams, request), Timings()
        image = image_from_request(request, timings=timings)
        result = services.embed(
            image=image, detect=data["detect"], min_face_size=data["min_face_size"], timings=timings
        )
        return Response(result)


class VerifyView(APIView):
    @extend_schema(
        summary="Are the largest faces of two images the same person?",
        request={MULTIPART: VerifyUpload, JSON: VerifyUpload},
        responses={200: VerifyDoc, 422: examples.NO_FACE_RESPONSE},
        examples=[examples.VERIFY_RESPONSE],
    )
    def post(self, request: Request) -> Response:
        data, timings = params(VerifyParams, request), Timings()
        image1, image2 = image_from_request(request, "image1", timings), image_from_request(request, "image2", timings)
        return Response(services.verify(image1=image1, image2=image2, threshold=data.get("threshold"), timings=timings))


class ModelsView(APIView):
    @extend_schema(
        summary="Every model: name, version, weights sha256, input size",
        responses=ModelsDoc,
        examples=[examples.MODELS_RESPONSE],
    )
    def get(self, request: Request) -> Response:
        return Response(services.models_document())


class AnalysisJobsView(APIView):
    @extend_schema(
        summary="Analyse many images (or a zip) on the worker",
        request={MULTIPART: JobUpload},
        responses={202: JobDoc},
        examples=[examples.JOB_ACCEPTED_RESPONSE],
    )
    def post(self, request: Request) -> Response:
        data = params(JobParams, request)
        uploads = [(upload.name, upload.read()) for upload in request.FILES.getlist("images")]
        job = services.create_analysis_job(
            school=request.school,
            uploads=uploads,
            options=options_from(data),
            callback_url=data.get("callback_url", ""),
        )
        return job_response(request, job, status.HTTP_202_ACCEPTED)


class JobDetailView(APIView):
    @extend_schema(
        summary="Any job: status, progress, result or error",
        responses=JobDoc,
        examples=[examples.JOB_FINISHED_RESPONSE],
    )
    def get(self, request: Request, job_id: str) -> Response:
        job = find_job(school=request.school, job_id=job_id)
        if job is None:
            raise Http404
        return job_response(request, job)
