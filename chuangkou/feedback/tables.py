"""The feedback table. Alembic migrations create it (revision 0005)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chuangkou.db import Base


class AnswerFeedback(Base):
    """One vote (有用 / 没用) on one answered turn of a conversation.

    No person is identifiable from a row: the conversation is a keyed hash of its id, the
    question itself is not kept (only the intent it was read as), and the comment is
    stored masked.
    """

    __tablename__ = "answer_feedback"
    __table_args__ = (
        # One vote per answer: a second vote on the same turn replaces the first.
        UniqueConstraint("conversation", "turn", name="ux_answer_feedback_turn"),
        Index("ix_answer_feedback_item", "item_code", "response"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # When the vote was given (the latest vote, when it was replaced); aware UTC.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(20))
    conversation: Mapped[str] = mapped_column(String(64))
    turn: Mapped[int]
    # The turn's first response (its answer), and all of them in order, space-separated.
    response: Mapped[str] = mapped_column(String(80))
    responses: Mapped[str] = mapped_column(String(400))
    intent: Mapped[str] = mapped_column(String(80))
    item_code: Mapped[str | None] = mapped_column(String(8))
    helpful: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(String(200))
