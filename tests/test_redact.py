"""Free text is redacted before any export."""

from __future__ import annotations

import pytest

from bot.staff.redact import redact


@pytest.mark.parametrize(
    "text,expected",
    [
        ("email me at sam.jones+send@example.co.uk please", "email me at [email] please"),
        ("see https://example.org/page?x=1 for more", "see [link] for more"),
        ("see www.council.gov.uk", "see [link]"),
        ("ring 07700 900123 after 3", "ring [phone] after 3"),
        ("call +44 7700 900123", "call [phone]"),
        ("our number is 0151-496-0000", "our number is [phone]"),
        ("we live at CH41 6RT near the park", "we live at [postcode] near the park"),
        ("postcode ch416rt", "postcode [postcode]"),
        ("my name is Priya and it was great", "my name is [name] and it was great"),
        ("Hi, I'm called Jo", "Hi, I'm called [name]"),
        # Ordinary words and numbers stay.
        ("it was 10 out of 10", "it was 10 out of 10"),
        ("the meeting was in room 12B at 3pm", "the meeting was in room 12B at 3pm"),
        ("year 9 and year 11 were there", "year 9 and year 11 were there"),
        ("this is terrible", "this is terrible"),
    ],
)
def test_emails_links_phones_postcodes_and_names_are_redacted(text, expected):
    assert redact(text) == expected


def test_names_the_person_gave_the_bot_are_redacted_anywhere():
    text = "Sam said the room was loud. sam's son was upset. Samuel was fine."
    assert (
        redact(text, ["Sam"])
        == "[name] said the room was loud. [name]'s son was upset. Samuel was fine."
    )
    assert redact("Asha Khan ran it", ["Asha Khan", "Asha"]) == "[name] ran it"
