"""The charters the packs are made from (``bot/content/charters/``), for checking quotes."""

from __future__ import annotations

from pathlib import Path

CHARTERS = Path(__file__).resolve().parent.parent / "bot" / "content" / "charters"
# Words near the start of each charter that show the file is that area's.
OPENING_WORDS = {
    "wirral": "Wirral SEND Co-production Charter",
    "warrington": "Warrington has some excellent examples",
    "wokingham": "Wokingham's Local Area",
    "halton": "Halton SEND Co-production Charter",
    "birmingham": "7.Birmingham SEND Co-production charter",
}


def plain(text: str) -> str:
    """The words only: bold marks dropped, curly quotes and dashes made plain, one space."""
    table = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
    text = text.replace("**", "").translate(table).replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(text.split())


def charter_text(area: str) -> str:
    """The area's charter as plain words, checked to be that area's."""
    text = (CHARTERS / f"{area}.txt").read_text(encoding="utf-8")
    assert OPENING_WORDS[area] in text, f"{area}.txt is not the {area} charter"
    return plain(text)


def charter(area: str, quote: str) -> str:
    """``quote``, checked to be the charter's own words."""
    assert plain(quote) in charter_text(area), f"not in the {area} charter: {quote!r}"
    return quote
