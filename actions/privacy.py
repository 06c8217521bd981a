"""A person's rights from inside the chat: see what is kept, and delete it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import chosen_pack, contact_kwargs, in_worker_thread, simple_mode
from actions.concern_ideas import PAGE_SLOT as CONCERN_PAGE_SLOT
from actions.concerns import CHOICES_SLOT as CONCERN_CHOICES_SLOT
from actions.concerns import FORM_SLOTS as CONCERN_SLOTS
from actions.pledge_rules import FORM_SLOTS as PLEDGE_SLOTS
from actions.pledge_rules import describe_pledge
from actions.review import keep_for
from bot.content import CharterPack, ContentError, get_pack
from bot.names import FORGET_CONVERSATION, LADDER_QUESTION
from bot.settings import get_settings
from bot.store import repository, safeguarding
from bot.store.db import unit_of_work
from bot.store.held import Forgotten, HeldData

ANSWER_WORDS = {
    "yes": "✅ Yes",
    "partly": "🤏 A bit",
    "no": "❌ No",
    "unsure": "🤷 Not sure",
    "skipped": "⏭️ Skipped",
}
PLACE_WORDS = {
    "doing_to": "🫵 Done to us",
    "doing_for": "🤲 Done for us",
    "doing_with": "🤝 Done with us",
    "not_sure": "🤷 Not sure",
}
ROLE_WORDS = {
    "parent_carer": "a parent or carer",
    "young_person": "a young person",
    "practitioner": "someone who works with families",
}
AGE_WORDS = {
    "under_13": "under 13",
    "13_15": "13 to 15",
    "16_17": "16 to 17",
    "18_25": "18 to 25",
    "over_25": "over 25",
}
# Conversation state that points at what was deleted.
CLEARED_SLOTS = (
    "review_ready",
    "review_response_id",
    "review_charter",
    "review_stage",
    "review_code",
    "review_answer",
    "review_role",
    "review_age",
    *PLEDGE_SLOTS,
    *CONCERN_SLOTS,
    CONCERN_CHOICES_SLOT,
    CONCERN_PAGE_SLOT,
)


def count_of(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def question_text(charter: str, question_id: str) -> str:
    try:
        question = get_pack(charter).question(question_id)
    except ContentError:
        question = None
    return question.text if question is not None else question_id


def describe(held: HeldData) -> str:
    """Everything held, as short easy-read lines."""
    lines = []
    if held.first_seen is not None:
        lines.append(f"You first answered on {held.first_seen:%d %B %Y}.")
    if held.role in ROLE_WORDS:
        lines.append(f"You said you are {ROLE_WORDS[held.role]}.")
    if held.age_band in AGE_WORDS:
        lines.append(f"You said your age is {AGE_WORDS[held.age_band]}.")
    for review in held.reviews:
        state = "finished" if review.finished else "not finished"
        lines += ["", f"📝 {review.title} ({state}):"]
        if not review.answers:
            lines.append("No answers yet.")
        for answer in review.answers:
            if answer.question_id == LADDER_QUESTION:
                lines.append(f"How was it done? {PLACE_WORDS.get(answer.value, answer.value)}")
                continue
            lines.append(
                f"{question_text(review.charter, answer.question_id)} "
                f"{ANSWER_WORDS.get(answer.value, answer.value)}"
            )
            if answer.comment:
                lines.append(f'You said: "{answer.comment}"')
        if review.hear_back:
            lines.append("📣 You asked to hear what changes.")
    for pledge in held.pledges:
        state = f"taken back on {pledge.withdrawn_at:%d %B %Y}" if pledge.withdrawn_at else "signed"
        lines += ["", f"✍️ Pledge: {describe_pledge(pledge)} ({state})."]
        if pledge.first_name:
            lines.append(f"You signed as {pledge.first_name}.")
        if pledge.representative:
            lines.append(f"Signed by {pledge.representative}, {pledge.representative_role}.")
    for concern in held.concerns:
        lines += [
            "",
            f"💬 Concern about {concern.about} ({concern.created_at:%d %B %Y}):",
            f'You said: "{concern.what_happened}"',
        ]
        if concern.reply:
            lines.append(f'Staff replied: "{concern.reply}"')
    if held.telegram_chat:
        lines += ["", "📱 We keep your Telegram chat number. It is only used to send you replies."]
    if held.safety_messages:
        plural = "s" if held.safety_messages > 1 else ""
        lines += [
            "",
            f"💙 We keep {held.safety_messages} message{plural} that made us worried "
            "about safety. Only the safety team sees them.",
        ]
    return "\n".join(lines).strip()


def only_safety_kept(held: HeldData) -> bool:
    """Nothing is held but messages kept for safety, which "forget me" does not delete."""
    return bool(held.safety_messages) and not (
        held.first_seen is not None or held.pledges or held.concerns or held.telegram_chat
    )


T = TypeVar("T")


def with_safety_area(step: Callable[[Any, str], T], tracker: Tracker) -> tuple[T, str | None]:
    """One store step for this person (``step(session, sender)``), and the area of the
    latest message kept for their safety (None: there is none), in one unit of work."""
    with unit_of_work() as session:
        found = step(session, tracker.sender_id)
        return found, safeguarding.latest_flag_charter(session, tracker.sender_id)


def why_safety_kept(
    dispatcher: CollectingDispatcher, tracker: Tracker, charter: str | None
) -> None:
    """Why safety messages are kept, for how long, and who to ask: the area that holds them."""
    pack: CharterPack = chosen_pack(tracker)
    if charter:
        try:
            pack = get_pack(charter)
        except ContentError:
            pass
    dispatcher.utter_message(
        response="utter_my_data_safety_why",
        keep_for=keep_for(get_settings().retention_days),
        **contact_kwargs(pack, simple_mode(tracker)),
    )


def others_deleted(forgotten: Forgotten) -> str:
    """Short lines about deleted pledges and concerns (empty when there were none)."""
    lines = []
    if forgotten.pledges_deleted:
        lines.append(f"I deleted {count_of(forgotten.pledges_deleted, 'pledge')}.")
    if forgotten.pledges_anonymised:
        lines.append(
            f"Your name is off {count_of(forgotten.pledges_anonymised, 'organisation pledge')}."
        )
    if forgotten.concerns:
        lines.append(f"I deleted {count_of(forgotten.concerns, 'concern')}.")
    return "".join(f"\n{line}" for line in lines)


class ActionShowMyData(Action):
    """Show everything the store holds about this person, in easy read.

    Messages kept for safety cannot be deleted: when there are any, the reply
    says so, and why, for how long and who to ask, instead of offering to
    delete it all.
    """

    def name(self) -> str:
        return "action_show_my_data"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        held, charter = with_safety_area(repository.held_about, tracker)
        if held.empty:
            dispatcher.utter_message(response="utter_my_data_none")
            return []
        if not held.safety_messages:
            dispatcher.utter_message(response="utter_my_data", summary=describe(held))
            return []
        if only_safety_kept(held):
            dispatcher.utter_message(
                response="utter_my_data_safety_only",
                safety_messages=count_of(held.safety_messages, "message"),
            )
        else:
            dispatcher.utter_message(response="utter_my_data_some_kept", summary=describe(held))
        why_safety_kept(dispatcher, tracker, charter)
        return []


class ActionForgetMe(Action):
    """Delete this person's answers and comments; the channel then deletes the conversation."""

    def name(self) -> str:
        return "action_forget_me"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        forgotten, charter = with_safety_area(repository.forget_person, tracker)
        dispatcher.utter_message(
            response="utter_forgotten",
            answers=count_of(forgotten.answers, "answer"),
            comments=count_of(forgotten.comments, "comment"),
            others=others_deleted(forgotten),
        )
        if forgotten.safety_messages_kept:
            dispatcher.utter_message(
                response="utter_forgotten_safety_kept",
                safety_messages=count_of(forgotten.safety_messages_kept, "message"),
            )
            why_safety_kept(dispatcher, tracker, charter)
        dispatcher.utter_message(json_message={"signal": FORGET_CONVERSATION})
        return [SlotSet(name, None) for name in CLEARED_SLOTS]
