"""Charter packs and the SEND glossary, loaded from YAML and checked on load."""

from bot.content.loader import (
    CharterPack,
    ContentError,
    Question,
    channel_message,
    get_pack,
    list_packs,
    load_pack,
    lookup_term,
)

__all__ = [
    "CharterPack",
    "ContentError",
    "Question",
    "channel_message",
    "get_pack",
    "list_packs",
    "load_pack",
    "lookup_term",
]
