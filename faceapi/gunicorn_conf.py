"""gunicorn settings shared by `make run` (manage.py serve) and the Docker image."""

threads = 4
timeout = 120
graceful_timeout = 10  # well inside `serve`'s own grace period, so no worker outlives the master
accesslog = "-"


def post_worker_init(worker: object) -> None:
    """Load and warm every model in each web worker before it takes a request (the first call is not slow)."""
    from django.conf import settings  # the worker has loaded the Django application by now

    if settings.FACEAPI_WARM_UP_MODELS:
        from ml_models import registry

        registry.warm_up()
