"""Cells that are safe to open in a spreadsheet."""

from __future__ import annotations

from typing import Any

from bot.store.text import clean_text

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text without control characters (kept from before they were refused), never a formula.

    Text that a spreadsheet would run as a formula gets a leading apostrophe.
    """
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
