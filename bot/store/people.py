"""Who counts as a person in anything staff are shown.

A person counts for a review once they have saved an answer to one of its
questions. "Skip" is such an answer: the person chose it, and it is counted with
the others. Opening a review, saying who they are (role, age band) or only
placing the work on the ladder (asked after the questions) is not. Every count
of people (pages, exports, breakdowns, releases, the tallies the retention
policy keeps, "you said, we did") uses this one rule, so a group of
``COPRO_MIN_GROUP`` people is always that many people who answered.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.names import LADDER_QUESTION
from bot.store.models import Answer, ReviewResponse


def has_answered() -> ColumnElement:
    """True for a review response with at least one saved answer to a review question.

    A condition for any query over ``ReviewResponse``, also one that joins ``Answer``.
    """
    question_answer = aliased(Answer)
    return (
        select(question_answer.id)
        .where(
            question_answer.response_id == ReviewResponse.id,
            question_answer.question_id != LADDER_QUESTION,
        )
        .correlate(ReviewResponse)
        .exists()
    )
