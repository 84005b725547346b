"""Deskside settings: one file, every deployment choice read from DESKSIDE_* environment variables.

See the README's "Configuration" section for the list.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from deskside.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("DESKSIDE_DATA_DIR", str(BASE_DIR.parent / "var")))

SECRET_KEY = env_str("DESKSIDE_SECRET_KEY")
# Keys that seal secrets at rest (core/sealing.py): the first seals, all unseal. Empty: one key
# derived from SECRET_KEY.
DESKSIDE_DATA_KEYS = env_list("DESKSIDE_DATA_KEYS", "")
DEBUG = env_bool("DESKSIDE_DEBUG", False)
ALLOWED_HOSTS = env_list("DESKSIDE_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DESKSIDE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "csp",
    "django_htmx",
    "template_partials",
    "deskside.core",
    "deskside.directory",
    "deskside.access",
    "deskside.audit",
    "deskside.accounts",
    "deskside.fleet",
    "deskside.policies",
    "deskside.apps",
    "deskside.api",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "deskside.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# The agents' API (/api/v1/agent/: bearer credential, JSON) runs through these only
# (core/handlers.py): no session, user, CSRF, messages or HTML headers to make for it.
DESKSIDE_AGENT_MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]

ROOT_URLCONF = "deskside.urls"
ASGI_APPLICATION = "deskside.asgi.application"
WSGI_APPLICATION = None

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
                "deskside.access.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DESKSIDE_DATABASE_URL", f"sqlite:///{DATA_DIR / 'deskside.sqlite3'}"),
        # HTTP requests run on a fixed pool of threads (asgi.py) that keep their connections.
        conn_max_age=env_int("DESKSIDE_DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
# Threads that serve HTTP requests in each process (each holds one database connection).
DESKSIDE_HTTP_THREADS = env_int("DESKSIDE_HTTP_THREADS", 8)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the portal read while a check-in writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The check-in's fixed queries run as prepared statements (core/prepared.py); the rest of
    # the ORM binds on the client and never prepares. 0 turns them off (a pooler in transaction
    # mode older than PgBouncer 1.21).
    DATABASES["default"]["OPTIONS"] = {
        "prepare_threshold": 5 if env_int("DESKSIDE_DB_PREPARED_STATEMENTS", 1) else None,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("DESKSIDE_REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5-second socket timeout by default, the time
            # channels_redis's blocking pop waits for a message: an idle socket's consumer died
            # every 5 seconds (the agents reconnected and checked in each time). Longer than
            # the pop, so a dead connection still ends.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_USER_MODEL = "directory.User"
AUTHENTICATION_BACKENDS = ["deskside.accounts.backends.DirectoryBackend"]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:home"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in hardening: an account locks after this many failed passwords in a row, for this long.
DESKSIDE_LOCKOUT_THRESHOLD = env_int("DESKSIDE_LOCKOUT_THRESHOLD", 5)
DESKSIDE_LOCKOUT_MINUTES = env_int("DESKSIDE_LOCKOUT_MINUTES", 15)

# The portal is the OAuth 2.0 authorization server for the agent's user sign-in at enrollment:
# authorization code with PKCE (S256) and a loopback redirect (RFC 8252: any port on 127.0.0.1).
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "SCOPES": {
        "enroll": "Enroll a device",
        "managedApps": "Report app protection registrations",
    },
    "DEFAULT_SCOPES": ["enroll"],
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 120,
    "ROTATE_REFRESH_TOKEN": True,
}

# Agents older than this are refused at enrollment (EnrollmentAuthorizationFailed).
DESKSIDE_MIN_AGENT_VERSION = env_str("DESKSIDE_MIN_AGENT_VERSION", "1.0.0")
# How often agents check in (they add up to 10% jitter); pushes over the websocket come at once.
DESKSIDE_CHECKIN_SECONDS = env_int("DESKSIDE_CHECKIN_SECONDS", 900)

# Diagnostics bundles devices upload for collectDiagnostics (docs/device-actions.md): the largest
# accepted upload, how many days a bundle is kept, and the folder the files live in.
DESKSIDE_DIAGNOSTICS_MAX_BYTES = env_int("DESKSIDE_DIAGNOSTICS_MAX_BYTES", 50 * 1024 * 1024)
DESKSIDE_DIAGNOSTICS_DAYS = env_int("DESKSIDE_DIAGNOSTICS_DAYS", 28)
DESKSIDE_DIAGNOSTICS_DIR = DATA_DIR / "diagnostics"

# Cookies and transport: DESKSIDE_HTTPS=1 behind TLS (default); the demo on loopback turns it off.
HTTPS = env_bool("DESKSIDE_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("DESKSIDE_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_NAME = "deskside_session"
CSRF_COOKIE_NAME = "deskside_csrf"
LANGUAGE_COOKIE_NAME = "deskside_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_HSTS_SECONDS = env_int("DESKSIDE_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Strict Content-Security-Policy: no inline script or style, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Signing in through an organization's identity provider posts a form to the provider's origin.
CSP_FORM_ACTION_EXTRA: list[str] = []

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR.parent / "node_modules" / "htmx.org" / "dist"]
# WhiteNoise serves static files from the app itself, so one process needs no web server in front.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DESKSIDE_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
