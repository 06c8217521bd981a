"""Charter packs and the SEND glossary, loaded from YAML and checked on load."""

from bot.content.errors import ContentError
from bot.content.glossary import lookup_term
from bot.content.loader import get_pack, list_packs, load_pack
from bot.content.messages import channel_message, safety_help
from bot.content.model import CharterPack, QualityHeading, QualityStatement, Question
from bot.content.quiz import QuizItem, quiz_items

__all__ = [
    "CharterPack",
    "ContentError",
    "QualityHeading",
    "QualityStatement",
    "Question",
    "QuizItem",
    "channel_message",
    "get_pack",
    "list_packs",
    "load_pack",
    "lookup_term",
    "quiz_items",
    "safety_help",
]
