from celery import shared_task


@shared_task(name="faceapi.ping")
def ping() -> str:
    """A trivial task that proves a worker is consuming the broker."""
    return "pong"
