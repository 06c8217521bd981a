"""The rule-based safeguarding backstop."""

from pathlib import Path

import pytest

from bot.nlp.risk import suggests_risk

BENCH_DATA = Path(__file__).resolve().parent.parent / "bench" / "data"

RISK = [
    "someone at home is hurting me",
    "my dad hits me",
    "i wanna kil myself",
    "I want to die",
    "im not safe at hom",
    "i self harm",
    "i've been cutting myself",
    "nobody would care if i was gone",
    "my step dad touched me",
    "he hurtin me",
    "I'm scared to go home",
    "my child said a teacher hurt them",
    "i dont feel safe",
    "thinking about suicide",
    "everyone would be better off without me",
    "SOMEONE IS HURTINGGG ME",
]
ORDINARY = [
    "yes it was lovely",
    "not really, the lift was broken",
    "the papers came late",
    "what is an EHCP",
    "hello",
    "the meeting was at a bad time for school pick up",
    "I felt listened to",
    "my son has ADHD and autism",
    "can I stop now",
    "the room was too hot and noisy",
    "they didn't listen to us",
    "delete my data",
]


@pytest.mark.parametrize("text", RISK)
def test_risk_messages_are_caught(text):
    assert suggests_risk(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_messages_are_not_flagged(text):
    assert not suggests_risk(text)


def test_empty_is_not_risk():
    assert not suggests_risk("")
    assert not suggests_risk(None)


def load_set(name: str) -> list[str]:
    lines = (BENCH_DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    "risk_file,ordinary_file",
    [
        ("risk_messages.txt", "ordinary_messages.txt"),
        ("risk_messages_dev2.txt", "ordinary_messages_dev2.txt"),
        # The first held-out set was seen when the second round of rules was written.
        ("risk_messages_heldout.txt", "ordinary_messages_heldout.txt"),
        # The fourth held-out set was measured once, then used for the fourth round.
        ("risk_messages_heldout4.txt", "ordinary_messages_heldout4.txt"),
    ],
)
def test_the_rules_catch_every_risk_message_they_were_written_from(risk_file, ordinary_file):
    """Sets used to write the rules: nothing there may slip back."""
    risk, ordinary = load_set(risk_file), load_set(ordinary_file)
    assert len(risk) >= 40 and len(ordinary) >= 50
    assert [m for m in risk if not suggests_risk(m)] == []
    assert [m for m in ordinary if suggests_risk(m)] == []


def test_the_rules_on_messages_they_were_not_written_for():
    """The second held-out set: a floor under the measured result in docs/safeguarding.md."""
    risk = load_set("risk_messages_heldout2.txt")
    ordinary = load_set("ordinary_messages_heldout2.txt")
    assert len(risk) >= 50 and len(ordinary) >= 50
    caught = sum(suggests_risk(m) for m in risk) / len(risk)
    false_alarms = sum(suggests_risk(m) for m in ordinary) / len(ordinary)
    assert caught >= 0.8
    assert false_alarms <= 0.02


def test_the_rules_on_the_eighth_set_they_were_not_written_for():
    """The eighth held-out set: measured once, not used to write any rule. A floor
    under the result in docs/safeguarding.md (31 of 50 caught, 5 of 100 flagged)."""
    risk = load_set("risk_messages_heldout8.txt")
    ordinary = load_set("ordinary_messages_heldout8.txt")
    assert len(risk) == 50 and len(ordinary) == 100
    assert sum(suggests_risk(m) for m in risk) >= 31
    assert sum(suggests_risk(m) for m in ordinary) <= 5


def test_the_third_set_is_caught_and_flags_only_the_two_kept_on_purpose():
    """Seen since the third round; two ordinary messages are flagged on purpose."""
    assert [m for m in load_set("risk_messages_heldout3.txt") if not suggests_risk(m)] == []
    assert [m for m in load_set("ordinary_messages_heldout3.txt") if suggests_risk(m)] == [
        "he has a bruise from where he walked into the door",
        "he hit me when i turned the ipad off but he is calmer now",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "she bruises easily because of her condition",
        "he hurt himself by accident when he fell in the playground",
        "she hurt herself accidentally on the slide",
    ],
)
def test_accidents_and_easy_bruising_are_not_flagged(text):
    assert not suggests_risk(text)


def test_the_fifth_set_is_caught_and_flags_only_the_four_kept_on_purpose():
    """Seen since the fifth round. Four ordinary messages stay flagged: each uses
    words that also describe real harm ("going to kill me if", "self harmed",
    "abuse", "forced marriage"), and a kind false alarm costs less than a miss."""
    assert [m for m in load_set("risk_messages_heldout5.txt") if not suggests_risk(m)] == []
    assert [m for m in load_set("ordinary_messages_heldout5.txt") if suggests_risk(m)] == [
        "my mums gonna kill me if im late back from youth club haha",
        "she self harmed when she was 12 but camhs helped loads and shes been well for two years,"
        " she wants to talk about mental health support at the forum",
        "the word abuse in the leaflet should be explained in easy read",
        "we are doing a project at college on forced marriage awareness, can the youth forum help",
    ]


@pytest.mark.parametrize(
    "text",
    [
        # Other wordings of the fifth round's themes, not in any set.
        "i dont wanna go home cos im scared of my step dad",
        "the staff lock him in the garage when he is naughty",
        "my nan makes me kneel in the corner for ages",
        "he put his hands around her throat",
        "my son came back from his dads with bruises",
        "she keeps telling me i am possessed and calls me evil",
        "theres not been any food in the house since friday",
        "i wrote notes for my family and put them in the drawer",
        "nobody would really care if i was gone",
        "he gave her weed and said dont tell your mum",
        "they know where my little brother lives",
        "i am so tired i am scared i might hurt her",
        "my friend is 13 and her boyfriend is 22",
    ],
)
def test_fifth_round_themes_in_other_words(text):
    assert suggests_risk(text)


@pytest.mark.parametrize(
    "text",
    [
        "the funding for short breaks got cut off",
        "the respite budget will be cut next year",
        "i gave my son all my old books",
        "the lift at the town hall was out of order again",
        "my son screams when he is overwhelmed, he needs a quiet room",
        "we went abroad in the holidays and had a lovely time",
        "my daughter is 14 and her brother is 20",
        "can i get free tickets if i come to the next forum",
    ],
)
def test_fifth_round_near_misses_are_not_flagged(text):
    assert not suggests_risk(text)


def test_no_food_at_an_event_is_not_flagged():
    assert not suggests_risk("there was not any food at the meeting")
    assert suggests_risk("there was not any food at home all weekend")


def test_the_sixth_set_is_caught_and_flags_only_the_three_kept_on_purpose():
    """Seen since the sixth round. Three ordinary messages stay flagged: a joke
    threat, a film about a child running away from home and a lesson on county
    lines use the same words as real harm."""
    assert [m for m in load_set("risk_messages_heldout6.txt") if not suggests_risk(m)] == []
    assert [m for m in load_set("ordinary_messages_heldout6.txt") if suggests_risk(m)] == [
        "the SENCO is going to kill me for handing the form in late lol",
        "in drama we watched a film about a kid who runs away from home",
        "the school did a lesson on county lines and knife crime and he came home with loads of "
        "questions",
    ]


@pytest.mark.parametrize(
    "text",
    [
        # Other wordings of the sixth round's themes, not in any set.
        "dont worry i wont be a burden to anyone for much longer",
        "heading to the railway now. tell mum im sorry",
        "started cutting again last week",
        "my stepdad put his hands on my neck and was strangling me",
        "she's been missing from her foster placement since friday",
        "a man in a car keeps offering her lifts home from school",
        "my coach messages me at night and says keep it secret from my parents",
        "they want me to carry bags to the next town for them",
        "i owe him money and he says i have to work it off or else",
        "my gran says they will cut her down there when we visit",
        "if they find out i'm trans they will throw me out or worse",
        "the carers sit on him when he kicks off and he says it hurts",
        "my dad wishes i was never born and tells me every day",
        "i nearly shook him last night, i need help before i do something",
        "im too scared to go home after what he did to me",
        "my son hasn't had his medication for 3 days because she won't get it",
        "my brother is joining a group that wants to hurt people",
    ],
)
def test_sixth_round_themes_in_other_words(text):
    assert suggests_risk(text)


@pytest.mark.parametrize(
    "text",
    [
        "there was no food or drink at the meeting",
        "he got a bruise on his shin playing football",
        "i want to run away from all these forms",
        "the council are strangling our budget",
        "my son is very mature for his age",
        "can someone offer me a lift to the next forum meeting",
        "i won't be at the next meeting because of work",
        "we are going to the bridge for a picnic after the review",
        "the cuts to the budget are a disgrace",
        "my daughter sat on me for a cuddle after the meeting",
        "he wants to join the youth forum group",
        "i nearly missed the meeting because the bus was late",
        "if my mum finds out im gay she will be fine, she is lovely",
        "the council will ignore me or worse lose my form again",
    ],
)
def test_sixth_round_near_misses_are_not_flagged(text):
    assert not suggests_risk(text)


def test_no_training_example_of_another_intent_looks_like_risk():
    """A rule that fires on an everyday training example would override what
    the classifier learned from it, and would raise alarms on messages like it."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(BENCH_DATA.parent.parent / "nlu_data" / "nlu"))
    others = [m.get("text") for m in data.intent_examples if m.get("intent") != "safeguarding"]
    assert len(others) > 3000
    assert [text for text in others if suggests_risk(text)] == []


def test_the_seventh_set_is_caught_and_flags_nothing_ordinary():
    """Seen since the seventh round."""
    assert [m for m in load_set("risk_messages_heldout7.txt") if not suggests_risk(m)] == []
    assert [m for m in load_set("ordinary_messages_heldout7.txt") if suggests_risk(m)] == []


@pytest.mark.parametrize(
    "text",
    [
        # Other wordings of the seventh round's themes, not in any set.
        "when i get back tonight he will go for me again",
        "my stepdad takes the belt to me if i answer back",
        "dad gets drunk and goes for mum",
        "her ex showed up at the house with a knife",
        "they say she has to be made clean before she is older",
        "my uncle has taken my passport and says i am staying there",
        "mum refuses to collect my inhaler prescription and i can't breathe at night",
        "her dad will not let her have her medication, he says it is poison",
        "my partner won't let me take the kids to the doctors, he keeps the car keys",
        "the baby next door is always in the same nappy and they look through the bins for food",
        "at the unit they leave her in wet pads all day",
        "they put his talker out of his reach so he cannot ask for anything",
        "i have been making myself sick after tea for weeks",
        "i left a note saying sorry for everything",
        "nobody would notice if i disappeared",
        "my friend sent a message saying goodbye and is not replying",
        "our daughter has gone and nobody knows where she is",
        "my support worker keeps my money and says i owe her",
        "the driver keeps touching her knee",
        "he calls me his special friend and says it is our secret",
        "he found a burner phone in his coat pocket",
        "an older lad waits for him after school every day",
        "some boys are making him do things in the toilets",
        "my cousin did stuff to me when i was little",
        "he says those people should be wiped out",
        "my son wants to go to fight overseas for a group he met online",
        "if i tell the police what dad does we will be taken away",
        "my sister is 13 and her boyfriend who's 22 picks her up",
    ],
)
def test_seventh_round_themes_in_other_words(text):
    assert suggests_risk(text)


@pytest.mark.parametrize(
    "text",
    [
        "my son wants to die his hair green for the disco",
        "when i get home i will finish the form",
        "he takes the belt off his trousers before his swim",
        "the school will not let me take him out for his hospital appointments",
        "i need to collect the prescription before the meeting",
        "the wheelchair was out of reach of the lift buttons",
        "she made me laugh so much i nearly made myself sick lol",
        "sorry for everything being late, the bus was slow",
        "the council are going to do something about the parking",
        "nobody knows where the meeting room is",
        "the teacher made them do things in groups",
        "my son's special friend at school is called sam",
        "we have to keep the surprise party a secret",
        "i lost my bank card at the meeting",
        "when i get home i will throw together some tea",
        "i need to take my passport to the meeting for my id check",
        "the pharmacy will not get his medicine in until monday",
        "the school will not let him take his medicine on the trip",
        "he is poorly and the school will not let me take him to his appointments",
        "would anyone notice if i was not at the next meeting",
        "i think they are going to do something nice for the young carers",
        "my son keeps touching his ears when it is loud",
        "an older man waits at the bus stop with us every morning",
    ],
)
def test_seventh_round_near_misses_are_not_flagged(text):
    assert not suggests_risk(text)
