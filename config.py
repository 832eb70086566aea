"""Configuration classes; pick one with create_app(config_name) or FLASK_CONFIG."""
import math
import os
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
INSECURE_KEY = "dev-insecure-key"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'htqlcl.sqlite3'}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants an explicit psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def key_entropy_bits(key: str) -> float:
    """The key's length times the Shannon entropy of its characters: 0 for 'aaaa…', about 256 for
    64 random hex digits. A cheap bound that refuses keys typed by hand or repeated patterns."""
    counts = Counter(key)
    return -len(key) * sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    #: the dashboard's year trend computes unfrozen past years live up to this many agencies
    TREND_LIVE_LIMIT = int(os.environ.get("TREND_LIVE_LIMIT", "1000"))
    #: PostgreSQL session settings for every connection (see app._tune_postgresql)
    PG_OPTIONS = os.environ.get("PG_OPTIONS", "-c jit=off -c work_mem=32MB")
    COURSES_DIR = os.environ.get("COURSES_DIR", str(BASE_DIR / "courses"))
    #: who must complete which course by when (see the file's comments)
    OBLIGATIONS_FILE = os.environ.get("OBLIGATIONS_FILE", str(BASE_DIR / "courses" / "obligations.yml"))
    #: how long a link to set a password stays valid
    INVITE_VALID_DAYS = int(os.environ.get("INVITE_VALID_DAYS", "7"))
    #: the address people use to reach the site; invite links printed by the CLI start with it
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    #: largest import file accepted by the upload page; the request itself may carry a little more
    IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
    #: the largest request body anywhere but on the upload routes (those take the import limit + 1 MB)
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_FORM_BYTES", str(1024 * 1024)))
    UPLOAD_ENDPOINTS = ("imports.index", "training.upload_attendance")
    #: outgoing mail (reminders and digests); MAIL_SERVER empty: notifications are shown in the app only
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Đào tạo HTQLCL <no-reply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "20"))
    #: a message that fails this many times is given up and reported to the administrators
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "5"))
    #: SMTP connections used at once by `notify run` (a relay may limit how many one client opens)
    MAIL_CONNECTIONS = int(os.environ.get("MAIL_CONNECTIONS", "4"))
    #: the body that issues training documents (rosters, certificates) for the province's plans, and
    #: the authority above it, as the heading of an official document names them
    ISSUING_BODY = os.environ.get("ISSUING_BODY", "Sở Khoa học và Công nghệ tỉnh An Giang")
    ISSUING_PARENT = os.environ.get("ISSUING_PARENT", "Ủy ban nhân dân tỉnh An Giang")
    #: where request counts for rate limits live: "redis://host:6379/0" so that every worker and host
    #: shares them; "memory://" counts per process (one process, or development)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = True
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "htqlcl")  # several sites on one Redis
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: count per process rather than fail
    RATELIMIT_SWALLOW_ERRORS = True
    #: lookups of the public verify page per client address (against guessing codes)
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute;300 per hour")
    #: sign-in attempts (POST /login) per client address; a commune office signs in from one address
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute;300 per hour")
    #: passwords set through one-time links, and requests for a reset link, per client address
    INVITE_RATE_LIMIT = os.environ.get("INVITE_RATE_LIMIT", "10 per minute;60 per hour")
    #: failed sign-ins for one username within the window after which that username is refused,
    #: even with the right password, until the window passes or an administrator lifts the lock
    LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
    #: a person gets at most one self-service reset mail in this many minutes
    RESET_MAIL_INTERVAL_MINUTES = int(os.environ.get("RESET_MAIL_INTERVAL_MINUTES", "15"))
    LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))
    #: how many reverse proxies in front of the app set X-Forwarded-For (0: none, the client is the peer)
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    #: one line per request on stderr (method, route, status, duration, request id)
    REQUEST_LOG = os.environ.get("REQUEST_LOG", "1") == "1"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    DISPLAY_TIMEZONE = "Asia/Ho_Chi_Minh"
    #: a session unused this long ends (the cookie expires then too)
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", str(8 * 60)))
    PERMANENT_SESSION_LIFETIME = SESSION_IDLE_MINUTES * 60
    #: the cookie is rewritten when the session changes, which includes its "last used" time once a
    #: minute (app/accounts/sessions.py), not on every request: signing it is a tenth of a page
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a slow phone may keep a quiz open for hours


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    REQUEST_LOG = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes keep the access table quick
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"

    @classmethod
    def validate(cls) -> None:
        """Refuse to start with a missing, default or guessable secret key."""
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == INSECURE_KEY or len(key) < 16 or key_entropy_bits(key) < 64:
            raise RuntimeError("Production needs SECRET_KEY set to a long random value, e.g. "
                               "python3 -c 'import secrets; print(secrets.token_hex(32))'.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
