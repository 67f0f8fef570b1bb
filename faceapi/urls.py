from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from faceapi import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/", include("attendance.urls")),
    path("api/v1/", include("analysis.urls")),
    path("admin/", admin.site.urls),
    path("", include("attendance.dashboard.urls")),
]

handler404 = "faceapi.views.not_found"
handler500 = "faceapi.views.internal_error"
