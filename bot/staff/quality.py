"""Quality indicators: staff's own self-assessment of an organisation against a charter.

A charter pack may have quality indicator tables (Wokingham's do): headings, each
tied to one of the charter's principles, with exemplar statements ("What should it
feel like?"). For each statement staff note what is going well and what could be
better, and rate "How are we doing?" from 0 (Emerging) through 5 (Established) to
10 (Embedded); under each heading they write the next steps.

This module reads and checks what staff submit, and saves it: the form's fields,
limits and words, a score in words (:func:`band`), an organisation's name as the
store knows it (:func:`fold`). The sums and the report read back from the store are
in :mod:`bot.staff.quality_sums`; the report as CSV or JSON in
:mod:`bot.staff.quality_files`.

This is about organisations, written by staff: it is not family data, so no
suppression applies; it is never part of a family export (`copro export`, the
review downloads, /mydata). Shared by the staff dashboard and `copro quality`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from bot.content import CharterPack, ContentError, get_pack, list_packs
from bot.store import quality as stored
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
    taken = stored.assessment_on(session, key, checked.charter, checked.assessed_on)
    already = {
        "assessed_on": (
            f"{checked.organisation} already has an assessment on {checked.assessed_on}. "
            "Choose another date."
        )
    }
    if taken is not None:
        raise QualityProblem(already)
    saved = stored.add_assessment_rows(
        session,
        charter=checked.charter,
        organisation=checked.organisation,
        organisation_key=key,
        assessed_on=checked.assessed_on,
        staff_account_id=staff_account_id,
        ratings=[asdict(rating) for rating in checked.ratings],
        next_steps=[asdict(steps) for steps in checked.next_steps],
    )
    if saved is None:  # the same form sent twice at once
        raise QualityProblem(already)
    return saved


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
