"""Load and check charter packs (one YAML file per local area), with staff's contacts."""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.contacts import confirmed_contact, merged, optional_text, read_overrides
from bot.content.errors import ContentError
from bot.content.fields import list_field, text_field
from bot.content.model import (
    CharterPack,
    FrameworkReview,
    Principle,
    QualityHeading,
    QualityStatement,
    Question,
    Rung,
    SafetySetup,
)
from bot.names import SIGNER_KINDS
from bot.settings import get_settings

PACKS_DIR = Path(__file__).resolve().parent / "packs"

RUNG_GROUPS = ("doing to", "doing for", "doing with")
PACK_FIELDS = frozenset(
    {
        "id",
        "area",
        "title",
        "general_review_title",
        "source",
        "principles",
        "questions",
        "optional_questions",
        "ladder",
        "pledges",
        "framework_review",
        "contact",
        "quality_indicators",
        "safeguarding",
        "sendiass",
        "local_offer",
    }
)
SAFETY_FIELDS = frozenset({"team", "alert_email", "escalate_email", "contact"})


def parse_pack(data: Any, source: str) -> CharterPack:
    """Check one pack's data; raise :class:`ContentError` naming ``source`` on any problem."""
    if not isinstance(data, dict):
        raise ContentError(f"{source}: the file must hold a mapping")
    principles = tuple(
        Principle(
            id=text_field(p, "id", f"{source}: principles[{i}]"),
            name=text_field(p, "name", f"{source}: principles[{i}]"),
            easy_read=text_field(p, "easy_read", f"{source}: principles[{i}]", easy_read=True),
        )
        for i, p in enumerate(list_field(data, "principles", source))
    )
    principle_ids = {p.id for p in principles}
    questions = _questions(
        list_field(data, "questions", source), source, "questions", principle_ids
    )
    optional = data.get("optional_questions") or []
    if not isinstance(optional, list):
        raise ContentError(f"{source}: field 'optional_questions' must be a list")
    optional_questions = _questions(optional, source, "optional_questions", principle_ids)
    ids = [q.id for q in (*questions, *optional_questions)]
    if len(set(ids)) != len(ids):
        raise ContentError(f"{source}: questions: every id must be different")
    unknown = set(data) - PACK_FIELDS
    if unknown:
        raise ContentError(f"{source}: unknown field(s) {', '.join(sorted(unknown))}")
    ladder_name, ladder = _ladder(data.get("ladder"), source)
    return CharterPack(
        id=text_field(data, "id", source),
        area=text_field(data, "area", source),
        title=text_field(data, "title", source),
        general_review_title=text_field(data, "general_review_title", source),
        principles=principles,
        questions=questions,
        optional_questions=optional_questions,
        contact=confirmed_contact(data.get("contact"), "contact", f"{source}: contact"),
        ladder_name=ladder_name,
        ladder=ladder,
        pledges=_pledges(data.get("pledges"), source),
        framework_review=_framework_review(data.get("framework_review"), source),
        quality_indicators=_quality_indicators(
            data.get("quality_indicators"), source, principle_ids
        ),
        safety=_safety(data.get("safeguarding"), source),
        sendiass=confirmed_contact(data.get("sendiass"), "sendiass", f"{source}: sendiass"),
        local_offer=confirmed_contact(
            data.get("local_offer"), "local_offer", f"{source}: local_offer"
        ),
    )


def _questions(
    items: list[Any], source: str, key: str, principle_ids: set[str]
) -> tuple[Question, ...]:
    questions = []
    for i, q in enumerate(items):
        where = f"{source}: {key}[{i}]"
        if not isinstance(q, dict):
            raise ContentError(f"{where}: must be a mapping")
        question = Question(
            id=text_field(q, "id", where),
            principle=text_field(q, "principle", where),
            text=text_field(q, "text", where, easy_read=True),
            simple=text_field(q, "simple", where, easy_read=True),
        )
        if question.principle not in principle_ids:
            raise ContentError(f"{where}: principle '{question.principle}' is not in principles")
        questions.append(question)
    return tuple(questions)


def _safety(data: Any, source: str) -> SafetySetup:
    where = f"{source}: safeguarding"
    if data is None:
        return SafetySetup()
    if not isinstance(data, dict) or set(data) - SAFETY_FIELDS:
        raise ContentError(f"{where} must be a mapping with only {sorted(SAFETY_FIELDS)}")
    contact = confirmed_contact(data.get("contact"), "safeguarding", f"{where}.contact")
    return SafetySetup(
        team=optional_text(data, "team", where),
        alert_email=optional_text(data, "alert_email", where),
        escalate_email=optional_text(data, "escalate_email", where),
        contact=contact,
    )


QUALITY_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
QUALITY_HEADING_FIELDS = frozenset({"principle", "name", "statements"})


def _quality_indicators(
    data: Any, source: str, principle_ids: set[str]
) -> tuple[QualityHeading, ...]:
    """The quality indicator tables: statements keep the source's words, not easy read."""
    if data is None:
        return ()
    if not isinstance(data, list) or not data:
        raise ContentError(f"{source}: field 'quality_indicators' must be a non-empty list")
    headings: list[QualityHeading] = []
    seen: set[str] = set()
    for i, heading in enumerate(data):
        where = f"{source}: quality_indicators[{i}]"
        if not isinstance(heading, dict):
            raise ContentError(f"{where}: must be a mapping")
        unknown = set(heading) - QUALITY_HEADING_FIELDS
        if unknown:
            raise ContentError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        principle = text_field(heading, "principle", where)
        if principle not in principle_ids:
            raise ContentError(f"{where}: principle '{principle}' is not in principles")
        if any(h.principle == principle for h in headings):
            raise ContentError(f"{where}: principle '{principle}' already has a heading")
        statements = []
        for j, statement in enumerate(list_field(heading, "statements", where)):
            at = f"{where}.statements[{j}]"
            if set(statement) != {"id", "text"}:
                raise ContentError(f"{at}: must have exactly 'id' and 'text'")
            statement_id = text_field(statement, "id", at)
            if not QUALITY_ID.fullmatch(statement_id):
                raise ContentError(
                    f"{at}: id '{statement_id}' must be lower-case letters, digits and _ "
                    "(up to 64, starting with a letter)"
                )
            if statement_id in seen:
                raise ContentError(f"{at}: id '{statement_id}' is used twice")
            seen.add(statement_id)
            statements.append(QualityStatement(statement_id, text_field(statement, "text", at)))
        headings.append(
            QualityHeading(principle, text_field(heading, "name", where), tuple(statements))
        )
    return tuple(headings)


def _framework_review(data: Any, source: str) -> FrameworkReview | None:
    if data is None:
        return None
    where = f"{source}: framework_review"
    fields = ("first_after_months", "then_every_months")
    if not isinstance(data, dict) or set(data) != set(fields):
        raise ContentError(f"{where}: must be a mapping with exactly {list(fields)}")
    for name in fields:
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 120:
            raise ContentError(f"{where}.{name}: must be a whole number of months from 1 to 120")
    return FrameworkReview(data["first_after_months"], data["then_every_months"])


def _ladder(data: Any, source: str) -> tuple[str, tuple[Rung, ...]]:
    if data is None:
        return "Ladder of participation", ()
    if not isinstance(data, dict):
        raise ContentError(f"{source}: field 'ladder' must be a mapping with 'name' and 'rungs'")
    rungs = []
    for i, rung in enumerate(list_field(data, "rungs", f"{source}: ladder")):
        where = f"{source}: ladder.rungs[{i}]"
        group = rung.get("group")
        if group is not None and group not in RUNG_GROUPS:
            raise ContentError(f"{where}: field 'group' must be one of {list(RUNG_GROUPS)} or null")
        rungs.append(
            Rung(
                id=text_field(rung, "id", where),
                name=text_field(rung, "name", where),
                group=group,
                easy_read=text_field(rung, "easy_read", where, easy_read=True),
            )
        )
    return text_field(data, "name", f"{source}: ladder"), tuple(rungs)


def _pledges(data: Any, source: str) -> dict[str, tuple[str, ...]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(f"{source}: field 'pledges' must be a mapping of signer kind to a list")
    pledges = {}
    for kind, items in data.items():
        where = f"{source}: pledges.{kind}"
        if kind not in SIGNER_KINDS:
            raise ContentError(f"{where}: signer kind must be one of {list(SIGNER_KINDS)}")
        if not isinstance(items, list) or not items:
            raise ContentError(f"{where}: must be a non-empty list of pledges")
        pledges[kind] = tuple(
            text_field({"pledge": item}, "pledge", f"{where}[{i}]", easy_read=True)
            for i, item in enumerate(items)
        )
    return pledges


def load_pack(path: Path) -> CharterPack:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: not valid YAML: {error}") from error
    pack = parse_pack(data, path.name)
    if pack.id != path.stem:
        raise ContentError(f"{path.name}: field 'id' must match the file name ('{path.stem}')")
    return pack


def with_contacts(pack: CharterPack, override: dict[str, dict[str, str]], source: str):
    """The pack with staff's contacts (from ``COPRO_CONTACTS_FILE``) over its own."""
    where = f"{source}: {pack.id}"
    safety = dataclasses.replace(
        pack.safety,
        contact=merged(pack.safety.contact, override.get("safeguarding"), "safeguarding", where),
    )
    return dataclasses.replace(
        pack,
        contact=merged(pack.contact, override.get("contact"), "contact", where),
        sendiass=merged(pack.sendiass, override.get("sendiass"), "sendiass", where),
        local_offer=merged(pack.local_offer, override.get("local_offer"), "local_offer", where),
        safety=safety,
    )


@lru_cache(maxsize=1)
def _all_packs() -> dict[str, CharterPack]:
    packs = {path.stem: load_pack(path) for path in sorted(PACKS_DIR.glob("*.yml"))}
    contacts_file = get_settings().contacts_file
    if contacts_file is None:
        return packs
    overrides = read_overrides(contacts_file, set(packs))
    for area, override in overrides.items():
        packs[area] = with_contacts(packs[area], override, contacts_file.name)
    return packs


def list_packs() -> list[CharterPack]:
    return list(_all_packs().values())


def get_pack(charter_id: str) -> CharterPack:
    packs = _all_packs()
    try:
        return packs[charter_id.strip().lower()]
    except KeyError:
        raise ContentError(
            f"no charter pack called '{charter_id}' (have: {', '.join(sorted(packs))})"
        ) from None
