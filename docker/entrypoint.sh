#!/bin/sh
# web: migrate, then gunicorn. worker: a Celery worker that warms its models up at start.
set -eu
case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    exec gunicorn --config faceapi/gunicorn_conf.py faceapi.wsgi:application --bind "0.0.0.0:${PORT:-8000}" \
      --workers "${WEB_CONCURRENCY:-2}"
    ;;
  worker)
    exec celery -A faceapi worker --loglevel INFO --concurrency "${WORKER_CONCURRENCY:-2}"
    ;;
  beat)
    exec celery -A faceapi beat --loglevel INFO --schedule /var/lib/faceapi/celerybeat-schedule
    ;;
  *)
    exec "$@"
    ;;
esac
