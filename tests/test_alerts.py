"""Safeguarding alerts reach a real SMTP server, are tried again, and escalate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.alerts.desk import AlertDesk
from bot.settings import Settings
from bot.store import safeguarding
from bot.store.db import unit_of_work
from bot.store.models import SafeguardingAlert, utcnow
from tests.smtp import free_port, smtp_server

WORDS = "my stepdad hit me again last night"
PERSON = "web-alert-person"
DUTY, SECOND = "duty@council.example", "manager@council.example"


def settings(database: str, smtp_url: str, **values) -> Settings:
    return Settings(
        database_url=database,
        smtp_url=smtp_url,
        alert_email=DUTY,
        alert_escalate_email=SECOND,
        public_url="https://copro.example",
        **values,
    )


def severe_flag(charter: str = "halton") -> int:
    with unit_of_work() as session:
        return safeguarding.raise_flag(
            session,
            pseudonym=PERSON,
            channel="web",
            charter=charter,
            message=WORDS,
            level="severe",
            cards=["physical-hit-by-someone"],
            score=0.93,
            detected_by="cards+classifier",
        ).id


def alerts() -> list[SafeguardingAlert]:
    with unit_of_work() as session:
        return list(session.scalars(select(SafeguardingAlert).order_by(SafeguardingAlert.id)))


async def test_a_severe_flag_is_emailed_at_once_without_the_message_or_the_person(database):
    flag_id = severe_flag()
    with smtp_server() as (url, mailbox):
        told = await AlertDesk(settings(database, url)).alert_now(flag_id, "halton")
    assert told == "local safety team"
    [mail] = mailbox.to(DUTY)
    body = mail.get_payload()
    assert mail["Subject"] == f"[SEVERE] Safeguarding flag #{flag_id} - Halton"
    assert f"https://copro.example/staff/safeguarding/{flag_id}" in body
    assert "Area: Halton" in body and "Level: severe" in body and "Time: " in body
    # Staff follow the link to read it, behind the login: the e-mail holds neither.
    assert WORDS not in mail.as_string() and "stepdad" not in mail.as_string()
    assert PERSON not in mail.as_string()
    [alert] = alerts()
    assert (alert.status, alert.step, alert.route, alert.target) == ("sent", "first", "email", DUTY)


async def test_the_areas_own_address_and_team_are_used_when_its_pack_names_them(database):
    from bot.content import get_pack
    from bot.content.model import SafetySetup

    pack = get_pack("wokingham")
    own = SafetySetup(team="Wokingham children's front door", alert_email="front@wok.example")
    object.__setattr__(pack, "safety", own)  # the pack is frozen: set for this test only
    try:
        flag_id = severe_flag("wokingham")
        with smtp_server() as (url, mailbox):
            told = await AlertDesk(settings(database, url)).alert_now(flag_id, "wokingham")
        assert told == "Wokingham children's front door"
        assert mailbox.to("front@wok.example") and not mailbox.to(DUTY)
    finally:
        object.__setattr__(pack, "safety", SafetySetup())


async def test_no_address_set_means_no_alert_and_nobody_is_said_to_be_told(database, caplog):
    flag_id = severe_flag()
    told = await AlertDesk(Settings(database_url=database)).alert_now(flag_id, "halton")
    assert told is None and alerts() == []
    assert "no alert address is set" in caplog.text


async def test_a_server_that_is_down_is_tried_again_until_the_alert_goes(database):
    flag_id = severe_flag()
    port = free_port()
    desk = AlertDesk(settings(database, f"smtp://127.0.0.1:{port}"))
    assert await desk.alert_now(flag_id, "halton") is None
    [alert] = alerts()
    assert alert.status == "pending" and alert.attempts == 1
    assert alert.last_error == "ConnectionRefusedError"
    assert alert.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
    # Not due yet: nothing is sent, even with the server back.
    with smtp_server(port) as (_, mailbox):
        await desk.round()
        assert mailbox.received == []
        with unit_of_work() as session:  # the retry's time comes
            session.execute(update(SafeguardingAlert).values(next_attempt_at=utcnow()))
        await desk.round()
        assert len(mailbox.to(DUTY)) == 1
    assert [a.status for a in alerts()] == ["sent"]


async def test_an_alert_that_never_goes_is_marked_failed_for_the_dashboard(database):
    flag_id = severe_flag()
    desk = AlertDesk(settings(database, f"smtp://127.0.0.1:{free_port()}"))
    await desk.alert_now(flag_id, "halton")
    for _ in range(safeguarding.MAX_ATTEMPTS):
        with unit_of_work() as session:
            session.execute(update(SafeguardingAlert).values(next_attempt_at=utcnow()))
        await desk.send_due()
    [alert] = alerts()
    assert alert.status == "failed" and alert.attempts == safeguarding.MAX_ATTEMPTS


@pytest.mark.parametrize("acknowledged", [False, True])
async def test_a_flag_nobody_acknowledges_in_time_goes_to_the_second_address(
    database, acknowledged
):
    flag_id = severe_flag()
    with smtp_server() as (url, mailbox):
        desk = AlertDesk(settings(database, url, alert_escalate_minutes=30))
        await desk.alert_now(flag_id, "halton")
        await desk.round()
        assert not mailbox.to(SECOND)  # 30 minutes have not passed
        if acknowledged:
            with unit_of_work() as session:
                safeguarding.acknowledge(session, flag_id, "jo.smith")
        with unit_of_work() as session:  # 31 minutes pass
            session.execute(
                update(SafeguardingAlert).values(sent_at=utcnow() - timedelta(minutes=31))
            )
        await desk.round()
        await desk.round()  # and only once
    if acknowledged:
        assert not mailbox.to(SECOND)
        return
    [mail] = mailbox.to(SECOND)
    assert "Nobody has acknowledged this safeguarding flag yet" in mail.get_payload()
    assert [(a.step, a.target, a.status) for a in alerts()] == [
        ("first", DUTY, "sent"),
        ("escalation", SECOND, "sent"),
    ]


async def test_a_severe_flag_raised_inside_rasa_is_alerted_by_the_desks_loop(database):
    flag_id = severe_flag()  # as the action server does, with no alert of its own
    with smtp_server() as (url, mailbox):
        await AlertDesk(settings(database, url)).round()
    assert len(mailbox.to(DUTY)) == 1 and alerts()[0].flag_id == flag_id


async def test_a_staff_telegram_chat_gets_the_alert_too(database):
    from tests.test_telegram import TOKEN, StandInBotApi, serving

    flag_id = severe_flag()
    api = StandInBotApi()
    with serving(api.app) as address, smtp_server() as (url, mailbox):
        config = settings(
            database,
            url,
            telegram_token=TOKEN,
            telegram_api_url=f"{address}/bot",
            alert_telegram_chat="-100200300",
        )
        assert await AlertDesk(config).alert_now(flag_id, "halton") == "local safety team"
    [sent] = [params for name, params in api.calls if name == "sendMessage"]
    assert int(sent["chat_id"]) == -100200300
    assert f"Safeguarding flag #{flag_id}" in sent["text"] and WORDS not in sent["text"]
    assert PERSON not in sent["text"]
    assert len(mailbox.to(DUTY)) == 1
    assert sorted((a.route, a.status) for a in alerts()) == [
        ("email", "sent"),
        ("telegram", "sent"),
    ]
