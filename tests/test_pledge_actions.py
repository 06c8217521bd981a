"""The pledge and concern actions, step by step, with trackers built in code and a real store."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.concern_ideas import MORE_IDEAS, idea_pages
from actions.concerns import ActionAskConcernPrinciple, ActionSaveConcern, ValidateConcernForm
from actions.pledge_form import ValidatePledgeForm
from actions.pledge_questions import ActionAskPledgeAgreed, ActionAskPledgeKind
from actions.pledge_rules import PAGE_SIZE, pledge_items, pledge_pages
from actions.pledge_signed import ActionSavePledge, ActionWithdrawPledge
from actions.pledge_words import kind_of
from bot.content import get_pack
from bot.store import concerns, pledges
from bot.store.db import unit_of_work
from bot.store.models import Concern, Pledge
from tests.conftest import finished, make_tracker

SENDER = "web-test-person"


def step(
    validator: Any,
    form: str,
    slots: dict[str, Any],
    slot: str,
    text: str,
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    sender: str = SENDER,
    confidence: float = 0.99,
) -> tuple[dict[str, Any], list[str]]:
    """Give one message to a form's slot validation; the new slots and the responses sent."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        intent,
        text,
        slots={**slots, "requested_slot": slot},
        entities=entities,
        active_loop=form,
        sender=sender,
        confidence=confidence,
    )
    result = finished(getattr(validator, f"validate_{slot}")(text, dispatcher, tracker, {}))
    return {**slots, **result}, [m.get("response") for m in dispatcher.messages]


def pledge_step(slots, slot, text, intent="inform", entities=None, sender=SENDER, confidence=0.99):
    return step(
        ValidatePledgeForm(), "pledge_form", slots, slot, text, intent, entities, sender, confidence
    )


def concern_step(slots, slot, text, intent="inform", entities=None):
    return step(ValidateConcernForm(), "concern_form", slots, slot, text, intent, entities)


def run(
    action: Any,
    slots: dict[str, Any],
    intent: str | None = None,
    text: str = "",
    entities=None,
    sender: str = SENDER,
) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent, text, slots=slots, entities=entities, sender=sender)
    events = finished(action.run(dispatcher, tracker, {}))
    return events, dispatcher.messages


def choose_kind(kind: str, area: str = "birmingham", sender: str = SENDER) -> dict[str, Any]:
    slots, said = pledge_step(
        {"area": area},
        "pledge_kind",
        f'/inform{{"signer": "{kind}"}}',
        entities=[{"entity": "signer", "value": kind}],
        sender=sender,
    )
    assert said == [] and slots["pledge_kind"] == kind
    return slots


def read_and_pledge(slots: dict[str, Any]) -> dict[str, Any]:
    """Press "Next promises" until the last part, then "I pledge"."""
    for _ in range(10):
        slots, said = pledge_step(slots, "pledge_agreed", "/affirm", intent="affirm")
        if slots["pledge_agreed"] == "yes":
            return slots
        assert said == []
    raise AssertionError("never reached the last part")


@pytest.mark.parametrize(
    "typed,kind",
    [
        ("organisation", "organisation"),
        ("I work for the council", "organisation"),
        ("we are a school", "organisation"),
        ("the parent carer forum", "parent_carer_forum"),
        ("PCF", "parent_carer_forum"),
        ("I'm a mum", "parents_and_carers"),
        ("im his dad", "parents_and_carers"),
        ("young person", "young_people"),
        ("i'm a student", "young_people"),
        ("banana", None),
        ("", None),
    ],
)
def test_who_is_signing_from_a_button_or_words(typed, kind):
    assert kind_of(typed) == kind


def test_the_first_question_names_the_area_and_offers_each_kind_of_signer(database):
    _, [message] = run(ActionAskPledgeKind(), {"area": "halton"})
    assert message["response"] == "utter_ask_pledge_kind" and message["area"] == "Halton"
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads[:4] == [
        '/inform{"signer": "organisation"}',
        '/inform{"signer": "parent_carer_forum"}',
        '/inform{"signer": "parents_and_carers"}',
        '/inform{"signer": "young_people"}',
    ]
    assert payloads[4] == "/choose_area"


def test_an_unclear_kind_is_asked_again_kindly(database):
    slots, said = pledge_step({}, "pledge_kind", "banana")
    assert slots["pledge_kind"] is None and said == ["utter_pledge_kind_not_understood"]


def test_the_pledges_come_a_few_at_a_time_with_i_pledge_on_the_last_part(database):
    slots = choose_kind("organisation")
    items = get_pack("birmingham").pledges["organisation"]
    parts = len(pledge_pages(items))
    assert parts > 1
    shown = []
    for part in range(parts):
        _, messages = run(ActionAskPledgeAgreed(), slots)
        page = messages[-1]
        assert page["response"] == "utter_pledge_page"
        assert (page["part"], page["parts"]) == (part + 1, parts)
        if part == 0:
            assert messages[0]["response"] == "utter_pledge_intro"
        titles = [b["title"] for b in page["buttons"]]
        expected = "✍️ I pledge" if part == parts - 1 else "➡️ Next promises"
        assert titles == [expected, "❌ Not now"]
        shown += [line[2:] for line in page["pledges"].split("\n")]
        slots, said = pledge_step(slots, "pledge_agreed", "next", intent="skip_question")
    assert shown == list(items)


def test_a_charter_without_pledges_for_a_kind_offers_its_ideas(database):
    slots = choose_kind("young_people", area="wokingham")
    _, messages = run(ActionAskPledgeAgreed(), slots)
    assert messages[0]["response"] == "utter_pledge_intro_principles"
    names = [p.name for p in get_pack("wokingham").principles]
    first_part = pledge_pages(pledge_items(get_pack("wokingham"), "young_people")[0])[0]
    assert len(first_part) <= PAGE_SIZE
    assert all(name in messages[1]["pledges"] for name in names[: len(first_part)])


def test_not_now_ends_without_signing(database):
    slots = choose_kind("parents_and_carers")
    slots, said = pledge_step(slots, "pledge_agreed", "no thanks", intent="deny")
    assert said == ["utter_pledge_not_now"] and slots["pledge_agreed"] == "no"
    assert all(slots[s] == "not_asked" for s in ("pledge_organisation", "pledge_name"))
    events, messages = run(ActionSavePledge(), slots)
    assert messages == [] and rows() == []
    assert all(e["value"] is None for e in events)


def test_a_short_stop_ends_the_form_but_a_long_name_with_stop_in_it_is_kept(database):
    slots = choose_kind("organisation")
    slots = read_and_pledge(slots)
    slots, said = pledge_step(
        slots, "pledge_organisation", "Stop Hate UK youth service team", intent="stop"
    )
    assert said == [] and slots["pledge_organisation"] == "Stop Hate UK youth service team"
    slots, said = pledge_step(slots, "pledge_representative", "stop", intent="stop")
    assert said == ["utter_pledge_stopped"] and slots["pledge_agreed"] == "stopped"
    run(ActionSavePledge(), slots)
    assert rows() == []


def test_a_short_answer_only_unsurely_taken_for_bye_is_kept_as_words(database):
    slots = read_and_pledge(choose_kind("organisation"))
    slots, _ = pledge_step(slots, "pledge_organisation", "Wirral Youth Service")
    slots, _ = pledge_step(slots, "pledge_representative", "Asha Khan")
    slots, said = pledge_step(
        slots, "pledge_rep_role", "Head of Service", intent="goodbye", confidence=0.56
    )
    assert said == [] and slots["pledge_rep_role"] == "Head of Service"
    slots, said = pledge_step(slots, "pledge_rep_role", "bye", intent="goodbye", confidence=1.0)
    assert said == ["utter_pledge_stopped"]


def rows() -> list[Pledge]:
    with unit_of_work() as session:
        return list(session.scalars(select(Pledge).order_by(Pledge.id)))


def test_an_organisation_signs_with_its_details(database):
    slots = read_and_pledge(choose_kind("organisation"))
    assert slots["pledge_name"] == "not_asked"
    slots, _ = pledge_step(slots, "pledge_organisation", "  Birmingham  Children's Trust ")
    slots, _ = pledge_step(slots, "pledge_representative", "Asha Khan")
    slots, _ = pledge_step(slots, "pledge_rep_role", "Director of SEND")
    _, [message] = run(ActionSavePledge(), slots)
    assert message["response"] == "utter_pledge_signed_organisation"
    assert message["organisation"] == "Birmingham Children's Trust"
    [row] = rows()
    assert (row.organisation, row.representative, row.representative_role, row.signer_kind) == (
        "Birmingham Children's Trust",
        "Asha Khan",
        "Director of SEND",
        "organisation",
    )
    assert row.charter == "birmingham" and row.channel == "web" and row.pseudonym == SENDER


def test_a_young_person_signs_with_no_name(database):
    slots = read_and_pledge(choose_kind("young_people"))
    assert slots["pledge_organisation"] == "not_asked"
    slots, said = pledge_step(slots, "pledge_name", "/skip_question", intent="skip_question")
    assert said == [] and slots["pledge_name"] == "not_asked"
    _, [message] = run(ActionSavePledge(), slots)
    assert message["response"] == "utter_pledge_signed_family"
    assert message["kind"] == "a young person"
    [row] = rows()
    assert row.first_name is None and row.organisation is None and row.signer_kind == "young_people"


def test_a_parent_signs_with_a_first_name_only(database):
    slots = read_and_pledge(choose_kind("parents_and_carers"))
    slots, _ = pledge_step(slots, "pledge_name", "my name is Priya Patel")
    run(ActionSavePledge(), slots)
    assert rows()[0].first_name == "Priya"


@pytest.mark.parametrize(
    "typed,response",
    [
        ("   ", "utter_name_blank"),
        ("A" * 2000, "utter_name_too_long"),
        ("🏫🏫🏫", "utter_name_no_letters"),
        ("<script>alert('x')</script>", "utter_name_markup"),
        ("<b>Council</b>", "utter_name_markup"),
    ],
)
def test_bad_organisation_names_get_a_kind_message_and_the_question_again(
    database, typed, response
):
    slots = read_and_pledge(choose_kind("organisation"))
    slots, said = pledge_step(slots, "pledge_organisation", typed)
    assert slots["pledge_organisation"] is None and said == [response]
    slots, said = pledge_step(slots, "pledge_representative", typed)
    assert slots["pledge_representative"] is None and said == [response]


def test_an_emoji_only_first_name_is_asked_again(database):
    slots = read_and_pledge(choose_kind("parents_and_carers"))
    slots, said = pledge_step(slots, "pledge_name", "😀😀")
    assert slots["pledge_name"] is None and said == ["utter_name_no_letters"]


def test_a_button_pressed_where_a_name_is_wanted_asks_for_the_name(database):
    slots = read_and_pledge(choose_kind("organisation"))
    slots, said = pledge_step(slots, "pledge_organisation", "/affirm", intent="affirm")
    assert slots["pledge_organisation"] is None and said == ["utter_ask_pledge_organisation"]


def test_signing_twice_keeps_one_pledge_and_says_so_kindly(database):
    slots = read_and_pledge(choose_kind("young_people"))
    slots, _ = pledge_step(slots, "pledge_name", "no name")
    run(ActionSavePledge(), slots)
    slots, said = pledge_step({"area": "birmingham"}, "pledge_kind", "young person")
    assert said == ["utter_pledge_already"] and slots["pledge_agreed"] == "already"
    _, messages = run(ActionSavePledge(), slots)
    assert messages == [] and len(rows()) == 1


def test_an_organisation_that_signed_already_is_told_so(database):
    for sender in (SENDER, "web-colleague"):
        slots = read_and_pledge(choose_kind("organisation", sender=sender))
        slots, said = pledge_step(slots, "pledge_organisation", "Acme Care", sender=sender)
        if sender == SENDER:
            slots, _ = pledge_step(slots, "pledge_representative", "Ann")
            slots, _ = pledge_step(slots, "pledge_rep_role", "Boss")
            run(ActionSavePledge(), slots, sender=sender)
        else:
            assert said == ["utter_pledge_already_organisation"]
            assert slots["pledge_agreed"] == "already"
    assert len(rows()) == 1


def test_withdrawing_with_nothing_signed_says_so(database):
    _, [message] = run(ActionWithdrawPledge(), {}, "withdraw_pledge", "take back my pledge")
    assert message["response"] == "utter_pledge_none_to_withdraw"


def test_withdrawing_lists_the_pledges_then_takes_back_the_chosen_one(database):
    with unit_of_work() as session:
        kept = pledges.sign_pledge(
            session, pseudonym=SENDER, channel="web", charter="wirral", kind="parents_and_carers"
        )
        chosen = pledges.sign_pledge(
            session,
            pseudonym=SENDER,
            channel="web",
            charter="birmingham",
            kind="organisation",
            organisation="Acme",
            representative="A",
            representative_role="B",
        )
    _, [message] = run(ActionWithdrawPledge(), {}, "withdraw_pledge", "withdraw my pledge")
    assert message["response"] == "utter_pledge_choose_withdraw"
    payloads = [b["payload"] for b in message["buttons"]]
    assert payloads == [
        f'/withdraw_pledge{{"pledge_ref": "{kept.pledge_id}"}}',
        f'/withdraw_pledge{{"pledge_ref": "{chosen.pledge_id}"}}',
        '/withdraw_pledge{"pledge_ref": "keep"}',
    ]
    assert "Birmingham, as Acme" in message["buttons"][1]["title"]
    ref = [{"entity": "pledge_ref", "value": str(chosen.pledge_id)}]
    _, [done] = run(ActionWithdrawPledge(), {}, "withdraw_pledge", payloads[1], ref)
    assert done["response"] == "utter_pledge_withdrawn"
    state = {r.id: r.withdrawn_at is not None for r in rows()}
    assert state == {kept.pledge_id: False, chosen.pledge_id: True}
    # Pressed again (an old button): nothing changes, a kind message.
    _, [again] = run(ActionWithdrawPledge(), {}, "withdraw_pledge", payloads[1], ref)
    assert again["response"] == "utter_pledge_withdraw_gone"


def test_nobody_can_withdraw_someone_elses_pledge(database):
    with unit_of_work() as session:
        theirs = pledges.sign_pledge(
            session, pseudonym="web-other", channel="web", charter="wirral", kind="young_people"
        )
    ref = [{"entity": "pledge_ref", "value": str(theirs.pledge_id)}]
    _, [message] = run(ActionWithdrawPledge(), {}, "withdraw_pledge", "/withdraw_pledge", ref)
    assert message["response"] == "utter_pledge_withdraw_gone"
    assert rows()[0].withdrawn_at is None


def test_keep_my_pledge_changes_nothing(database):
    with unit_of_work() as session:
        pledges.sign_pledge(
            session, pseudonym=SENDER, channel="web", charter="wirral", kind="young_people"
        )
    keep = [{"entity": "pledge_ref", "value": "keep"}]
    _, [message] = run(ActionWithdrawPledge(), {}, "withdraw_pledge", "/withdraw_pledge", keep)
    assert message["response"] == "utter_pledge_kept" and rows()[0].withdrawn_at is None


# ---- Concerns ------------------------------------------------------------------------------


def concern_rows() -> list[Concern]:
    with unit_of_work() as session:
        return list(session.scalars(select(Concern)))


def test_the_principle_question_has_a_button_per_principle_shown_and_not_sure(database):
    _, [message] = run(ActionAskConcernPrinciple(), {"area": "wokingham"})
    shown = idea_pages(get_pack("wokingham"))[0]
    assert [b["payload"] for b in message["buttons"]] == [
        *(f'/inform{{"principle": "{p.id}"}}' for p in shown),
        f'/inform{{"principle": "{MORE_IDEAS}"}}',
        "/unsure",
    ]
    assert all(p.easy_read in message["ideas"] for p in shown)


@pytest.mark.parametrize("wants_reply", [True, False])
def test_a_concern_is_saved_to_the_staff_queue(database, wants_reply):
    slots = {"area": "birmingham"}
    slots, _ = concern_step(slots, "concern_about", "The EHCP review meeting in May")
    slots, _ = concern_step(
        slots, "concern_what", "Nobody asked what my son thinks. It felt done to us."
    )
    slots, said = concern_step(
        slots,
        "concern_principle",
        '/inform{"principle": "listened_to"}',
        entities=[{"entity": "principle", "value": "listened_to"}],
    )
    assert said == []
    answer = ("/affirm", "affirm") if wants_reply else ("/deny", "deny")
    slots, _ = concern_step(slots, "concern_reply", *answer)
    _, [message] = run(ActionSaveConcern(), slots)
    assert message["response"] == (
        "utter_concern_saved_reply" if wants_reply else "utter_concern_saved"
    )
    [row] = concern_rows()
    assert (row.about, row.principle, row.wants_reply, row.status, row.charter) == (
        "The EHCP review meeting in May",
        "listened_to",
        wants_reply,
        "new",
        "birmingham",
    )
    assert row.what_happened.startswith("Nobody asked") and row.pseudonym == SENDER


def test_a_typed_principle_name_and_not_sure_are_understood(database):
    slots = {"area": "wirral"}
    slots, _ = concern_step(slots, "concern_principle", "it was about communicate")
    assert slots["concern_principle"] == "communicate"
    slots, _ = concern_step({"area": "wirral"}, "concern_principle", "/unsure", intent="unsure")
    assert slots["concern_principle"] == "not_asked"
    slots, said = concern_step({"area": "wirral"}, "concern_principle", "purple")
    assert slots["concern_principle"] is None
    assert said == ["utter_concern_principle_not_understood"]


@pytest.mark.parametrize(
    "slot,typed,response",
    [
        ("concern_about", "   ", "utter_words_blank"),
        ("concern_about", "😡😡", "utter_words_blank"),
        ("concern_about", "x" * 301, "utter_words_too_long"),
        ("concern_what", "y" * 2001, "utter_words_too_long"),
    ],
)
def test_bad_concern_words_get_a_kind_message(database, slot, typed, response):
    slots, said = concern_step({}, slot, typed)
    assert slots[slot] is None and said == [response]


def test_html_in_a_concern_is_kept_as_plain_words(database):
    slots = {"area": "wirral"}
    for slot, typed in (
        ("concern_about", "<b>The meeting</b>"),
        ("concern_what", "<script>alert(1)</script> they ignored us"),
        ("concern_principle", "/unsure"),
        ("concern_reply", "/deny"),
    ):
        intent = {"/unsure": "unsure", "/deny": "deny"}.get(typed, "inform")
        slots, _ = concern_step(slots, slot, typed, intent=intent)
    run(ActionSaveConcern(), slots)
    [row] = concern_rows()
    assert row.about == "<b>The meeting</b>"
    assert row.what_happened.startswith("<script>")


def test_stop_while_raising_a_concern_sends_nothing(database):
    slots, said = concern_step({}, "concern_about", "stop", intent="stop")
    assert said == ["utter_concern_stopped"] and slots["concern_reply"] == "stopped"
    _, messages = run(ActionSaveConcern(), slots)
    assert messages == [] and concern_rows() == []


def test_a_long_story_that_sounds_like_stop_is_kept(database):
    slots, said = concern_step(
        {}, "concern_what", "they told me to stop talking and go home", intent="stop"
    )
    assert said == [] and slots["concern_what"].startswith("they told me")


def test_a_staff_reply_reaches_only_people_who_asked_for_one(database):
    with unit_of_work() as session:
        wanted = concerns.raise_concern(
            session,
            pseudonym="web-a",
            channel="web",
            charter="wirral",
            about="A meeting",
            what_happened="x",
            principle=None,
            wants_reply=True,
        ).id
        not_wanted = concerns.raise_concern(
            session,
            pseudonym="web-b",
            channel="telegram",
            charter="wirral",
            about="B",
            what_happened="y",
            principle=None,
            wants_reply=False,
        ).id
    with unit_of_work() as session:
        _, message = concerns.reply_to_concern(session, wanted, "We are sorry. We fixed it.")
        assert message is not None
        _, none = concerns.reply_to_concern(session, not_wanted, "Thanks", "in_progress")
        assert none is None
        assert concerns.reply_to_concern(session, 999, "x") is None
    with unit_of_work() as session:
        assert concerns.take_messages(session, "web-b") == []
        [text] = concerns.take_messages(session, "web-a")
        assert "A meeting" in text and "We fixed it." in text
        # Delivered once.
        assert concerns.take_messages(session, "web-a") == []
        statuses = {c.id: c.status for c in concerns.concerns(session)}
    assert statuses == {wanted: "resolved", not_wanted: "in_progress"}


def test_the_area_can_be_changed_at_the_first_question_only(database):
    halton = [{"entity": "area", "value": "halton"}]
    slots, said = pledge_step(
        {"area": "wirral"}, "pledge_kind", '/choose_area{"area": "halton"}', "choose_area", halton
    )
    assert slots["area"] == "halton" and slots["pledge_kind"] is None
    assert said == ["utter_area_chosen"]
    # Later, a name that names an area is just a name.
    slots = read_and_pledge(choose_kind("organisation", area="wirral"))
    wirral = [{"entity": "area", "value": "wirral"}]
    slots, said = pledge_step(
        slots, "pledge_organisation", "Wirral Youth Service", "choose_area", wirral
    )
    assert slots["pledge_organisation"] == "Wirral Youth Service" and said == []
    assert slots["area"] == "wirral"


def organisation_step(typed: str, sender: str = SENDER) -> tuple[dict[str, Any], list[dict]]:
    """Type an organisation's name; the new slots and the messages sent (with their values)."""
    slots = read_and_pledge(choose_kind("organisation", sender=sender))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "inform",
        typed,
        slots={**slots, "requested_slot": "pledge_organisation"},
        active_loop="pledge_form",
        sender=sender,
    )
    validator = ValidatePledgeForm()
    result = finished(validator.validate_pledge_organisation(typed, dispatcher, tracker, {}))
    return {**slots, **result}, dispatcher.messages


def sign_organisation(name: str, sender: str) -> None:
    with unit_of_work() as session:
        pledges.sign_pledge(
            session,
            pseudonym=sender,
            channel="web",
            charter="birmingham",
            kind="organisation",
            organisation=name,
        )


@pytest.mark.parametrize("typed", ["Birmingham City C\u043euncil", "\u0412irmingham Forum"])
def test_an_organisation_name_that_mixes_alphabets_is_asked_again_kindly(database, typed):
    slots, messages = organisation_step(typed)
    assert slots["pledge_organisation"] is None
    assert [m["response"] for m in messages] == ["utter_name_mixed_script"]


def test_a_name_that_looks_like_one_on_the_register_is_asked_again_naming_it(database):
    sign_organisation("Birmingham City Council", "web-council")
    slots, messages = organisation_step("Birmingham City Counci1")
    assert slots["pledge_organisation"] is None
    [message] = messages
    assert message["response"] == "utter_name_lookalike"
    assert message["existing"] == "Birmingham City Council"


@pytest.mark.parametrize(
    "typed",
    ["انجمن والدین بیرمنگام", "Stowarzyszenie Rodziców Łódź", "Birmingham City Councillors"],
)
def test_a_name_in_one_alphabet_a_word_is_taken(database, typed):
    sign_organisation("Birmingham City Council", "web-council")
    slots, messages = organisation_step(typed)
    assert messages == [] and slots["pledge_organisation"] == typed


def test_a_lookalike_signed_in_the_meantime_is_not_saved_and_said_kindly(database):
    slots, _ = organisation_step("Birmingham City Counci1")
    slots, _ = pledge_step(slots, "pledge_representative", "Ann")
    slots, _ = pledge_step(slots, "pledge_rep_role", "Boss")
    sign_organisation("Birmingham City Council", "web-council")
    events, messages = run(ActionSavePledge(), slots)
    assert [m["response"] for m in messages] == ["utter_name_lookalike", "utter_pledge_not_signed"]
    assert [row.organisation for row in rows()] == ["Birmingham City Council"]
    assert {e["name"]: e["value"] for e in events}["pledge_organisation"] is None
