"""What a family really gets: the actions run for each charter, their messages built by Rasa.

Each conversation runs the real actions with a tracker for one charter, in the
full or the simple form, and turns what they send into the whole message the
channel shows, with Rasa's own code (the response chosen by its conditions, the
slots and the action's values filled in, the action's buttons added).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.executor import CollectingDispatcher

from actions.concern_ideas import MORE_IDEAS, idea_pages
from actions.concerns import ActionAskConcernPrinciple, ValidateConcernForm
from actions.contact import ActionPointToContact
from actions.goodbye import ActionGoodbye
from actions.learn import ActionExplain
from actions.need_help import ActionNeedHelp
from actions.pledge_questions import ActionAskPledgeAgreed, ActionAskPledgeKind
from actions.privacy_notice import ActionTellPrivacy
from actions.review import ActionAskReviewAnswer, ActionStartReview, ValidateReviewForm
from actions.safety import ActionSafeguarding
from actions.welcome import ActionGreet
from bot.content import CharterPack
from bot.content.glossary import _glossary
from bot.names import SIGNER_KINDS
from bot.settings import PROJECT_ROOT
from tests.conftest import finished, make_tracker

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
NLG = TemplatedNaturalLanguageGenerator(DOMAIN.responses)


@dataclass
class Sent:
    """One whole message as the channel shows it."""

    where: str
    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def titles(self) -> list[str]:
        return [button.get("title", "") for button in self.buttons]


def as_sent(messages: list[dict[str, Any]], slots: dict[str, Any]) -> list[dict[str, Any]]:
    """The dispatcher's messages as Rasa utters them, with these slots set."""
    tracker = DialogueStateTracker.from_events(
        "family", [SlotSet(name, value) for name, value in slots.items()], slots=DOMAIN.slots
    )
    uttered = asyncio.run(
        RemoteAction._utter_responses(
            [dict(m) for m in messages], CollectingOutputChannel(), NLG, tracker
        )
    )
    return [{"text": u.text or "", "buttons": u.data.get("buttons") or []} for u in uttered]


class Conversation:
    """One path through the chat for one charter: every message it sends, in order."""

    def __init__(self, name: str, pack: CharterPack, simple: bool) -> None:
        self.name, self.pack, self.simple = name, pack, simple
        self.slots: dict[str, Any] = {"area": pack.id, "simple_mode": simple}
        self.sent: list[Sent] = []

    def run(
        self, action: Any, intent: str = "inform", text: str = "", label: str = "", **latest: Any
    ) -> list:
        """Run ``action`` after a message with ``intent`` and ``text``; what it sent."""
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(intent, text, slots=dict(self.slots), **latest)
        events = finished(action.run(dispatcher, tracker, {})) or []
        self._keep(f"{action.name()} {label}".strip(), dispatcher.messages)
        self.slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        return dispatcher.messages

    def say(self, response: str, **values: Any) -> None:
        """A response the form or a rule sends without an action."""
        self._keep(response, [{"response": response, **values}])

    def validate(self, form: Any, slot: str, text: str, intent: str, loop: str, entities=None):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(
            intent,
            text,
            slots={**self.slots, "requested_slot": slot},
            entities=entities,
            active_loop=loop,
        )
        result = finished(getattr(form, f"validate_{slot}")(text, dispatcher, tracker, {}))
        self._keep(f"{form.name()} {slot}", dispatcher.messages)
        self.slots.update(result)

    def _keep(self, step: str, messages: list[dict[str, Any]]) -> None:
        for index, message in enumerate(as_sent(messages, self.slots)):
            where = f"{self.pack.id} {'simple' if self.simple else 'full'} {self.name}: {step}"
            self.sent.append(Sent(f"{where} [{index}]", message["text"], message["buttons"]))


def welcome(c: Conversation) -> None:
    c.slots.pop("area")
    c.run(ActionGreet(), "greet", "hello")
    c.slots["area"] = c.pack.id


def review(c: Conversation) -> None:
    """Every question of the charter's default set, then whether to hear back."""
    c.run(ActionStartReview(), "start_review", "/start_review")
    for question in c.pack.questions:
        c.run(ActionAskReviewAnswer(), label=question.id)
        c.validate(ValidateReviewForm(), "review_answer", "/partly", "partly", "review_form")
        c.run(ActionAskReviewAnswer())
        c.validate(
            ValidateReviewForm(), "review_answer", "/skip_question", "skip_question", "review_form"
        )
    c.run(ActionAskReviewAnswer())


def concern_ideas(c: Conversation) -> None:
    """A concern: what it is about, what happened, then every part of the idea question."""
    c.say("utter_ask_concern_about")
    c.validate(
        ValidateConcernForm(), "concern_about", "The transport meeting", "inform", "concern_form"
    )
    c.say("utter_ask_concern_what")
    c.validate(
        ValidateConcernForm(), "concern_what", "Nobody listened to us.", "inform", "concern_form"
    )
    more = f'/inform{{"principle": "{MORE_IDEAS}"}}'
    for page, _ in enumerate(idea_pages(c.pack)):
        c.run(ActionAskConcernPrinciple(), label=f"part {page + 1}")
        c.validate(
            ValidateConcernForm(),
            "concern_principle",
            more,
            "inform",
            "concern_form",
            entities=[{"entity": "principle", "value": MORE_IDEAS}],
        )


def pledges(c: Conversation) -> None:
    """Who is signing, then every page of promises for each kind of signer."""
    c.run(ActionAskPledgeKind())
    for kind in SIGNER_KINDS:
        c.slots.update(pledge_kind=kind, pledge_page=0.0)
        for page in range(20):
            c.slots["pledge_page"] = float(page)
            sent = c.run(ActionAskPledgeAgreed(), label=f"{kind} part {page + 1}")
            if not sent or "I pledge" in str(sent[-1].get("buttons")):
                break


def help_and_contacts(c: Conversation) -> None:
    c.run(ActionNeedHelp(), "need_help", "my son has been excluded what do I do")
    c.run(ActionPointToContact(), "human_handoff", "can I talk to a person")
    c.run(ActionPointToContact(), "out_of_scope", "can you book me a meeting")
    c.run(ActionSafeguarding(), "safeguarding", "I am not safe at home")
    c.run(ActionGoodbye(), "goodbye", "bye")
    c.run(ActionTellPrivacy(), "ask_privacy", "who can see my answers")


def explanation(term: str) -> Callable[[Conversation], None]:
    """A person who asks what one word means, and nothing else."""

    def ask(c: Conversation) -> None:
        entities = [{"entity": "term", "value": term}]
        c.run(ActionExplain(), "ask_jargon", f"what is {term}", label=term, entities=entities)

    return ask


CONVERSATIONS: dict[str, Callable[[Conversation], None]] = {
    "welcome": welcome,
    "review": review,
    "concern ideas": concern_ideas,
    "pledges": pledges,
    "help and contacts": help_and_contacts,
    **{
        f"explain {term}": explanation(term)
        for term in sorted({entry["term"] for entry in _glossary().values()})
    },
}


def conversations(pack: CharterPack, simple: bool) -> list[Conversation]:
    """Every conversation above for one charter, in one form; a store must be set up."""
    done = []
    for name, steps in CONVERSATIONS.items():
        conversation = Conversation(name, pack, simple)
        steps(conversation)
        done.append(conversation)
    return done
