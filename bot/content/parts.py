"""The parts of a charter pack as its YAML file holds them, each a pydantic model of its rules.

Checking a pack is validating :class:`PackPart`; the loader turns the checked parts
into the frozen dataclasses of :mod:`bot.content.model`. Text a family sees is
:class:`EasyText`; fields are checked in the order they are declared here.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, get_args

from pydantic import Extra, conint, conlist, root_validator, validator

from bot.content.contacts import ContactPart, SafetyContactPart
from bot.content.fields import EasyText, Text
from bot.content.wording import FIELD, SENTENCE, Part, Problem
from bot.names import SIGNER_KINDS

RungGroup = Literal["doing to", "doing for", "doing with"]
RUNG_GROUPS = get_args(RungGroup)
QUALITY_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
SAFETY_FIELDS = ("alert_email", "contact", "escalate_email", "team")
Months = conint(strict=True, ge=1, le=120)


@dataclass
class PackSoFar:
    """What the checks of a quality indicator table need from the rest of its pack."""

    # The pack's principle ids; None while they are not known to be right.
    principles: set[str] | None = None
    # The principles with a table so far, and the statement ids used so far.
    headings: set[str] = field(default_factory=set)
    statement_ids: set[str] = field(default_factory=set)


# The pack being checked (pydantic 1 gives a part no view of the pack it is in).
_PACK_SO_FAR: ContextVar[PackSoFar | None] = ContextVar("pack_so_far", default=None)


def exactly(fields: tuple[str, ...], values: Any, problem: Problem) -> Any:
    """``values`` when they have exactly ``fields``; else ``problem``."""
    if set(values) != set(fields):
        raise problem
    return values


class SignerKind(str):
    """Who a pledge is for (a key of a pack's ``pledges``): one of SIGNER_KINDS."""

    @classmethod
    def __get_validators__(cls):
        yield cls.known

    @classmethod
    def known(cls, kind: Any) -> Any:
        if kind not in SIGNER_KINDS:
            # Placed at the kind itself, not at pydantic's "__key__".
            raise Problem(f"signer kind must be one of {list(SIGNER_KINDS)}", at=(kind,))
        return kind


class PrinciplePart(Part):
    """One of the charter's principles, with its easy read meaning."""

    class Config:
        extra = Extra.ignore  # other fields are let through, not refused

    id: Text
    name: Text
    easy_read: EasyText


class QuestionPart(Part):
    """One reviewing question, asked of a principle, in full and in simple words."""

    class Config:
        extra = Extra.ignore  # other fields are let through, not refused

    id: Text
    principle: Text
    text: EasyText
    simple: EasyText


class OptionalQuestionPart(QuestionPart):
    """A question staff may add to a review when they create it."""

    NOT_A_MAPPING: ClassVar[Problem] = Problem("must be a mapping")


class RungPart(Part):
    """One step of the ladder of participation, in the group it belongs to (if any)."""

    class Config:
        extra = Extra.ignore  # other fields are let through, not refused

    group: RungGroup | None = None
    id: Text
    name: Text
    easy_read: EasyText

    @validator("group", pre=True)
    def group_known(cls, group: Any) -> Any:
        if group is not None and group not in RUNG_GROUPS:
            raise Problem(f"must be one of {list(RUNG_GROUPS)} or null", FIELD, at=("group",))
        return group


class LadderPart(Part):
    """The area's ladder of participation: its name and its rungs, lowest first."""

    class Config:
        extra = Extra.ignore  # other fields are let through, not refused

    NOT_A_MAPPING: ClassVar[Problem] = Problem("must be a mapping with 'name' and 'rungs'", FIELD)

    rungs: conlist(RungPart, min_items=1)
    name: Text


class QualityStatementPart(Part):
    """One statement of a quality indicator table: the source's words, not easy read."""

    id: Text
    text: Text

    @root_validator(pre=True)
    def id_and_text(cls, values: Any) -> Any:
        return exactly(("id", "text"), values, Problem("must have exactly 'id' and 'text'", at=()))

    @validator("id")
    def id_is_a_name_used_once(cls, statement_id: str) -> str:
        if not QUALITY_ID.fullmatch(statement_id):
            raise Problem(
                f"id '{statement_id}' must be lower-case letters, digits and _ "
                "(up to 64, starting with a letter)",
                at=(),
            )
        pack = _PACK_SO_FAR.get()
        if pack is not None:
            if statement_id in pack.statement_ids:
                raise Problem(f"id '{statement_id}' is used twice", at=())
            pack.statement_ids.add(statement_id)
        return statement_id


class QualityHeadingPart(Part):
    """One quality indicator table: a principle of the pack (one table each), its statements."""

    NOT_A_MAPPING: ClassVar[Problem] = Problem("must be a mapping")

    principle: Text
    statements: conlist(QualityStatementPart, min_items=1)
    name: Text

    @validator("principle")
    def principle_of_the_pack_once(cls, principle: str) -> str:
        pack = _PACK_SO_FAR.get()
        if pack is None or pack.principles is None:
            return principle
        if principle not in pack.principles:
            raise Problem(f"principle '{principle}' is not in principles", at=())
        if principle in pack.headings:
            raise Problem(f"principle '{principle}' already has a heading", at=())
        pack.headings.add(principle)
        return principle


class FrameworkReviewPart(Part):
    """Months from signing to a pledge's first review, then between reviews."""

    FIELDS: ClassVar[tuple[str, ...]] = ("first_after_months", "then_every_months")
    NOT_A_MAPPING: ClassVar[Problem] = Problem(f"must be a mapping with exactly {list(FIELDS)}")
    WRONG_VALUE: ClassVar[Problem] = Problem("must be a whole number of months from 1 to 120")

    first_after_months: Months
    then_every_months: Months

    @root_validator(pre=True)
    def both_numbers(cls, values: Any) -> Any:
        return exactly(cls.FIELDS, values, Problem(cls.NOT_A_MAPPING.text, at=()))


class SafetySetupPart(Part):
    """Who hears about a severe flag in this area, and who families may contact."""

    NOT_A_MAPPING: ClassVar[Problem] = Problem(
        f"must be a mapping with only {list(SAFETY_FIELDS)}", SENTENCE
    )
    UNKNOWN: ClassVar[Problem] = NOT_A_MAPPING

    contact: SafetyContactPart | None = None
    team: Text | None = None
    alert_email: Text | None = None
    escalate_email: Text | None = None


class PackPart(Part):
    """One local area's charter pack."""

    UNKNOWN_AFTER: ClassVar[str] = "optional_questions"

    principles: conlist(PrinciplePart, min_items=1)
    questions: conlist(QuestionPart, min_items=1)
    optional_questions: list[OptionalQuestionPart] = []
    ladder: LadderPart | None = None
    id: Text
    area: Text
    title: Text
    general_review_title: Text
    contact: ContactPart | None = None
    pledges: dict[SignerKind, list[EasyText]] = {}
    framework_review: FrameworkReviewPart | None = None
    quality_indicators: conlist(QualityHeadingPart, min_items=1) | None = None
    safeguarding: SafetySetupPart | None = None
    sendiass: ContactPart | None = None
    local_offer: ContactPart | None = None
    # Where the pack's words come from, for staff: not checked.
    source: Any = None

    @classmethod
    def check(cls, data: dict[str, Any]) -> PackPart:
        """The pack's parts, checked: pydantic's ValidationError names every problem."""
        token = _PACK_SO_FAR.set(PackSoFar())
        try:
            return cls.validate(data)
        finally:
            _PACK_SO_FAR.reset(token)

    @validator("principles")
    def principles_found(cls, principles: list[PrinciplePart]) -> list[PrinciplePart]:
        pack = _PACK_SO_FAR.get()
        if pack is not None:
            pack.principles = {p.id for p in principles}
        return principles

    @validator("optional_questions", pre=True)
    def optional_questions_listed(cls, optional: Any) -> list[Any]:
        if not optional:
            return []
        if not isinstance(optional, list):
            raise Problem("must be a list", FIELD, at=("optional_questions",))
        return optional

    @validator("questions", "optional_questions", each_item=True)
    def principle_known(cls, question: QuestionPart, values: dict) -> QuestionPart:
        known = {p.id for p in values.get("principles", ())}
        if "principles" in values and question.principle not in known:
            raise Problem(f"principle '{question.principle}' is not in principles")
        return question

    @validator("optional_questions", always=True)
    def question_ids_different(cls, optional: list[QuestionPart], values: dict) -> list:
        ids = [q.id for q in (*values.get("questions", ()), *optional)]
        if len(set(ids)) != len(ids):
            raise Problem("every id must be different", at=("questions",))
        return optional

    @validator("pledges", pre=True)
    def pledges_mapped(cls, pledges: Any) -> Any:
        if pledges is None:
            return {}
        if not isinstance(pledges, dict):
            problem = "must be a mapping of signer kind to a list"
            raise Problem(problem, FIELD, at=("pledges",))
        return pledges

    @validator("pledges", pre=True, each_item=True)
    def pledges_listed(cls, items: Any) -> Any:
        if not isinstance(items, list) or not items:
            raise Problem("must be a non-empty list of pledges")
        return items
