"""What the pledge, concern and review forms share: opening each answer before its own check.

Every question's ``validate_<slot>`` starts the same way: nothing said (or a question this
person is not asked) changes nothing, an answer that came while another question was asked
may settle something of its own, and a short, clear "stop" ends the form. Only then does
the question's own ``check_<slot>(value, dispatcher, tracker)`` read the answer.

A form lists its questions in ``questions``; ``__init_subclass__`` writes a
``validate_<slot>`` method for each. That keeps to rasa-sdk's public hook (it calls
``validate_<slot>`` for every slot it validates) and leaves the form's own ``run``,
``required_slots`` and ``get_validation_events`` as rasa-sdk has them.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    NOT_ASKED,
    in_worker_thread,
    intent_of,
    looks_like_question,
    text_of,
    wants_to_stop,
)
from actions.learn import EXPLAIN_INTENTS, explain

Slots = dict[str, Any]


@dataclass(frozen=True)
class Question:
    """How the answer to one of a form's questions is opened, before its own check."""

    # Values that need no check, beside None (nothing said): by default a question
    # this person is not asked.
    settled: tuple[Any, ...] = (NOT_ASKED,)
    # A value that came while another question was asked (known from earlier, say):
    # the slots it settles, or None to check it as an answer.
    unasked: Callable[[Any], Slots | None] | None = None
    # A short, clear "stop" or "bye" ends the form (the form's own ``stop``).
    stops: bool = True
    # The check uses the store, so the whole step runs in a worker thread.
    uses_store: bool = False


def _validator(slot: str, question: Question) -> Callable[..., Any]:
    """The ``validate_<slot>`` method for one question."""

    def validate(
        self: TypedWordsForm,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Slots:
        if slot_value is None or slot_value in question.settled:
            return {}
        if question.unasked is not None and tracker.get_slot("requested_slot") != slot:
            settled = question.unasked(slot_value)
            if settled is not None:
                return settled
        if question.stops and wants_to_stop(tracker):
            return self.stop(dispatcher)
        return getattr(self, f"check_{slot}")(slot_value, dispatcher, tracker)

    validate.__name__ = validate.__qualname__ = f"validate_{slot}"
    return in_worker_thread(validate) if question.uses_store else validate


class TypedWordsForm(FormValidationAction):
    """A form whose questions take buttons or the person's own words.

    A subclass names its questions in ``questions`` and has a ``check_<slot>`` for each.
    It is abstract (no ``name``), so the action server registers only the forms themselves.
    """

    questions: ClassVar[Mapping[str, Question]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for slot, question in cls.questions.items():
            if not callable(getattr(cls, f"check_{slot}", None)):
                raise TypeError(f"{cls.__name__} asks {slot} but has no check_{slot}")
            setattr(cls, f"validate_{slot}", _validator(slot, question))

    @abstractmethod
    def name(self) -> str:
        """The form's validation action, ``validate_<form>``."""

    def stop(self, dispatcher: CollectingDispatcher) -> Slots:
        """End the form: what is said, and every question answered so it closes."""
        raise NotImplementedError(f"{type(self).__name__} has questions that stop but no stop")

    @staticmethod
    def explain_or_ask_again(
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        text: str,
        not_understood: str,
    ) -> Slots:
        """A question about a word or idea is answered; anything else gets ``not_understood``.

        Either way the same question comes again.
        """
        intent = intent_of(tracker)
        if intent in EXPLAIN_INTENTS and looks_like_question(text):
            return {slot: None, **explain(dispatcher, tracker, intent)}
        dispatcher.utter_message(response=not_understood)
        return {slot: None}

    @staticmethod
    def typed_words(
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        *,
        clean: Callable[[str], str],
        problem: type[ValueError],
        say_problem: Callable[[CollectingDispatcher, ValueError], None],
        is_question: Callable[[Tracker, str], bool],
    ) -> Slots:
        """The words typed for ``slot``, cleaned; or explain, or ask again kindly.

        - a question about a word or idea (``is_question``) is answered, then asked again;
        - a button pressed where words were wanted asks the question again;
        - words ``clean`` refuses (raising ``problem``) get ``say_problem`` and the question again.
        """
        intent, text = intent_of(tracker), text_of(tracker)
        if intent in EXPLAIN_INTENTS and looks_like_question(text) and is_question(tracker, text):
            return {slot: None, **explain(dispatcher, tracker, intent)}
        if text.lstrip().startswith("/"):
            dispatcher.utter_message(response=f"utter_ask_{slot}")
            return {slot: None}
        try:
            return {slot: clean(text)}
        except problem as error:
            say_problem(dispatcher, error)
            return {slot: None}
