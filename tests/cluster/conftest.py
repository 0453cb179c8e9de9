"""The scale-out profile's stack configuration, shared by the cluster and outage tests."""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from pathlib import Path

from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.store import load_catalog_at
from chuangkou.pgtemp import temporary_database
from chuangkou.settings import PROJECT_ROOT
from chuangkou.stack import StackConfig, cluster_env
from tests.engine.conftest import free_port


def cluster_config(
    model: Path,
    *,
    app_url: str,
    tracker_db: str,
    logs: Path,
    gateway_port: int | None = None,
) -> StackConfig:
    """Two engines (trackers in PostgreSQL, locks in Redis), catalog and bookings in PG.

    Args:
        model: The trained model.
        app_url: The catalog/booking database URL; the engines reach PostgreSQL on its
            host and port (a proxy's, in the outage test).
        tracker_db: The tracker store's database name.
        logs: Where process logs go.
        gateway_port: The gateway's port (a free one when omitted).
    """
    env = cluster_env(app_url, tracker_db, lock_prefix=f"ck{uuid.uuid4().hex[:8]}")
    return StackConfig(
        model=model,
        engine_port=free_port(),
        extra_engine_ports=(free_port(),),
        actions_port=free_port(),
        gateway_port=gateway_port or free_port(),
        endpoints="bot/endpoints.cluster.yml",
        env={**env, "CHUANGKOU_CHAT_RATE_PER_MINUTE": "100000"},
        log_dir=logs,
    )


def cluster_databases(stack: ExitStack, prefix: str) -> tuple[str, str]:
    """Two databases of this test's own (dropped with ``stack``), the catalog loaded.

    Returns:
        The catalog/booking database URL and the tracker store's database name.
    """
    app_url = stack.enter_context(temporary_database(f"{prefix}_app"))
    tracker_url = stack.enter_context(temporary_database(f"{prefix}_trackers"))
    load_catalog_at(app_url, read_catalog(PROJECT_ROOT / "catalog"), source=prefix)
    return app_url, tracker_url.rsplit("/", 1)[1]
