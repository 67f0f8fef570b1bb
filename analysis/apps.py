from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    """The stateless face-analysis API and its batch jobs."""

    name = "analysis"
