"""Storing votes and counting them: what a dashboard for the bureau will read.

A row never holds anything that names a person. The conversation is kept as a keyed hash
of its id: enough to keep one vote per answer and to count conversations, but no way back
to the conversation itself (whose id would let a reader continue it through the chat API
and, in the cluster profile, find its tracker next to this table). The comment is masked
with the one masking rule (:func:`common.privacy.mask_text`) before it is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from chuangkou.feedback.tables import AnswerFeedback
from chuangkou.feedback.turns import TurnFacts
from common.privacy import mask_text

MAX_COMMENT_CHARS = 200
# Without a deployment secret (tests) the hash is still one-way for random session ids.
_NO_SECRET = b"chuangkou-feedback"


def conversation_hash(conversation_id: str, secret: str) -> str:
    """The stored form of a conversation id: HMAC-SHA256 with the deployment's secret.

    Keyed, not a plain hash: an API client may choose a short session id, which a plain
    hash would not hide from someone trying every short id.
    """
    key = secret.encode("utf-8") if secret else _NO_SECRET
    return hmac.new(key, conversation_id.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Vote:
    """One vote as the gateway hands it over (the comment as typed; it is masked here)."""

    conversation: str  # already hashed (:func:`conversation_hash`)
    channel: str
    facts: TurnFacts
    helpful: bool
    comment: str | None = None


def record(sessions: sessionmaker[Session], vote: Vote, now: datetime | None = None) -> bool:
    """Store a vote; a later vote on the same answer replaces the earlier one.

    Args:
        sessions: The database's session factory.
        vote: The vote.
        now: When it was given (aware); the current time when omitted.

    Returns:
        True when it replaced an earlier vote.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    comment = mask_text(vote.comment).text[:MAX_COMMENT_CHARS] if vote.comment else None
    facts = vote.facts
    values = {
        "created_at": moment,
        "channel": vote.channel[:20],
        "response": (facts.responses[0] if facts.responses else "")[:80],
        "responses": " ".join(facts.responses)[:400],
        "intent": facts.intent[:80],
        "item_code": facts.item_code,
        "helpful": vote.helpful,
        "comment": comment,
    }
    mine = (AnswerFeedback.conversation == vote.conversation) & (AnswerFeedback.turn == facts.turn)
    # Two votes on one answer at once: the unique constraint lets one insert win; the
    # other finds the row on its second try and replaces it.
    for _attempt in range(2):
        try:
            with sessions.begin() as session:
                result = session.execute(update(AnswerFeedback).where(mine).values(values))
                if result.rowcount:  # type: ignore[attr-defined]
                    return True
                session.add(
                    AnswerFeedback(conversation=vote.conversation, turn=facts.turn, **values)
                )
            return False
        except IntegrityError:
            continue
    raise RuntimeError("feedback row neither inserted nor updated")


@dataclass(frozen=True)
class Tally:
    """Votes on one response about one item (item None: answers about no item)."""

    item_code: str | None
    response: str
    helpful: int
    unhelpful: int
    comments: int


def tallies(sessions: sessionmaker[Session], since: datetime | None = None) -> list[Tally]:
    """Votes counted per item and response, the least helpful first.

    Args:
        sessions: The database's session factory.
        since: Only votes given from then on (aware); all when omitted.

    Returns:
        One tally per (item, response) that has votes.
    """
    unhelpful = func.sum(case((AnswerFeedback.helpful.is_(False), 1), else_=0))
    query = select(
        AnswerFeedback.item_code,
        AnswerFeedback.response,
        func.sum(case((AnswerFeedback.helpful.is_(True), 1), else_=0)),
        unhelpful,
        func.count(AnswerFeedback.comment),
    ).group_by(AnswerFeedback.item_code, AnswerFeedback.response)
    if since is not None:
        query = query.where(AnswerFeedback.created_at >= since.astimezone(UTC))
    query = query.order_by(unhelpful.desc(), AnswerFeedback.item_code, AnswerFeedback.response)
    with sessions() as session:
        return [
            Tally(item, response, int(yes or 0), int(no or 0), int(comments or 0))
            for item, response, yes, no, comments in session.execute(query)
        ]


def erase_comments(sessions: sessionmaker[Session], before: datetime) -> int:
    """Blank the comments of votes given before ``before`` (the retention period).

    A comment is free text; masking hides numbers but not, say, a name. The vote itself
    stays for the counts.

    Returns:
        How many comments were erased.
    """
    with sessions.begin() as session:
        result = session.execute(
            update(AnswerFeedback)
            .where(AnswerFeedback.created_at < before.astimezone(UTC))
            .where(AnswerFeedback.comment.is_not(None))
            .values(comment=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
