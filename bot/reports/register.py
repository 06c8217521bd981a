"""The public pledge register: organisations by name, families only as counts."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bot.content import CharterPack, list_packs
from bot.reports.cells import safe_cell
from bot.store import pledges as store
from bot.store.models import Pledge

KIND_WORDS = {
    "organisation": "Organisation or service",
    "parent_carer_forum": "Parent carer forum",
    "parents_and_carers": "Parents and carers",
    "young_people": "Young people",
}
NAME_REMOVED = "(name removed at their request)"


@dataclass(frozen=True)
class Signatory:
    id: int
    kind: str
    organisation: str
    representative: str
    role: str
    signed_on: str
    status: str
    withdrawn_on: str | None


@dataclass(frozen=True)
class CharterRegister:
    charter: str
    area: str
    title: str
    signatories: tuple[Signatory, ...]
    # Family pledges by kind; None: from 1 to min_group - 1, never shown exactly.
    family_pledges: dict[str, int | None]
    min_group: int
    # When the charter's whole framework is next reviewed (None: the charter sets
    # no clock, or nobody has signed yet), and whether that date has passed.
    framework_review_due: str | None = None
    framework_review_overdue: bool = False


def _signatory(pledge: Pledge) -> Signatory:
    return Signatory(
        id=pledge.id,
        kind=pledge.signer_kind,
        organisation=pledge.organisation or "",
        representative=pledge.representative or NAME_REMOVED,
        role=pledge.representative_role or "",
        signed_on=pledge.signed_at.date().isoformat(),
        status="withdrawn" if pledge.withdrawn_at else "active",
        withdrawn_on=pledge.withdrawn_at.date().isoformat() if pledge.withdrawn_at else None,
    )


def _framework_review(session: Session, pack: CharterPack, today: date) -> dict[str, Any]:
    clock = pack.framework_review
    due = (
        store.next_framework_review(
            session, pack.id, clock.first_after_months, clock.then_every_months
        )
        if clock
        else None
    )
    return {
        "framework_review_due": due.isoformat() if due else None,
        "framework_review_overdue": due is not None and due <= today,
    }


def _few_withheld(count: int, min_group: int) -> int | None:
    return None if 0 < count < min_group else count


def build_register(
    session: Session, charter: str | None = None, today: date | None = None, *, min_group: int
) -> list[CharterRegister]:
    """The register of every charter (or one), with every pledge ever signed.

    Families are counted only: a count from 1 to ``min_group - 1`` is withheld.
    """
    today = today or date.today()
    signed = store.organisation_pledges(session, charter)
    families = store.family_pledge_counts(session, charter)
    packs = [p for p in list_packs() if charter in (None, p.id)]
    return [
        CharterRegister(
            charter=pack.id,
            area=pack.area,
            title=pack.title,
            signatories=tuple(_signatory(p) for p in signed if p.charter == pack.id),
            family_pledges={
                kind: _few_withheld(families.get((pack.id, kind), 0), min_group)
                for kind in store.FAMILY_KINDS
            },
            min_group=min_group,
            **_framework_review(session, pack, today),
        )
        for pack in packs
    ]


def register_json(registers: list[CharterRegister]) -> str:
    return json.dumps(
        {
            "charters": [
                {
                    "charter": r.charter,
                    "area": r.area,
                    "title": r.title,
                    "signatories": [asdict(s) for s in r.signatories],
                    "family_pledges": r.family_pledges,
                    "family_pledges_withheld": [
                        kind for kind, count in r.family_pledges.items() if count is None
                    ],
                    "min_group": r.min_group,
                    "framework_review": {
                        "due": r.framework_review_due,
                        "overdue": r.framework_review_overdue,
                    },
                }
                for r in registers
            ]
        },
        indent=2,
        ensure_ascii=False,
    )


CSV_COLUMNS = (
    "charter",
    "kind",
    "organisation",
    "representative",
    "role",
    "signed_on",
    "status",
    "withdrawn_on",
    "pledges",
)


def register_csv(registers: list[CharterRegister]) -> str:
    """One row per organisation pledge, then one row per kind of family pledge (a count)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for register in registers:
        for s in register.signatories:
            row = (
                register.charter,
                s.kind,
                s.organisation,
                s.representative,
                s.role,
                s.signed_on,
                s.status,
                s.withdrawn_on or "",
                1,
            )
            writer.writerow([safe_cell(value) for value in row])
        for kind, count in register.family_pledges.items():
            shown = f"fewer than {register.min_group}" if count is None else count
            row = (register.charter, kind, "", "", "", "", "active", "", shown)
            writer.writerow(row)
    return out.getvalue()
