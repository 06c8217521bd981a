"""Quality indicators: the sums, and the report read back from the store.

Each heading's average score (summed and counted by the database), the list of
organisations assessed with their latest averages, and one organisation's
assessments over time (:func:`organisation_report`), shown on the staff dashboard
and written out by :mod:`bot.staff.quality_files`. What staff submit is checked and
saved by :mod:`bot.staff.quality`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from bot.content import ContentError, QualityHeading, get_pack
from bot.staff.quality import TENTH, band, fold
from bot.store import quality as stored


@dataclass(frozen=True)
class Average:
    """A heading's average score over its rated statements (None: none rated)."""

    value: Decimal | None
    rated: int

    @property
    def band(self) -> str | None:
        return band(self.value)

    @property
    def shown(self) -> str:
        return "Not rated" if self.value is None else f"{self.value:.1f}"


def _average(total: int | None, rated: int) -> Average:
    if not rated:
        return Average(None, 0)
    return Average((Decimal(total) / rated).quantize(TENTH, ROUND_HALF_UP), rated)


def _headings(charter: str) -> tuple[QualityHeading, ...]:
    try:
        return get_pack(charter).quality_indicators
    except ContentError:  # a pack taken away since: its assessments have no tables
        return ()


def _area(charter: str) -> str:
    try:
        return get_pack(charter).area
    except ContentError:
        return charter


def heading_averages(
    session: Session, charter: str, assessment_ids: list[int]
) -> dict[tuple[int, str], Average]:
    """Each (assessment, principle)'s average score, summed and counted by the database."""
    statements = {h.principle: [s.id for s in h.statements] for h in _headings(charter)}
    rows = stored.heading_score_sums(session, statements, assessment_ids)
    return {(a, p): _average(total, rated) for a, p, total, rated in rows}


@dataclass(frozen=True)
class HeadingSummary:
    name: str
    average: Average


@dataclass(frozen=True)
class OrganisationSummary:
    organisation: str
    charter: str
    area: str
    assessments: int
    latest_on: str
    headings: tuple[HeadingSummary, ...]


def list_organisations(session: Session) -> list[OrganisationSummary]:
    """Every organisation assessed (per charter): how often, when last, its latest averages."""
    latest = stored.latest_assessments(session)
    by_charter: dict[str, list[int]] = {}
    for assessment, _count in latest:
        by_charter.setdefault(assessment.charter, []).append(assessment.id)
    averages: dict[tuple[int, str], Average] = {}
    for charter, ids in by_charter.items():
        averages.update(heading_averages(session, charter, ids))
    found = [
        OrganisationSummary(
            organisation=assessment.organisation,
            charter=assessment.charter,
            area=_area(assessment.charter),
            assessments=count,
            latest_on=assessment.assessed_on,
            headings=tuple(
                HeadingSummary(h.name, averages.get((assessment.id, h.principle), Average(None, 0)))
                for h in _headings(assessment.charter)
            ),
        )
        for assessment, count in latest
    ]
    return sorted(found, key=lambda o: (fold(o.organisation), o.area))


@dataclass(frozen=True)
class Rated:
    """One statement in one assessment."""

    score: int | None
    going_well: str | None
    could_be_better: str | None

    @property
    def band(self) -> str | None:
        return band(self.score)


NOT_RATED = Rated(None, None, None)


@dataclass(frozen=True)
class StatementRow:
    id: str
    text: str
    # One per assessment, oldest first.
    cells: tuple[Rated, ...]

    @property
    def latest(self) -> Rated:
        return self.cells[-1]


@dataclass(frozen=True)
class Steps:
    needs_now: str | None
    involves: str | None
    how_coproduced: str | None

    def __bool__(self) -> bool:
        return any((self.needs_now, self.involves, self.how_coproduced))


@dataclass(frozen=True)
class HeadingReport:
    principle: str
    name: str
    statements: tuple[StatementRow, ...]
    # One per assessment, oldest first.
    averages: tuple[Average, ...]
    next_steps: tuple[Steps, ...]

    @property
    def latest_notes(self) -> list[StatementRow]:
        """The statements with a note in the latest assessment."""
        return [s for s in self.statements if s.latest.going_well or s.latest.could_be_better]


@dataclass(frozen=True)
class AssessmentColumn:
    id: int
    assessed_on: str


@dataclass(frozen=True)
class QualityReport:
    organisation: str
    charter: str
    area: str
    assessments: tuple[AssessmentColumn, ...]
    headings: tuple[HeadingReport, ...]
    # The organisation's assessments against other charters, if any.
    other_charters: tuple[str, ...] = ()


def organisation_report(
    session: Session, organisation: str, charter: str | None = None
) -> QualityReport | None:
    """An organisation's assessments over time (oldest first); None when it has none.

    The name is matched whatever its case and spacing. Without ``charter``, the
    charter of its latest assessment.
    """
    key = fold(organisation or "")
    if not key:
        return None
    have = stored.charters_assessed(session, key)
    if not have or (charter is not None and charter not in have):
        return None
    chosen = charter or have[0]
    assessments = stored.assessments_of(session, key, chosen)
    ids = [a.id for a in assessments]
    position = {assessment_id: n for n, assessment_id in enumerate(ids)}
    rated: dict[str, list[Rated]] = {}
    for r in stored.ratings_in(session, ids):
        cells = rated.setdefault(r.indicator_id, [NOT_RATED] * len(ids))
        cells[position[r.assessment_id]] = Rated(r.score, r.going_well, r.could_be_better)
    steps: dict[str, list[Steps]] = {}
    for s in stored.next_steps_in(session, ids):
        column = steps.setdefault(s.principle, [Steps(None, None, None)] * len(ids))
        column[position[s.assessment_id]] = Steps(s.needs_now, s.involves, s.how_coproduced)
    averages = heading_averages(session, chosen, ids)
    headings = tuple(
        HeadingReport(
            principle=h.principle,
            name=h.name,
            statements=tuple(
                StatementRow(s.id, s.text, tuple(rated.get(s.id, [NOT_RATED] * len(ids))))
                for s in h.statements
            ),
            averages=tuple(averages.get((i, h.principle), Average(None, 0)) for i in ids),
            next_steps=tuple(steps.get(h.principle, [Steps(None, None, None)] * len(ids))),
        )
        for h in _headings(chosen)
    )
    return QualityReport(
        organisation=assessments[-1].organisation,
        charter=chosen,
        area=_area(chosen),
        assessments=tuple(AssessmentColumn(a.id, a.assessed_on) for a in assessments),
        headings=headings,
        other_charters=tuple(c for c in have if c != chosen),
    )
