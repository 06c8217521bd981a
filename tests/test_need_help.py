"""Help with a family's own case: what this chat cannot do, and who can help.

A parent whose child keeps being excluded, or whose EHCP request was refused,
is told plainly that this assistant cannot look at their case, then pointed to
real help: the area's SENDIASS and Local Offer only where the area confirmed
them (otherwise what to search for), IPSEA and Contact, and for young people an
adult they trust. Nothing is made up.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa_sdk.executor import CollectingDispatcher

from actions.learn import ActionExplain, ActionSaySimpler
from actions.need_help import NEED_HELP, ActionNeedHelp
from bot.content import ContentError, get_pack, list_packs
from bot.content.loader import parse_pack
from tests.conftest import bot_said, finished, make_tracker
from tests.project_yaml import project_yaml
from tests.test_easy_read import MAX_GRADE, reading_grade, sentences, unexplained_terms

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = project_yaml("domain.yml")
WIRRAL = project_yaml("bot/content/packs/wirral.yml")
ROLES = ("young_person", "parent_carer", None)


def rendered(message: dict, simple: bool) -> tuple[str, list[dict]]:
    """The text a family sees for a response sent with values, as Rasa fills it in."""
    variants = DOMAIN["responses"][message["response"]]
    plain = [v for v in variants if not v.get("condition")]
    variant = ([v for v in variants if v.get("condition")] if simple else [])[:1] or plain
    variant = variant[0]
    text = variant["text"]
    for key, value in message.items():
        text = text.replace("{" + key + "}", str(value))
    assert not re.search(r"\{[a-z_]+\}", text), text
    return text, variant.get("buttons", [])


def need_help(area: str = "wirral", role: str | None = None, simple: bool = False) -> dict:
    dispatcher = CollectingDispatcher()
    slots = {"area": area, "review_role": role, "simple_mode": simple}
    text = "my son has autism and the school keeps excluding him what can i do"
    finished(ActionNeedHelp().run(dispatcher, make_tracker(NEED_HELP, text, slots=slots), {}))
    message, national = dispatcher.messages
    assert national["response"] == "utter_need_help_national"
    return message


def help_text(area: str = "wirral", role: str | None = None, simple: bool = False) -> str:
    """Both help messages as a family reads them, one after the other."""
    dispatcher = CollectingDispatcher()
    slots = {"area": area, "review_role": role, "simple_mode": simple}
    text = "my son has autism and the school keeps excluding him what can i do"
    finished(ActionNeedHelp().run(dispatcher, make_tracker(NEED_HELP, text, slots=slots), {}))
    return "\n\n".join(rendered(message, simple)[0] for message in dispatcher.messages)


def test_the_excluded_son_gets_told_what_this_chat_cannot_do_and_who_can_help():
    message = need_help("halton")
    assert message["response"] == "utter_need_help"
    _, buttons = rendered(message, simple=False)
    text = help_text("halton")
    assert "cannot look into your own case" in text
    # National help, real and free.
    assert "ipsea.org.uk" in text
    assert "0808 808 3555" in text and "contact.org.uk" in text
    # Halton confirmed no SENDIASS or Local Offer contact: say what to search for.
    assert 'search online for "Halton SENDIASS"' in text
    assert 'search online for "Halton local offer"' in text
    assert "ask your council" in text
    # Never the made-up fallback words of the other contact messages.
    assert "your local council" not in text
    assert "Halton SEND team" not in text
    assert {b["payload"] for b in buttons} >= {'/ask_how_to{{"term": "EHCP"}}'}


def test_a_confirmed_local_offer_is_shown_and_an_unconfirmed_address_is_not():
    text, _ = rendered(need_help("wirral"), simple=False)
    assert "localofferwirral.org" in text
    assert 'search online for "Wirral local offer"' not in text
    # Wirral gave no SENDIASS contact: search, do not invent.
    assert 'search online for "Wirral SENDIASS"' in text
    # The charter's feedback address is not a contact for help with a case.
    assert "sendlo@wirral.gov.uk" not in text


def with_sendiass(monkeypatch, sendiass: dict) -> None:
    pack = dataclasses.replace(get_pack("halton"), sendiass=sendiass)
    monkeypatch.setattr("actions.need_help.pack_for", lambda tracker: pack)


def test_a_confirmed_sendiass_is_shown_with_only_its_confirmed_ways_to_reach_it(monkeypatch):
    with_sendiass(monkeypatch, {"name": "Halton SENDIASS", "phone": "0151 000 0000"})
    text, _ = rendered(need_help("halton"), simple=False)
    assert "Halton SENDIASS is a free service" in text
    assert "Phone: 0151 000 0000" in text
    assert "Email:" not in text.split("Halton local offer")[0]
    assert 'search online for "Halton SENDIASS"' not in text


def test_a_confirmed_sendiass_without_a_name_is_called_after_its_area(monkeypatch):
    with_sendiass(monkeypatch, {"url": "example.org/iass"})
    text, _ = rendered(need_help("halton"), simple=False)
    assert "Halton SENDIASS is a free service" in text
    assert "Website: example.org/iass" in text


@pytest.mark.parametrize(
    "role,expected,not_expected",
    [
        ("young_person", "You can also talk to an adult you trust", "Are you a young person?"),
        (None, "Are you a young person?", "This could be a teacher"),
        ("parent_carer", None, "adult you trust"),
    ],
)
def test_young_people_are_told_they_can_ask_an_adult_they_trust(role, expected, not_expected):
    for simple in (False, True):
        text = help_text("wirral", role, simple)
        if expected and not simple:
            assert expected in text
        assert not_expected not in text
        if role != "parent_carer":
            assert "trust" in text


@pytest.mark.parametrize("pack_id", [p.id for p in list_packs()])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("simple", [False, True])
def test_every_help_message_is_easy_read(pack_id, role, simple):
    text, buttons = rendered(need_help(pack_id, role, simple), simple)
    for sentence in sentences(text):
        assert len(re.findall(r"[\w'’-]+", sentence)) <= 15, sentence
    assert reading_grade(text) <= MAX_GRADE, text
    assert unexplained_terms(text, buttons) == [], text
    for button in buttons:
        assert not button["title"][0].isalnum() and re.search(r"[A-Za-z]{2,}", button["title"])


def test_the_simple_form_is_shorter():
    for pack in list_packs():
        normal, _ = rendered(need_help(pack.id), simple=False)
        simple, _ = rendered(need_help(pack.id, simple=True), simple=True)
        assert len(simple.split()) < len(normal.split())


def test_say_it_more_simply_after_help_gives_the_simple_help():
    message = need_help("halton")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "simpler",
        "too long",
        slots={"area": "halton", "simple_mode": True},
        before=[bot_said(**message)],
    )
    finished(ActionSaySimpler().run(dispatcher, tracker, {}))
    again, national = dispatcher.messages
    assert national["response"] == "utter_need_help_national"
    assert again["response"] == "utter_need_help"
    assert again["local_help"] == need_help("halton", simple=True)["local_help"]
    assert again["local_help"] != message["local_help"]


@pytest.mark.parametrize(
    "text,term",
    [
        ("how do i contact sendiass", "SENDIASS"),
        ("how can i find the local offer", "Local Offer"),
        ("how do i get hold of ipsea", "IPSEA"),
    ],
)
def test_asking_how_to_reach_sendiass_ipsea_or_the_local_offer_gets_the_help(text, term):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "ask_how_to",
        text,
        entities=[{"entity": "term", "value": term, "start": 0, "end": 1}],
        slots={"area": "warrington"},
    )
    finished(ActionExplain().run(dispatcher, tracker, {}))
    message, _ = dispatcher.messages
    assert message["response"] == "utter_need_help"
    assert "Warrington SENDIASS" in message["local_help"]


# The packs: optional `sendiass` and `local_offer` sections, shown only when confirmed.


def test_packs_load_their_help_contacts_with_only_the_confirmed_fields():
    assert get_pack("wirral").local_offer == {"url": "localofferwirral.org"}
    for pack in list_packs():
        assert set(pack.sendiass) <= {"name", "phone", "email", "url"}
        assert set(pack.local_offer) <= {"name", "phone", "email", "url"}
    data = yaml.safe_load(yaml.safe_dump(WIRRAL))
    data["sendiass"] = {
        "name": "Wirral SENDIASS",
        "phone": "0151 000 0000",
        "email": "not-shown@example.org",
        "url": None,
        "confirmed": ["name", "phone"],
    }
    pack = parse_pack(data, "wirral.yml")
    assert pack.sendiass == {"name": "Wirral SENDIASS", "phone": "0151 000 0000"}
    del data["sendiass"], data["local_offer"]
    pack = parse_pack(data, "wirral.yml")
    assert pack.sendiass == {} and pack.local_offer == {}


@pytest.mark.parametrize(
    "section,message",
    [
        ({"name": "X", "fax": "1", "confirmed": []}, "must be a mapping with only"),
        ({"phone": "1", "confirmed": ["fax"]}, "confirmed must list fields of"),
        ({"phone": None, "confirmed": ["phone"]}, "phone is confirmed but empty"),
        ({"name": "X", "confirmed": ["name"]}, "needs a confirmed phone, email or url"),
        (["not", "a", "mapping"], "must be a mapping with only"),
    ],
)
def test_a_broken_help_contact_is_refused_with_the_field_named(section, message):
    for key in ("sendiass", "local_offer"):
        data = yaml.safe_load(yaml.safe_dump(WIRRAL))
        data[key] = section
        with pytest.raises(ContentError, match=re.escape(message)) as error:
            parse_pack(data, "broken.yml")
        assert str(error.value).startswith(f"broken.yml: {key}")


# The assistant: intent, rule, training examples.


def test_need_help_is_an_intent_with_an_action_and_a_rule_outside_forms():
    assert NEED_HELP in DOMAIN["intents"]
    assert "action_need_help" in DOMAIN["actions"]
    rules = yaml.safe_load((ROOT / "nlu_data/rules/learn.yml").read_text(encoding="utf-8"))
    [rule] = [r for r in rules["rules"] if {"intent": NEED_HELP} in r["steps"]]
    assert rule["condition"] == [{"active_loop": None}]
    assert rule["steps"] == [{"intent": NEED_HELP}, {"action": "action_need_help"}]


@pytest.fixture(scope="module")
def training_data():
    return load_data(str(ROOT / "nlu_data" / "nlu"))


def bench_messages() -> set[str]:
    """Every message of the benchmark and evaluation sets: never training examples."""
    texts = set()
    for path in (ROOT / "bench" / "data").glob("*_messages*"):
        for line in path.read_text(encoding="utf-8").splitlines():
            texts.add(line.split("\t")[-1].strip().lower())
    return texts


@pytest.mark.parametrize(
    "intent,least,most",
    [("need_help", 60, 100), ("ask_compare", 30, 200), ("ask_how_to", 30, 200)],
)
def test_new_intents_have_enough_varied_examples_of_their_own(training_data, intent, least, most):
    mine = [e.get("text") for e in training_data.intent_examples if e.get("intent") == intent]
    assert least <= len(mine) <= most
    assert len({t.lower() for t in mine}) == len(mine)
    others = {
        e.get("text").lower() for e in training_data.intent_examples if e.get("intent") != intent
    }
    assert not {t.lower() for t in mine} & others
    assert not {t.lower() for t in mine} & bench_messages()
    # Varied: short and long, typed in lower case, not one pattern.
    lengths = [len(t.split()) for t in mine]
    assert min(lengths) <= 5 and max(lengths) >= 15
    assert sum(t == t.lower() for t in mine) >= len(mine) // 2


def test_need_help_examples_cover_the_cases_families_bring(training_data):
    mine = " ".join(
        e.get("text").lower() for e in training_data.intent_examples if e.get("intent") == NEED_HELP
    )
    for topic in ("exclu", "ehcp", "transport", "tribunal", "assess", "place", "appeal"):
        assert topic in mine, topic
