"""Safeguarding flags and the alerts sent about them. Staff only, never exported."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, selectinload

from bot.store.models import SafeguardingAlert, SafeguardingFlag, utcnow
from bot.store.text import clean_text

FLAG_STATUSES = ("new", "in_progress", "resolved")
LEVELS = ("possible", "severe")
MARKS = ("real_concern", "false_alarm")
# A gentle check left unanswered this long no longer waits for an answer.
CHECK_WAITS = timedelta(hours=12)
MESSAGE_MAX = 2000
# When an alert that did not go is tried again (then every hour, up to MAX_ATTEMPTS).
RETRY_AFTER = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))
LAST_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 12


def raise_flag(
    session: Session,
    *,
    pseudonym: str,
    channel: str,
    charter: str,
    message: str,
    level: str,
    cards: Sequence[str] = (),
    score: float | None = None,
    detected_by: str,
    check_state: str | None = None,
) -> SafeguardingFlag:
    """Keep a message that suggested risk, with the safety check's decision."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    flag = SafeguardingFlag(
        pseudonym=pseudonym,
        channel=channel,
        charter=charter,
        message=clean_text(message)[:MESSAGE_MAX],
        detected_by=detected_by,
        level=level,
        cards=",".join(cards),
        score=score,
        check_state=check_state,
    )
    session.add(flag)
    session.flush()
    return flag


def waiting_check(session: Session, pseudonym: str) -> SafeguardingFlag | None:
    """The person's latest "possible" flag whose gentle check waits for an answer."""
    return session.scalar(
        select(SafeguardingFlag)
        .where(
            SafeguardingFlag.pseudonym == pseudonym,
            SafeguardingFlag.check_state == "asked",
            SafeguardingFlag.created_at >= utcnow() - CHECK_WAITS,
        )
        .order_by(SafeguardingFlag.id.desc())
        .limit(1)
    )


def settle_check(session: Session, flag_id: int, answer: str) -> SafeguardingFlag | None:
    """The answer to the gentle check: "yes" makes the flag severe; "no" or "moved_on" do not."""
    if answer not in ("yes", "no", "moved_on"):
        raise ValueError("answer must be yes, no or moved_on")
    flag = session.get(SafeguardingFlag, flag_id)
    if flag is None:
        return None
    flag.check_state = answer
    if answer == "yes":
        flag.level = "severe"
    return flag


def set_context(session: Session, flag_id: int, context: str) -> None:
    flag = session.get(SafeguardingFlag, flag_id)
    if flag is not None and not flag.context:
        flag.context = clean_text(context)[:500]


def get_flag(session: Session, flag_id: int) -> SafeguardingFlag | None:
    return session.scalar(
        select(SafeguardingFlag)
        .options(selectinload(SafeguardingFlag.alerts))
        .where(SafeguardingFlag.id == flag_id)
    )


def flags(session: Session, status: str | None = None) -> list[SafeguardingFlag]:
    """The staff safeguarding queue, newest first (all statuses when ``status`` is None)."""
    query = (
        select(SafeguardingFlag)
        .options(selectinload(SafeguardingFlag.alerts))
        .order_by(SafeguardingFlag.created_at.desc(), SafeguardingFlag.id.desc())
    )
    if status is not None:
        query = query.where(SafeguardingFlag.status == status)
    return list(session.scalars(query))


def set_status(session: Session, flag_id: int, status: str) -> bool:
    if status not in FLAG_STATUSES:
        raise ValueError(f"status must be one of {', '.join(FLAG_STATUSES)}")
    flag = session.get(SafeguardingFlag, flag_id)
    if flag is None:
        return False
    flag.status = status
    return True


def acknowledge(session: Session, flag_id: int, by: str) -> bool:
    """A member of staff has seen the flag: no escalation after this."""
    flag = session.get(SafeguardingFlag, flag_id)
    if flag is None:
        return False
    if flag.acknowledged_at is None:
        flag.acknowledged_at = utcnow()
        flag.acknowledged_by = by[:64]
    if flag.status == "new":
        flag.status = "in_progress"
    return True


def mark(session: Session, flag_id: int, judgement: str, by: str) -> bool:
    """Staff's judgement of a flag: a real concern, or a false alarm."""
    if judgement not in MARKS:
        raise ValueError(f"mark must be one of {', '.join(MARKS)}")
    flag = session.get(SafeguardingFlag, flag_id)
    if flag is None:
        return False
    flag.staff_mark, flag.marked_by, flag.marked_at = judgement, by[:64], utcnow()
    return True


@dataclass(frozen=True)
class MarkedMessage:
    text: str
    label: int
    marked_at: datetime


def marked_messages(session: Session) -> list[MarkedMessage]:
    """Flags staff marked, as labelled messages for the classifier's data file."""
    rows = session.scalars(
        select(SafeguardingFlag)
        .where(SafeguardingFlag.staff_mark.is_not(None))
        .order_by(SafeguardingFlag.marked_at)
    )
    return [
        MarkedMessage(f.message, int(f.staff_mark == "real_concern"), f.marked_at) for f in rows
    ]


# ---- Alerts ------------------------------------------------------------------------------


def add_alerts(
    session: Session, flag_id: int, step: str, targets: Iterable[tuple[str, str]]
) -> list[SafeguardingAlert]:
    """An alert to each (route, target), due now."""
    alerts = [
        SafeguardingAlert(
            flag_id=flag_id, step=step, route=route, target=target, next_attempt_at=utcnow()
        )
        for route, target in targets
    ]
    session.add_all(alerts)
    session.flush()
    return alerts


def due_alerts(session: Session, flag_id: int | None = None, limit: int = 20) -> list[int]:
    """Alerts waiting to be sent whose time has come (one flag's, or any)."""
    query = select(SafeguardingAlert.id).where(
        SafeguardingAlert.status == "pending", SafeguardingAlert.next_attempt_at <= utcnow()
    )
    if flag_id is not None:
        query = query.where(SafeguardingAlert.flag_id == flag_id)
    return list(session.scalars(query.order_by(SafeguardingAlert.id).limit(limit)))


def claim_alert(session: Session, alert_id: int, hold: timedelta) -> SafeguardingAlert | None:
    """Take a due alert to send it: it is not due again for ``hold`` (another sender waits)."""
    alert = session.scalar(
        select(SafeguardingAlert)
        .options(selectinload(SafeguardingAlert.flag))
        .where(
            SafeguardingAlert.id == alert_id,
            SafeguardingAlert.status == "pending",
            SafeguardingAlert.next_attempt_at <= utcnow(),
        )
        .with_for_update(skip_locked=True)
    )
    if alert is None:
        return None
    alert.next_attempt_at = utcnow() + hold
    alert.attempts += 1
    return alert


def alert_sent(session: Session, alert_id: int) -> None:
    alert = session.get(SafeguardingAlert, alert_id)
    if alert is not None:
        alert.status, alert.sent_at, alert.last_error = "sent", utcnow(), None


def alert_failed(session: Session, alert_id: int, error_kind: str) -> None:
    """It did not go: try again later, or give up (shown on the dashboard) after MAX_ATTEMPTS."""
    alert = session.get(SafeguardingAlert, alert_id)
    if alert is None:
        return
    alert.last_error = error_kind[:120]
    if alert.attempts >= MAX_ATTEMPTS:
        alert.status = "failed"
        return
    index = alert.attempts - 1
    wait = RETRY_AFTER[index] if 0 <= index < len(RETRY_AFTER) else LAST_RETRY
    alert.next_attempt_at = utcnow() + wait


def alerts_sent(session: Session, flag_id: int) -> list[SafeguardingAlert]:
    return list(
        session.scalars(
            select(SafeguardingAlert).where(
                SafeguardingAlert.flag_id == flag_id, SafeguardingAlert.status == "sent"
            )
        )
    )


def to_escalate(session: Session, waited: timedelta) -> list[int]:
    """Severe flags nobody acknowledged within ``waited`` of their first alert going,
    and not escalated yet."""
    first = SafeguardingAlert.__table__.alias("first_alert")
    again = SafeguardingAlert.__table__.alias("escalation")
    query = (
        select(SafeguardingFlag.id)
        .where(
            SafeguardingFlag.level == "severe",
            SafeguardingFlag.acknowledged_at.is_(None),
            SafeguardingFlag.status != "resolved",
            exists().where(
                and_(
                    first.c.flag_id == SafeguardingFlag.id,
                    first.c.step == "first",
                    first.c.status == "sent",
                    first.c.sent_at <= utcnow() - waited,
                )
            ),
            ~exists().where(
                and_(again.c.flag_id == SafeguardingFlag.id, again.c.step == "escalation")
            ),
        )
        .order_by(SafeguardingFlag.id)
    )
    return list(session.scalars(query))


def flags_without_alerts(session: Session, since: timedelta) -> list[int]:
    """Recent severe flags no alert was made for (raised where alerts are not sent)."""
    query = select(SafeguardingFlag.id).where(
        SafeguardingFlag.level == "severe",
        SafeguardingFlag.status != "resolved",
        SafeguardingFlag.created_at >= utcnow() - since,
        ~exists().where(SafeguardingAlert.flag_id == SafeguardingFlag.id),
    )
    return list(session.scalars(query))


def latest_flag_charter(session: Session, pseudonym: str) -> str | None:
    """The area of this person's most recent kept safety message (None: none is kept)."""
    return session.scalar(
        select(SafeguardingFlag.charter)
        .where(SafeguardingFlag.pseudonym == pseudonym)
        .order_by(SafeguardingFlag.created_at.desc(), SafeguardingFlag.id.desc())
        .limit(1)
    )
