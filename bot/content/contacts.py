"""Contacts families are shown: only fields someone confirmed, from a pack or from staff.

A pack lists under ``confirmed`` the fields its charter gives (or the local area
checked); any other field is kept for staff to read but never shown. Staff can
set or correct contacts without editing packs, in a small YAML file named by
``COPRO_CONTACTS_FILE`` (see ``deploy/contacts.example.yml``): every field in
that file counts as confirmed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import root_validator, validator

from bot.content.errors import ContentError
from bot.content.wording import FIELD, SENTENCE, Part, Problem

# What each kind of contact may hold. `contact`: who families can ask about this
# chat and the charter; `sendiass` and `local_offer`: help with a family's own
# case; `safeguarding`: who families may contact about safety.
FIELDS = {
    "contact": ("name", "phone", "email", "url"),
    "sendiass": ("name", "phone", "email", "url"),
    "local_offer": ("name", "phone", "email", "url"),
    "safeguarding": ("name", "phone", "url"),
}
HOW_TO_REACH = ("phone", "email", "url")


def optional_text(data: dict[str, Any], key: str, where: str) -> str | None:
    """A text field that may be left out or null; anything else is refused."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: field '{key}' must be text or null")
    return value.strip()


def contact_problem(shown: dict[str, str], kind: str) -> str | None:
    """A contact a family may see must say how to reach it; a safety contact needs a name."""
    if shown and not set(shown) & set(HOW_TO_REACH):
        return "a confirmed contact needs a confirmed phone, email or url"
    if shown and kind == "safeguarding" and "name" not in shown:
        return "a confirmed contact needs a confirmed name"
    return None


def _mapping_with_only(kind: str) -> Problem:
    return Problem(f"must be a mapping with only {sorted({*FIELDS[kind], 'confirmed'})}", SENTENCE)


class SafetyContactPart(Part):
    """Who families may contact about safety, as a pack gives it: only confirmed fields count.

    A field not listed under ``confirmed`` is kept for staff to read and never checked.
    """

    KIND: ClassVar[str] = "safeguarding"
    NOT_A_MAPPING: ClassVar[Problem] = _mapping_with_only("safeguarding")
    UNKNOWN: ClassVar[Problem] = NOT_A_MAPPING

    name: Any = None
    phone: Any = None
    url: Any = None
    confirmed: Any = None

    @validator("confirmed", pre=True)
    def confirmed_fields_exist(cls, confirmed: Any) -> list[str]:
        confirmed = confirmed or []
        fields = FIELDS[cls.KIND]
        if not isinstance(confirmed, list) or not all(name in fields for name in confirmed):
            raise Problem(f"must list fields of {', '.join(fields)}", SENTENCE, at=("confirmed",))
        return confirmed

    @root_validator(skip_on_failure=True)
    def confirmed_fields_are_given(cls, values: dict[str, Any]) -> dict[str, Any]:
        for name in values["confirmed"] or []:
            value = values[name]
            if value is None:
                raise Problem("is confirmed but empty", SENTENCE, at=(name,))
            if not isinstance(value, str) or not value.strip():
                raise Problem("must be text or null", FIELD, at=(name,))
        shown = {name: values[name].strip() for name in values["confirmed"] or []}
        problem = contact_problem(shown, cls.KIND)
        if problem:
            raise Problem(problem, at=())
        return values

    def shown(self) -> dict[str, str]:
        """The confirmed fields, the only ones a family is shown."""
        return {name: getattr(self, name).strip() for name in self.confirmed or []}


class ContactPart(SafetyContactPart):
    """A contact families may be shown (the area's team, SENDIASS, Local Offer), with email."""

    KIND: ClassVar[str] = "contact"
    NOT_A_MAPPING: ClassVar[Problem] = _mapping_with_only("contact")
    UNKNOWN: ClassVar[Problem] = NOT_A_MAPPING

    email: Any = None


def read_overrides(path: Path, areas: set[str]) -> dict[str, dict[str, dict[str, str]]]:
    """Staff's contacts by area and kind, checked: ``{"halton": {"contact": {...}}}``."""
    source = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ContentError(f"{source}: cannot read the contacts file: {error}") from error
    except yaml.YAMLError as error:
        raise ContentError(f"{source}: not valid YAML: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(f"{source}: the file must hold a mapping of areas")
    found: dict[str, dict[str, dict[str, str]]] = {}
    for area, kinds in data.items():
        if area not in areas:
            raise ContentError(f"{source}: no charter pack called '{area}' (have: {sorted(areas)})")
        if not isinstance(kinds, dict) or set(kinds) - set(FIELDS):
            raise ContentError(f"{source}: {area} must be a mapping with only {sorted(FIELDS)}")
        found[area] = {}
        for kind, fields in kinds.items():
            where = f"{source}: {area}.{kind}"
            if not isinstance(fields, dict) or set(fields) - set(FIELDS[kind]):
                raise ContentError(f"{where} must be a mapping with only {list(FIELDS[kind])}")
            given = {name: optional_text(fields, name, where) for name in fields}
            found[area][kind] = {name: value for name, value in given.items() if value}
    return found


def merged(pack_contact: dict[str, str], override: dict[str, str] | None, kind: str, where: str):
    """A pack's confirmed contact with staff's fields over it, checked again."""
    if not override:
        return pack_contact
    contact = {**pack_contact, **override}
    problem = contact_problem(contact, kind)
    if problem:
        raise ContentError(f"{where}: {problem}")
    return contact
