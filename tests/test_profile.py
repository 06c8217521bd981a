"""Reading who is answering from what a person typed."""

import pytest

from bot.nlp.profile import age_band_of, role_of


@pytest.mark.parametrize(
    "text,role",
    [
        ("parent_carer", "parent_carer"),
        ("Parent or carer", "parent_carer"),
        ("i'm his mum", "parent_carer"),
        ("I’m a foster carer", "parent_carer"),
        ("im his nan", "parent_carer"),
        ("young person", "young_person"),
        ("I am the young person", "young_person"),
        ("im a student at college", "young_person"),
        ("i work with families", "practitioner"),
        ("I'm a SENCo", "practitioner"),
        ("social worker", "practitioner"),
        ("banana", None),
        ("", None),
        (None, None),
    ],
)
def test_role_of(text, role):
    assert role_of(text) == role


@pytest.mark.parametrize(
    "text,band",
    [
        ("under_13", "under_13"),
        ("under 13", "under_13"),
        ("im 11", "under_13"),
        ("12", "under_13"),
        ("13", "13_15"),
        ("i'm fourteen", "13_15"),
        ("16 to 17", "16_17"),
        ("17 years old", "16_17"),
        ("18-25", "18_25"),
        ("im nineteen", "18_25"),
        ("over 18", "18_25"),
        ("30", "over_25"),
        ("old enough", None),
        (None, None),
    ],
)
def test_age_band_of(text, band):
    assert age_band_of(text) == band
