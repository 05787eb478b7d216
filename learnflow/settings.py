"""LearnFlow settings, read only from the environment (12-factor).

Two profiles, chosen by what is set:

* Embedded default (nothing set): SQLite file under ``var/``, local-memory cache, debug on,
  Celery on a filesystem broker so a worker with an embedded beat runs with no server.
* Production (``DATABASE_URL``, ``REDIS_URL``, ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` ...):
  PostgreSQL, Redis cache and broker, debug off, HTTPS-only cookies and HSTS.

Every variable is listed in ``.env.example`` and the README.
"""

from datetime import timedelta
from pathlib import Path

import environ

env = environ.Env()


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated variable; an empty one (``X=``) means the empty list, not ``[""]``."""
    return [item for item in env.list(name, default=default) if item]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("LEARNFLOW_VAR_DIR", default="") or BASE_DIR / "var")

DATABASE_URL = env.str("DATABASE_URL", default="")
REDIS_URL = env.str("REDIS_URL", default="")
EMBEDDED = not DATABASE_URL

DEBUG = env.bool("DJANGO_DEBUG", default=EMBEDDED)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="django-insecure-learnflow-embedded-development-key")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "learnflow.exceptions.csrf_failure"

INSTALLED_APPS = [
    "learnflow.admin_site.LearnFlowAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_celery_beat",
    "learnflow",
    "accounts",
    "tasks",
    "community",
    "focus",
    "challenges",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "learnflow.middleware.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "learnflow.urls"
WSGI_APPLICATION = "learnflow.wsgi.application"
ASGI_APPLICATION = "learnflow.asgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- Database -------------------------------------------------------------------------------
if EMBEDDED:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                # The web process, the worker and the beat share the file: WAL lets readers run
                # beside the one writer, IMMEDIATE makes writers queue instead of failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
else:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    # Off: a health check is a ``SELECT 1`` round trip before each request's first query. A connection
    # that died (PostgreSQL restarted) instead fails its next request with a 503 and is closed at its
    # end (Django drops a connection that raised and no longer answers), so the one after reconnects.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=False)
    # A database that does not answer fails a request within seconds (a 503, learnflow.exceptions)
    # instead of holding a worker; a restarted database is reconnected to by the next request.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=3)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# ``default`` answers "not cached" when Redis is down (reads fall back to the database, writes are
# dropped, throttles let requests through); ``strict`` is the same cache raising its errors, for what
# must not be lost silently (invalidations, the health check). See learnflow.cache.
if REDIS_URL:
    _redis_cache = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "learnflow",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    }
    CACHES = {
        "default": {**_redis_cache, "OPTIONS": {**_redis_cache["OPTIONS"], "IGNORE_EXCEPTIONS": True}},
        "strict": _redis_cache,
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "learnflow"},
        "strict": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "learnflow"},
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrEmailBackend"]
# New passwords are Argon2id (accounts.hashers says why); the others still verify the hashes they made,
# each re-made as Argon2id at its user's next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_USER_TIMEZONE = env.str("DEFAULT_USER_TIMEZONE", default="UTC")
LEARNFLOW_WEEK_TIMEZONE = env.str("LEARNFLOW_WEEK_TIMEZONE", default="UTC")

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STORAGES = {
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Uploaded files (learnflow.files) -------------------------------------------------------
# With S3_BUCKET: an S3-compatible object store (AWS S3, MinIO ...), private objects handed out through
# presigned URLs. Without it: the file system under var/media, handed out through /files/<token>.
# Either way a file URL lives LEARNFLOW_FILE_URL_SECONDS and is only issued to who may see the file.
LEARNFLOW_FILE_URL_SECONDS = env.int("LEARNFLOW_FILE_URL_SECONDS", default=300)
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config as BotocoreConfig

    S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL,
            "region_name": env.str("S3_REGION", default="") or None,
            # Keys come from boto3's default chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a
            # profile, or the instance's role.
            "querystring_auth": True,
            "querystring_expire": LEARNFLOW_FILE_URL_SECONDS,
            "file_overwrite": False,
            "default_acl": None,
            # An upload is one PutObject streamed from Django's temporary file. boto3 would split a file
            # over 8 MB into parts it reads into memory, up to ten at once (a 200 MB video: 80 MB per
            # upload); a single PUT takes up to 5 GB, far more than any upload limit.
            "transfer_config": TransferConfig(
                multipart_threshold=env.int("S3_MULTIPART_THRESHOLD_BYTES", default=5 * 1024**3)
            ),
            # A storage that is down fails a request within seconds instead of holding a worker.
            "client_config": BotocoreConfig(
                connect_timeout=env.float("S3_CONNECT_TIMEOUT_SECONDS", default=2.0),
                read_timeout=env.float("S3_READ_TIMEOUT_SECONDS", default=10.0),
                retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
                # MinIO and most S3-compatible servers want the bucket in the path, not the host name.
                s3={"addressing_style": env.str("S3_ADDRESSING_STYLE", default="path" if S3_ENDPOINT_URL else "auto")},
            ),
        },
    }
else:
    MEDIA_ROOT = VAR_DIR / "media"
    STORAGES["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
# The API's public origin (``https://api.example.com``): file and avatar URLs in responses start with it
# so that an SPA on another origin can load them. Empty: they are paths on the API's host.
LEARNFLOW_PUBLIC_BASE_URL = env.str("LEARNFLOW_PUBLIC_BASE_URL", default="").rstrip("/")
# An uploaded avatar (JPEG, PNG or WebP) may be this large; larger uploads get 413.
LEARNFLOW_AVATAR_MAX_BYTES = env.int("LEARNFLOW_AVATAR_MAX_BYTES", default=5 * 1024 * 1024)
# An uploaded image with more pixels than this is refused (decompression bombs).
LEARNFLOW_IMAGE_MAX_PIXELS = env.int("LEARNFLOW_IMAGE_MAX_PIXELS", default=50_000_000)
# The largest file a resource of each type may upload (413 above it).
LEARNFLOW_UPLOAD_MAX_BYTES = {
    "file": env.int("LEARNFLOW_UPLOAD_MAX_BYTES_FILE", default=50 * 1024 * 1024),
    "image": env.int("LEARNFLOW_UPLOAD_MAX_BYTES_IMAGE", default=50 * 1024 * 1024),
    "video": env.int("LEARNFLOW_UPLOAD_MAX_BYTES_VIDEO", default=200 * 1024 * 1024),
}
# The largest image a group chat message may upload (413 above it); chat images are photos and
# screenshots, so smaller than a resource's image.
LEARNFLOW_CHAT_IMAGE_MAX_BYTES = env.int("LEARNFLOW_CHAT_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
# How much a user's uploads may take in all, by tier (accounts.uploads; avatars do not count).
LEARNFLOW_STORAGE_QUOTA_BYTES = env.int("LEARNFLOW_STORAGE_QUOTA_BYTES", default=500 * 1024 * 1024)
LEARNFLOW_STORAGE_QUOTA_PREMIUM_BYTES = env.int("LEARNFLOW_STORAGE_QUOTA_PREMIUM_BYTES", default=5 * 1024**3)
# Uploads are counted as they arrive and refused (413) once a file passes its limit; a file larger than
# FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file (FILE_UPLOAD_TEMP_DIR, default the system's) as
# it is read, so no upload sits in memory whole.
FILE_UPLOAD_HANDLERS = [
    "learnflow.files.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default="") or None
# A stored object that no row refers to is deleted by the sweep_orphaned_files job once it is this old
# (younger ones may be uploads whose transaction has not committed yet).
LEARNFLOW_ORPHAN_GRACE_SECONDS = env.int("LEARNFLOW_ORPHAN_GRACE_SECONDS", default=3600)

# --- Security -------------------------------------------------------------------------------
LEARNFLOW_MAX_BODY_BYTES = env.int("LEARNFLOW_MAX_BODY_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = LEARNFLOW_MAX_BODY_BYTES
# JSON bodies nesting arrays and objects deeper than this are refused with 400 (learnflow.parsers).
LEARNFLOW_JSON_MAX_DEPTH = env.int("LEARNFLOW_JSON_MAX_DEPTH", default=32)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/?$"]
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # What the operator turned off on purpose (TLS ends at a proxy, or a plain-HTTP local stack) is
    # not reported again by `check --deploy`.
    SILENCED_SYSTEM_CHECKS = [
        *(["security.W008"] if not SECURE_SSL_REDIRECT else []),
        *(["security.W012", "security.W016"] if not SESSION_COOKIE_SECURE else []),
    ]
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# --- Email ----------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="LearnFlow <noreply@learnflow.local>")

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.CachedUserJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["learnflow.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["learnflow.parsers.JSONParser"],
    "DEFAULT_METADATA_CLASS": "learnflow.metadata.SchemaFirstMetadata",
    "DEFAULT_PAGINATION_CLASS": "learnflow.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "learnflow.filters.FilterBackend",
        "learnflow.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "learnflow.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "learnflow.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env.str("LEARNFLOW_LOGIN_RATE_IP", default="60/hour"),
        "login_username": env.str("LEARNFLOW_LOGIN_RATE_USERNAME", default="10/hour"),
        "register": env.str("LEARNFLOW_REGISTER_RATE", default="20/hour"),
        "group_join": env.str("LEARNFLOW_GROUP_JOIN_RATE", default="30/hour"),
        "data_export": env.str("LEARNFLOW_DATA_EXPORT_RATE", default="5/day"),
        "account_delete": env.str("LEARNFLOW_ACCOUNT_DELETE_RATE", default="10/hour"),
    },
    # How many proxies in front of LearnFlow append to X-Forwarded-For (0: trust REMOTE_ADDR only).
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# Rates per tier and scope for learnflow.throttling.TierRateThrottle.
LEARNFLOW_TIER_THROTTLE_RATES = {
    "progress": {
        "free": env.str("LEARNFLOW_PROGRESS_RATE_FREE", default="10/day"),
        "premium": env.str("LEARNFLOW_PROGRESS_RATE_PREMIUM", default="1000/day"),
    },
    "ai": {
        "free": env.str("LEARNFLOW_AI_RATE_FREE", default="20/day"),
        "premium": env.str("LEARNFLOW_AI_RATE_PREMIUM", default="500/day"),
    },
}

# How long an API request may take the token's user from the cache instead of the database; every
# change to the user drops it at once (accounts.authentication). 0: always read the database.
LEARNFLOW_AUTH_USER_CACHE_SECONDS = env.int("LEARNFLOW_AUTH_USER_CACHE_SECONDS", default=30)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "LearnFlow API",
    "DESCRIPTION": "Plan, focus, reflect, stay motivated and learn with others.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    # Swagger UI and ReDoc are served from this app, so the docs work with no internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # After the default enum hook: links from each create to its item's operations (learnflow.openapi).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "learnflow.openapi.add_links"],
    "ENUM_NAME_OVERRIDES": {
        "InvitationStatusEnum": "community.choices.InvitationStatus",
        "ProgressStatusEnum": "community.choices.ProgressStatus",
        "ParticipationStatusEnum": "challenges.choices.ParticipationStatus",
        "SessionStatusEnum": "focus.choices.SessionStatus",
        "TimerStatusEnum": "focus.rooms.choices.TimerStatus",
        "ParticipantStatusEnum": "focus.rooms.choices.ParticipantStatus",
        "RoomPhaseEnum": "focus.rooms.choices.Phase",
        "GroupVisibilityEnum": "community.choices.Visibility",
        "RoomVisibilityEnum": "focus.rooms.choices.RoomVisibility",
        "ResourceTypeEnum": "community.choices.ResourceType",
        "UploadResourceTypeEnum": "community.choices.UPLOAD_RESOURCE_TYPES",
    },
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        # Where kombu keeps its exchange tables; by default a control/ folder in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # A job taken by a worker that died (SIGKILL, a lost machine) without acknowledging it is delivered
    # again after this many seconds; it must exceed the longest job and the furthest ETA (room phases).
    _visibility_timeout = env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout,
        # Each worker looks for such jobs every 10 s (a tenth of the timeout when that is shorter),
        # not kombu's default of every 10th 10 s tick, so a job comes back within seconds of its
        # timeout; the lock around that sweep expires soon after the timeout, so a worker killed
        # while holding it holds up nobody's sweep for kombu's default 5 minutes.
        "unacked_restore_interval": max(1, min(10, _visibility_timeout // 10)),
        "unacked_restore_throttle": 1,
        "unacked_mutex_expire": max(5, min(300, _visibility_timeout)),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing retries once and briefly: a job that cannot be published stays in the outbox
# (learnflow.outbox), so a request never waits long for a broker that is down.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# A job published after commit but not marked sent (the broker was down) is published by the
# outbox_relay job once it is this old.
LEARNFLOW_OUTBOX_RELAY_AFTER_SECONDS = env.int("LEARNFLOW_OUTBOX_RELAY_AFTER_SECONDS", default=30)
# Sent outbox rows are kept this long (visible in the admin), then deleted by the relay.
LEARNFLOW_OUTBOX_KEEP_SENT_HOURS = env.int("LEARNFLOW_OUTBOX_KEEP_SENT_HOURS", default=24)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Logging writes to sys.stderr (learnflow.logging): left redirected into Celery's logger, every record
# of the worker and beat after start-up would be lost.
CELERY_WORKER_REDIRECT_STDOUTS = False

# --- Live updates (learnflow.live: Django Channels WebSockets under /ws/) --------------------------
# Production: Redis pub/sub (events are pushed, nothing is stored for a socket that went away, one
# PUBLISH reaches a whole group). Embedded default: the in-memory layer, so `make run` serves
# WebSockets with no server (events raised in the web process only: see README).
CHANNEL_LAYER_URL = env.str("CHANNEL_LAYER_URL", default="") or REDIS_URL
if CHANNEL_LAYER_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": CHANNEL_LAYER_URL, "socket_connect_timeout": 2}],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="learnflow"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# How long sending one event may take before it is given up (and logged): a slow or unreachable
# Redis never holds up the request that caused the event for longer.
LEARNFLOW_LIVE_SEND_TIMEOUT_SECONDS = env.float("LEARNFLOW_LIVE_SEND_TIMEOUT_SECONDS", default=2.0)

# --- AI (learnflow.ai; no key means the built-in offline summarizer) --------------------------
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or None
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
LEARNFLOW_AI_TIMEOUT_SECONDS = env.float("LEARNFLOW_AI_TIMEOUT_SECONDS", default=20.0)
LEARNFLOW_AI_REQUEST_TIMEOUT_SECONDS = env.float("LEARNFLOW_AI_REQUEST_TIMEOUT_SECONDS", default=8.0)
LEARNFLOW_AI_MAX_RETRIES = env.int("LEARNFLOW_AI_MAX_RETRIES", default=4)
LEARNFLOW_AI_RETRY_BASE_SECONDS = env.int("LEARNFLOW_AI_RETRY_BASE_SECONDS", default=15)

# --- LearnFlow ------------------------------------------------------------------------------
LEARNFLOW_NOTIFICATION_RETENTION_DAYS = env.int("LEARNFLOW_NOTIFICATION_RETENTION_DAYS", default=90)
# A finished data export (GET /api/users/me/export/{id}) is kept this long, then purged.
LEARNFLOW_DATA_EXPORT_DAYS = env.int("LEARNFLOW_DATA_EXPORT_DAYS", default=7)
# An export still pending or running after this long was lost (a broker or worker failure): failed.
LEARNFLOW_DATA_EXPORT_STALE_MINUTES = env.int("LEARNFLOW_DATA_EXPORT_STALE_MINUTES", default=60)
LEARNFLOW_REMINDER_MAX_LATENESS_HOURS = env.int("LEARNFLOW_REMINDER_MAX_LATENESS_HOURS", default=12)
LEARNFLOW_SUMMARY_CACHE_SECONDS = env.int("LEARNFLOW_SUMMARY_CACHE_SECONDS", default=300)
LEARNFLOW_FOCUS_GRACE_SECONDS = env.int("LEARNFLOW_FOCUS_GRACE_SECONDS", default=60)
# Only the HTTP benchmark's server (bench/http/run.py) sets this: it routes /bench/ceiling, a bare
# Django JSON view (learnflow.benchmarking.ceiling) the benchmark measures every endpoint against.
LEARNFLOW_BENCH_CEILING = env.bool("LEARNFLOW_BENCH_CEILING", default=False)
LEARNFLOW_MIN_COUNTED_FOCUS_MINUTES = env.int("LEARNFLOW_MIN_COUNTED_FOCUS_MINUTES", default=10)
LEARNFLOW_REWARDED_TASKS_PER_DAY = env.int("LEARNFLOW_REWARDED_TASKS_PER_DAY", default=10)
LEARNFLOW_DAILY_AWARD_SPACING_HOURS = env.int("LEARNFLOW_DAILY_AWARD_SPACING_HOURS", default=20)
LEARNFLOW_FOCUS_ABANDON_AFTER_MINUTES = env.int("LEARNFLOW_FOCUS_ABANDON_AFTER_MINUTES", default=60)
# Focus rooms: a participant is present while signs of life (socket, ping, heartbeat) are this close.
LEARNFLOW_ROOM_PRESENCE_SECONDS = env.int("LEARNFLOW_ROOM_PRESENCE_SECONDS", default=60)
# ... and is taken out of the room after this long without any.
LEARNFLOW_ROOM_ABSENT_REMOVE_MINUTES = env.int("LEARNFLOW_ROOM_ABSENT_REMOVE_MINUTES", default=15)
# A work phase credits a participant with a session from this much present time on.
LEARNFLOW_ROOM_MIN_CREDIT_SECONDS = env.int("LEARNFLOW_ROOM_MIN_CREDIT_SECONDS", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_tokens": {"()": "learnflow.logging.RedactTokens"}},
    "handlers": {
        "console": {"class": "learnflow.logging.StderrHandler", "formatter": "plain", "filters": ["redact_tokens"]}
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
