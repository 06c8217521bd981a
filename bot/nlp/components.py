"""Rule components that decide the intent, and the base they share.

Each rule (the safety check, wordless messages, "what is X?" questions, review
codes, scores) runs after the classifiers and, when it applies, sets the intent
for sure. The trained classifiers are in bot.nlp.trained, the phrase extractors
in bot.nlp.phrases. Imported only by Rasa, never by the action server.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

SAFEGUARDING = "safeguarding"
NEED_HELP = "need_help"


class RuleComponent(GraphComponent):
    """A component with no training and no settings: Rasa makes it with ``cls()``."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()


def decide(message: Message, intent: str) -> None:
    """A rule has decided the intent: other guesses drop to zero, so the
    FallbackClassifier does not see two close intents and ask again."""
    message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
    ranking = [{"name": intent, "confidence": 1.0}]
    ranking += [
        {**r, "confidence": 0.0}
        for r in message.get(INTENT_RANKING_KEY) or []
        if r["name"] != intent
    ]
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyIntent(RuleComponent):
    """`safeguarding` is the safety check's decision (:mod:`bot.safety`), nothing else.

    A message the check calls ``possible`` or ``severe`` becomes `safeguarding`
    whatever the classifiers guessed; one it calls ``none`` loses any
    `safeguarding` guess, and the next intent stands (the FallbackClassifier
    after this asks again when that one is unsure). When the message comes
    through bot.server, the check has already run there: its decision arrives
    in the message's metadata (``safety``) and is used as it is, so the two
    never disagree. The decision is added to the parse data as ``safety``.
    """

    def __init__(self) -> None:
        self._check = None

    def _assess(self, text: str) -> dict[str, Any]:
        from bot.safety import safety_check
        from bot.settings import get_settings

        if self._check is None:
            self._check = safety_check(get_settings().safety_model)
        return self._check.assess(text).as_dict()

    def decision(self, message: Message) -> dict[str, Any]:
        """The edge's decision when it made one, else the check's own."""
        from bot.safety import LEVELS

        edge = (message.get(METADATA) or {}).get("safety")
        if isinstance(edge, dict) and edge.get("level") in LEVELS:
            decided = dict(edge)
            if decided.get("checked"):  # a gentle check answered "no": an ordinary message
                decided["level"] = "none"
            return decided
        return self._assess(message.get(TEXT) or "")

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.lstrip().startswith("/"):
                continue
            decided = self.decision(message)
            message.set("safety", decided, add_to_output=True)
            if decided["level"] != "none":
                decide(message, SAFEGUARDING)
            elif (message.get(INTENT) or {}).get("name") == SAFEGUARDING:
                ranking = [
                    r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != SAFEGUARDING
                ]
                fallback = {"name": "out_of_scope", "confidence": 0.0}
                message.set(INTENT, ranking[0] if ranking else fallback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


# The few symbols people send as answers; anything else without words is not understood.
SYMBOL_INTENTS = {
    "👍": "affirm",
    "👌": "affirm",
    "✅": "affirm",
    "👎": "deny",
    "❌": "deny",
    "🤷": "unsure",
    "🤏": "partly",
}
FALLBACK = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class WordlessMessageClassifier(RuleComponent):
    """A message with no letters or digits cannot be classified from its words.

    A thumbs up or down counts as yes or no; any other run of symbols or emoji
    becomes `nlu_fallback`, so it is never taken as an answer by a lucky guess.
    """

    @staticmethod
    def intent_for(text: str) -> str | None:
        """The intent a wordless message stands for; None when it has words."""
        if not text or any(ch.isalnum() for ch in text) or text.lstrip().startswith("/"):
            return None
        symbols = {ch for ch in text if not ch.isspace() and ch not in "\ufe0f\u200d\u2640\u2642"}
        symbols = {s for s in symbols if not ("\U0001f3fb" <= s <= "\U0001f3ff")}  # skin tones
        intents = {SYMBOL_INTENTS.get(s) for s in symbols}
        return intents.pop() if len(intents) == 1 and None not in intents else FALLBACK

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = self.intent_for(message.get(TEXT) or "")
            if intent is None:
                continue
            message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, [{"name": intent, "confidence": 1.0}], add_to_output=True
            )
        return messages


ASK_JARGON = "ask_jargon"
# Intents whose own answer is about the word, when the message says so: it names
# the topic ("what is a co-production charter" is ask_charter), asks how to get
# or do it ("what are the steps to get an EHCP" is ask_how_to), or compares two
# words ("what is the difference between SEN and SEND" is ask_compare).
# Otherwise the classifiers guessed wrong, and the question is ask_jargon.
TOPIC_WORDS = {
    "ask_how_to": re.compile(
        r"\bhow\b|\bsteps?\b|\bprocess\b|\bapply\b|\bget (one|an?|it)\b|\bstart\b",
        re.IGNORECASE,
    ),
    "ask_compare": re.compile(r"differen|\bsame\b|\bcompare|\bvs\b|\bversus\b", re.IGNORECASE),
    "ask_coproduction": re.compile(r"co-?produc", re.IGNORECASE),
    "ask_codesign": re.compile(r"co-?design", re.IGNORECASE),
    "ask_consultation": re.compile(r"consult", re.IGNORECASE),
    "ask_ladder": re.compile(r"ladder|participation|jigsaw|doing (to|for|with)", re.IGNORECASE),
    "ask_charter": re.compile(r"charter", re.IGNORECASE),
}
_WHAT_IS = re.compile(
    r"^\s*(whats|what's|wats|wots)\b"
    r"|^\s*(what|wat|wot|wht)\b.{0,20}\b(is|are|does|do)\b"
    # "mean" asks only at the end or after "does": "his meds mean he's not hungry" does not.
    r"|\b(meaning|stand for|stands for)\b|\bmeans?\W*$|\bdoes\b.*\bmean\b"
    r"|^\s*(explain|define|tell me about)\b",
    re.IGNORECASE,
)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class JargonQuestionClassifier(RuleComponent):
    """A "what is X?" question about a SEND glossary word is `ask_jargon`.

    Runs after GlossaryTermExtractor: a word added to the glossary is then
    answered without retraining, however the classifier saw the question.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            text = message.get(TEXT) or ""
            topic = TOPIC_WORDS.get(intent or "")
            # An ask_jargon guess is made sure too: the FallbackClassifier must not
            # ask "say it another way" about a clear "what does Ofsted mean?".
            # A family asking for help with their own case is signposted, not given
            # a definition ("my son's EHCP is late, what can I do?").
            if intent in (SAFEGUARDING, NEED_HELP) or (topic is not None and topic.search(text)):
                continue
            has_term = any(
                e.get("entity") == "term" and e.get("extractor") == "GlossaryTermExtractor"
                for e in message.get(ENTITIES) or []
            )
            if not has_term or not _WHAT_IS.search(text):
                continue
            decide(message, ASK_JARGON)
        return messages


START_REVIEW = "start_review"
# Words people put around a review code: "my code is KD7-M4P", "here's the review code".
_CODE_FRAME = frozenset(
    "my the a is it its it's here here's heres this i i've ive have got been given review "
    "code number for meeting please pls thanks ta qr letter said to type typed on".split()
)
REVIEW_CODE = "review_code"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ReviewCodeClassifier(RuleComponent):
    """A message that is a review code, perhaps with "my code is", starts that review.

    Codes are printed on letters and QR posters; whatever the classifier made of
    an unusual code, a message that only gives one opens the review (or says
    kindly that the code is not known).
    """

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            text = message.get(TEXT) or ""
            if intent in (START_REVIEW, SAFEGUARDING) or text.lstrip().startswith("/"):
                continue
            codes = [e for e in message.get(ENTITIES) or [] if e.get("entity") == REVIEW_CODE]
            if not codes:
                continue
            rest = text
            for entity in codes:
                rest = rest.replace(str(entity.get("value", "")), " ")
            words = re.findall(r"[a-z']+", rest.lower())
            if any(word not in _CODE_FRAME for word in words):
                continue
            decide(message, START_REVIEW)
        return messages


_NUMBER_WORDS = {
    w: n for n, w in enumerate("zero one two three four five six seven eight nine ten".split())
}
_NUMBER = r"(\d{1,2}(?:\.\d)?|" + "|".join(_NUMBER_WORDS) + ")"
# "7 out of 10", "ten outta ten", "4 stars", and "8/10" or "4/5" (the slash form
# only in a short message, so that a date such as "on 3/10" is not a score).
_OUT_OF = re.compile(rf"\b{_NUMBER} ?(?:out of|outta|oot of) ?{_NUMBER}\b", re.IGNORECASE)
# "5 stars" ends a phrase; "a 5 star hotel" is not a score.
_STARS = re.compile(
    rf"\b{_NUMBER} ?stars?(?=\s*($|[.,!;:)]|(from|for|but|and|overall|out of)\b))",
    re.IGNORECASE,
)
_SLASH = re.compile(r"(?<![\d/])(\d{1,2}(?:\.\d)?) ?/ ?(5|10)(?![\d/])")
_WORDS = re.compile(r"[^\W\d_]+")


def _number(text: str) -> float:
    return float(_NUMBER_WORDS.get(text.lower(), text))


def rating_intent(text: str) -> str | None:
    """The review answer a score stands for: 7 or more out of 10 is yes, 5 or 6
    is a bit, under 5 is no (stars are out of 5). None when there is no score,
    or more than one."""
    scores = [(_number(a), _number(b)) for a, b in _OUT_OF.findall(text)]
    scores += [(_number(m.group(1)), 5.0) for m in _STARS.finditer(text)]
    if len(_WORDS.findall(text)) <= 3:
        scores += [(_number(a), _number(b)) for a, b in _SLASH.findall(text)]
    if len(scores) != 1:
        return None
    score, scale = scores[0]
    if scale not in (5, 10, 100) or score > scale:
        return None
    share = score / scale
    return "affirm" if share >= 0.7 else "partly" if share >= 0.5 else "deny"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RatingClassifier(RuleComponent):
    """A review answer given as a score ("8 out of 10", "2 stars") is yes, a bit or no.

    Young people often answer with a score. The classifier cannot compare
    numbers, so a rule reads them.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            text = message.get(TEXT) or ""
            if intent == SAFEGUARDING or text.lstrip().startswith("/"):
                continue
            answer = rating_intent(text)
            if answer is not None:
                decide(message, answer)
        return messages
