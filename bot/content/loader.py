"""Load and check charter packs (one YAML file per local area), with staff's contacts."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content.contacts import ContactPart, merged, read_overrides
from bot.content.errors import ContentError
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
from bot.content.parts import PackPart, QualityHeadingPart, SafetySetupPart
from bot.content.wording import first_problem
from bot.settings import get_settings

PACKS_DIR = Path(__file__).resolve().parent / "packs"


def parse_pack(data: Any, source: str) -> CharterPack:
    """Check one pack's data; raise :class:`ContentError` naming ``source`` on any problem."""
    if not isinstance(data, dict):
        raise ContentError(f"{source}: the file must hold a mapping")
    try:
        part = PackPart.check(data)
    except ValidationError as error:
        raise ContentError(first_problem(error, source)) from None
    ladder, review, safety = part.ladder, part.framework_review, part.safeguarding
    return CharterPack(
        id=part.id,
        area=part.area,
        title=part.title,
        general_review_title=part.general_review_title,
        principles=tuple(Principle(**p.dict()) for p in part.principles),
        questions=tuple(Question(**q.dict()) for q in part.questions),
        optional_questions=tuple(Question(**q.dict()) for q in part.optional_questions),
        contact=_shown(part.contact),
        ladder_name=ladder.name if ladder else "Ladder of participation",
        ladder=tuple(Rung(**r.dict()) for r in (ladder.rungs if ladder else ())),
        pledges={kind: tuple(items) for kind, items in part.pledges.items()},
        framework_review=FrameworkReview(**review.dict()) if review else None,
        quality_indicators=tuple(_heading(h) for h in part.quality_indicators or ()),
        safety=_safety(safety) if safety else SafetySetup(),
        sendiass=_shown(part.sendiass),
        local_offer=_shown(part.local_offer),
    )


def _heading(heading: QualityHeadingPart) -> QualityHeading:
    statements = tuple(QualityStatement(**s.dict()) for s in heading.statements)
    return QualityHeading(heading.principle, heading.name, statements)


def _safety(safety: SafetySetupPart) -> SafetySetup:
    contact = _shown(safety.contact)
    return SafetySetup(safety.team, safety.alert_email, safety.escalate_email, contact)


def _shown(contact: ContactPart | None) -> dict[str, str]:
    return contact.shown() if contact else {}


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
