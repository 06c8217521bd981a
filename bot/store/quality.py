"""Quality self-assessments of organisations in the store: saving one, and reading
them back with their scores summed and counted by the database.

An organisation is found by its key (its name folded: bot.staff.quality.fold);
checking what staff submit, and the averages and reports made from these rows,
are bot.staff.quality's and bot.staff.quality_sums' job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.staff_models import QualityAssessment, QualityNextSteps, QualityRating


def assessment_on(
    session: Session, organisation_key: str, charter: str, assessed_on: str
) -> int | None:
    """The id of the organisation's assessment against the charter on that date, if any."""
    return session.scalar(
        select(QualityAssessment.id).where(
            QualityAssessment.organisation_key == organisation_key,
            QualityAssessment.charter == charter,
            QualityAssessment.assessed_on == assessed_on,
        )
    )


def add_assessment_rows(
    session: Session,
    *,
    charter: str,
    organisation: str,
    organisation_key: str,
    assessed_on: str,
    staff_account_id: int | None,
    ratings: Iterable[Mapping[str, object]],
    next_steps: Iterable[Mapping[str, object]],
) -> int | None:
    """Save an assessment with its ratings and next steps; its id.

    ``ratings`` hold an ``indicator_id``, ``score``, ``going_well`` and
    ``could_be_better``; ``next_steps`` a ``principle``, ``needs_now``, ``involves``
    and ``how_coproduced``. None when the same organisation, charter and date was
    saved at the same moment (the same form sent twice at once).
    """
    assessment = QualityAssessment(
        charter=charter,
        organisation=organisation,
        organisation_key=organisation_key,
        assessed_on=assessed_on,
        staff_account_id=staff_account_id,
        ratings=[QualityRating(**rating) for rating in ratings],
        next_steps=[QualityNextSteps(**steps) for steps in next_steps],
    )
    session.add(assessment)
    try:
        session.flush()
    except IntegrityError:
        return None
    return assessment.id


def heading_score_sums(
    session: Session, statements: Mapping[str, Iterable[str]], assessment_ids: list[int]
) -> list[tuple[int, str, int | None, int]]:
    """(assessment, principle, sum of scores, scores given) for each heading rated.

    ``statements`` maps each heading's principle to the ids of its statements;
    statements not under any of them are left out.
    """
    if not assessment_ids or not statements:
        return []
    heading_of = case(
        *[
            (QualityRating.indicator_id.in_(list(ids)), principle)
            for principle, ids in statements.items()
        ],
        else_=None,
    )
    tagged = (
        select(
            QualityRating.assessment_id,
            heading_of.label("principle"),
            QualityRating.score,
        )
        .where(QualityRating.assessment_id.in_(assessment_ids))
        .subquery()
    )
    rows = session.execute(
        select(
            tagged.c.assessment_id,
            tagged.c.principle,
            func.sum(tagged.c.score),
            func.count(tagged.c.score),
        )
        .where(tagged.c.principle.is_not(None))
        .group_by(tagged.c.assessment_id, tagged.c.principle)
    )
    return [(a, p, total, rated) for a, p, total, rated in rows]


def latest_assessments(session: Session) -> list[tuple[QualityAssessment, int]]:
    """Each organisation's latest assessment per charter, with how many it has against it."""
    groups = (
        select(
            QualityAssessment.organisation_key.label("key"),
            QualityAssessment.charter.label("charter"),
            func.count().label("assessments"),
            func.max(QualityAssessment.assessed_on).label("latest_on"),
        )
        .group_by(QualityAssessment.organisation_key, QualityAssessment.charter)
        .subquery()
    )
    rows = session.execute(
        select(QualityAssessment, groups.c.assessments).join(
            groups,
            (QualityAssessment.organisation_key == groups.c.key)
            & (QualityAssessment.charter == groups.c.charter)
            & (QualityAssessment.assessed_on == groups.c.latest_on),
        )
    ).all()
    return [(assessment, count) for assessment, count in rows]


def charters_assessed(session: Session, organisation_key: str) -> list[str]:
    """The charters an organisation was assessed against, the most recently assessed first."""
    rows = session.execute(
        select(QualityAssessment.charter, func.max(QualityAssessment.assessed_on))
        .where(QualityAssessment.organisation_key == organisation_key)
        .group_by(QualityAssessment.charter)
        .order_by(func.max(QualityAssessment.assessed_on).desc(), QualityAssessment.charter)
    ).all()
    return [charter for charter, _latest in rows]


def assessments_of(
    session: Session, organisation_key: str, charter: str
) -> list[QualityAssessment]:
    """An organisation's assessments against one charter, oldest first."""
    return list(
        session.scalars(
            select(QualityAssessment)
            .where(
                QualityAssessment.organisation_key == organisation_key,
                QualityAssessment.charter == charter,
            )
            .order_by(QualityAssessment.assessed_on, QualityAssessment.id)
        )
    )


def ratings_in(session: Session, assessment_ids: list[int]) -> list[QualityRating]:
    """Every statement rated or noted in these assessments."""
    return list(
        session.scalars(
            select(QualityRating).where(QualityRating.assessment_id.in_(assessment_ids))
        )
    )


def next_steps_in(session: Session, assessment_ids: list[int]) -> list[QualityNextSteps]:
    """Every heading's next steps written in these assessments."""
    return list(
        session.scalars(
            select(QualityNextSteps).where(QualityNextSteps.assessment_id.in_(assessment_ids))
        )
    )
