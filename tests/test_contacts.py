"""Contacts families see are true: confirmed by the pack's charter or set by staff.

A pack's unconfirmed fields (a made-up team name, an address the charter gives for
something else) never reach a family. Where no contact is confirmed, the message
says so plainly and gives national help that is real. Staff set local contacts in
the file named by COPRO_CONTACTS_FILE, without editing packs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.common import local_contact
from actions.contact import ActionPointToContact
from actions.need_help import local_help
from bot.content import ContentError, get_pack, list_packs, loader, safety_help
from bot.settings import PROJECT_ROOT, get_settings
from tests.conftest import finished, make_tracker
from tests.project_yaml import project_yaml

DOMAIN = project_yaml("domain.yml")
PACKS_DIR = PROJECT_ROOT / "bot" / "content" / "packs"
AREAS = [pack.id for pack in list_packs()]
# Responses that point a family to a person.
CONTACT_RESPONSES = ("utter_contact_person", "utter_not_here_yet", "utter_my_data_safety_why")
# Words that stand in for a contact nobody confirmed.
PLACEHOLDERS = re.compile(
    r"your local council|\bnull\b|\bNone\b|\{|\}|example\.(com|org)|\bTBC\b|to be confirmed",
    re.IGNORECASE,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"\b0\d{3}[ \d]{6,9}\d\b")
CONTACT_HELPLINE = "0808 808 3555"


def pack_yaml(area: str) -> dict:
    return yaml.safe_load((PACKS_DIR / f"{area}.yml").read_text(encoding="utf-8"))


def confirmed_values(area: str) -> set[str]:
    """Every contact value a pack marks as confirmed."""
    data = pack_yaml(area)
    sections = [data.get("contact"), data.get("sendiass"), data.get("local_offer")]
    sections.append((data.get("safeguarding") or {}).get("contact"))
    return {
        section[name] for section in sections if section for name in section.get("confirmed") or []
    }


def rendered(response: str, **values: str) -> list[str]:
    return [variant["text"].format(**values) for variant in DOMAIN["responses"][response]]


@pytest.fixture
def contacts_file(tmp_path, monkeypatch):
    """Write a staff contacts file and load the packs with it; the packs are reloaded after."""

    def use(data: object) -> Path:
        path = tmp_path / "contacts.yml"
        path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
        monkeypatch.setenv("COPRO_CONTACTS_FILE", str(path))
        get_settings.cache_clear()
        loader._all_packs.cache_clear()
        return path

    yield use
    monkeypatch.delenv("COPRO_CONTACTS_FILE", raising=False)
    get_settings.cache_clear()
    loader._all_packs.cache_clear()


@pytest.mark.parametrize("simple", [False, True])
@pytest.mark.parametrize("area", AREAS)
def test_no_placeholder_or_unconfirmed_contact_reaches_a_family(area, simple):
    pack = get_pack(area)
    contact = local_contact(pack, simple)
    allowed = confirmed_values(area) | {CONTACT_HELPLINE}
    for response in CONTACT_RESPONSES:
        for text in rendered(response, contact=contact, area=pack.area, keep_for="1 year"):
            assert not PLACEHOLDERS.search(text), (area, response, text)
            for match in [*EMAIL.finditer(text), *PHONE.finditer(text)]:
                assert match.group(0) in allowed, (area, response, match.group(0))
    # A team name the charter does not give is not shown as if it were real.
    data = pack_yaml(area)["contact"]
    if "name" not in (data.get("confirmed") or []):
        assert data["name"] not in contact


@pytest.mark.parametrize("area", ["halton", "warrington", "wokingham", "birmingham"])
def test_with_no_confirmed_contact_the_family_is_told_so_and_given_real_national_help(area):
    pack = get_pack(area)
    assert pack.contact == {}
    full = local_contact(pack)
    assert f"I do not have a contact in {pack.area}" in full
    assert f'"{pack.area} council SEND"' in full
    assert f"Helpline: {CONTACT_HELPLINE}" in full
    assert "I do not have a contact" in local_contact(pack, simple=True)


def test_wirral_gives_only_the_address_its_charter_gives():
    pack = get_pack("wirral")
    assert pack.contact == {"email": "sendlo@wirral.gov.uk"}
    contact = local_contact(pack)
    assert "Email: sendlo@wirral.gov.uk" in contact
    # Given for questions about the charter, not for help with a case or for safety.
    assert "sendlo" not in local_help(pack) and "sendlo" not in safety_help(pack)


@pytest.mark.parametrize("intent", ["human_handoff", "sign_pledge"])
@pytest.mark.parametrize("area", AREAS)
def test_asking_for_a_person_in_any_area_gets_a_true_answer(area, intent):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent, "can i talk to a real person", slots={"area": area})
    finished(ActionPointToContact().run(dispatcher, tracker, {}))
    [message] = dispatcher.messages
    assert message["contact"] == local_contact(get_pack(area))


def test_a_saved_concern_does_not_name_a_team_nobody_confirmed():
    for name in ("utter_concern_saved", "utter_concern_saved_reply"):
        for variant in DOMAIN["responses"][name]:
            assert "{contact" not in variant["text"]
            assert not PLACEHOLDERS.search(variant["text"].format(area="Halton"))


def test_staff_set_local_contacts_in_a_file_without_editing_packs(contacts_file):
    contacts_file(
        {
            "halton": {
                "contact": {"name": "Halton SEND team", "email": "send@halton.gov.uk"},
                "sendiass": {"name": "Halton SENDIASS", "phone": "0151 511 8700"},
                "safeguarding": {"name": "Halton children's services", "phone": "0151 907 8305"},
            },
            "wirral": {"local_offer": {"url": "https://localofferwirral.org"}},
        }
    )
    halton = get_pack("halton")
    contact = local_contact(halton)
    assert "📧 You can contact the Halton SEND team." in contact
    assert "Email: send@halton.gov.uk" in contact
    assert "Phone: 0151 511 8700" in local_help(halton)
    assert "Halton children's services: 0151 907 8305" in safety_help(halton)
    # A field staff do not set keeps the pack's own.
    wirral = get_pack("wirral")
    assert wirral.contact == {"email": "sendlo@wirral.gov.uk"}
    assert "Website: https://localofferwirral.org" in local_help(wirral)
    # Areas not in the file are as their packs say.
    assert get_pack("birmingham").contact == {}


def test_without_the_setting_the_packs_are_used_as_they_are(contacts_file, monkeypatch):
    contacts_file({"halton": {"contact": {"email": "send@halton.gov.uk"}}})
    assert get_pack("halton").contact == {"email": "send@halton.gov.uk"}
    monkeypatch.delenv("COPRO_CONTACTS_FILE")
    get_settings.cache_clear()
    loader._all_packs.cache_clear()
    assert get_pack("halton").contact == {}


@pytest.mark.parametrize(
    "data,message",
    [
        ({"hatlon": {"contact": {"email": "a@b.uk"}}}, "no charter pack called 'hatlon'"),
        ({"halton": {"contacts": {"email": "a@b.uk"}}}, "halton must be a mapping with only"),
        ({"halton": {"contact": {"fax": "0151"}}}, "halton.contact must be a mapping with only"),
        ({"halton": {"contact": {"email": 7}}}, "halton.contact: field 'email' must be text"),
        ({"halton": {"contact": {"name": "Halton team"}}}, "needs a confirmed phone, email or url"),
        ({"halton": {"safeguarding": {"phone": "0151 907 8305"}}}, "needs a confirmed name"),
        (["halton"], "the file must hold a mapping of areas"),
        ("halton: [", "not valid YAML"),
    ],
)
def test_a_wrong_contacts_file_is_refused_naming_the_file_area_and_field(
    contacts_file, data, message
):
    contacts_file(data)
    with pytest.raises(ContentError, match=re.escape(message)) as refused:
        list_packs()
    assert str(refused.value).startswith("contacts.yml")


def test_a_missing_contacts_file_is_named(contacts_file, monkeypatch, tmp_path):
    contacts_file({})
    monkeypatch.setenv("COPRO_CONTACTS_FILE", str(tmp_path / "nowhere.yml"))
    get_settings.cache_clear()
    loader._all_packs.cache_clear()
    with pytest.raises(ContentError, match="nowhere.yml: cannot read the contacts file"):
        list_packs()


def test_the_example_contacts_file_sets_nothing_until_filled_in_and_its_example_is_valid(
    contacts_file,
):
    example = (PROJECT_ROOT / "deploy" / "contacts.example.yml").read_text(encoding="utf-8")
    contacts_file(example)
    assert get_pack("halton").contact == {}
    # The commented example, filled in as shown, loads.
    block = example[example.index("# halton:") :]
    contacts_file("\n".join(line[2:] for line in block.splitlines()))
    assert get_pack("halton").contact["name"] == "Halton SEND team"


def test_charters_check_checks_the_contacts_file(contacts_file, capsys):
    from bot.cli import main

    contacts_file({"halton": {"contact": {"email": "send@halton.gov.uk"}}})
    assert main(["charters", "check"]) == 0
    assert "ok   contacts.yml: local contacts" in capsys.readouterr().out
    contacts_file({"halton": {"contact": {"name": "Halton team"}}})
    assert main(["charters", "check"]) == 1
    assert "FAIL contacts.yml: halton" in capsys.readouterr().err
