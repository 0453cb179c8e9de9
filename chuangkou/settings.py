"""One typed settings object, read from the environment once and passed in.

Nothing else in the app reads ``os.environ``; tests build their own ``Settings``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_db_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'build' / 'chuangkou.db'}"


@dataclass(frozen=True)
class Settings:
    """Where the catalog lives and where the runtimes listen.

    Attributes:
        database_url: SQLAlchemy URL; SQLite file by default, PostgreSQL in the scale profile.
        catalog_dir: The catalog's data files.
        build_dir: Generated artefacts (jieba dictionary, lookups, DB, models).
        engine_url: The Rasa engine's HTTP API, on 127.0.0.1 only.
        engine_urls: All engines when there are several (cluster profile,
            ``CHUANGKOU_ENGINE_URLS``); the gateway spreads conversations over them.
        actions_port: The action server's port.
        slot_minutes: Length of a booking slot (``CHUANGKOU_SLOT_MINUTES``).
        horizon_days: How many days ahead people may book (``CHUANGKOU_BOOKING_HORIZON_DAYS``).
        gateway_host: Where the public gateway listens (``CHUANGKOU_GATEWAY_HOST``).
        gateway_port: Its port (``CHUANGKOU_GATEWAY_PORT``).
        chat_rate_per_minute: Chat messages one client may send per minute.
        wechat_token: The WeChat Official Account token (``CHUANGKOU_WECHAT_TOKEN``); the
            connector answers 503 while it is not set.
        secure_cookies: Mark the clerk session cookie Secure (set behind HTTPS).
        secret: Shared by the engine's channel and the action server to seal phone numbers
            (``CHUANGKOU_SECRET``; the stack runner provides one for the embedded profile).
        retention_days: Days after the booked day when a booking's name and phone number
            are erased (``CHUANGKOU_RETENTION_DAYS``); the booking itself stays for review.
    """

    database_url: str = field(default_factory=_default_db_url)
    catalog_dir: Path = PROJECT_ROOT / "catalog"
    build_dir: Path = PROJECT_ROOT / "build"
    engine_url: str = "http://127.0.0.1:5005"
    engine_urls: tuple[str, ...] = ()
    actions_port: int = 5055
    secret: str = ""
    slot_minutes: int = 30
    horizon_days: int = 14
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    chat_rate_per_minute: int = 30
    wechat_token: str = ""
    secure_cookies: bool = False
    retention_days: int = 180

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from environment variables, falling back to the defaults.

        Args:
            env: The environment to read; ``os.environ`` when omitted.

        Returns:
            The settings.
        """
        env = os.environ if env is None else env
        base = cls()
        engine_port = env.get("CHUANGKOU_ENGINE_PORT", "5005")
        return cls(
            database_url=env.get("DATABASE_URL") or base.database_url,
            catalog_dir=Path(env.get("CHUANGKOU_CATALOG_DIR") or base.catalog_dir),
            build_dir=Path(env.get("CHUANGKOU_BUILD_DIR") or base.build_dir),
            engine_url=f"http://127.0.0.1:{int(engine_port)}",
            engine_urls=tuple(
                u.strip() for u in env.get("CHUANGKOU_ENGINE_URLS", "").split(",") if u.strip()
            ),
            actions_port=int(env.get("CHUANGKOU_ACTIONS_PORT", str(base.actions_port))),
            secret=env.get("CHUANGKOU_SECRET", ""),
            slot_minutes=int(env.get("CHUANGKOU_SLOT_MINUTES", str(base.slot_minutes))),
            horizon_days=int(env.get("CHUANGKOU_BOOKING_HORIZON_DAYS", str(base.horizon_days))),
            gateway_host=env.get("CHUANGKOU_GATEWAY_HOST", base.gateway_host),
            gateway_port=int(env.get("CHUANGKOU_GATEWAY_PORT", str(base.gateway_port))),
            chat_rate_per_minute=int(
                env.get("CHUANGKOU_CHAT_RATE_PER_MINUTE", str(base.chat_rate_per_minute))
            ),
            wechat_token=env.get("CHUANGKOU_WECHAT_TOKEN", ""),
            secure_cookies=env.get("CHUANGKOU_SECURE_COOKIES", "") in ("1", "true", "yes"),
            retention_days=int(env.get("CHUANGKOU_RETENTION_DAYS", str(base.retention_days))),
        )


def ensure_secret(path: Path) -> str:
    """The embedded profile's secret: read from ``path``, created there on first use.

    A deployment sets ``CHUANGKOU_SECRET`` instead; this file (0600, in the ignored build
    folder) only saves a single-machine install from having to.
    """
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret
