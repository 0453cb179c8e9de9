"""Refuse to start, with a clear message, on settings that would be wrong or unsafe.

In the embedded profile the engine and the action server must stay on loopback: only the
gateway faces people. The cluster profile needs its databases named explicitly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlparse

from chuangkou.settings import Settings

LOOPBACK_NAMES = ("localhost",)
PROFILES = ("embedded", "cluster")


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def startup_problems(env: Mapping[str, str]) -> list[str]:
    """Everything wrong with the environment for starting the gateway (empty when fine).

    Args:
        env: The environment variables.

    Returns:
        Human-readable problems, one per line.
    """
    problems: list[str] = []
    try:
        settings = Settings.from_env(env)
    except ValueError as exc:
        return [f"a setting is not a number: {exc}"]
    profile = env.get("CHUANGKOU_PROFILE", "embedded")
    if profile not in PROFILES:
        problems.append(f"CHUANGKOU_PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}")
    if profile == "embedded":
        for name in ("CHUANGKOU_ENGINE_HOST", "CHUANGKOU_ACTIONS_HOST"):
            host = env.get(name)
            if host and not _loopback(host):
                problems.append(
                    f"{name}={host}: in the embedded profile the engine and the "
                    "action server listen on 127.0.0.1 only"
                )
        engine_host = urlparse(settings.engine_url).hostname or ""
        if not _loopback(engine_host):
            problems.append(f"engine URL {settings.engine_url} is not on loopback")
    if profile == "cluster":
        if not env.get("DATABASE_URL", "").startswith("postgresql"):
            problems.append("DATABASE_URL must name the PostgreSQL database in the cluster profile")
        if not env.get("CHUANGKOU_ENGINE_URLS"):
            problems.append(
                "CHUANGKOU_ENGINE_URLS (comma-separated engine URLs) is required "
                "in the cluster profile"
            )
    if not 0 < settings.gateway_port < 65536:
        problems.append(f"CHUANGKOU_GATEWAY_PORT {settings.gateway_port} is not a port")
    return problems
