"""Settings shared by every environment. Values that differ per deployment come from the
environment (12-factor); the defaults here are the safe ones."""

import importlib.util
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    "accounts",
    "merchants",
    "catalog",
    "collectives",
    "orders",
    "notifications",
    "partners",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The API's CORS headers and preflights, before sessions and CSRF (partners/api/cors.py).
    "partners.api.cors.ApiCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": "halle",
    }
}

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Halle] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Halle <bonjour@halle.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles"))
# Leaflet comes from the django-leaflet wheel, which ships it under leaflet/static/; only those
# files are used (the app itself needs GDAL), so the folder is found without importing it.
_LEAFLET_SPEC = importlib.util.find_spec("leaflet")
if _LEAFLET_SPEC is None or _LEAFLET_SPEC.origin is None:
    raise ImportError("django-leaflet is not installed: run `make install`.")
STATICFILES_DIRS = [BASE_DIR / "static", Path(_LEAFLET_SPEC.origin).parent / "static"]
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Django serves uploaded files itself only in development and browser tests.
HALLE_SERVE_MEDIA = env.bool("HALLE_SERVE_MEDIA", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads larger than this are streamed to a temporary file rather than kept in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# Limits of the photo pipeline (merchants.images). A phone photo is 3-8 MB and 12-50 Mpx.
HALLE_IMAGE_MAX_BYTES = env.int("HALLE_IMAGE_MAX_BYTES", default=20 * 1024 * 1024)
HALLE_IMAGE_MAX_PIXELS = env.int("HALLE_IMAGE_MAX_PIXELS", default=60_000_000)
HALLE_IMAGE_RENDITION_WIDTHS = (320, 800, 1600)

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis down must never hang a request: queuing gives up within a few seconds (short socket
# timeouts, two quick publish retries) and the caller logs it — every task queued from a
# request has a sweep that queues it again later (notifications.queueing).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "retry_on_timeout": False,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
# How often the page of a live sale session asks for the product shown and the stock left.
HALLE_LIVE_POLL_SECONDS = env.int("HALLE_LIVE_POLL_SECONDS", default=5)

CELERY_BEAT_SCHEDULE = {
    "partners-purge-idempotency-records": {
        "task": "partners.tasks_idempotency.purge_expired_idempotency_records",
        "schedule": 3600.0,
    },
    "merchants-requeue-unprocessed-photos": {
        "task": "merchants.tasks.requeue_unprocessed_photos",
        "schedule": 300.0,
    },
    "merchants-requeue-waiting-shop-images": {
        "task": "merchants.tasks.requeue_waiting_shop_images",
        "schedule": 300.0,
    },
    "catalog-requeue-waiting-import-jobs": {
        "task": "catalog.tasks.requeue_waiting_import_jobs",
        "schedule": 300.0,
    },
    # Hourly: a registration made during the day before still gets its reminder.
    "collectives-queue-event-reminders": {
        "task": "collectives.tasks.queue_event_reminders",
        "schedule": 3600.0,
    },
    "collectives-extend-event-occurrences": {
        "task": "collectives.tasks.extend_event_occurrences",
        "schedule": 24 * 3600.0,
    },
    # Every minute: a group buy closes (and its pledgers hear) soon after its deadline.
    "orders-close-due-group-buys": {
        "task": "orders.tasks_group_buys.close_due_group_buys",
        "schedule": 60.0,
    },
    # Reservations not collected by their deadline give their stock back.
    "orders-expire-overdue-reservations": {
        "task": "orders.tasks_reservations.expire_overdue_reservations",
        "schedule": 300.0,
    },
    # Every minute: webhook retries that are due, and deliveries whose task was lost.
    "partners-sweep-webhook-deliveries": {
        "task": "partners.tasks.sweep_webhook_deliveries",
        "schedule": 60.0,
    },
    # Notifications whose delivery task was lost (or never queued: the broker was down).
    "notifications-sweep": {
        "task": "notifications.tasks.sweep_notifications",
        "schedule": 120.0,
    },
    # The daily digest of follow-updates, at 7:30 in Paris (CELERY_TIMEZONE).
    "notifications-daily-digest": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    # Every minute: scheduled newsletters whose time has come, and letters whose batches stalled.
    "notifications-send-due-newsletters": {
        "task": "notifications.tasks_newsletters.send_due_newsletters",
        "schedule": 60.0,
    },
    # Every 5 minutes: page views, searches and clicks counted in Redis into the database.
    "insights-flush-counts": {
        "task": "insights.tasks.flush_counts",
        "schedule": 300.0,
    },
    # 02:30 in Paris: yesterday's (and today's so far) shop and collective figures.
    "insights-aggregate-yesterday": {
        "task": "insights.tasks_aggregation.aggregate_yesterday",
        "schedule": crontab(hour=2, minute=30),
    },
    # The 1st of the month at 8:00 in Paris: last month's report to each collective's organisers.
    "insights-monthly-reports": {
        "task": "insights.tasks_reports.send_monthly_reports",
        "schedule": crontab(day_of_month=1, hour=8, minute=0),
    },
}

# --- REST API -----------------------------------------------------------------------------
# The partner API (partners/api, docs/api.md): partner keys (``Api-Key``) authenticate reads;
# write views name their own authentication (a shop's ``Bearer`` token). Sessions stay out:
# the public API never acts on a browser's cookies.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["partners.api.authentication.PartnerKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": ["partners.api.throttling.PartnerRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "partners.api.pagination.KeysetCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "partners.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    # Proxies in front of the web processes (the client address is the n-th from the right
    # of X-Forwarded-For); 0: the header is never trusted.
    "NUM_PROXIES": env.int("HALLE_NUM_PROXIES", default=0),
}
# Requests per minute of anonymous callers (per IP address) and of shops' tokens (per token);
# a partner key has its own rate (PartnerKey.rate_per_minute).
HALLE_API_ANONYMOUS_RATE_PER_MINUTE = env.int("HALLE_API_ANONYMOUS_RATE_PER_MINUTE", default=60)
HALLE_API_TOKEN_RATE_PER_MINUTE = env.int("HALLE_API_TOKEN_RATE_PER_MINUTE", default=600)

SPECTACULAR_SETTINGS = {
    "TITLE": "Halle API",
    "VERSION": "1",
    "DESCRIPTION": (
        "Read the published shops, products, events and stories of a town's merchant "
        "collectives; shops sync their products and stock. Guide: docs/api.md."
    ),
    "SERVERS": [{"url": SITE_URL.rstrip("/"), "description": "Halle"}],
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SERVE_INCLUDE_SCHEMA": False,
    "DEFAULT_GENERATOR_CLASS": "partners.api.schema.HalleSchemaGenerator",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partners.api.schema.add_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {"slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}},
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
    # The interactive docs load Swagger UI from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl null: Swagger UI would otherwise fetch a badge from a third-party site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# User.email is unique case-insensitively (a UniqueConstraint on Lower(email)), which Django's
# check cannot see; the authentication backends look e-mails up lower-cased.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
