"""The "is this co-production?" quiz (``quiz.yml``): stories, answers and reasons."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.errors import ContentError
from bot.content.fields import text_field

QUIZ_FILE = Path(__file__).resolve().parent / "quiz.yml"


@dataclass(frozen=True)
class QuizItem:
    """One "is this co-production?" story and the right answer with the reason."""

    id: str
    story: str
    simple: str
    answer: str
    why: str


QUIZ_ANSWERS = ("coproduction", "codesign", "consultation")


def parse_quiz(data: Any, source: str) -> tuple[QuizItem, ...]:
    if not isinstance(data, list) or not data:
        raise ContentError(f"{source}: must be a non-empty list of stories")
    items, seen = [], set()
    for index, entry in enumerate(data):
        where = f"{source}: story {index + 1}"
        if not isinstance(entry, dict):
            raise ContentError(f"{where}: must be a mapping")
        unknown = set(entry) - {"id", "story", "simple", "answer", "why"}
        if unknown:
            raise ContentError(f"{where}: unknown field '{sorted(unknown)[0]}'")
        item_id = text_field(entry, "id", where)
        if item_id in seen:
            raise ContentError(f"{where}: id '{item_id}' is used twice")
        seen.add(item_id)
        answer = text_field(entry, "answer", where)
        if answer not in QUIZ_ANSWERS:
            raise ContentError(
                f"{where}: field 'answer' must be one of {', '.join(QUIZ_ANSWERS)}, not '{answer}'"
            )
        items.append(
            QuizItem(
                id=item_id,
                story=text_field(entry, "story", where, easy_read=True),
                simple=text_field(entry, "simple", where, easy_read=True),
                answer=answer,
                why=text_field(entry, "why", where, easy_read=True),
            )
        )
    return tuple(items)


@lru_cache(maxsize=1)
def quiz_items() -> tuple[QuizItem, ...]:
    return parse_quiz(yaml.safe_load(QUIZ_FILE.read_text(encoding="utf-8")), QUIZ_FILE.name)
