"""Write a validated catalog to the database in one transaction, and read it back.

Loading replaces the whole catalog atomically: readers see the old catalog or the new
one, never a mix. Loading the same content twice changes nothing (the version is a
content hash).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from chuangkou.catalog import codec
from chuangkou.catalog.model import Catalog
from chuangkou.catalog.tables import (
    CatalogDocument,
    CatalogItem,
    CatalogLoad,
    CatalogMeta,
    CatalogOffice,
    CatalogTerm,
)
from common.folding import normalize

logger = logging.getLogger(__name__)
_VERSION = select(CatalogMeta.value).where(CatalogMeta.key == "version")
# While the database is unreachable, say so in the log at most this often.
_OUTAGE_LOG_EVERY_S = 30.0


class CatalogNotLoaded(Exception):
    """The database holds no catalog yet (run ``chuangkou catalog load``)."""


def stored_version(session: Session) -> str | None:
    """The version of the catalog in the database, or None when none is loaded."""
    row = session.get(CatalogMeta, "version")
    return str(row.value) if row is not None else None


def _terms(catalog: Catalog) -> list[CatalogTerm]:
    terms: list[CatalogTerm] = []
    for item in catalog.items:
        for word in {item.name, item.code, *item.aliases}:
            terms.append(
                CatalogTerm(
                    term=normalize(word), kind="item", target=item.code, item_code=item.code
                )
            )
        for sub in item.sub_items:
            for word in {sub.name, sub.code, *sub.aliases}:
                terms.append(
                    CatalogTerm(
                        term=normalize(word), kind="sub_item", target=sub.code, item_code=item.code
                    )
                )
    for office in catalog.offices:
        for word in {office.name, office.code, *office.aliases}:
            terms.append(CatalogTerm(term=normalize(word), kind="office", target=office.code))
    for doc in catalog.documents:
        for word in {doc.name, *doc.aliases}:
            terms.append(CatalogTerm(term=normalize(word), kind="document", target=doc.name))
    return terms


def load_catalog(engine: Engine, catalog: Catalog, *, source: str, force: bool = False) -> bool:
    """Replace the stored catalog with ``catalog`` in one transaction.

    Args:
        engine: The database.
        catalog: A validated catalog (from :func:`chuangkou.catalog.files.read_catalog`).
        source: Where it came from, for the load history.
        force: Rewrite even when the stored version is the same.

    Returns:
        True when the database changed, False when it already held this version.
    """
    with Session(engine) as session, session.begin():
        if not force and stored_version(session) == catalog.version:
            return False
        for table in (CatalogTerm, CatalogItem, CatalogOffice, CatalogDocument, CatalogMeta):
            session.execute(delete(table))
        session.add_all(
            CatalogItem(
                code=i.code,
                name=i.name,
                category=i.category,
                status=i.status,
                data=codec.to_json(i),
            )
            for i in catalog.items
        )
        session.add_all(
            CatalogOffice(code=o.code, name=o.name, level=o.level, data=codec.to_json(o))
            for o in catalog.offices
        )
        session.add_all(
            CatalogDocument(name=d.name, data=codec.to_json(d)) for d in catalog.documents
        )
        session.flush()
        session.add_all(_terms(catalog))
        session.add_all(CatalogMeta(key=key, value=value) for key, value in _meta(catalog).items())
        session.add(
            CatalogLoad(
                version=catalog.version,
                loaded_at=datetime.now(UTC),
                items=len(catalog.items),
                sub_items=catalog.sub_item_count(),
                source=source,
            )
        )
    return True


def load_catalog_at(url: str, catalog: Catalog, *, source: str) -> bool:
    """Bring the database at ``url`` to the current schema and load ``catalog`` into it.

    For one-off loads (the benchmark's and the tests' own databases): the engine is made
    here and disposed of afterwards.

    Returns:
        True when the stored catalog changed.
    """
    from chuangkou.db import make_engine
    from chuangkou.migrate import upgrade

    engine = make_engine(url)
    try:
        upgrade(engine)
        return load_catalog(engine, catalog, source=source)
    finally:
        engine.dispose()


def _meta(catalog: Catalog) -> dict[str, Any]:
    """The catalog's whole-catalog facts, as stored in ``catalog_meta``."""
    return {
        "version": catalog.version,
        "lexicon": codec.to_json(catalog.lexicon),
        "sample_note": catalog.sample_note,
        "window_types": list(catalog.window_types),
        "complaint_window": catalog.complaint_window,
        "referrals": codec.to_json(catalog.referrals),
    }


def fetch_catalog(session: Session) -> Catalog:
    """Read the whole stored catalog.

    Args:
        session: An open session.

    Returns:
        The catalog.

    Raises:
        CatalogNotLoaded: When no catalog has been loaded.
    """
    meta = {m.key: m.value for m in session.scalars(select(CatalogMeta))}
    if "version" not in meta:
        raise CatalogNotLoaded
    items = tuple(
        codec.item(row.data)
        for row in session.scalars(select(CatalogItem).order_by(CatalogItem.code))
    )
    offices = tuple(codec.office(row.data) for row in session.scalars(select(CatalogOffice)))
    docs = tuple(
        codec.document_term(row.data)
        for row in session.scalars(select(CatalogDocument).order_by(CatalogDocument.name))
    )
    return Catalog(
        items=items,
        offices=tuple(sorted(offices, key=lambda o: (o.level != "city", o.code))),
        documents=docs,
        lexicon=codec.lexicon(meta["lexicon"]),
        version=str(meta["version"]),
        sample_note=str(meta.get("sample_note", "")),
        window_types=tuple(meta.get("window_types") or ()),
        complaint_window=str(meta.get("complaint_window") or ""),
        referrals=tuple(codec.referral(r) for r in meta.get("referrals") or ()),
    )


class CatalogCache:
    """The current catalog, re-read only when the stored version changes.

    A version check is one primary-key read, so every request can afford it; that is
    what lets a catalog load change the answers at once, with no restart or retraining.
    While the database is unreachable the last catalog read keeps answering questions
    (it is the same content the database held); only a first read needs the database.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._outage_logged = 0.0

    def get(self) -> Catalog:
        """Return the current catalog, reloading it if the database has a newer one.

        Raises:
            CatalogNotLoaded: When no catalog has been loaded.
            sqlalchemy.exc.DBAPIError: When the database is unreachable and no catalog
                was read before.
        """
        try:
            return self._read()
        except DBAPIError:
            cached = self._catalog
            if cached is None:
                raise
            now = time.monotonic()
            if now - self._outage_logged > _OUTAGE_LOG_EVERY_S:
                self._outage_logged = now
                logger.warning(
                    "catalog database unreachable; answering from catalog %s", cached.version
                )
            return cached

    def _read(self) -> Catalog:
        # The check runs on every request: one Core query, without an ORM session
        # (which cost several times the query itself on the action server's profile).
        with self._engine.connect() as conn:
            value = conn.execute(_VERSION).scalar()
        if value is None:
            raise CatalogNotLoaded
        current = self._catalog
        if current is not None and current.version == str(value):
            return current
        with Session(self._engine) as session:
            version = stored_version(session)
            if version is None:
                raise CatalogNotLoaded
            with self._lock:
                if self._catalog is None or self._catalog.version != version:
                    self._catalog = fetch_catalog(session)
                return self._catalog
