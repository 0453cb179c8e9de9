"""Catalog tables (Alembic migrations create them).

Each item, office and document is kept as the JSON of its dataclass (see
:mod:`chuangkou.catalog.codec`), plus the columns and the term index lookups filter on:
the catalog is read whole and cached by version, so a normalised copy of every list would
be cost without benefit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from chuangkou.db import Base


class CatalogMeta(Base):
    """Key/value facts about the loaded catalog (version, load time, lexicon)."""

    __tablename__ = "catalog_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class CatalogItem(Base):
    """A major item; ``data`` is the item JSON."""

    __tablename__ = "catalog_items"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    category: Mapped[str] = mapped_column(String(8), index=True)
    status: Mapped[str] = mapped_column(String(10))
    data: Mapped[Any] = mapped_column(JSON)


class CatalogOffice(Base):
    """An office; ``data`` is the office JSON."""

    __tablename__ = "catalog_offices"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    level: Mapped[str] = mapped_column(String(8))
    data: Mapped[Any] = mapped_column(JSON)


class CatalogDocument(Base):
    """A canonical document of the shared vocabulary."""

    __tablename__ = "catalog_documents"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON)


class CatalogTerm(Base):
    """Every name and alias, normalised, pointing at what it names."""

    __tablename__ = "catalog_terms"
    __table_args__ = (Index("ix_catalog_terms_term", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    term: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(12))
    target: Mapped[str] = mapped_column(String(80))
    item_code: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_items.code", ondelete="CASCADE"), nullable=True
    )


class CatalogLoad(Base):
    """History of catalog loads (痕迹化: who changed the answers, and when)."""

    __tablename__ = "catalog_loads"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(32))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    items: Mapped[int]
    sub_items: Mapped[int]
    source: Mapped[str] = mapped_column(Text)
