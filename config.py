"""Configuration: every setting can be given as an environment variable of the same name.

Defaults are safe for a single machine: a SQLite file in the instance folder, mail written to an
outbox folder, rate limits kept in memory. ``SECRET_KEY`` is never a literal default: when it is
not set, a random key is generated once and kept in the instance folder.
"""

from __future__ import annotations

import os
from typing import Any


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


#: name -> (default, parser). ``None`` as default means "decided at start-up" (see core.setup).
SETTINGS: dict[str, tuple[Any, Any]] = {
    "INSTANCE_PATH": (None, str),
    "DATABASE_URL": (None, str),
    "SECRET_KEY": (None, str),
    "REDIS_URL": ("", str),
    "SOCKETIO_MESSAGE_QUEUE": ("", str),
    "SOCKETIO_CHANNEL": ("kyoso", str),
    "SOCKETIO_EMIT_IN_BACKGROUND": (True, _bool),
    # "threading" (a thread per open socket: the dev server, the tests, gunicorn gthread) or
    # "gevent" (a greenlet per socket: gunicorn -k gevent; see README "Real-time" and realtime/)
    "SOCKETIO_ASYNC_MODE": ("threading", str),
    # garbage collection of a process holding many sockets (core/gcpolicy.py): survivors frozen
    # every N seconds (default: 10 in gevent mode, else off; 0: off), a full collection every M
    "GC_FREEZE_SECONDS": (None, float),
    "GC_FULL_COLLECT_SECONDS": (3600.0, float),
    "SERVER_NAME": (None, str),
    # the public base URL of every absolute link (mail, feeds, .ics, API); required in
    # production — never taken from the request's Host header (see README "本番環境")
    "SITE_URL": ("", str),
    # further host names accepted in the Host header, comma-separated (SITE_URL's host always is)
    "TRUSTED_HOSTS": ("", str),
    # reverse proxies in front of the app whose X-Forwarded-* headers are believed (0: none)
    "PROXY_FIX_X_FOR": (0, int),
    "PROXY_FIX_X_PROTO": (0, int),
    "PROXY_FIX_X_HOST": (0, int),
    "PREFERRED_URL_SCHEME": ("http", str),
    "SESSION_COOKIE_SECURE": (False, _bool),
    "MAIL_SERVER": ("", str),
    "MAIL_PORT": (587, int),
    "MAIL_USERNAME": ("", str),
    "MAIL_PASSWORD": ("", str),
    "MAIL_USE_TLS": (True, _bool),
    "MAIL_USE_SSL": (False, _bool),
    "MAIL_DEFAULT_SENDER": ("Kyoso <noreply@localhost>", str),
    "MAIL_OUTBOX_DIR": (None, str),
    "RATELIMIT_ENABLED": (True, _bool),
    "RATELIMIT_STORAGE_URI": (None, str),
    "POSTS_PER_PAGE": (50, int),
    # whole pages kept for anonymous visitors, seconds (0: none; see core/pagecache.py)
    "ANON_PAGE_CACHE_SECONDS": (3.0, float),
    "ANON_PAGE_CACHE_SIZE": (200, int),
    # the prefecture map's counts kept per process, seconds (0: none; see stats/prefecture_map.py)
    "STATS_MAP_CACHE_SECONDS": (30.0, float),
    "STATS_MAP_CACHE_SIZE": (500, int),
    # rendered post articles kept per process, keyed by everything they show (0: none; see
    # forum.thread_page.article)
    "ARTICLE_CACHE_SIZE": (2000, int),
    # statistics (/stats, its API and workbooks) kept per process, seconds (0: none; stats/service.py)
    "STATS_CACHE_SECONDS": (300, int),
    # the statistics' summary rows (stats/summary.py): read them (False: always count directly),
    # and how often the in-process worker ("thread"; "off" under TESTING) folds in new changes
    "STATS_SUMMARY": (True, _bool),
    "STATS_SUMMARY_WORKER": ("", str),
    "STATS_SUMMARY_POLL_SECONDS": (30.0, float),
    "THREADS_PER_PAGE": (30, int),
    "EDIT_GRACE_SECONDS": (300, int),
    "PASSWORD_RESET_MAX_AGE": (3600, int),
    # a login (and its "ログインしたままにする" cookie) lasts at most this many days
    "LOGIN_MAX_DAYS": (30, int),
    "EMAIL_CONFIRM_MAX_AGE": (7 * 24 * 3600, int),
    # verification mails: per requesting account per day, per target address per hour
    "VERIFICATION_REQUESTS_PER_DAY": (3, int),
    "VERIFICATION_REQUESTS_PER_ADDRESS_HOUR": (1, int),
    "MAX_POST_LENGTH": (20000, int),
    "MAX_CONTENT_LENGTH": (1024 * 1024, int),
    "BABEL_DEFAULT_LOCALE": ("ja", str),
    "BABEL_DEFAULT_TIMEZONE": ("Asia/Tokyo", str),
    "SQLALCHEMY_ECHO": (False, _bool),
    # flag trust (moderation/trust.py: flag_weight explains each weight)
    "FLAG_HIDE_WEIGHT": (3.0, float),  # summed weight of open flags that hides a post
    "FLAG_WEIGHT_NEW_ACCOUNT": (0.25, float),
    "FLAG_ESTABLISHED_ACCOUNT_DAYS": (14, int),
    "FLAG_WEIGHT_YOUNG_ACCOUNT": (0.5, float),
    "FLAG_WEIGHT_UNCONFIRMED_EMAIL": (0.25, float),
    "FLAG_ACCURACY_MIN_DECIDED": (3, int),
    "FLAG_WEIGHT_MIN_ACCURACY": (0.1, float),
    "FLAG_WEIGHT_MAX_ACCURACY": (1.5, float),
    "FLAG_WEIGHT_VERIFIED_ROLE": (2.0, float),
    "FLAG_WEIGHT_MAX": (2.0, float),
    "FLAG_PROTECTED_PRIORITY": (100, int),  # queue score of a flagged staff post or announcement
    # retention (privacy/retention.py): days each kind is kept; the worker purges every N minutes
    "PRIVACY_RETAIN_REJECTED_HELD_DAYS": (30, int),
    "PRIVACY_RETAIN_NOTIFICATION_JOBS_DAYS": (7, int),
    "PRIVACY_RETAIN_MAIL_OUTBOX_DAYS": (14, int),
    "PRIVACY_RETAIN_DELETED_READ_DAYS": (0, int),
    "PRIVACY_RETAIN_REVOKED_TOKENS_DAYS": (90, int),
    "PRIVACY_RETAIN_CONTACT_DAYS": (365, int),
    "PRIVACY_RETAIN_IP_DAYS": (90, int),
    "PRIVACY_PURGE_EVERY_MINUTES": (60, int),
    # how often the worker looks whether an organisation's weekly 「合いそうな地域課題」 is due (0: off)
    "MATCHING_DIGEST_EVERY_MINUTES": (60, int),
    # the version of the terms and privacy policy a registering member accepts (recorded)
    "TERMS_VERSION": ("2026-12-06", str),
    # who runs the site: the footer, 運営者情報 and the default texts of the site pages (pages/)
    "SITE_OPERATOR": ("生活支援共創プラットフォーム運営事務局", str),
    # the secretariat's address for the contact form (empty: the review queue only)
    "CONTACT_EMAIL": ("", str),
    # messages sent through the contact form, per person (or address when signed out)
    "CONTACT_LIMIT": ("5 per hour; 20 per day", str),
    # private conversations (conversations/): new ones a member may start per day (Flask-Limiter
    # syntax), and how many people one may hold
    "CONVERSATIONS_LIMIT": ("10 per day", str),
    "CONVERSATION_MAX_PARTICIPANTS": (20, int),
    "MODERATION_HOLD_FIRST_POSTS": (2, int),
    "MODERATION_FLAGS_PER_DAY": (20, int),
    "MODERATION_NEW_ACCOUNT_DAYS": (3, int),
    "MODERATION_NEW_ACCOUNT_MAX_LINKS": (2, int),
    "MODERATION_DUPLICATE_MINUTES": (10, int),
    # the review time the secretariat aims for, told to the author of a held item
    # (「通常24時間以内に確認します」 on the 確認待ち page, ``expected_review_hours`` in the API)
    "MODERATION_EXPECTED_REVIEW_HOURS": (24, int),
    # watched words are read once per process and kept this long (a change made through this
    # process is seen at once; one made by another process within this many seconds)
    "WATCHED_WORDS_CACHE_SECONDS": (30.0, float),
    "REGISTRATION_REQUIRES_APPROVAL": (False, _bool),
    "PII_GUARD": (True, _bool),
    "PII_GUARD_EXEMPT_STAFF": (True, _bool),
    "PII_GUARD_EXEMPT_ROLES": ("", str),  # e.g. "municipal_staff,prefectural_staff,ministry_staff"
    "VERIFICATION_TRUSTED_DOMAINS": (
        "municipal_staff=lg.jp;prefectural_staff=lg.jp;ministry_staff=go.jp",
        str,
    ),
    # attachments (see README "添付ファイル / Attachments")
    "ATTACHMENTS_DIR": (None, str),  # default: <instance>/attachments
    "ATTACHMENT_MAX_BYTES": (10 * 1024 * 1024, int),
    "ATTACHMENTS_PER_THREAD": (10, int),
    "ATTACHMENT_MAX_PIXELS": (30_000_000, int),  # larger images are refused (memory, bombs)
    "ATTACHMENT_UPLOAD_LIMIT": ("10 per minute; 60 per day", str),  # per person
    # notifications (see README "通知 / Notifications")
    "NOTIFICATION_WORKER": ("", str),  # "thread" (default; "off" under TESTING) or "off"
    "NOTIFICATION_POLL_SECONDS": (5.0, float),
    "NOTIFICATION_EMAIL_DELAY_SECONDS": (600, int),
    "NOTIFICATION_MENTION_CAP": (10, int),
    "NOTIFICATION_UNSUBSCRIBE_MAX_AGE": (90 * 24 * 3600, int),
    # search (see README "検索 / Search")
    "SEARCH_INDEX_DIR": (None, str),  # default: <instance>/search
    "SEARCH_INDEXER": ("", str),  # "thread" (default; "off" under TESTING) or "off"
    "SEARCH_POLL_SECONDS": (1.0, float),
    "SEARCH_PER_PAGE": (20, int),
    # board names and slugs for search's facets and hits, kept per process, seconds (0: read each
    # search; audiences are read each search whatever this is; see search/labels.py)
    "SEARCH_BOARD_NAMES_SECONDS": (60.0, float),
    "SEARCH_OUTBOX_KEEP_DAYS": (7.0, float),
    # decoded posting lists kept in memory by each process (search.matching), in MiB
    "SEARCH_POSTINGS_CACHE_MB": (128, int),
    # readiness (/readyz): the longest the background work may lag before this process reports
    # itself not ready, in seconds (0: report the lag, never fail on it; see README "本番環境")
    "READY_SEARCH_LAG_SECONDS": (300.0, float),
    "READY_NOTIFICATION_LAG_SECONDS": (600.0, float),
    # worker heartbeats (core/heartbeat.py): each background worker writes one every N seconds
    # (0: none); /readyz fails when a worker's freshest beat is older than the silence limit
    # (0: report its age, never fail on it)
    "WORKER_HEARTBEAT_SECONDS": (30.0, float),
    "READY_WORKER_SILENCE_SECONDS": (300.0, float),
    # monitoring (see README "監視 / Monitoring"): /metrics answers 404 unless the scraper sends
    # "Authorization: Bearer <METRICS_TOKEN>" or comes from an address in METRICS_ALLOW
    # (comma-separated addresses or networks, e.g. "127.0.0.1,10.0.0.0/8"); both empty: nobody
    "METRICS_TOKEN": ("", str),
    "METRICS_ALLOW": ("", str),
    # "text" (as always) or "json": one JSON object per line on stderr, with the request id
    "LOG_FORMAT": ("text", str),
    "LOG_LEVEL": ("INFO", str),  # the root logger's level when LOG_FORMAT=json
}


def load_from_env(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """Read every known setting from the environment, falling back to its default."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, (default, parse) in SETTINGS.items():
        raw = environ.get(name)
        values[name] = parse(raw) if raw not in (None, "") else default
    return values
