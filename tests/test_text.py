"""Words people write are kept without control or invisible characters, wherever they are saved."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from bot.content import get_pack
from bot.staff import quality
from bot.staff.reviews import check_new_review
from bot.store import concerns, pledges, repository, safeguarding, updates
from bot.store.db import unit_of_work
from bot.store.models import (
    Answer,
    Concern,
    OutboxMessage,
    Pledge,
    Review,
    ReviewUpdate,
    SafeguardingFlag,
)
from bot.store.staff_models import QualityAssessment, QualityNextSteps, QualityRating
from bot.store.text import clean_text
from tests.test_export import make_review
from tests.test_updates import answered

FAMILY = "👨\u200d👩\u200d👧"
# What broke the spreadsheets and hid or reordered text: a vertical tab, NUL, ESC,
# a C1 control, zero width space and joiner, a right-to-left override, a byte
# order mark, a word joiner, an isolate, a soft hyphen.
DIRTY = (
    "The lift\x0b was\x00 broken\x1b\x9b \u200bagain\u200d,"
    "\u202e\ufeff we\u2060 \u2066said\u00ad so."
)
CLEAN = "The lift was broken again, we said so."


@pytest.mark.parametrize(
    "typed,kept",
    [
        (DIRTY, CLEAN),
        ("first line\r\nsecond\rthird\u2028fourth", "first line\nsecond\nthird\nfourth"),
        ("a\tb\nc", "a\tb\nc"),
        ("\x00\x07\x7f\x85", "\n"),
        (f"Our {FAMILY} thanks you", f"Our {FAMILY} thanks you"),
        ("👩🏽\u200d💻 and ❤️\u200d🔥 and 🏳️\u200d🌈", "👩🏽\u200d💻 and ❤️\u200d🔥 and 🏳️\u200d🌈"),
        ("joined\u200dwords and 👍\u200d and \u200d👍", "joinedwords and 👍 and 👍"),
        ("Wales 🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f", None),
        ("stray tags\U000e0067\U000e007f", "stray tags"),
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian "I want": the non-joiner is spelling
        ("not\u200cin English", "notin English"),
        ("cafe\u0301", "café"),  # NFC
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("new emoji 🫠 stays", "new emoji 🫠 stays"),
        ("Łódź, Zürich, تعلیم, 東京", "Łódź, Zürich, تعلیم, 東京"),
        ("", ""),
        (None, ""),
    ],
)
def test_clean_text_removes_control_and_invisible_characters_only(typed, kept):
    assert clean_text(typed) == (typed if kept is None else kept)


def test_clean_text_leaves_nothing_a_spreadsheet_refuses():
    every_character = "".join(chr(n) for n in range(0x3000)) + "\U000e0001\U000e007f"
    sheet = Workbook().active
    sheet["A1"] = clean_text(every_character)  # openpyxl raises on a control character
    sheet.parent.save(io.BytesIO())


# ---- Every place the store saves words someone wrote --------------------------------------


def comment_on_answer() -> str:
    code = make_review("TXT-234")
    with unit_of_work() as session:
        ref = repository.start_or_resume(
            session, repository.review_by_code(session, code), "web-t", "web"
        )
        repository.record_answer(session, ref.response_id, "q1", "no", "web", DIRTY)
    with unit_of_work() as session:
        return session.scalar(select(Answer.comment))


def comment_added_later() -> str:
    code = make_review("TXT-234")
    with unit_of_work() as session:
        ref = repository.start_or_resume(
            session, repository.review_by_code(session, code), "web-t", "web"
        )
        repository.record_answer(session, ref.response_id, "q1", "no", "web")
        assert repository.add_comment(session, ref.response_id, "q1", DIRTY)
    with unit_of_work() as session:
        return session.scalar(select(Answer.comment))


def raise_concern(field: str) -> Callable[[], str]:
    def saved() -> str:
        words = {"about": "The meeting", "what_happened": "Nobody listened"}
        words[field] = DIRTY
        with unit_of_work() as session:
            concerns.raise_concern(
                session,
                pseudonym="web-c",
                channel="web",
                charter="wirral",
                principle=None,
                wants_reply=True,
                **words,
            )
        with unit_of_work() as session:
            return getattr(session.scalar(select(Concern)), field)

    return saved


def staff_reply() -> str:
    with unit_of_work() as session:
        concern = concerns.raise_concern(
            session,
            pseudonym="web-c",
            channel="web",
            charter="wirral",
            about="The meeting",
            what_happened="Nobody listened",
            principle=None,
            wants_reply=True,
        )
        concerns.reply_to_concern(session, concern.id, DIRTY)
    with unit_of_work() as session:
        message = session.scalar(select(OutboxMessage.text))
        assert CLEAN in message and clean_text(message) == message
        return session.scalar(select(Concern.reply))


def you_said_we_did() -> str:
    code = make_review("YSW-234")
    answered(code, "web-yes", True)
    with unit_of_work() as session:
        updates.post_update(session, repository.review_by_code(session, code), DIRTY)
    with unit_of_work() as session:
        message = session.scalar(select(OutboxMessage.text))
        assert CLEAN in message and clean_text(message) == message
        return session.scalar(select(ReviewUpdate.text))


def review_title() -> str:
    with unit_of_work() as session:
        repository.create_review(session, "TTL-234", DIRTY, "wirral")
    assert check_new_review(DIRTY, "wirral").title == CLEAN
    with unit_of_work() as session:
        return session.scalar(select(Review.title).where(Review.code == "TTL-234"))


def safeguarding_message() -> str:
    with unit_of_work() as session:
        flag = safeguarding.raise_flag(
            session,
            pseudonym="web-s",
            channel="web",
            charter="wirral",
            message=DIRTY,
            level="severe",
            detected_by="rules",
        )
        safeguarding.set_context(session, flag.id, DIRTY)
    with unit_of_work() as session:
        flag = session.scalar(select(SafeguardingFlag))
        assert flag.context == CLEAN
        return flag.message


def pledge(field: str, kind: str = "organisation") -> Callable[[], str]:
    def saved() -> str:
        with unit_of_work() as session:
            pledges.sign_pledge(
                session,
                pseudonym="web-p",
                channel="web",
                charter="wirral",
                kind=kind,
                **{field: "Wirral\x0b Parent\u200b Carer\u202e Forum\ufeff"},
            )
        with unit_of_work() as session:
            return getattr(session.scalar(select(Pledge)), field)

    return saved


def quality_text(where: str) -> Callable[[], str]:
    def saved() -> str:
        indicator = get_pack("wokingham").quality_indicators[0]
        statement = indicator.statements[0].id
        with unit_of_work() as session:
            quality.save_assessment(
                session,
                "wokingham",
                DIRTY if where == "organisation" else "Wokingham SEND Team",
                "2025-03-01",
                {statement: {"score": 5, "going_well": DIRTY, "could_be_better": DIRTY}},
                {indicator.principle: {"needs_now": DIRTY}},
            )
        with unit_of_work() as session:
            rating = session.scalar(select(QualityRating))
            steps = session.scalar(select(QualityNextSteps))
            organisation = session.scalar(select(QualityAssessment.organisation))
            texts = {
                "going_well": rating.going_well,
                "could_be_better": rating.could_be_better,
                "needs_now": steps.needs_now,
                "organisation": organisation,
            }
            return texts[where]

    return saved


ENTRY_POINTS = {
    "review answer comment": (comment_on_answer, CLEAN),
    "comment added later": (comment_added_later, CLEAN),
    "concern: about": (raise_concern("about"), CLEAN),
    "concern: what happened": (raise_concern("what_happened"), CLEAN),
    "staff reply to a concern": (staff_reply, CLEAN),
    "you said, we did": (you_said_we_did, CLEAN),
    "review title": (review_title, CLEAN),
    "safeguarding flag message": (safeguarding_message, CLEAN),
    "pledge organisation": (pledge("organisation"), "Wirral Parent Carer Forum"),
    "pledge representative": (pledge("representative"), "Wirral Parent Carer Forum"),
    "pledge role": (pledge("representative_role"), "Wirral Parent Carer Forum"),
    "pledge first name": (pledge("first_name", "parents_and_carers"), "Wirral Parent Carer Forum"),
    "quality: going well": (quality_text("going_well"), CLEAN),
    "quality: could be better": (quality_text("could_be_better"), CLEAN),
    "quality: next steps": (quality_text("needs_now"), CLEAN),
    "quality: organisation": (quality_text("organisation"), CLEAN),
}


@pytest.mark.parametrize("where", ENTRY_POINTS)
def test_every_entry_point_stores_words_without_control_characters(database, where):
    save_and_read, expected = ENTRY_POINTS[where]
    assert save_and_read() == expected


def test_a_comment_of_only_invisible_characters_is_no_comment(database):
    code = make_review("NIL-234")
    with unit_of_work() as session:
        ref = repository.start_or_resume(
            session, repository.review_by_code(session, code), "web-t", "web"
        )
        repository.record_answer(session, ref.response_id, "q1", "yes", "web", "\u200b\x0b\u202e")
        assert not repository.add_comment(session, ref.response_id, "q1", "\ufeff\x00")
    with unit_of_work() as session:
        assert session.scalar(select(Answer.comment)) is None


def test_a_reply_of_only_invisible_characters_is_refused_as_blank(database):
    with pytest.raises(concerns.TextProblem, match="blank"):
        concerns.clean_text("\u200b\u200d\x0b\u2066", concerns.REPLY_MAX)


def test_a_comment_keeps_emoji_and_every_script(database):
    said = f"Our {FAMILY} felt heard 🫠\u00a0Łódź, تعلیم, می\u200cخواهم"
    code = make_review("EMJ-234")
    with unit_of_work() as session:
        ref = repository.start_or_resume(
            session, repository.review_by_code(session, code), "web-t", "web"
        )
        repository.record_answer(session, ref.response_id, "q1", "yes", "web", said)
    with unit_of_work() as session:
        assert session.scalar(select(Answer.comment)) == said
