"""One typed settings object, read from the environment once and passed in.

Nothing else in the app reads ``os.environ``: the CLI, the gateway, the action server's
services, the stack runner and the tests all build a :class:`Settings` (tests with
:func:`dataclasses.replace`). The stack runner hands the same values to its child
processes with :meth:`Settings.to_env`, so every process of a stack sees one
configuration. :data:`VARIABLES` names the environment variable of every field.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROFILES = ("embedded", "cluster")
# The engine and the action server listen on loopback only, in every profile: only the
# gateway faces people. (There is deliberately no setting to change it.)
LOOPBACK = "127.0.0.1"
CLUSTER_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/chuangkou"
CLOCK_FORMAT = "%Y-%m-%d %H:%M"


class SettingsError(ValueError):
    """A setting that cannot be read (``variable`` names it)."""

    def __init__(self, variable: str, value: str, expected: str) -> None:
        self.variable = variable
        super().__init__(f"{variable}={value!r} is not {expected}")


def _default_db_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'build' / 'chuangkou.db'}"


@dataclass(frozen=True)
class Settings:
    """Where everything lives and listens, and the rules a bureau may tune.

    Attributes:
        profile: ``embedded`` (one engine, SQLite, in-memory trackers) or ``cluster``
            (several engines, trackers in PostgreSQL, locks in Redis).
        database_url: Catalog and bookings; SQLite by default, PostgreSQL in the cluster
            profile (its default then is :data:`CLUSTER_DATABASE_URL`).
        catalog_dir: The catalog's data files.
        build_dir: Generated artefacts (jieba dictionary, lookups, DB, models, logs).
        engine_port: The first engine's port (its HTTP API and REST channel).
        engines: How many engine processes; they listen on consecutive ports.
        actions_port: The action server's port.
        gateway_host: Where the public gateway listens.
        gateway_port: Its port.
        public_url: The address people reach the gateway at (QR codes on printed
            checklists point there); the gateway's own address when empty.
        tracker_db: The tracker store's database on the same PostgreSQL server as
            ``database_url`` (cluster profile).
        redis_host: Redis for the conversation lock store (cluster profile).
        redis_port: Its port.
        redis_db: Its database number.
        lock_prefix: Prefix of the lock keys (one per deployment or test run).
        secret: Shared by the engine's channel and the action server to seal phone
            numbers; the stack runner makes one for the embedded profile.
        slot_minutes: Length of a booking slot.
        horizon_days: How many days ahead people may book.
        retention_days: Days after the booked day when a booking's name and phone number
            are erased; the booking itself stays for review.
        chat_rate_per_minute: Chat messages one client address or session may send a minute.
        wechat_token: The WeChat Official Account token; the connector answers 503 unset.
        secure_cookies: Mark the clerk session cookie Secure (behind HTTPS).
        engine_patches: Install the engine's fixes to Rasa (off only to bisect a fault).
        site_file: Who runs the site (bureau, 主办单位, contact, hotline), shown in the
            pages' header and footer.
        clock: A fixed local time (``YYYY-MM-DD HH:MM``, Asia/Shanghai) the assistant
            takes as now, for rehearsals and tests; empty (the real clock) in service and
            refused in the cluster profile.
        test_pg_url: A PostgreSQL server where tests and benchmarks may create (and
            drop) databases of their own.
    """

    profile: str = "embedded"
    database_url: str = field(default_factory=_default_db_url)
    catalog_dir: Path = PROJECT_ROOT / "catalog"
    build_dir: Path = PROJECT_ROOT / "build"
    engine_port: int = 5005
    engines: int = 1
    actions_port: int = 5055
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    public_url: str = ""
    tracker_db: str = "chuangkou_trackers"
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 0
    lock_prefix: str = "chuangkou"
    secret: str = ""
    slot_minutes: int = 30
    horizon_days: int = 14
    retention_days: int = 180
    chat_rate_per_minute: int = 30
    wechat_token: str = ""
    secure_cookies: bool = False
    engine_patches: bool = True
    site_file: Path = PROJECT_ROOT / "chuangkou" / "gateway" / "site.yml"
    clock: str = ""
    test_pg_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

    @property
    def cluster(self) -> bool:
        """Whether this is the scale-out profile."""
        return self.profile == "cluster"

    @property
    def engine_url(self) -> str:
        """The first engine's base URL (on loopback)."""
        return f"http://{LOOPBACK}:{self.engine_port}"

    @property
    def engine_ports(self) -> tuple[int, ...]:
        """The ports of all engines."""
        return tuple(self.engine_port + i for i in range(max(self.engines, 1)))

    @property
    def engine_urls(self) -> tuple[str, ...]:
        """All engines' base URLs; the gateway spreads conversations over them."""
        return tuple(f"http://{LOOPBACK}:{port}" for port in self.engine_ports)

    @property
    def fixed_now(self) -> datetime | None:
        """The rehearsal clock's time, or None for the real clock (or a malformed one)."""
        try:
            return datetime.strptime(self.clock, CLOCK_FORMAT) if self.clock else None
        except ValueError:
            return None

    @property
    def model_path(self) -> Path:
        """The trained model the engines serve."""
        return self.build_dir / "models" / "chuangkou.tar.gz"

    @property
    def log_dir(self) -> Path:
        """Where the stack's processes write their logs."""
        return self.build_dir / "logs"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from environment variables, falling back to the defaults.

        Args:
            env: The environment to read; ``os.environ`` when omitted.

        Returns:
            The settings.

        Raises:
            SettingsError: A value that is not of its setting's kind (the message names
                the variable).
        """
        env = os.environ if env is None else env
        profile = env.get(VARIABLES["profile"]) or "embedded"
        base = cls(profile=profile)
        if profile == "cluster":
            base = replace(base, database_url=CLUSTER_DATABASE_URL, engines=2)
        values: dict[str, object] = {}
        for spec in fields(cls):
            raw = env.get(VARIABLES[spec.name])
            if raw is None or raw == "":
                continue
            values[spec.name] = _parse(spec.name, raw, getattr(base, spec.name))
        return replace(base, **values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """These settings as environment variables (what the stack gives its processes)."""
        out: dict[str, str] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, bool):
                out[VARIABLES[spec.name]] = "1" if value else "0"
            else:
                out[VARIABLES[spec.name]] = str(value)
        return out

    def problems(self) -> list[str]:
        """Everything wrong or unsafe about these settings (empty when fine)."""
        found: list[str] = []
        if self.profile not in PROFILES:
            found.append(
                f"CHUANGKOU_PROFILE must be one of {', '.join(PROFILES)}, not {self.profile!r}"
            )
        if self.cluster and not self.database_url.startswith("postgresql"):
            found.append("DATABASE_URL must name a PostgreSQL database in the cluster profile")
        if self.cluster and self.engines < 2:
            found.append("CHUANGKOU_ENGINES must be at least 2 in the cluster profile")
        ports = {
            "CHUANGKOU_ENGINE_PORT": self.engine_port,
            "CHUANGKOU_ACTIONS_PORT": self.actions_port,
            "CHUANGKOU_GATEWAY_PORT": self.gateway_port,
        }
        for name, port in ports.items():
            if not 0 < port < 65536:
                found.append(f"{name} {port} is not a port")
        taken = set(self.engine_ports)
        if self.actions_port in taken or self.gateway_port in taken:
            found.append("the engine, action server and gateway need different ports")
        if self.public_url and urlparse(self.public_url).scheme not in ("http", "https"):
            found.append(f"CHUANGKOU_PUBLIC_URL {self.public_url!r} is not an http(s) address")
        if not self.site_file.is_file():
            found.append(f"CHUANGKOU_SITE_FILE {self.site_file} is not a file")
        if self.clock:
            if self.cluster:
                found.append("CHUANGKOU_CLOCK is for rehearsals: not in the cluster profile")
            try:
                datetime.strptime(self.clock, CLOCK_FORMAT)
            except ValueError:
                found.append(f"CHUANGKOU_CLOCK {self.clock!r} is not YYYY-MM-DD HH:MM")
        for name in ("slot_minutes", "horizon_days", "retention_days", "chat_rate_per_minute"):
            if getattr(self, name) <= 0:
                found.append(f"{VARIABLES[name]} must be positive")
        return found


#: The environment variable of every setting.
VARIABLES: dict[str, str] = {
    "profile": "CHUANGKOU_PROFILE",
    "database_url": "DATABASE_URL",
    "catalog_dir": "CHUANGKOU_CATALOG_DIR",
    "build_dir": "CHUANGKOU_BUILD_DIR",
    "engine_port": "CHUANGKOU_ENGINE_PORT",
    "engines": "CHUANGKOU_ENGINES",
    "actions_port": "CHUANGKOU_ACTIONS_PORT",
    "gateway_host": "CHUANGKOU_GATEWAY_HOST",
    "gateway_port": "CHUANGKOU_GATEWAY_PORT",
    "public_url": "CHUANGKOU_PUBLIC_URL",
    "tracker_db": "CHUANGKOU_TRACKER_DB",
    "redis_host": "CHUANGKOU_REDIS_HOST",
    "redis_port": "CHUANGKOU_REDIS_PORT",
    "redis_db": "CHUANGKOU_REDIS_DB",
    "lock_prefix": "CHUANGKOU_LOCK_PREFIX",
    "secret": "CHUANGKOU_SECRET",
    "slot_minutes": "CHUANGKOU_SLOT_MINUTES",
    "horizon_days": "CHUANGKOU_BOOKING_HORIZON_DAYS",
    "retention_days": "CHUANGKOU_RETENTION_DAYS",
    "chat_rate_per_minute": "CHUANGKOU_CHAT_RATE_PER_MINUTE",
    "wechat_token": "CHUANGKOU_WECHAT_TOKEN",
    "secure_cookies": "CHUANGKOU_SECURE_COOKIES",
    "engine_patches": "CHUANGKOU_ENGINE_PATCHES",
    "site_file": "CHUANGKOU_SITE_FILE",
    "clock": "CHUANGKOU_CLOCK",
    "test_pg_url": "CHUANGKOU_TEST_PG",
}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _parse(name: str, raw: str, default: object) -> object:
    variable = VARIABLES[name]
    if isinstance(default, bool):
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise SettingsError(variable, raw, "on or off")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(variable, raw, "a number") from None
    if isinstance(default, Path):
        return Path(raw)
    return raw


def unknown_variables(env: Mapping[str, str]) -> list[str]:
    """``CHUANGKOU_*`` variables that are no setting (a typo, or a setting that was removed).

    The stack's own derived variables for Rasa's endpoint files are not settings either
    and are allowed (see ``chuangkou.stack.environment``).
    """
    from chuangkou.stack.environment import DERIVED_VARIABLES

    known = set(VARIABLES.values()) | set(DERIVED_VARIABLES)
    return sorted(k for k in env if k.startswith("CHUANGKOU_") and k not in known)


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine's loopback."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
