"""Load and check charter packs (one YAML file per local area) and the glossary."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.contacts import confirmed_contact, merged, optional_text, read_overrides
from bot.content.errors import ContentError
from bot.settings import get_settings
from bot.store.models import SIGNER_KINDS

PACKS_DIR = Path(__file__).resolve().parent / "packs"
GLOSSARY_FILE = Path(__file__).resolve().parent / "glossary.yml"
QUIZ_FILE = Path(__file__).resolve().parent / "quiz.yml"
MAX_WORDS = 15


@dataclass(frozen=True)
class Principle:
    id: str
    name: str
    easy_read: str


@dataclass(frozen=True)
class Question:
    id: str
    principle: str
    text: str
    simple: str


@dataclass(frozen=True)
class Rung:
    """One step of the area's ladder of participation (lowest first)."""

    id: str
    name: str
    group: str | None
    easy_read: str


@dataclass(frozen=True)
class QualityStatement:
    """One exemplar statement of a quality indicator table ("What should it feel like?")."""

    id: str
    text: str


@dataclass(frozen=True)
class QualityHeading:
    """One quality indicator table: a principle's heading and its statements, in order."""

    principle: str
    name: str
    statements: tuple[QualityStatement, ...]


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


@dataclass(frozen=True)
class SafetySetup:
    """Who hears about a severe flag in this area, and who families may contact.

    ``contact`` holds only the fields the local area confirmed: an unconfirmed
    one is never shown to a family as if it were real.
    """

    team: str | None = None
    alert_email: str | None = None
    escalate_email: str | None = None
    contact: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FrameworkReview:
    """How often the charter says its whole framework is reviewed."""

    first_after_months: int
    then_every_months: int


@dataclass(frozen=True)
class CharterPack:
    id: str
    area: str
    title: str
    general_review_title: str
    principles: tuple[Principle, ...]
    questions: tuple[Question, ...]
    # Who families can ask about this chat and the charter: confirmed fields only.
    contact: dict[str, str]
    ladder_name: str = "Ladder of participation"
    ladder: tuple[Rung, ...] = ()
    pledges: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Months from signing to a pledge's first review, then between reviews;
    # None when the charter sets no review of its pledges.
    framework_review: FrameworkReview | None = None
    # The quality indicator tables for staff self-assessment; () when the charter has none.
    quality_indicators: tuple[QualityHeading, ...] = ()
    safety: SafetySetup = field(default_factory=SafetySetup)
    # Questions staff may add to a review when they create it (the default set stays short).
    optional_questions: tuple[Question, ...] = ()
    # Where a family can get help with their own child's case: the area's SENDIASS
    # (free advice, separate from the council) and its Local Offer (the SEND
    # website). Only the fields the area confirmed; empty when none.
    sendiass: dict[str, str] = field(default_factory=dict)
    local_offer: dict[str, str] = field(default_factory=dict)

    def question(self, question_id: str) -> Question | None:
        every = (*self.questions, *self.optional_questions)
        return next((q for q in every if q.id == question_id), None)

    def with_optional(self, question_ids: tuple[str, ...] | list[str]) -> CharterPack:
        """The pack as one review asks it: its questions, then the optional ones chosen."""
        if not question_ids:
            return self
        chosen = tuple(q for q in self.optional_questions if q.id in set(question_ids))
        return dataclasses.replace(self, questions=(*self.questions, *chosen))

    def quality_statements(self) -> dict[str, tuple[QualityHeading, QualityStatement]]:
        """Every quality indicator statement by id, with its heading, in order."""
        return {s.id: (h, s) for h in self.quality_indicators for s in h.statements}


def _words(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


def _text(data: dict[str, Any], key: str, where: str, easy_read: bool = False) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: field '{key}' must be non-empty text")
    if easy_read:
        for sentence in re.split(r"(?<=[.?!])\s+", value.strip()):
            if _words(sentence) > MAX_WORDS:
                raise ContentError(
                    f"{where}: field '{key}' has a sentence over {MAX_WORDS} words: {sentence!r}"
                )
    return value.strip()


def _list(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise ContentError(f"{where}: field '{key}' must be a non-empty list")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ContentError(f"{where}: {key}[{index}] must be a mapping")
    return value


def parse_pack(data: Any, source: str) -> CharterPack:
    """Check one pack's data; raise :class:`ContentError` naming ``source`` on any problem."""
    if not isinstance(data, dict):
        raise ContentError(f"{source}: the file must hold a mapping")
    principles = tuple(
        Principle(
            id=_text(p, "id", f"{source}: principles[{i}]"),
            name=_text(p, "name", f"{source}: principles[{i}]"),
            easy_read=_text(p, "easy_read", f"{source}: principles[{i}]", easy_read=True),
        )
        for i, p in enumerate(_list(data, "principles", source))
    )
    principle_ids = {p.id for p in principles}
    questions = _questions(_list(data, "questions", source), source, "questions", principle_ids)
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
        id=_text(data, "id", source),
        area=_text(data, "area", source),
        title=_text(data, "title", source),
        general_review_title=_text(data, "general_review_title", source),
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
            id=_text(q, "id", where),
            principle=_text(q, "principle", where),
            text=_text(q, "text", where, easy_read=True),
            simple=_text(q, "simple", where, easy_read=True),
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
        principle = _text(heading, "principle", where)
        if principle not in principle_ids:
            raise ContentError(f"{where}: principle '{principle}' is not in principles")
        if any(h.principle == principle for h in headings):
            raise ContentError(f"{where}: principle '{principle}' already has a heading")
        statements = []
        for j, statement in enumerate(_list(heading, "statements", where)):
            at = f"{where}.statements[{j}]"
            if set(statement) != {"id", "text"}:
                raise ContentError(f"{at}: must have exactly 'id' and 'text'")
            statement_id = _text(statement, "id", at)
            if not QUALITY_ID.fullmatch(statement_id):
                raise ContentError(
                    f"{at}: id '{statement_id}' must be lower-case letters, digits and _ "
                    "(up to 64, starting with a letter)"
                )
            if statement_id in seen:
                raise ContentError(f"{at}: id '{statement_id}' is used twice")
            seen.add(statement_id)
            statements.append(QualityStatement(statement_id, _text(statement, "text", at)))
        headings.append(QualityHeading(principle, _text(heading, "name", where), tuple(statements)))
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
    for i, rung in enumerate(_list(data, "rungs", f"{source}: ladder")):
        where = f"{source}: ladder.rungs[{i}]"
        group = rung.get("group")
        if group is not None and group not in RUNG_GROUPS:
            raise ContentError(f"{where}: field 'group' must be one of {list(RUNG_GROUPS)} or null")
        rungs.append(
            Rung(
                id=_text(rung, "id", where),
                name=_text(rung, "name", where),
                group=group,
                easy_read=_text(rung, "easy_read", where, easy_read=True),
            )
        )
    return _text(data, "name", f"{source}: ladder"), tuple(rungs)


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
            _text({"pledge": item}, "pledge", f"{where}[{i}]", easy_read=True)
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
        contact=merged(
            pack.safety.contact, override.get("safeguarding"), "safeguarding", where
        ),
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


@lru_cache(maxsize=1)
def _glossary() -> dict[str, dict[str, str]]:
    """Glossary entries keyed by every lower-cased name and alias they can be found by."""
    data = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    entries: dict[str, dict[str, str]] = {}
    for term, entry in data.items():
        where = f"{GLOSSARY_FILE.name}: {term}"
        if not isinstance(entry, dict) or set(entry) - {"short", "simple", "also"}:
            raise ContentError(f"{where}: must have 'short', 'simple' and optional 'also'")
        also = entry.get("also") or []
        if not isinstance(also, list) or not all(isinstance(a, str) and a.strip() for a in also):
            raise ContentError(f"{where}: field 'also' must be a list of other names")
        record = {
            "term": term,
            "short": _text(entry, "short", where, easy_read=True),
            "simple": _text(entry, "simple", where, easy_read=True),
        }
        for name in (term, *also):
            key = name.strip().lower()
            if key in entries and entries[key]["term"] != term:
                raise ContentError(
                    f"{where}: name '{name}' is already used by {entries[key]['term']}"
                )
            entries[key] = record
    return entries


def glossary_names() -> dict[str, str]:
    """Every name a glossary term can be written as (lower case), mapped to the term."""
    return {name: entry["term"] for name, entry in _glossary().items()}


def glossary_terms() -> list[str]:
    return sorted({entry["term"] for entry in _glossary().values()})


def lookup_term(term: str | None) -> dict[str, str] | None:
    """The glossary entry for ``term`` (any case, with or without 'a'/'the' or a plural 's')."""
    if not term:
        return None
    glossary = _glossary()
    key = re.sub(r"^(an?|the)\s+", "", term.strip().lower()).strip(" ?.!")
    for candidate in (key, key.rstrip("s"), key.replace("-", " ")):
        if candidate in glossary:
            return glossary[candidate]
    return None


@dataclass(frozen=True)
class QuizItem:
    """One "is this co-production?" story and the right answer with the reason."""

    id: str
    story: str
    simple: str
    answer: str
    why: str


QUIZ_ANSWERS = ("coproduction", "codesign", "consultation")


def parse_quiz(data: Any, source: str) -> tuple[QuizItem, ...]:
    if not isinstance(data, list) or not data:
        raise ContentError(f"{source}: must be a non-empty list of stories")
    items, seen = [], set()
    for index, entry in enumerate(data):
        where = f"{source}: story {index + 1}"
        if not isinstance(entry, dict):
            raise ContentError(f"{where}: must be a mapping")
        unknown = set(entry) - {"id", "story", "simple", "answer", "why"}
        if unknown:
            raise ContentError(f"{where}: unknown field '{sorted(unknown)[0]}'")
        item_id = _text(entry, "id", where)
        if item_id in seen:
            raise ContentError(f"{where}: id '{item_id}' is used twice")
        seen.add(item_id)
        answer = _text(entry, "answer", where)
        if answer not in QUIZ_ANSWERS:
            raise ContentError(
                f"{where}: field 'answer' must be one of {', '.join(QUIZ_ANSWERS)}, not '{answer}'"
            )
        items.append(
            QuizItem(
                id=item_id,
                story=_text(entry, "story", where, easy_read=True),
                simple=_text(entry, "simple", where, easy_read=True),
                answer=answer,
                why=_text(entry, "why", where, easy_read=True),
            )
        )
    return tuple(items)


@lru_cache(maxsize=1)
def quiz_items() -> tuple[QuizItem, ...]:
    return parse_quiz(yaml.safe_load(QUIZ_FILE.read_text(encoding="utf-8")), QUIZ_FILE.name)


CHANNEL_MESSAGES_FILE = Path(__file__).resolve().parent / "channel_messages.yml"


@lru_cache(maxsize=1)
def _channel_messages() -> dict[str, str]:
    data = yaml.safe_load(CHANNEL_MESSAGES_FILE.read_text(encoding="utf-8"))
    return {key: _text(data, key, CHANNEL_MESSAGES_FILE.name, easy_read=True) for key in data}


def channel_message(key: str, **values: Any) -> str:
    """A message a channel sends itself (empty input, Rasa unavailable, ...)."""
    return _channel_messages()[key].format(**values)


def safety_help(pack: CharterPack, told_team: str | None = None) -> str:
    """The whole help message for a risk message, saying only what is true.

    The area's contact appears only when confirmed; "I have sent this to ..."
    only when an alert to ``told_team`` really went.
    """
    parts = [channel_message("safety_help")]
    contact = pack.safety.contact
    how = " or ".join(contact[key] for key in ("phone", "url") if key in contact)
    if how:
        parts.append(channel_message("safety_local_contact", name=contact["name"], how=how))
    if told_team:
        parts.append(channel_message("safety_told", team=told_team))
    return "\n\n".join(parts)
