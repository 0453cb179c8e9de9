"""The scale-out profile's stack configuration, shared by the cluster and outage tests."""

from __future__ import annotations

import uuid
from pathlib import Path

from chuangkou.stack import StackConfig
from tests.engine.conftest import free_port


def cluster_config(
    model: Path,
    *,
    app_url: str,
    tracker_db: str,
    logs: Path,
    pg_port: int = 5432,
    gateway_port: int | None = None,
) -> StackConfig:
    """Two engines (trackers in PostgreSQL, locks in Redis), catalog and bookings in PG.

    Args:
        model: The trained model.
        app_url: The catalog/booking database URL.
        tracker_db: The tracker store's database name.
        logs: Where process logs go.
        pg_port: The port the engines reach PostgreSQL on (a proxy's, in outage tests).
        gateway_port: The gateway's port (a free one when omitted).
    """
    return StackConfig(
        model=model,
        engine_port=free_port(),
        extra_engine_ports=(free_port(),),
        actions_port=free_port(),
        gateway_port=gateway_port or free_port(),
        endpoints="bot/endpoints.cluster.yml",
        env={
            "DATABASE_URL": app_url,
            "CHUANGKOU_PROFILE": "cluster",
            "CHUANGKOU_PG_HOST": "127.0.0.1",
            "CHUANGKOU_PG_PORT": str(pg_port),
            "CHUANGKOU_PG_USER": "postgres",
            "CHUANGKOU_PG_PASSWORD": "",
            "CHUANGKOU_TRACKER_DB": tracker_db,
            "CHUANGKOU_REDIS_HOST": "127.0.0.1",
            "CHUANGKOU_REDIS_PORT": "6379",
            "CHUANGKOU_REDIS_DB": "0",
            "CHUANGKOU_LOCK_PREFIX": f"ck{uuid.uuid4().hex[:8]}",
            "CHUANGKOU_CHAT_RATE_PER_MINUTE": "100000",
        },
        log_dir=logs,
    )
