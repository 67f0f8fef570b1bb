from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance.serializers import CurrentSchoolSerializer


class CurrentSchoolView(APIView):
    """The caller's school and the key it used."""

    @extend_schema(responses=CurrentSchoolSerializer)
    def get(self, request: Request) -> Response:
        serializer = CurrentSchoolSerializer(request.school, context={"api_key": request.auth})
        return Response(serializer.data)
