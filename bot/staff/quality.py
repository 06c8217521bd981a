"""Quality indicators: staff's own self-assessment of an organisation against a charter.

A charter pack may have quality indicator tables (Wokingham's do): headings, each
tied to one of the charter's principles, with exemplar statements ("What should it
feel like?"). For each statement staff note what is going well and what could be
better, and rate "How are we doing?" from 0 (Emerging) through 5 (Established) to
10 (Embedded); under each heading they write the next steps.

This is about organisations, written by staff: it is not family data, so no
suppression applies; it is never part of a family export (`copro export`, the
review downloads, /mydata). Shared by the staff dashboard and `copro quality`.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.content import CharterPack, ContentError, QualityHeading, get_pack, list_packs
from bot.staff.cells import safe_cell
from bot.store.models import QualityAssessment, QualityNextSteps, QualityRating
from bot.store.text import clean_text

ORGANISATION_MAX = 200
TEXT_MAX = 2000
SCORES = tuple(range(11))
NOTE_FIELDS = ("going_well", "could_be_better")
STEP_FIELDS = ("needs_now", "involves", "how_coproduced")
# The source's own questions, used as labels on the form and in the report.
LABELS = {
    "score": "How are we doing?",
    "going_well": "What's going well and how do I know?",
    "could_be_better": "What could be better?",
    "needs_now": "What needs to happen now?",
    "involves": "What will this involve?",
    "how_coproduced": "How will this be done in co-production?",
}
SCORE_WORDS = {0: "Emerging", 5: "Established", 10: "Embedded"}
TENTH, ONE = Decimal("0.1"), Decimal(1)


def band(value: int | Decimal | None) -> str | None:
    """The rating in words: 0 Emerging, 5 Established, 10 Embedded, or between two of them.

    An average is first rounded as it is shown (one decimal), then to a whole number.
    """
    if value is None:
        return None
    whole = int(Decimal(value).quantize(TENTH, ROUND_HALF_UP).quantize(ONE, ROUND_HALF_UP))
    if whole <= 0:
        return "Emerging"
    if whole < 5:
        return "between Emerging and Established"
    if whole == 5:
        return "Established"
    if whole < 10:
        return "between Established and Embedded"
    return "Embedded"


def fold(organisation: str) -> str:
    """The name an organisation is known by in the store: case and spacing do not count."""
    return " ".join(organisation.split()).casefold()


def packs_with_indicators() -> list[CharterPack]:
    return [pack for pack in list_packs() if pack.quality_indicators]


# ---- Checking and saving ---------------------------------------------------------------------


class QualityProblem(ValueError):
    """An assessment that cannot be saved: ``problems`` maps each field to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class CheckedRating:
    indicator_id: str
    score: int | None
    going_well: str | None
    could_be_better: str | None


@dataclass(frozen=True)
class CheckedSteps:
    principle: str
    needs_now: str | None
    involves: str | None
    how_coproduced: str | None


@dataclass(frozen=True)
class NewAssessment:
    charter: str
    organisation: str
    assessed_on: str
    ratings: tuple[CheckedRating, ...]
    next_steps: tuple[CheckedSteps, ...]


def _score(value: object) -> int | None:
    """A score 0-10, None when not rated; ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit() and len(text) <= 2):
            raise ValueError
        number = int(text)
    else:
        raise ValueError
    if number not in SCORES:
        raise ValueError
    return number


def _note(value: object) -> str | None:
    """Free text as typed, without control characters (any new line is LF), None when empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError
    text = clean_text(value).strip()
    return text or None


def _organisation(value: object, problems: dict[str, str]) -> str:
    name = clean_text(value).strip() if isinstance(value, str) else ""
    if not name:
        problems["organisation"] = "Give the name of the organisation you are assessing."
    elif len(name) > ORGANISATION_MAX:
        problems["organisation"] = (
            f"The organisation's name is too long: keep it to {ORGANISATION_MAX} characters."
        )
    elif any(unicodedata.category(ch) == "Cc" for ch in name):
        problems["organisation"] = "Give the organisation's name on one line."
    return name


def _assessed_on(value: object, today: date, problems: dict[str, str]) -> str:
    text = value.strip() if isinstance(value, str) else ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems["assessed_on"] = "Give the date of the assessment as a date like 2026-11-20."
        return text
    if day > today:
        problems["assessed_on"] = "The date of the assessment cannot be in the future."
    return day.isoformat()


def _text_field(
    values: Mapping[str, object], name: str, field: str, about: str, problems: dict[str, str]
) -> str | None:
    try:
        text = _note(values.get(name))
    except TypeError:
        problems[field] = f"{LABELS[name]} ({about}) must be text."
        return None
    if text is not None and len(text) > TEXT_MAX:
        problems[field] = (
            f"{LABELS[name]} ({about}) is too long: {len(text):,} characters. "
            f"Keep it to {TEXT_MAX:,}."
        )
    return text


def check_assessment(
    charter: str,
    organisation: str,
    assessed_on: str,
    ratings: Mapping[str, Mapping[str, object]],
    next_steps: Mapping[str, Mapping[str, object]] | None = None,
    today: date | None = None,
) -> NewAssessment:
    """The assessment as it will be saved, or :class:`QualityProblem` naming every bad field.

    ``ratings`` maps a statement id to its ``score`` (0-10; None or "" is not rated),
    ``going_well`` and ``could_be_better``; ``next_steps`` maps a heading's principle
    to its ``needs_now``, ``involves`` and ``how_coproduced``. Text is trimmed; a
    field left empty is saved as nothing.
    """
    problems: dict[str, str] = {}
    try:
        pack = get_pack(charter)
    except ContentError:
        pack = None
    if pack is None or not pack.quality_indicators:
        known = ", ".join(p.id for p in packs_with_indicators()) or "none"
        raise QualityProblem(
            {"charter": f"Choose a charter that has quality indicators (have: {known})."}
        )
    name = _organisation(organisation, problems)
    day = _assessed_on(assessed_on, today or date.today(), problems)
    statements = pack.quality_statements()
    headings = {h.principle: h for h in pack.quality_indicators}
    unknown = [key for key in ratings if key not in statements]
    unknown_steps = [key for key in (next_steps or {}) if key not in headings]
    if unknown or unknown_steps:
        names = ", ".join(repr(key) for key in [*unknown, *unknown_steps])
        problems["indicator"] = (
            f"The {pack.area} quality indicators have nothing called {names}. "
            "Reload the form and try again."
        )
    checked_ratings = []
    for indicator_id, (_heading, statement) in statements.items():
        values = ratings.get(indicator_id) or {}
        about = f'"{statement.text}"'
        try:
            score = _score(values.get("score"))
        except ValueError:
            score = None
            problems[f"score-{indicator_id}"] = (
                f"The score for {about} must be a whole number from 0 to 10, or Not rated."
            )
        notes = [
            _text_field(values, field, f"{field}-{indicator_id}", about, problems)
            for field in NOTE_FIELDS
        ]
        if score is not None or any(notes):
            checked_ratings.append(CheckedRating(indicator_id, score, *notes))
    checked_steps = []
    for principle, heading in headings.items():
        values = (next_steps or {}).get(principle) or {}
        about = f"next steps for {heading.name}"
        steps = [
            _text_field(values, field, f"{field}-{principle}", about, problems)
            for field in STEP_FIELDS
        ]
        if any(steps):
            checked_steps.append(CheckedSteps(principle, *steps))
    if not problems and not checked_ratings and not checked_steps:
        problems["ratings"] = "Rate at least one statement, or write a note, before saving."
    if problems:
        raise QualityProblem(problems)
    return NewAssessment(pack.id, name, day, tuple(checked_ratings), tuple(checked_steps))


def add_assessment(
    session: Session, checked: NewAssessment, staff_account_id: int | None = None
) -> int:
    """Save a checked assessment; its id. One per organisation, charter and date."""
    key = fold(checked.organisation)
    taken = session.scalar(
        select(QualityAssessment.id).where(
            QualityAssessment.organisation_key == key,
            QualityAssessment.charter == checked.charter,
            QualityAssessment.assessed_on == checked.assessed_on,
        )
    )
    already = {
        "assessed_on": (
            f"{checked.organisation} already has an assessment on {checked.assessed_on}. "
            "Choose another date."
        )
    }
    if taken is not None:
        raise QualityProblem(already)
    assessment = QualityAssessment(
        charter=checked.charter,
        organisation=checked.organisation,
        organisation_key=key,
        assessed_on=checked.assessed_on,
        staff_account_id=staff_account_id,
        ratings=[
            QualityRating(
                indicator_id=r.indicator_id,
                score=r.score,
                going_well=r.going_well,
                could_be_better=r.could_be_better,
            )
            for r in checked.ratings
        ],
        next_steps=[
            QualityNextSteps(
                principle=s.principle,
                needs_now=s.needs_now,
                involves=s.involves,
                how_coproduced=s.how_coproduced,
            )
            for s in checked.next_steps
        ],
    )
    session.add(assessment)
    try:
        session.flush()
    except IntegrityError as error:  # the same form sent twice at once
        raise QualityProblem(already) from error
    return assessment.id


def save_assessment(
    session: Session,
    charter: str,
    organisation: str,
    assessed_on: str,
    ratings: Mapping[str, Mapping[str, object]],
    next_steps: Mapping[str, Mapping[str, object]] | None = None,
    staff_account_id: int | None = None,
    today: date | None = None,
) -> int:
    """Check and save an assessment; :class:`QualityProblem` (nothing saved) when it is wrong."""
    checked = check_assessment(charter, organisation, assessed_on, ratings, next_steps, today)
    return add_assessment(session, checked, staff_account_id)


# ---- Reading: averages, the list of organisations, the report --------------------------------


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
    headings = _headings(charter)
    if not assessment_ids or not headings:
        return {}
    heading_of = case(
        *[
            (QualityRating.indicator_id.in_([s.id for s in h.statements]), h.principle)
            for h in headings
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
    latest = session.execute(
        select(QualityAssessment, groups.c.assessments).join(
            groups,
            (QualityAssessment.organisation_key == groups.c.key)
            & (QualityAssessment.charter == groups.c.charter)
            & (QualityAssessment.assessed_on == groups.c.latest_on),
        )
    ).all()
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
    charters = session.execute(
        select(QualityAssessment.charter, func.max(QualityAssessment.assessed_on))
        .where(QualityAssessment.organisation_key == key)
        .group_by(QualityAssessment.charter)
        .order_by(func.max(QualityAssessment.assessed_on).desc(), QualityAssessment.charter)
    ).all()
    have = [c for c, _ in charters]
    if not have or (charter is not None and charter not in have):
        return None
    chosen = charter or have[0]
    assessments = session.scalars(
        select(QualityAssessment)
        .where(QualityAssessment.organisation_key == key, QualityAssessment.charter == chosen)
        .order_by(QualityAssessment.assessed_on, QualityAssessment.id)
    ).all()
    ids = [a.id for a in assessments]
    position = {assessment_id: n for n, assessment_id in enumerate(ids)}
    rated: dict[str, list[Rated]] = {}
    for r in session.scalars(select(QualityRating).where(QualityRating.assessment_id.in_(ids))):
        cells = rated.setdefault(r.indicator_id, [NOT_RATED] * len(ids))
        cells[position[r.assessment_id]] = Rated(r.score, r.going_well, r.could_be_better)
    steps: dict[str, list[Steps]] = {}
    for s in session.scalars(
        select(QualityNextSteps).where(QualityNextSteps.assessment_id.in_(ids))
    ):
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


# ---- Files: CSV and JSON ---------------------------------------------------------------------

CSV_COLUMNS = (
    "organisation",
    "charter",
    "assessed_on",
    "heading",
    "row",
    "indicator_id",
    "statement",
    "score",
    "band",
    "going_well",
    "could_be_better",
    "needs_now",
    "involves",
    "how_coproduced",
)


def report_csv(report: QualityReport) -> str:
    """Per assessment and heading: a row per statement, then the heading's average and next
    steps (row "heading"). A cell a spreadsheet would run as a formula starts with '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for n, column in enumerate(report.assessments):
        for h in report.headings:
            start = (report.organisation, report.charter, column.assessed_on, h.name)
            for s in h.statements:
                cell = s.cells[n]
                row = (
                    *start,
                    "statement",
                    s.id,
                    s.text,
                    "" if cell.score is None else cell.score,
                    cell.band or "Not rated",
                    cell.going_well or "",
                    cell.could_be_better or "",
                    "",
                    "",
                    "",
                )
                writer.writerow([safe_cell(value) for value in row])
            average, steps = h.averages[n], h.next_steps[n]
            row = (
                *start,
                "heading",
                "",
                "",
                "" if average.value is None else f"{average.value:.1f}",
                average.band or "Not rated",
                "",
                "",
                steps.needs_now or "",
                steps.involves or "",
                steps.how_coproduced or "",
            )
            writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def report_data(report: QualityReport) -> dict:
    """The report as plain data: each assessment with its headings, scores and notes."""
    return {
        "organisation": report.organisation,
        "charter": report.charter,
        "area": report.area,
        "assessments": [
            {
                "assessed_on": column.assessed_on,
                "headings": [
                    {
                        "principle": h.principle,
                        "name": h.name,
                        "average": None
                        if h.averages[n].value is None
                        else float(h.averages[n].value),
                        "band": h.averages[n].band,
                        "rated": h.averages[n].rated,
                        "statements": [
                            {
                                "id": s.id,
                                "text": s.text,
                                "score": s.cells[n].score,
                                "band": s.cells[n].band,
                                "going_well": s.cells[n].going_well,
                                "could_be_better": s.cells[n].could_be_better,
                            }
                            for s in h.statements
                        ],
                        "next_steps": {
                            field: getattr(h.next_steps[n], field) for field in STEP_FIELDS
                        },
                    }
                    for h in report.headings
                ],
            }
            for n, column in enumerate(report.assessments)
        ],
    }


def report_json(report: QualityReport) -> str:
    return json.dumps(report_data(report), indent=2, ensure_ascii=False)
