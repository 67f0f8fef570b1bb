from django.urls import path

from analysis import views

urlpatterns = [
    path("detect", views.DetectView.as_view(), name="detect"),
    path("analyze", views.AnalyzeView.as_view(), name="analyze"),
    path("embed", views.EmbedView.as_view(), name="embed"),
    path("verify", views.VerifyView.as_view(), name="verify"),
    path("models", views.ModelsView.as_view(), name="models"),
    path("analysis-jobs", views.AnalysisJobsView.as_view(), name="analysis-jobs"),
    path("jobs/<uuid:job_id>", views.JobDetailView.as_view(), name="job-detail"),
]
