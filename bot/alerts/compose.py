"""The words of an alert: what staff need to act, and nothing about the person."""

from __future__ import annotations

from functools import lru_cache

from bot.store.models import SafeguardingFlag

STEP_WORDS = {
    "first": "A message in the co-production companion needs a safeguarding look.",
    "escalation": (
        "Nobody has acknowledged this safeguarding flag yet. You are the second contact."
    ),
}


@lru_cache(maxsize=1)
def _category_of_card() -> dict[str, str]:
    from bot.safety.cards import load_cards

    return {card.id: card.category for card in load_cards()}


def categories(flag: SafeguardingFlag) -> list[str]:
    """The kinds of risk the flag's cards name ("self harm"), or how it was found."""
    names = [_category_of_card().get(card_id, "") for card_id in (flag.cards or "").split(",")]
    found = list(dict.fromkeys(name.replace("_", " ") for name in names if name))
    return found or ["not named (found by the risk classifier)"]


def alert_text(flag: SafeguardingFlag, step: str, area: str, link: str) -> tuple[str, str]:
    """The subject and body of an alert. Never the message, never who wrote it."""
    level = flag.level.upper()
    subject = f"[{level}] Safeguarding flag #{flag.id} - {area}"
    when = flag.created_at.strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(
        [
            STEP_WORDS.get(step, STEP_WORDS["first"]),
            "",
            f"Area: {area}",
            f"Level: {flag.level}",
            f"Kind of risk: {', '.join(categories(flag))}",
            f"Time: {when}",
            f"Channel: {flag.channel}",
            "",
            f"Open the flag (staff login): {link}",
            "Please acknowledge it there. This e-mail holds no message text.",
        ]
    )
    return subject, body
