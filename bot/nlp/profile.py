"""Who is answering, from what a person typed: their role, and a young person's age band.

Buttons send the value itself; these functions read typed answers such as
"I'm his mum", "I work at the school" or "im 14".
"""

from __future__ import annotations

import re

from bot.names import AGE_BANDS, ROLES

_ROLE_WORDS = {
    "practitioner": (
        r"\bi work\b|\bwork (with|for|at|in)\b|\bpractitioner|\bprofessional|\bstaff\b|"
        r"\bteacher|\bsenco\b|\bsocial worker|\bnurse\b|\bhealth visitor|\btherapist|"
        r"\bdoctor\b|\bsupport worker|\bteaching assistant|\bkey worker"
    ),
    "parent_carer": (
        r"\bparent|\bcarer\b|\bmum\b|\bmam\b|\bmom\b|\bmother\b|\bdad\b|\bfather\b|"
        r"\bfoster|\bnan\b|\bnana\b|\bgran\b|\bgrandad|\bgrandma|\bgrandparent|\bguardian|"
        r"\bstep ?(mum|dad|parent)|\bgrandson|\bgranddaughter|\bi look after\b"
    ),
    "young_person": (
        r"\byoung person|\bstudent\b|\bpupil\b|\bteen(ager)?\b|\bkid\b|\bat (school|college)\b|"
        r"\bin year \d+|\bit'?s me\b|\bmyself\b"
    ),
}
_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}


def role_of(text: str | None) -> str | None:
    """The role a typed answer names, or a role value sent by a button; None if unclear."""
    if not text:
        return None
    lowered = text.strip().lower().replace("’", "'")
    if lowered in ROLES:
        return lowered
    for role, pattern in _ROLE_WORDS.items():
        if re.search(pattern, lowered):
            return role
    return None


def band_for(age: int) -> str:
    if age < 13:
        return "under_13"
    if age <= 15:
        return "13_15"
    if age <= 17:
        return "16_17"
    if age <= 25:
        return "18_25"
    return "over_25"


def age_band_of(text: str | None) -> str | None:
    """The age band a typed answer gives ("14", "im thirteen", "under 13", "18 to 25")."""
    if not text:
        return None
    lowered = text.strip().lower().replace("-", " ")
    if lowered.replace(" ", "_") in AGE_BANDS:
        return lowered.replace(" ", "_")
    if re.search(r"\b(under|below|less than) 13\b", lowered):
        return "under_13"
    over = re.search(r"\b(?:over|above|more than|older than) (\d{1,2})\b", lowered)
    if over:
        return band_for(int(over.group(1)) + 1)
    match = re.search(r"\b(\d{1,2})\b", lowered)
    if match:
        return band_for(int(match.group(1)))
    for word, number in _NUMBER_WORDS.items():
        if re.search(rf"\b{word}\b", lowered):
            return band_for(number)
    return None
