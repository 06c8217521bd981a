"""The names every layer shares: answers, ladder places, roles, age bands, signer kinds.

Content, NLP, the store and the actions all speak of these; they import them
from here, not from each other (the store's tables check their values).
"""

from __future__ import annotations

# A family's answer to a review question.
ANSWER_VALUES = ("yes", "partly", "no", "unsure", "skipped")
# Where a family placed the work on the ladder, in three easy steps (Wokingham's
# groups: doing to, doing for, doing with), kept as the answer to LADDER_QUESTION.
LADDER_QUESTION = "ladder"
LADDER_PLACES = ("doing_to", "doing_for", "doing_with", "not_sure")
# Where each staff level (``copro review create --level``) sits on those steps.
LEVEL_PLACE = {
    "coercing": "doing_to",
    "instructing": "doing_to",
    "informing": "doing_for",
    "consulting": "doing_for",
    "engaging": "doing_for",
    "co-designing": "doing_with",
    "co-producing": "doing_with",
}
# Who is answering a review, and how old a young person is.
ROLES = ("parent_carer", "young_person", "practitioner")
AGE_BANDS = ("under_13", "13_15", "16_17", "18_25", "over_25")
# Who signs a charter's pledges; families are only ever counted, never listed.
SIGNER_KINDS = ("organisation", "parent_carer_forum", "parents_and_carers", "young_people")
FAMILY_KINDS = ("parents_and_carers", "young_people")
# Where a concern is in the staff queue.
CONCERN_STATUSES = ("new", "in_progress", "resolved")
# What an action can ask the channel to do after the turn (a custom message):
# delete the conversation Rasa keeps, once Rasa has saved the turn.
FORGET_CONVERSATION = "forget_conversation"
