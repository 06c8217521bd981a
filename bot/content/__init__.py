"""Charter packs and the SEND glossary, loaded from YAML and checked on load."""

from bot.content.loader import (
    CharterPack,
    ContentError,
    QualityHeading,
    QualityStatement,
    Question,
    QuizItem,
    channel_message,
    get_pack,
    list_packs,
    load_pack,
    lookup_term,
    quiz_items,
    safety_help,
)

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
