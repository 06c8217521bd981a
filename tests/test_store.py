"""The store on SQLite and on PostgreSQL: migrations and repository functions."""

from __future__ import annotations

import shutil
import uuid

import pytest
from sqlalchemy import create_engine, inspect, select, text

from bot.store import repository, safeguarding
from bot.store.db import engine_for, unit_of_work, upgrade
from bot.store.models import Answer, Respondent
from tests.conftest import in_ci

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def store_url(request, tmp_path, migrated_database):
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copyfile(migrated_database, path)
        url = f"sqlite:///{path}"
        yield url
        engine_for(url).dispose()
        return
    name = f"copro_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_SERVER, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        if in_ci():
            pytest.fail(f"PostgreSQL must be reachable in CI: {error}")
        pytest.skip(f"PostgreSQL not reachable here: {error}")
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    upgrade(url)
    yield url
    engine_for(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


def test_migration_creates_every_table(store_url):
    tables = set(inspect(engine_for(store_url)).get_table_names())
    assert {
        "respondent",
        "review",
        "review_response",
        "answer",
        "safeguarding_flag",
        "answer_tally",
        "response_tally",
    } <= tables


def test_answers_are_saved_changed_and_commented(store_url):
    engine = engine_for(store_url)
    with unit_of_work(engine) as session:
        review = repository.ensure_general_review(session, "wirral", "A meeting")
        again = repository.ensure_general_review(session, "wirral", "A meeting")
        assert review.id == again.id and review.code == "WIRRAL-OPEN"
        ref = repository.start_or_resume(session, review, "web-abc", "web")
        repository.record_answer(session, ref.response_id, "welcome", "yes", "web")
    with unit_of_work(engine) as session:
        repository.record_answer(session, ref.response_id, "welcome", "no", "web", "late\x00 ")
        assert repository.add_comment(session, ref.response_id, "welcome", "and cold")
        assert not repository.add_comment(session, ref.response_id, "place", "no answer yet")
    with unit_of_work(engine) as session:
        [answer] = session.scalars(select(Answer)).all()
        assert (answer.value, answer.comment) == ("no", "late\nand cold")
        assert repository.unfinished_response(session, "web-abc").response_id == ref.response_id
        repository.finish_response(session, ref.response_id)
    with unit_of_work(engine) as session:
        assert repository.unfinished_response(session, "web-abc") is None
        again = repository.start_or_resume(session, review, "web-abc", "web")
        assert again.response_id == ref.response_id and again.finished


def test_unknown_answer_value_is_refused(store_url):
    with unit_of_work(engine_for(store_url)) as session:
        review = repository.ensure_general_review(session, "wirral", "A meeting")
        ref = repository.start_or_resume(session, review, "web-x", "web")
        with pytest.raises(ValueError, match="unknown answer value"):
            repository.record_answer(session, ref.response_id, "welcome", "maybe?", "web")


def test_review_codes_are_found_in_any_case_and_closed_ones_are_not(store_url):
    with unit_of_work(engine_for(store_url)) as session:
        review = repository.create_review(session, "kd7-m4p", "Workshop", "wirral")
        assert repository.find_open_review(session, " Kd7-M4p ").id == review.id
        review.closed_at = review.created_at
        session.flush()
        assert repository.find_open_review(session, "KD7-M4P") is None


def test_long_comments_are_cut_not_lost(store_url):
    with unit_of_work(engine_for(store_url)) as session:
        review = repository.ensure_general_review(session, "wirral", "A meeting")
        ref = repository.start_or_resume(session, review, "web-long", "web")
        answer = repository.record_answer(
            session, ref.response_id, "time", "partly", "web", "x" * 5000
        )
        assert len(answer.comment) == repository.COMMENT_MAX


def test_what_is_held_and_forgetting_it(store_url):
    engine = engine_for(store_url)
    with unit_of_work(engine) as session:
        review = repository.ensure_general_review(session, "wirral", "A meeting")
        mine = repository.start_or_resume(session, review, "web-me", "web")
        repository.record_answer(session, mine.response_id, "welcome", "yes", "web", "lovely")
        repository.record_answer(session, mine.response_id, "place", "no", "web")
        theirs = repository.start_or_resume(session, review, "web-them", "web")
        repository.record_answer(session, theirs.response_id, "welcome", "no", "web")
        safeguarding.raise_flag(
            session,
            pseudonym="web-me",
            channel="web",
            charter="wirral",
            message="help",
            detected_by="classifier",
            level="severe",
        )
    with unit_of_work(engine) as session:
        held = repository.held_about(session, "web-me")
        assert not held.empty and held.safety_messages == 1
        [review_held] = held.reviews
        assert review_held.title == "A meeting" and not review_held.finished
        assert [(a.question_id, a.value, a.comment) for a in review_held.answers] == [
            ("welcome", "yes", "lovely"),
            ("place", "no", None),
        ]
        assert repository.held_about(session, "web-nobody").empty
    with unit_of_work(engine) as session:
        forgotten = repository.forget_person(session, "web-me")
    assert forgotten == repository.Forgotten(
        answers=2, comments=1, reviews=1, safety_messages_kept=1
    )
    with unit_of_work(engine) as session:
        held = repository.held_about(session, "web-me")
        assert held.first_seen is None and held.reviews == ()
        # Nothing left of this person but the safety flag; the other person is untouched.
        assert session.scalar(select(Respondent.id).where(Respondent.pseudonym == "web-me")) is None
        assert [a.value for a in session.scalars(select(Answer))] == ["no"]
        assert repository.forget_person(session, "web-me").answers == 0


def test_purge_deletes_old_identifiable_data_and_keeps_its_counts(store_url):
    from datetime import timedelta

    from bot.store.models import (
        AnswerTally,
        ResponseTally,
        ReviewResponse,
        SafeguardingFlag,
        utcnow,
    )
    from bot.store.retention import cutoff_for, purge

    engine = engine_for(store_url)
    old = utcnow() - timedelta(days=400)
    with unit_of_work(engine) as session:
        review = repository.ensure_general_review(session, "wirral", "A meeting")
        for sender, value in [("web-old-1", "yes"), ("web-old-2", "yes"), ("web-new", "no")]:
            ref = repository.start_or_resume(session, review, sender, "web")
            repository.set_profile(session, sender, "web", role="parent_carer")
            repository.record_answer(session, ref.response_id, "welcome", value, "web", "words")
        for flag_status in ("new", "resolved"):
            flag = safeguarding.raise_flag(
                session,
                pseudonym="web-old-1",
                channel="web",
                charter="wirral",
                message="x",
                detected_by="rule",
                level="severe",
            )
            flag.status, flag.created_at = flag_status, old
        # Two people answered 400 days ago and never since.
        old_ids = select(Respondent.id).where(Respondent.pseudonym.like("web-old-%"))
        for row in session.scalars(
            select(ReviewResponse).where(ReviewResponse.respondent_id.in_(old_ids))
        ):
            row.started_at = old
            for answer in row.answers:
                answer.created_at = answer.updated_at = old
        for row in session.scalars(select(Respondent).where(Respondent.id.in_(old_ids))):
            row.created_at = old
    with unit_of_work(engine) as session:
        purged = purge(session, cutoff_for(365))
    assert (purged.responses, purged.answers, purged.respondents, purged.safety_flags) == (
        2,
        2,
        2,
        1,
    )
    with unit_of_work(engine) as session:
        assert [r.pseudonym for r in session.scalars(select(Respondent))] == ["web-new"]
        assert [(a.value, a.comment) for a in session.scalars(select(Answer))] == [("no", "words")]
        tallies = session.scalars(select(AnswerTally)).all()
        assert [(t.question_id, t.value, t.role, t.channel, t.count) for t in tallies] == [
            ("welcome", "yes", "parent_carer", "web", 2)
        ]
        [people] = session.scalars(select(ResponseTally)).all()
        assert (people.role, people.count) == ("parent_carer", 2)
        assert [f.status for f in session.scalars(select(SafeguardingFlag))] == ["new"]
    # Running it again deletes nothing more and counts nothing twice.
    with unit_of_work(engine) as session:
        assert purge(session, cutoff_for(365)).answers == 0
        assert session.scalar(select(AnswerTally.count)) == 2


def test_purge_deletes_old_conversations_from_the_tracker_store(tmp_path):
    from sqlalchemy import create_engine

    from bot.store.tracker import conversation_events, purge_conversations

    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    with create_engine(url, future=True).begin() as connection:
        connection.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)")
        )
        for sender, stamp in [("old", 100.0), ("old", 200.0), ("mixed", 100.0), ("mixed", 900.0)]:
            connection.execute(
                text("INSERT INTO events (sender_id, timestamp) VALUES (:s, :t)"),
                {"s": sender, "t": stamp},
            )
    assert purge_conversations(url, 500.0) == 2
    assert conversation_events(url, "old") == 0
    assert conversation_events(url, "mixed") == 2


def test_pledges_one_active_per_signer_and_history_kept_on_both_stores(store_url):
    from sqlalchemy.exc import IntegrityError

    from bot.store import pledges
    from bot.store.models import Pledge

    engine = engine_for(store_url)
    details = dict(
        pseudonym="web-a",
        channel="web",
        charter="wirral",
        kind="organisation",
        organisation="Acme Care",
        representative="Ann",
        representative_role="Lead",
    )
    with unit_of_work(engine) as session:
        first = pledges.sign_pledge(session, **details)
        assert pledges.sign_pledge(session, **details).already
        pledges.withdraw_pledge(session, "web-a", first.pledge_id)
        # Withdrawn: signing again makes a new active pledge, the old one stays withdrawn.
        assert not pledges.sign_pledge(session, **details).already
    with pytest.raises(IntegrityError):
        with unit_of_work(engine) as session:
            session.add(
                Pledge(
                    pseudonym="web-b",
                    channel="web",
                    charter="wirral",
                    signer_kind="organisation",
                    signer_key="org:acme care",
                )
            )
    with unit_of_work(engine) as session:
        states = [
            p.withdrawn_at is None for p in session.scalars(select(Pledge).order_by(Pledge.id))
        ]
    assert states == [False, True]


def test_purge_deletes_old_concerns_and_messages_and_forgets_who_made_old_family_pledges(
    store_url,
):
    from datetime import timedelta

    from bot.store import concerns, pledges
    from bot.store.models import Concern, OutboxMessage, Pledge, utcnow
    from bot.store.retention import cutoff_for, purge

    engine = engine_for(store_url)
    old = utcnow() - timedelta(days=400)
    with unit_of_work(engine) as session:
        for who in ("web-old", "web-new"):
            concern = concerns.raise_concern(
                session,
                pseudonym=who,
                channel="web",
                charter="wirral",
                about="A meeting",
                what_happened="words",
                principle=None,
                wants_reply=True,
            )
            concerns.reply_to_concern(session, concern.id, "Sorry")
            pledges.sign_pledge(
                session,
                pseudonym=who,
                channel="web",
                charter="wirral",
                kind="parents_and_carers",
                first_name="Sam",
            )
            pledges.sign_pledge(
                session,
                pseudonym=who,
                channel="web",
                charter="wirral",
                kind="organisation",
                organisation=f"Org {who}",
                representative="Ann",
                representative_role="Lead",
            )
            if who == "web-old":
                concern.created_at = concern.updated_at = old
                for message in session.scalars(select(OutboxMessage)):
                    message.created_at = old
                for pledge in session.scalars(select(Pledge)):
                    pledge.signed_at = old
    with unit_of_work(engine) as session:
        purged = purge(session, cutoff_for(365))
    assert (purged.concerns, purged.messages, purged.family_pledges_anonymised) == (1, 1, 1)
    with unit_of_work(engine) as session:
        assert [c.pseudonym for c in session.scalars(select(Concern))] == ["web-new"]
        family = session.scalars(
            select(Pledge).where(Pledge.signer_kind == "parents_and_carers").order_by(Pledge.id)
        ).all()
        assert [(p.pseudonym, p.first_name) for p in family] == [(None, None), ("web-new", "Sam")]
        # Organisation pledges are the public register: they stay as signed.
        organisations = session.scalars(select(Pledge).where(Pledge.signer_kind == "organisation"))
        assert all(p.representative == "Ann" for p in organisations)


def test_the_export_counts_in_sql_on_both_stores(store_url):
    from datetime import timedelta

    from bot.staff.export import build_export
    from bot.store.models import utcnow
    from bot.store.retention import purge

    engine = engine_for(store_url)
    with unit_of_work(engine) as session:
        review = repository.create_review(session, "SQL-234", "A meeting", "wirral")
        for n in range(6):
            ref = repository.start_or_resume(session, review, f"web-sql-{n}", "web")
            repository.record_answer(session, ref.response_id, "welcome", "yes", "web")
    with unit_of_work(engine) as session:
        purge(session, utcnow() + timedelta(days=1))  # the six become tallies
        review = repository.review_by_code(session, "SQL-234")
        ref = repository.start_or_resume(session, review, "web-sql-new", "web")
        repository.record_answer(session, ref.response_id, "welcome", "yes", "web")
    with unit_of_work(engine) as session:
        [result] = build_export(session, 5, code="SQL-234")
    assert result.responses == 7
    assert result.questions[0].counts["yes"] == 7 and result.questions[0].withheld == []


def test_purge_forgets_old_telegram_chats_of_people_nothing_else_is_kept_about(store_url):
    from datetime import timedelta

    from bot.store import telegram
    from bot.store.models import TelegramChat, utcnow
    from bot.store.retention import cutoff_for, purge

    engine = engine_for(store_url)
    with unit_of_work(engine) as session:
        review = repository.ensure_general_review(session, "wirral", "A meeting")
        repository.start_or_resume(session, review, "telegram-answering", "telegram")
        for who in ("telegram-answering", "telegram-gone", "telegram-new"):
            telegram.remember_chat(session, who, abs(hash(who)) % 10**9)
        for chat in session.scalars(select(TelegramChat)):
            if chat.pseudonym != "telegram-new":
                chat.created_at = utcnow() - timedelta(days=400)
    with unit_of_work(engine) as session:
        assert purge(session, cutoff_for(365)).telegram_chats == 1
        kept = sorted(c.pseudonym for c in session.scalars(select(TelegramChat)))
    assert kept == ["telegram-answering", "telegram-new"]


def test_only_people_who_answered_count_on_both_stores(store_url):
    """A person counts once they answered a question (a skip too); opening a review,
    saying who they are or only placing the work on the ladder is not enough."""
    from datetime import timedelta

    from bot.staff.export import build_export
    from bot.store.models import AnswerTally, ResponseTally, utcnow
    from bot.store.retention import purge

    engine = engine_for(store_url)
    with unit_of_work(engine) as session:
        review = repository.create_review(session, "ANS-234", "A meeting", "wirral", "consulting")
        for n, value in enumerate(["yes", "yes", "yes", "no", "skipped"]):
            ref = repository.start_or_resume(session, review, f"web-ans-{n}", "web")
            repository.set_profile(session, f"web-ans-{n}", "web", role="parent_carer")
            repository.record_answer(session, ref.response_id, "welcome", value, "web")
        repository.start_or_resume(session, review, "telegram-started", "telegram")
        repository.set_profile(session, "telegram-started", "telegram", role="young_person")
        repository.start_or_resume(session, review, "web-started-no-role", "web")
        ref = repository.start_or_resume(session, review, "web-ladder-only", "web")
        repository.record_answer(session, ref.response_id, "ladder", "doing_to", "web")

    def counted() -> tuple:
        with unit_of_work(engine) as session:
            [result] = build_export(session, 5, code="ANS-234")
        return result.responses, result.by_role, result.by_channel, result.ladder.families

    everyone = (
        5,
        {"parent_carer": 5, "young_person": 0, "practitioner": 0, "unknown": 0},
        {"web": 5, "telegram": 0, "rest": 0},
        {"doing_to": 0, "doing_for": 0, "doing_with": 0, "not_sure": 0},
    )
    assert counted() == everyone
    with unit_of_work(engine) as session:
        purge(session, utcnow() + timedelta(days=1))  # everything counts as old
    with unit_of_work(engine) as session:
        people = session.scalars(select(ResponseTally)).all()
        assert [(t.role, t.channel, t.count) for t in people] == [("parent_carer", "web", 5)]
        assert "ladder" not in {t.question_id for t in session.scalars(select(AnswerTally))}
    assert counted() == everyone
