"""The Celery application. Tasks take database row ids, are idempotent and acknowledged late."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faceapi.settings")

app = Celery("faceapi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=24 * 3600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


def filesystem_broker_options(folder: Path) -> dict[str, str]:
    """kombu's filesystem transport: one folder shared by the web process and the worker, no server."""
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


@app.on_after_configure.connect
def _configure_filesystem_broker(sender: Celery, **_: object) -> None:
    from django.conf import settings

    if str(sender.conf.broker_url).startswith("filesystem://"):
        sender.conf.broker_transport_options = filesystem_broker_options(settings.CELERY_BROKER_DIR)
    else:
        # A task of a worker that died is handed to another worker after this long (acks_late): keep it above
        # the longest task, or a slow job would be run twice (harmless, since jobs are idempotent, but wasteful).
        sender.conf.broker_transport_options = {"visibility_timeout": settings.CELERY_VISIBILITY_TIMEOUT}
    if str(sender.conf.result_backend).startswith("file://"):
        Path(str(sender.conf.result_backend).removeprefix("file://")).mkdir(parents=True, exist_ok=True)


def _warm_up_models(**_: object) -> None:
    """Load every model in the process that runs tasks, before the first task arrives."""
    from django.conf import settings

    if settings.FACEAPI_WARM_UP_MODELS:
        from ml_models import registry

        registry.warm_up()


worker_process_init.connect(_warm_up_models)  # each child of the prefork pool


@worker_ready.connect
def _warm_up_solo_worker(sender: object, **kwargs: object) -> None:
    if app.conf.worker_pool in ("solo", "threads"):  # tasks run in the main process
        _warm_up_models()


app.autodiscover_tasks()
