"""Rule-based detection of messages that suggest someone may be at risk.

This backs up the `safeguarding` intent: if the classifier misses a message,
these phrases still catch it. Patterns allow common misspellings and text-speak.
It errs on the side of caution: a false alarm costs a kind message, a miss costs more.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Text-speak and contractions rewritten before matching.
_REWRITES = {
    r"\bim\b": "i am",
    r"\bi'm\b": "i am",
    r"\bwanna\b": "want to",
    r"\bgonna\b": "going to",
    r"\bu\b": "you",
    r"\bdont\b": "do not",
    r"\bdon't\b": "do not",
    r"\bcant\b": "can not",
    r"\bcan't\b": "can not",
    r"\bmyslef\b": "myself",
    r"\bmy self\b": "myself",
    r"\bmum's\b": "mum",
    r"\bdad's\b": "dad",
}

_PERSON = (
    r"(mum|mam|mom|mother|dad|father|step ?dad|step ?mum|brother|sister|uncle|aunt|"
    r"teacher|carer|boyfriend|girlfriend|someone|somebody|he|she|they|nan|grandad)"
)
_CHILD = r"(child|son|daughter|kid|boy|girl|children|kids)"

_PATTERNS = [
    # "kill me" and "killing myself", but not "my feet are killing me".
    r"\b(kill+|kil|kll) (myself|me)\b",
    r"\b(kill+|kil|kll)ing myself\b",
    r"\bkill (herself|himself|themselves|themself)\b",
    r"\bk[my]s\b",
    r"\b(want|going|gonna|wish) to (die|be dead|disappear for good)\b",
    r"\bwants? (to )?die\b",
    r"\b(end|ending) it (tonight|today|now)\b",
    r"\b(thinking|think) (of|about) ending it\b",
    r"\b(will|gonna|going to) (stab|kill|hurt|beat up|batter) (me|him|her|us)\b",
    r"\bonline .{0,40}\b(asked|asking|asks|wants) .{0,20}\b(photos|pics|pictures|to meet)\b",
    r"\bmeet (up )?in secret\b",
    r"\bnobody feeds me\b",
    r"\bleaves me (on my own|alone|home alone) for (days|ages|hours|the night)\b",
    r"\b(hurts|hits|beats) them\b",
    r"\b(scratching|scratch|cutting|cut) (my|her|his) arms\b",
    r"\bmarks on (her|his|my) arms\b",
    r"\bcan not take it any ?more\b",
    r"\bwish i (was|were) dead\b",
    r"\b(end|ending) (it all|my life|everything)\b",
    r"\bsu+ic+id",
    r"\bself[- ]?harm",
    r"\b(cut+|cutting|hurt+|hurting|hurtin|harm|harming) myself\b",
    r"\boverdose\b",
    r"\bhang myself\b",
    r"\bno (reason|point) (to|in) (live|living|being alive)\b",
    r"\b(better off|happier) without me\b",
    r"\bnobody would (care|notice|miss me) if i\b",
    r"\b(hurt|hurts|hurting|hurtin|hit|hits|hitting|hittin|beat|beats|beating|kick|kicks|kicking|"
    r"punch|punches|punching|slap|slaps|slapping|strangle|strangles|choke|chokes) me\b",
    rf"\b{_PERSON} (hurt|hurts|hurting|hit|hits|beat|beats|touched|touches|touching) "
    rf"(me|my|our|us)\b",
    r"\b(touched|touching|touches) me\b",
    r"\b(abuse|abuses|abused|abusing|abusive)\b",
    r"\b(do not|not|never) feel safe\b",
    r"\bnot safe (at )?(home|hom|school)\b",
    r"\b(scared|afraid|frightened|terrified) (to go home|of (my )?" + _PERSON + r")\b",
    rf"\b(hurt|hurts|hit|hits|beat|beats|touched) (my|our) {_CHILD}\b",
    rf"\bmy {_CHILD} (said|says|told me) .{{0,30}}\b(hurt|hit|touched|abused)\b",
    r"\b(neglected|neglect)\b",
    r"\bgroom(ed|ing)\b",
    r"\b(being|been|am) (bullied|threatened|attacked)\b",
    r"\bthreaten(s|ed|ing)? to (hurt|kill|hit)\b",
    r"\brun(ning)? away from home\b",
    r"\b(no|never|never any) food\b",
    r"\bkicked me out\b",
    r"\btoo many (tablets|pills)\b",
    r"\b(sleep|go to sleep) and (not|never) wake up\b",
    r"\b(feel|felt|am|i'm) unsafe\b",
    r"\b(say|says|said|told me) not to tell\b",
    r"\b(hurt|hurts|hurting|harm|harming) (myself|themselves|himself|herself)\b",
    r"\bdo not want to (be here|live|be alive)\b",
    r"\b(disappear|gone) (forever|for good)\b",
    r"\bcan not go on\b",
    r"\bhate my life\b",
    r"\bthrow(s|ing)? (things|stuff) at me\b",
    r"\bmade me keep (a|it) secret\b",
    r"\bbruis(e|es|ed|ing)\b",
    r"\bbeing (hurt|hit|abused|beaten)\b",
    r"\b(scared|afraid|frightened|terrified) of (a|the|my|our) (staff member|"
    + _PERSON[1:-1]
    + r")\b",
    rf"\b{_PERSON} is (hurting|hitting|abusing|touching) (me|my|our|us)\b",
    r"\bwants? me to send (pics|pictures|photos|nudes)\b",
    r"\bnowhere to (sleep|live|stay)\b",
    r"\b(am|i'm) not safe\b",
    # Violence between adults at home, which children see.
    r"\b(partner|boyfriend|girlfriend|husband|wife|step ?dad|step ?mum|dad|mum|father|mother) "
    r"(hits|hit|punches|punched|beats|beat|hurts|hurt|slaps|slapped|kicks|kicked|threatens|"
    r"threatened|strangles|chokes)\b",
    r"\b(hit|hurt|kicked|punched|slapped|grabbed|pushed|shoved|strangled|choked|attacked) me\b",
    r"\bthreaten(s|ed|ing)? (me|us)\b",
    # Taking a lot of medicine, jumping.
    r"\b(take|took|taken|taking|swallow|swallowed) (all|a load of|loads of|lots of|a lot of|"
    r"a bunch of|a whole|the whole|every) ?(of )?(my |the |her |his )?(pills|tablets|medicine)\b",
    r"\bjump (off|from|in front of) (a|the)\b",
    r"\bpoint (in|of)? ?(living|being alive|life|going on)\b",
    # Images and exploitation.
    r"\bsend (nudes|naked|pictures of myself|pics of myself|photos of myself)\b",
    r"\bnudes\b",
    r"\bblackmail",
    r"\b(raped|rape|raping)\b",
    r"\bsexual(ly)? (assault|assaulted|abuse|abused)\b",
    # Someone not waking, missing, followed or alone.
    r"\b(will not|won't|wont|can not|hasnt|hasn't|has not|have not|is not|isnt|isn't) "
    r"(wake|waking|woken|breathing)\b",
    r"\b(collapsed|unconscious)\b",
    rf"\b{_CHILD} (has gone|is|went|has been) missing\b",
    rf"\b{_CHILD} ran away\b",
    r"\brun away (and never|forever|for good)\b",
    r"\b(following|followed|stalking|stalks) me\b",
    r"\bwaiting outside (my|our) (house|home|school|door)\b",
    r"\bno ?(one|body) (to )?look(s|ing)? after (me|us)\b",
    r"\b(alone|on my own) (all )?(at night|all night|for days)\b",
    r"\b(getting|being|been) bullied every day\b",
]


def normalise(text: str) -> str:
    """Lower case, plain spaces, letters repeated 3+ times squeezed, text-speak expanded."""
    lowered = text.lower().replace("’", "'")
    lowered = re.sub(r"(\w)\1{2,}", r"\1\1", lowered)
    lowered = re.sub(r"[^\w' ]+", " ", lowered)
    for pattern, replacement in _REWRITES.items():
        lowered = re.sub(pattern, replacement, lowered)
    return re.sub(r"\s+", " ", lowered).strip()


@lru_cache(maxsize=1)
def _compiled() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def suggests_risk(text: str | None) -> bool:
    """True when the text contains a phrase that suggests someone may be at risk."""
    if not text:
        return False
    normal = normalise(text)
    # "hurtinggg" and "killl": try with long letter runs cut to two and to one.
    single = re.sub(r"(\w)\1+", r"\1", normal)
    return any(_compiled().search(form) for form in (normal, single))
