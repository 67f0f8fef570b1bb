from faceapi.tasks import ping


def test_ping_goes_through_a_real_worker(celery_worker_process):
    assert ping.delay().get(timeout=30) == "pong"
