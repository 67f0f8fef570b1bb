from django.apps import AppConfig


class FaceapiConfig(AppConfig):
    """The project package as an app: management commands (``serve``) and the ``ping`` task."""

    name = "faceapi"
    verbose_name = "faceapi"

    def ready(self) -> None:
        from faceapi import openapi  # noqa: F401  (registers the schema extension)
