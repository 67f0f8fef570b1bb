"""faceapi settings: everything comes from environment variables, with embedded defaults for a quick start.

The embedded default is SQLite plus Celery's filesystem broker, so ``make run`` needs no server;
``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch to PostgreSQL and Redis (docker/compose.yml, ``make test``).
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from faceapi.env import env_bool, env_float, env_int, env_list, env_str, secret_key
from ml_models.matching import VERIFY_THRESHOLD

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FACEAPI_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = secret_key(VAR_DIR / "secret_key")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- HTTPS and browser hardening ---
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto: trust that header, redirect plain HTTP (except the
# health probe, which load balancers send over plain HTTP), send cookies over HTTPS only and turn HSTS on.
FACEAPI_BEHIND_TLS_PROXY = env_bool("FACEAPI_BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if FACEAPI_BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = FACEAPI_BEHIND_TLS_PROXY
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = FACEAPI_BEHIND_TLS_PROXY
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600) if FACEAPI_BEHIND_TLS_PROXY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "faceapi",
    "attendance",
    "analysis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "faceapi.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "faceapi.urls"
WSGI_APPLICATION = "faceapi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The web server and the worker write to the same file: wait for a lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
LOGIN_URL = "dashboard:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "dashboard:login"
# Dashboard logins: this many failures per client IP or per username lock both out for FACEAPI_LOGIN_LOCKOUT_S.
FACEAPI_LOGIN_MAX_FAILURES = env_int("FACEAPI_LOGIN_MAX_FAILURES", 5)
FACEAPI_LOGIN_LOCKOUT_S = env_int("FACEAPI_LOGIN_LOCKOUT_S", 900)

# --- Upload and image limits (checked before decoding; see ml_models.images) ---
FACEAPI_MAX_IMAGE_BYTES = env_int("FACEAPI_MAX_IMAGE_BYTES", 15 * 1024 * 1024)
FACEAPI_MAX_IMAGE_PIXELS = env_int("FACEAPI_MAX_IMAGE_PIXELS", 40_000_000)
FACEAPI_MAX_REQUEST_BYTES = env_int("FACEAPI_MAX_REQUEST_BYTES", 256 * 1024 * 1024)
# A base64 image in a JSON body is 4/3 of its bytes, and verify takes two; leave room for the rest of the body.
# Django refuses a larger JSON body (413) before reading it into memory; multipart files stream to disk instead.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * (FACEAPI_MAX_IMAGE_BYTES * 4 // 3) + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# --- REST framework ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["attendance.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["attendance.authentication.HasSchool"],
    "DEFAULT_THROTTLE_CLASSES": ["attendance.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env_str("FACEAPI_THROTTLE_RATE", "600/minute")},
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "faceapi.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "faceapi",
    "DESCRIPTION": "Self-hosted face API for schools: analysis, enrolment, identification and attendance.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,  # request bodies get their own components: file fields show as binary
    "ENUM_NAME_OVERRIDES": {
        "AttendanceStatusEnum": "attendance.models.AttendanceRecord.Status",
        "JobStatusEnum": "faceapi.jobs.JobStatus",
    },
    # Swagger UI served from our own static files: there is no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# --- Celery ---
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = Path(env_str("CELERY_BROKER_DIR", str(VAR_DIR / "broker")))
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", f"file://{VAR_DIR / 'celery-results'}")
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 30 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 35 * 60)
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
FACEAPI_HEALTH_BROKER_TIMEOUT = env_float("FACEAPI_HEALTH_BROKER_TIMEOUT", 2.0)

LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'plain' or 'json', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "faceapi.log_format.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Analysis, jobs and callbacks ---
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
FACEAPI_VERIFY_THRESHOLD = env_float("FACEAPI_VERIFY_THRESHOLD", VERIFY_THRESHOLD)
FACEAPI_MAX_FACES_PER_STUDENT = env_int("FACEAPI_MAX_FACES_PER_STUDENT", 5)
FACEAPI_ENROL_MIN_FACE_PX = env_int("FACEAPI_ENROL_MIN_FACE_PX", 60)
FACEAPI_ENROL_MIN_SHARPNESS = env_float("FACEAPI_ENROL_MIN_SHARPNESS", 25.0)
FACEAPI_ENROL_MAX_YAW = env_float("FACEAPI_ENROL_MAX_YAW", 0.6)
FACEAPI_LATE_AFTER_MINUTES = env_int("FACEAPI_LATE_AFTER_MINUTES", 10)
FACEAPI_MAX_VIDEO_BYTES = env_int("FACEAPI_MAX_VIDEO_BYTES", 200 * 1024 * 1024)
FACEAPI_VIDEO_SAMPLE_FPS = env_float("FACEAPI_VIDEO_SAMPLE_FPS", 2.0)
# Exact search answers in ~40 ms at 100 k faces on 2 cores; HNSW costs minutes to build after every enrolment
# change and measured recall 0.966 on synthetic data (docs/BENCHMARKS.md): only for very large galleries.
FACEAPI_GALLERY_ANN_THRESHOLD = env_int("FACEAPI_GALLERY_ANN_THRESHOLD", 250_000)
FACEAPI_WARM_UP_MODELS = env_bool("FACEAPI_WARM_UP_MODELS", True)
FACEAPI_JOB_MAX_IMAGES = env_int("FACEAPI_JOB_MAX_IMAGES", 500)
FACEAPI_JOB_RETENTION_HOURS = env_int("FACEAPI_JOB_RETENTION_HOURS", 72)
# A queued or running job without a heartbeat (start, progress report) for this long is queued again, up to
# FACEAPI_JOB_MAX_ATTEMPTS in all, then failed as job_stalled (faceapi/reaper.py). Progress comes every image or 8
# video frames, seconds apart: 5 min leaves room for a busy machine and the first model load.
FACEAPI_JOB_STALE_AFTER_S = env_int("FACEAPI_JOB_STALE_AFTER_S", 300)
FACEAPI_JOB_MAX_ATTEMPTS = env_int("FACEAPI_JOB_MAX_ATTEMPTS", 3)
# Face crops kept as attendance evidence are cleared this many days after their record was written (0 = keep them).
FACEAPI_EVIDENCE_RETENTION_DAYS = env_int("FACEAPI_EVIDENCE_RETENTION_DAYS", 30)
FACEAPI_ZIP_MAX_ENTRIES = env_int("FACEAPI_ZIP_MAX_ENTRIES", 1000)
FACEAPI_ZIP_MAX_TOTAL_BYTES = env_int("FACEAPI_ZIP_MAX_TOTAL_BYTES", 512 * 1024 * 1024)
FACEAPI_ZIP_MAX_RATIO = env_int("FACEAPI_ZIP_MAX_RATIO", 100)
FACEAPI_CALLBACK_ALLOW_PRIVATE = env_bool("FACEAPI_CALLBACK_ALLOW_PRIVATE", False)
FACEAPI_CALLBACK_MAX_ATTEMPTS = env_int("FACEAPI_CALLBACK_MAX_ATTEMPTS", 6)
FACEAPI_CALLBACK_BACKOFF_S = env_float("FACEAPI_CALLBACK_BACKOFF_S", 10.0)
FACEAPI_CALLBACK_TIMEOUT_S = env_float("FACEAPI_CALLBACK_TIMEOUT_S", 10.0)
CELERY_BEAT_SCHEDULE = {
    "purge-expired-jobs": {"task": "faceapi.purge_expired_jobs", "schedule": 3600.0},
    "reap-stale-jobs": {"task": "faceapi.reap_stale_jobs", "schedule": 60.0},
    "purge-expired-evidence": {"task": "attendance.purge_expired_evidence", "schedule": 3600.0},
}
