"""The project's URLs plus test doubles: views that exist only to exercise shared plumbing."""

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from faceapi.image_input import image_from_request
from faceapi.urls import urlpatterns as project_urlpatterns


class ImageEchoTestView(APIView):
    """Test double: decodes ``image`` like every image endpoint does and returns its size."""

    def post(self, request: Request) -> Response:
        image = image_from_request(request)
        return Response({"width": image.shape[1], "height": image.shape[0]})


class BrokenTestView(APIView):
    """Test double: fails with a bug, to prove that no trace leaks."""

    def get(self, request: Request) -> Response:
        raise RuntimeError("secret internal detail")


urlpatterns = [
    path("api/v1/test/image-echo", ImageEchoTestView.as_view()),
    path("api/v1/test/broken", BrokenTestView.as_view()),
    *project_urlpatterns,
]

handler404 = "faceapi.views.not_found"
handler500 = "faceapi.views.internal_error"
