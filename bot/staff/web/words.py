"""The staff dashboard's words for stored values: statuses, roles, channels, dates, counts,
and the kinds of download."""

from __future__ import annotations

from datetime import datetime

from bot.staff import accounts, reviews
from bot.staff.routes import long_date

STATUS_WORDS = {"new": "New", "in_progress": "In progress", "resolved": "Resolved"}
QUEUE_FILTERS = {
    "open": "Not resolved yet",
    "new": "New",
    "in_progress": "In progress",
    "resolved": "Resolved",
    "all": "All",
}
ROLE_WORDS = {
    "parent_carer": "Parents and carers",
    "young_person": "Young people",
    "practitioner": "Practitioners",
    "unknown": "Did not say",
}
CHANNEL_WORDS = {"web": "Web chat", "telegram": "Telegram", "rest": "Other"}
LEVEL_WORDS = {level: level.capitalize() for level in reviews.LADDER_LEVELS}
PLACE_WORDS = {
    "doing_to": "Done to them",
    "doing_for": "Done for them",
    "doing_with": "Done with them",
    "not_sure": "Not sure",
}
# The files a review downloads as: (media type, words for the link).
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "CSV (spreadsheet, no comments)"),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel workbook (XLSX)",
    ),
    "json": ("application/json", "JSON (data)"),
}
UNAVAILABLE = "The dashboard cannot reach its data just now. Please try again in a minute."


def when(moment: datetime | None) -> str:
    """A stored time as people read it, e.g. "24 November 2026, 14:05 (UTC)"."""
    moment = accounts.as_utc(moment)
    return "" if moment is None else f"{moment.day} {moment:%B %Y, %H:%M} (UTC)"


def day(iso: str | None) -> str:
    """ "2026-11-20" as "20 November 2026"; anything else as it was stored."""
    try:
        return long_date(iso)
    except ValueError:
        return iso or ""


def people_words(people: int | None, min_group: int) -> str:
    """How many answered, with a small group never given exactly (None: a small group)."""
    if people == 0:
        return "None yet"
    if people is None or people < min_group:
        return f"Fewer than {min_group}"
    return str(people)
