"""The scale-out profile's stack configuration, shared by the cluster and outage tests."""

from __future__ import annotations

import uuid
from contextlib import ExitStack
from pathlib import Path

from bench.pgtemp import temporary_database
from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.store import load_catalog_at
from chuangkou.settings import PROJECT_ROOT
from chuangkou.stack import StackConfig
from tests.utils.stack import stack_settings


def cluster_config(*, app_url: str, tracker_db: str, logs: Path) -> StackConfig:
    """Two engines (trackers in PostgreSQL, locks in Redis), catalog and bookings in PG.

    Args:
        app_url: The catalog/booking database URL; the engines reach PostgreSQL on its
            host and port (a proxy's, in the outage test).
        tracker_db: The tracker store's database name.
        logs: Where process logs go.
    """
    settings = stack_settings(
        app_url,
        profile="cluster",
        tracker_db=tracker_db,
        lock_prefix=f"ck{uuid.uuid4().hex[:8]}",
    )
    return StackConfig.from_settings(settings, gateway=True, log_dir=logs)


def cluster_databases(stack: ExitStack, prefix: str) -> tuple[str, str]:
    """Two databases of this test's own (dropped with ``stack``), the catalog loaded.

    Returns:
        The catalog/booking database URL and the tracker store's database name.
    """
    app_url = stack.enter_context(temporary_database(f"{prefix}_app"))
    tracker_url = stack.enter_context(temporary_database(f"{prefix}_trackers"))
    load_catalog_at(app_url, read_catalog(PROJECT_ROOT / "catalog"), source=prefix)
    return app_url, tracker_url.rsplit("/", 1)[1]
