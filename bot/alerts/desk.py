"""Send alerts now, try them again, escalate the ones nobody acknowledged.

Every alert is a row first (:mod:`bot.store.safeguarding`), so one that cannot
go now is not forgotten: the desk's loop sends what is due every few seconds,
from any process that runs ``bot.server``. Sending never holds up the reply to
the person: the conversation waits at most ``wait`` seconds to learn whether
an alert went, so it can say so truthfully.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.alerts.compose import alert_text
from bot.alerts.send import send_email, send_telegram
from bot.content import CharterPack, ContentError, get_pack
from bot.settings import Settings
from bot.store import safeguarding
from bot.store.db import engine_for, unit_of_work

logger = logging.getLogger(__name__)

# How long a claimed alert is left to its sender before another may try it.
CLAIM_HOLD = timedelta(minutes=2)
# Severe flags raised outside the conversation turn (by Rasa) are alerted this far back.
LOOK_BACK = timedelta(days=1)


@dataclass(frozen=True)
class Delivery:
    """An alert to send, read from the store: everything but the person."""

    alert_id: int
    route: str
    target: str
    subject: str
    body: str


class AlertDesk:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._unrouted: set[int] = set()

    # ---- where alerts go ------------------------------------------------------------------

    def _pack(self, charter: str) -> CharterPack | None:
        try:
            return get_pack(charter)
        except ContentError:
            return None

    def targets(self, charter: str, step: str) -> list[tuple[str, str]]:
        """(route, target) for each way this area's alerts go at this step."""
        settings, pack = self.settings, self._pack(charter)
        safety = pack.safety if pack else None
        found: list[tuple[str, str]] = []
        if settings.smtp_url:
            if step == "first":
                email = (safety and safety.alert_email) or settings.alert_email
            else:
                email = (safety and safety.escalate_email) or settings.alert_escalate_email
            if email:
                found.append(("email", email))
        if settings.telegram_token and settings.alert_telegram_chat:
            found.append(("telegram", settings.alert_telegram_chat))
        return found

    def team_told(self, charter: str, route: str, target: str) -> str:
        """The name families are told for the people an alert reached."""
        pack = self._pack(charter)
        if pack and route == "email" and target == pack.safety.alert_email and pack.safety.team:
            return pack.safety.team
        return self.settings.alert_team

    # ---- the store, in a worker thread -----------------------------------------------------

    def _in_store(self, work, *args):  # type: ignore[no-untyped-def]
        with unit_of_work(engine_for(self.settings.database_url)) as session:
            return work(session, *args)

    async def _store(self, work, *args):  # type: ignore[no-untyped-def]
        return await asyncio.to_thread(self._in_store, work, *args)

    def _claim(self, session, alert_id: int) -> Delivery | None:  # type: ignore[no-untyped-def]
        alert = safeguarding.claim_alert(session, alert_id, CLAIM_HOLD)
        if alert is None:
            return None
        pack = self._pack(alert.flag.charter)
        area = pack.area if pack else alert.flag.charter
        link = f"{self.settings.public_url}/staff/safeguarding/{alert.flag_id}"
        subject, body = alert_text(alert.flag, alert.step, area, link)
        return Delivery(alert.id, alert.route, alert.target, subject, body)

    # ---- sending ---------------------------------------------------------------------------

    async def _deliver(self, delivery: Delivery) -> bool:
        try:
            if delivery.route == "email":
                await asyncio.to_thread(
                    send_email, self.settings, delivery.target, delivery.subject, delivery.body
                )
            else:
                await send_telegram(
                    self.settings, delivery.target, f"{delivery.subject}\n\n{delivery.body}"
                )
        except Exception as error:  # noqa: BLE001 - any failure: try again later, say its kind
            logger.warning(
                "A safeguarding alert did not go (%s): trying again later", type(error).__name__
            )
            await self._store(safeguarding.alert_failed, delivery.alert_id, type(error).__name__)
            return False
        await self._store(safeguarding.alert_sent, delivery.alert_id)
        return True

    async def send_due(self, flag_id: int | None = None) -> list[Delivery]:
        """Send every alert that is due (one flag's, or all); the ones that went."""
        sent = []
        for alert_id in await self._store(safeguarding.due_alerts, flag_id):
            delivery = await self._store(self._claim, alert_id)
            if delivery is not None and await self._deliver(delivery):
                sent.append(delivery)
        return sent

    async def raise_alerts(self, flag_id: int, charter: str, step: str = "first") -> int:
        """Make this step's alerts for a flag; how many ways they go (0: nowhere set)."""
        targets = self.targets(charter, step)
        if not targets:
            if flag_id not in self._unrouted:
                self._unrouted.add(flag_id)
                logger.warning(
                    "Safeguarding flag %d: no alert address is set (COPRO_SMTP_URL and "
                    "COPRO_ALERT_EMAIL, or a staff Telegram chat)",
                    flag_id,
                )
            return 0
        await self._store(safeguarding.add_alerts, flag_id, step, targets)
        return len(targets)

    async def alert_now(self, flag_id: int, charter: str) -> str | None:
        """Raise a severe flag's alerts and send them; the team told, or None if none went."""
        if not await self.raise_alerts(flag_id, charter):
            return None
        sent = await self.send_due(flag_id)
        if not sent:
            return None
        return self.team_told(charter, sent[0].route, sent[0].target)

    async def escalate(self) -> int:
        """Send the second alert for severe flags nobody acknowledged in time."""
        waited = timedelta(minutes=self.settings.alert_escalate_minutes)
        count = 0
        for flag_id in await self._store(safeguarding.to_escalate, waited):
            flag = await self._store(safeguarding.get_flag, flag_id)
            if flag is not None and await self.raise_alerts(flag_id, flag.charter, "escalation"):
                count += 1
        return count

    async def alert_unalerted(self) -> int:
        """Alerts for recent severe flags raised where none were made (by Rasa itself)."""
        count = 0
        for flag_id in await self._store(safeguarding.flags_without_alerts, LOOK_BACK):
            flag = await self._store(safeguarding.get_flag, flag_id)
            if flag is not None and await self.raise_alerts(flag_id, flag.charter):
                count += 1
        return count

    async def round(self) -> None:
        """One pass of the loop: new alerts, escalations, then everything due."""
        await self.alert_unalerted()
        await self.escalate()
        await self.send_due()

    async def keep_sending(self, every: float = 15.0) -> None:
        """Run until cancelled."""
        while True:
            try:
                await self.round()
            except Exception as error:  # noqa: BLE001 - the store may be away: try again
                logger.warning("Safeguarding alerts could not be checked: %s", type(error).__name__)
            await asyncio.sleep(every)
