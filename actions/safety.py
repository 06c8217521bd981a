"""Safeguarding: help first, then the flow waits.

When the message came through bot.server (every real conversation does), the
safety check there has already flagged it, alerted a person and given the help
message, before Rasa saw it: this action only notes where the person was, for
staff. A message that reached Rasa some other way gets the help message here,
and a flag; the alert desk in bot.server alerts a person for any severe flag
that has none.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, in_worker_thread, pack_for, text_of
from actions.review import current_question
from bot.content import CharterPack, safety_help
from bot.store import repository, safeguarding
from bot.store.db import unit_of_work

logger = logging.getLogger(__name__)


def _where(tracker: Tracker, pack: CharterPack, session: Any) -> str | None:
    """The review and question the person was on, for staff reading the flag."""
    response_id = tracker.get_slot("review_response_id")
    if tracker.active_loop_name != "review_form" or response_id is None:
        loop = tracker.active_loop_name
        return f"during {loop.replace('_', ' ')}" if loop else "in the chat, outside a review"
    code = repository.review_code_of_response(session, int(response_id))
    if code is None:
        return None
    answered = set(repository.answered_questions(session, int(response_id)))
    found = current_question(pack, answered)
    question = f", question {found[1]} ({found[0].id})" if found else ""
    return f"review {code}{question}"


class ActionSafeguarding(Action):
    def name(self) -> str:
        return "action_safeguarding"

    @in_worker_thread
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        pack = pack_for(tracker)
        decided = (tracker.latest_message or {}).get("safety") or {}
        if not decided.get("help_given"):
            # Help goes out first: a failing store must never delay or block it.
            dispatcher.utter_message(text=safety_help(pack))
        if tracker.active_loop_name:
            dispatcher.utter_message(response="utter_safeguarding_carry_on")
        try:
            with unit_of_work() as session:
                flag_id = decided.get("flag_id")
                if not decided.get("help_given"):
                    flag_id = safeguarding.raise_flag(
                        session,
                        pseudonym=tracker.sender_id,
                        channel=channel_of(tracker),
                        charter=pack.id,
                        message=text_of(tracker),
                        level="severe",
                        cards=decided.get("cards") or [],
                        score=decided.get("score"),
                        detected_by="rasa",
                    ).id
                where = _where(tracker, pack, session) if flag_id else None
                if where:
                    safeguarding.set_context(session, int(flag_id), where)
        except Exception:  # noqa: BLE001 - the person already has help; staff must be told
            logger.exception("Could not save a safeguarding flag")
        return []
