"""Charter pledges: signing, taking back, and the public register's rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.names import FAMILY_KINDS, SIGNER_KINDS
from bot.store import names
from bot.store.models import FrameworkReview, Pledge, utcnow

NAME_MAX = 120
FIRST_NAME_MAX = 40
# Words people put before their name: "my name is Sam", "I'm Sam", "it's Sam".
_NAME_LEAD_IN = re.compile(r"^(my name is|my name's|i am|i'm|im|it's|its|call me|this is)\s+", re.I)


class NameProblem(ValueError):
    """A name that cannot be saved; the value is the key of a kind message."""


class LookalikeName(NameProblem):
    """An organisation name that looks like another one on the register, but is not it."""

    def __init__(self, existing: str) -> None:
        super().__init__("lookalike")
        self.existing = existing


def clean_name(text: str, limit: int = NAME_MAX) -> str:
    """A name as typed, tidied; NameProblem says why it cannot be used.

    Names are shown on a public web page: they are kept in one form (no
    control or invisible characters, NFKC), must contain letters or digits,
    may not contain < or >, may not mix alphabets within a word (a Cyrillic
    "о" in "Cоuncil"), and must fit the limit.
    """
    name = names.normalise(text)
    if not name:
        raise NameProblem("blank")
    if "<" in name or ">" in name:
        raise NameProblem("markup")
    if not any(ch.isalnum() for ch in name):
        raise NameProblem("no_letters")
    if len(name) > limit:
        raise NameProblem("too_long")
    if names.mixed_script_words(name):
        raise NameProblem("mixed_script")
    return name


def clean_first_name(text: str) -> str:
    """Only a first name is kept: "my name is Sam Jones" keeps "Sam"."""
    name = clean_name(_NAME_LEAD_IN.sub("", names.normalise(text)))
    first = name.split()[0].strip(".,!?;:")
    if not any(ch.isalnum() for ch in first):
        raise NameProblem("no_letters")
    return first[:FIRST_NAME_MAX]


def _folded(name: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())


def signer_key(kind: str, pseudonym: str, organisation: str | None) -> str:
    """Who counts as the same signer: an organisation by its name, anyone else by person."""
    if kind in FAMILY_KINDS or not organisation:
        return f"person:{pseudonym}"
    return f"org:{_folded(organisation)}"[:300]


def lookalike_organisation(session: Session, organisation: str) -> str | None:
    """The name of an organisation on the register that ``organisation`` only looks like.

    None when no name on the register looks like it, or when it is the same
    organisation written the same way (but for case, spacing and punctuation).
    A name saved before mixed alphabets were refused never blocks the real one.
    """
    taken = session.scalars(
        select(Pledge.organisation)
        .where(Pledge.signer_kind.not_in(FAMILY_KINDS), Pledge.organisation.is_not(None))
        .distinct()
    )
    return next(
        (
            name
            for name in taken
            if not names.mixed_script_words(name) and names.looks_like(organisation, name)
        ),
        None,
    )


def active_pledge(
    session: Session, charter: str, kind: str, pseudonym: str, organisation: str | None = None
) -> Pledge | None:
    """The active pledge this signer already made under this charter, if any."""
    return session.scalar(
        select(Pledge).where(
            Pledge.charter == charter,
            Pledge.signer_kind == kind,
            Pledge.signer_key == signer_key(kind, pseudonym, organisation),
            Pledge.withdrawn_at.is_(None),
        )
    )


@dataclass(frozen=True)
class Signed:
    """The outcome of signing: the pledge, and whether it was already there."""

    pledge_id: int
    signed_at: datetime
    already: bool


def sign_pledge(
    session: Session,
    *,
    pseudonym: str,
    channel: str,
    charter: str,
    kind: str,
    organisation: str | None = None,
    representative: str | None = None,
    representative_role: str | None = None,
    first_name: str | None = None,
) -> Signed:
    """Save a pledge; signing the same one twice keeps one pledge.

    Names are tidied and checked as :func:`clean_name` does; NameProblem says
    why one cannot be saved, and :class:`LookalikeName` refuses an organisation
    name that only looks like one already on the register.
    """
    if kind not in SIGNER_KINDS:
        raise ValueError(f"unknown signer kind {kind!r}")
    if kind in FAMILY_KINDS:
        organisation = representative = representative_role = None
        first_name = clean_name(first_name, FIRST_NAME_MAX) if first_name else None
    else:
        organisation = clean_name(organisation) if organisation else None
        representative = clean_name(representative) if representative else None
        representative_role = clean_name(representative_role) if representative_role else None
        first_name = None
        existing = lookalike_organisation(session, organisation) if organisation else None
        if existing is not None:
            raise LookalikeName(existing)
    existing = active_pledge(session, charter, kind, pseudonym, organisation)
    if existing is not None:
        return Signed(existing.id, existing.signed_at, already=True)
    pledge = Pledge(
        pseudonym=pseudonym,
        channel=channel,
        charter=charter,
        signer_kind=kind,
        signer_key=signer_key(kind, pseudonym, organisation),
        organisation=organisation,
        representative=representative,
        representative_role=representative_role,
        first_name=first_name,
    )
    try:
        with session.begin_nested():
            session.add(pledge)
            session.flush()
    except IntegrityError:
        # Signed at the same moment by another request: that one counts.
        existing = active_pledge(session, charter, kind, pseudonym, organisation)
        if existing is None:
            raise
        return Signed(existing.id, existing.signed_at, already=True)
    return Signed(pledge.id, pledge.signed_at, already=False)


def pledges_of(session: Session, pseudonym: str, active_only: bool = True) -> list[Pledge]:
    query = select(Pledge).where(Pledge.pseudonym == pseudonym)
    if active_only:
        query = query.where(Pledge.withdrawn_at.is_(None))
    return list(session.scalars(query.order_by(Pledge.signed_at, Pledge.id)))


def withdraw_pledge(session: Session, pseudonym: str, pledge_id: int) -> Pledge | None:
    """Mark this person's pledge withdrawn (kept, with the date); None if not theirs or gone."""
    pledge = session.get(Pledge, pledge_id)
    if pledge is None or pledge.pseudonym != pseudonym or pledge.withdrawn_at is not None:
        return None
    pledge.withdrawn_at = utcnow()
    session.flush()
    return pledge


def record_framework_review(
    session: Session, charter: str, when: datetime | None = None
) -> FrameworkReview:
    """Staff held a review of the charter's whole framework (today, unless ``when``)."""
    review = FrameworkReview(charter=charter, reviewed_at=when or utcnow())
    session.add(review)
    session.flush()
    return review


def next_framework_review(
    session: Session, charter: str, first_after: int, then_every: int
) -> date | None:
    """When the charter's framework is next due for review; None before anyone has signed.

    ``then_every`` months after the last review held; before the first one,
    ``first_after`` months after the first organisation signed it here (when the
    charter came into use).
    """
    last = session.scalar(
        select(func.max(FrameworkReview.reviewed_at)).where(FrameworkReview.charter == charter)
    )
    if last is not None:
        return (last + relativedelta(months=then_every)).date()
    first = session.scalar(
        select(func.min(Pledge.signed_at)).where(
            Pledge.charter == charter, Pledge.signer_kind.not_in(FAMILY_KINDS)
        )
    )
    if first is None:
        return None
    return (first + relativedelta(months=first_after)).date()


def organisation_pledges(session: Session, charter: str | None = None) -> list[Pledge]:
    """Every pledge that is not a family's, withdrawn ones too, oldest first."""
    query = select(Pledge).where(Pledge.signer_kind.not_in(FAMILY_KINDS))
    if charter:
        query = query.where(Pledge.charter == charter)
    return list(session.scalars(query.order_by(Pledge.charter, Pledge.signed_at, Pledge.id)))


def family_pledge_counts(
    session: Session, charter: str | None = None
) -> dict[tuple[str, str], int]:
    """Active family pledges per (charter, kind): counts only, never names."""
    query = (
        select(Pledge.charter, Pledge.signer_kind, func.count())
        .where(Pledge.signer_kind.in_(FAMILY_KINDS), Pledge.withdrawn_at.is_(None))
        .group_by(Pledge.charter, Pledge.signer_kind)
    )
    if charter:
        query = query.where(Pledge.charter == charter)
    return {(c, k): n for c, k, n in session.execute(query)}


def forget_pledges(session: Session, pseudonym: str) -> tuple[int, int]:
    """Delete a person's family pledges; anonymise their organisation pledges.

    An organisation's pledge stays on the register's history, without the
    name and role of the person who signed it. Returns (deleted, anonymised).
    """
    deleted = anonymised = 0
    for pledge in session.scalars(select(Pledge).where(Pledge.pseudonym == pseudonym)).all():
        if pledge.signer_kind in FAMILY_KINDS:
            session.delete(pledge)
            deleted += 1
        else:
            pledge.pseudonym = None
            pledge.representative = None
            pledge.representative_role = None
            anonymised += 1
    session.flush()
    return deleted, anonymised
