"""The safety decision: does a message suggest someone is at risk, and how badly?

Pure: no store, no channel, no Rasa. Rule cards (``rules/*.yml``, spaCy's
Matcher on lemmas) and a separate calibrated risk classifier give one level,
``none``, ``possible`` or ``severe`` (:mod:`bot.safety.triage`). It is used
inside the Rasa pipeline and in the conversation turn before Rasa; what to say
and whom to alert is decided by the callers.
"""

from __future__ import annotations

from bot.safety.triage import (
    LEVELS,
    NONE,
    NOT_ASSESSED,
    POSSIBLE,
    SEVERE,
    Assessment,
    SafetyCheck,
    safety_check,
)

__all__ = [
    "LEVELS",
    "NONE",
    "NOT_ASSESSED",
    "POSSIBLE",
    "SEVERE",
    "Assessment",
    "SafetyCheck",
    "default_check",
    "safety_check",
]


def default_check() -> SafetyCheck:
    """The check for this process, with the classifier built at ``COPRO_SAFETY_MODEL``."""
    from bot.settings import get_settings

    return safety_check(str(get_settings().safety_model))
