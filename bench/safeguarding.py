"""Measure the safety check: recall on risk messages, false alarms on ordinary ones.

Runs the rule-based backstop alone, and the trained Rasa model (classifier plus
backstop, as the assistant uses it), on the sets in bench/data, and writes
docs/safeguarding.md. `make bench-safeguarding` runs it after training.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
REPORT = ROOT / "docs" / "safeguarding.md"
MODEL = ROOT / "models" / "current.tar.gz"
SETS = [
    ("development", "risk_messages.txt", "ordinary_messages.txt"),
    ("second development", "risk_messages_dev2.txt", "ordinary_messages_dev2.txt"),
    ("first held out (seen since)", "risk_messages_heldout.txt", "ordinary_messages_heldout.txt"),
    ("second held out", "risk_messages_heldout2.txt", "ordinary_messages_heldout2.txt"),
    ("third held out (seen since)", "risk_messages_heldout3.txt", "ordinary_messages_heldout3.txt"),
    (
        "fourth held out (seen since)",
        "risk_messages_heldout4.txt",
        "ordinary_messages_heldout4.txt",
    ),
    ("fifth held out (seen since)", "risk_messages_heldout5.txt", "ordinary_messages_heldout5.txt"),
    ("sixth held out (seen since)", "risk_messages_heldout6.txt", "ordinary_messages_heldout6.txt"),
    (
        "seventh held out (seen since)",
        "risk_messages_heldout7.txt",
        "ordinary_messages_heldout7.txt",
    ),
    ("eighth held out", "risk_messages_heldout8.txt", "ordinary_messages_heldout8.txt"),
]


def load(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass
class Result:
    risk: int = 0
    ordinary: int = 0
    missed: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)
    by_classifier: int = 0

    @property
    def recall(self) -> float:
        return (self.risk - len(self.missed)) / self.risk

    @property
    def false_alarm_rate(self) -> float:
        return len(self.alarms) / self.ordinary


def measure(risk: list[str], ordinary: list[str], flagged) -> Result:
    result = Result(risk=len(risk), ordinary=len(ordinary))
    for text in risk:
        caught, by_classifier = flagged(text)
        if not caught:
            result.missed.append(text)
        result.by_classifier += int(by_classifier)
    result.alarms = [text for text in ordinary if flagged(text)[0]]
    return result


def rules_only(text: str) -> tuple[bool, bool]:
    from bot.nlp.risk import suggests_risk

    return suggests_risk(text), False


def model_parser():
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs each parsed message at debug level: keep message text out of the output.
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()

    def flagged(text: str) -> tuple[bool, bool]:
        parsed = loop.run_until_complete(agent.parse_message(text))
        caught = parsed["intent"]["name"] == "safeguarding"
        return caught, caught and not parsed.get("risk_backstop", False)

    return flagged


def section(title: str, results: dict[str, Result], with_classifier: bool) -> list[str]:
    lines = [f"## {title}", "", "| set | risk caught | recall | false alarms | rate |"]
    lines.append("|---|---|---|---|---|")
    for name, r in results.items():
        lines.append(
            f"| {name} | {r.risk - len(r.missed)} of {r.risk} | {r.recall:.1%} | "
            f"{len(r.alarms)} of {r.ordinary} | {r.false_alarm_rate:.1%} |"
        )
    lines.append("")
    for name, r in results.items():
        if with_classifier:
            lines.append(
                f"- {name}: the classifier alone named {r.by_classifier} of {r.risk} risk "
                "messages `safeguarding`; the backstop caught the rest that were caught."
            )
        if r.missed:
            lines.append(f"- {name}, missed: " + "; ".join(f'"{m}"' for m in r.missed))
        if r.alarms:
            lines.append(f"- {name}, false alarms: " + "; ".join(f'"{m}"' for m in r.alarms))
    lines.append("")
    return lines


def main() -> int:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    sets = {name: (load(risk), load(ordinary)) for name, risk, ordinary in SETS}
    rules = {name: measure(r, o, rules_only) for name, (r, o) in sets.items()}
    if not MODEL.exists():
        print("No trained model: run `make train` first.", file=sys.stderr)
        return 1
    parse = model_parser()
    full = {name: measure(r, o, parse) for name, (r, o) in sets.items()}
    lines = [
        "# Safeguarding: how well risk messages are caught",
        "",
        "A message that suggests someone is at risk must get help at once. Two parts",
        "catch it: the `safeguarding` intent of the classifier, and a rule-based",
        "backstop (`bot/nlp/risk.py`, the last component of the Rasa pipeline) that",
        "turns any message with risk phrases into `safeguarding` whatever the",
        "classifier thought. `make bench-safeguarding` measures both on the sets in",
        "`bench/data/` and writes this file.",
        "",
        "The sets were written for this measurement and are not training data. The",
        "development set was used to write the backstop's first rules, and its false",
        "alarms led to new training examples (everyday news about children, strong",
        "words). The first held-out set then measured them; its misses (threats from",
        "other children, neglect, a missing child, coercion, self-harm in new words)",
        "showed which kinds of risk the rules did not know.",
        "",
        "For the second round, a second held-out set (50 risk, 51 ordinary messages)",
        "was written first and measured once with the old rules: the backstop alone",
        "caught 16 of 50. Then a second development set (73 risk messages across those",
        "kinds, 50 near-miss ordinary ones) was written and the rules were extended",
        "from it and from the first held-out set, which is now seen and listed as such.",
        "The second held-out set was not used to write rules, and its recall was the",
        "estimate for new messages until the third round.",
        "",
        "For the third round, a third held-out set (50 risk, 101 ordinary messages,",
        "everyday and near-miss) was written first and measured once with the",
        "second-round rules and model: the assistant caught 35 of 50 (70%; the",
        "backstop alone 27 of 50) with 6 false alarms in 101 (5.9%). Its misses showed",
        "kinds the rules did not know: being shut in or held down, overdoses in other",
        "words, hints of not being around, goodbye letters, grooming by gifts, lifts",
        "and older people, gangs, image threats, neglect through drink, sleeping",
        "rough. Rules and training examples for those kinds were then written, so",
        "the third set is now seen too: the figures below for it are no longer a",
        "clean estimate.",
        "",
        "For the fourth round, a fourth held-out set (50 risk, 100 ordinary messages)",
        "was written first and measured once with the third-round rules and model:",
        "**the assistant caught 43 of 50 (86%)**, the backstop alone 28 of 50, with 5",
        "false alarms in 100 (5%; the backstop alone 2). This is the latest honest",
        "estimate of recall on new messages (70% on the third set before its round).",
        "Its misses: a child not picked up for days, a child not taken to the doctor,",
        "being made to carry parcels, a child locked in a room at school, being made",
        "to watch rude videos, a stranger asking a child to her flat, a neighbour",
        "pushing a child. The backstop also did not know secrets kept from parents,",
        "threats to family, forced marriage, FGM, radicalisation, medicine withheld,",
        "saving up tablets, taking a knife to school or planning to run away. Rules",
        "for those kinds were written (bot/nlp/risk.py, fourth round), and two of its",
        'false alarms mended ("bruises easily", "hurt himself by accident"). No new',
        "`safeguarding` training examples were added this round: the backstop now",
        "catches the set, and each earlier round of risk examples raised the",
        "classifier's false alarms. Instead, 15 new everyday examples of parents",
        "describing hard nights, medicine and past bullying went to `out_of_scope`.",
        "The fourth set is now seen too.",
        "",
        "For the fifth round, a fifth held-out set (50 risk, 100 ordinary messages)",
        "was written first, by someone who had not read the rules or the training",
        "data, and measured once with the fourth-round rules and model: **the",
        "assistant caught 41 of 50 (82%)**, the backstop alone 26 of 50, with 10",
        "false alarms in 100 (10%; the backstop alone 4). This is the latest honest",
        "estimate of recall on new messages. The set is harder than the fourth: many",
        "of its risk messages hold no risk word at all. The assistant missed FGM in",
        "other words, a carer leaving a child in wet pads, no food in the house, a",
        "child shut in a cupboard at school, a cruel punishment, a rope made ready,",
        "hands round a neck, giving things away, and free vapes from a shopkeeper.",
        "Rules for those kinds and the backstop's other misses (fear of going home,",
        "hiding, a child gone since yesterday, image threats, gifts of alcohol, an",
        "adult boyfriend of a 14-year-old, threats to family, a parent afraid of",
        "hurting a child, asking how many tablets) were then written (bot/nlp/risk.py,",
        "fifth round). The backstop still flags four of the set's ordinary messages",
        'on purpose ("going to kill me if", "self harmed", "abuse", "forced',
        'marriage"): each is also how real harm is described. The fifth set is now',
        "seen too.",
        "",
        "The same round added 356 everyday training examples to other intents",
        "(for the cross-validation score in docs/nlu-report.md). After retraining, the",
        "classifier's false alarms rose on most sets (second held out 9.8% → 13.7%,",
        "third 7.9% → 12.9%; ordinary messages about meeting times and the school run",
        "among them), while recall stayed at 100% on every set. Bringing the",
        "classifier's false alarms down again is the next piece of work.",
        "",
        "For the sixth round, a sixth held-out set (50 risk, 100 ordinary messages)",
        "was written first, again by someone who had not read the rules or the",
        "training data, and measured once with the fifth-round rules and model:",
        "**the assistant caught 43 of 50 (86%)**, the backstop alone 31 of 50, with",
        "14 false alarms in 100 (14%; the backstop alone 6). This is the latest",
        "honest estimate on new messages. The assistant missed a hint of not being",
        'around ("i wont be a problem for anyone soon"), a goodbye on the way to a',
        "bridge, cutting again, FGM called tradition, insulin not collected, a son",
        "drawn to a group that plans attacks, and a mother being strangled. The",
        "backstop alone also missed lifts and vapes from an older man, a secret kept",
        "from parents, packages to another town, a debt to work off, missing from a",
        "placement, being sat on by staff, threats for being gay, cruel words, a",
        "carer close to hurting a child, a man who comes into the bathroom and fear",
        "of going home. Rules for those kinds were then written (bot/nlp/risk.py,",
        "sixth round; `hasn't` and other words with an apostrophe are now read as",
        "`has not`). Three of the set's ordinary messages stay flagged on purpose (a",
        "joke threat, a film about a child running away from home, a lesson on county",
        "lines); three other rule false alarms were mended (no food or drink at the",
        "meeting, a bruise on a knee, running away from paperwork). The classifier's",
        'false alarms on it were plain review talk ("I felt welcome, the chair',
        'introduced everyone") as well as near-misses. The sixth set is now seen too.',
        "",
        "The same round added a second opinion on the intent (a logistic regression",
        "combined with DIET; docs/nlu-report.md). With it, recall is 100% on every",
        "set, and the classifier's false alarms moved both ways: second development",
        "22% → 14%, sixth 14% → 18% (3 of them from rules kept on purpose), others",
        "within 2 points. They stay the weak side of the safety check.",
        "",
        "For the seventh round, a seventh held-out set (50 risk, 100 ordinary",
        "messages) was written first, by someone who had read nothing of the",
        "project, and measured once with the sixth-round rules and model: **the",
        "assistant caught 42 of 50 (84%)**, the backstop alone 22 of 50, with 16",
        "false alarms in 100 (16%; the backstop alone 1). Nearly all false alarms",
        "came from the classifier, and most were plain review talk or a parent's",
        "story about a child. The classifier had learnt that a long, first-person",
        "story means risk: other intents had few such examples. Three changes",
        "followed, each written without reading any test set:",
        "",
        "- 520 everyday training examples for `affirm`, `deny`, `partly` and",
        "  `out_of_scope` (nlu_data/nlu/everyday.yml, everyday_long.yml): answers with",
        "  reasons, long comments, stories about children, strong words used",
        "  harmlessly;",
        "- 169 more `safeguarding` examples across 16 kinds of risk, many indirect",
        "  (nlu_data/nlu/safety_more.yml), so the classifier learns what makes a",
        "  message about risk, not only its length;",
        "- `safeguarding` from the classifier now needs both opinions (DIET and the",
        "  logistic regression) to give it at least 0.3; one model alone was behind",
        "  many false alarms. The backstop still catches risk phrases whatever the",
        "  models say.",
        "",
        "A first version (without the long examples) was measured on the seventh",
        "set too: 48 of 50 caught, but 20 false alarms in 100, so the long examples",
        "were added; after that the seventh set counts as seen. Rules for every",
        "backstop miss in it were then written (bot/nlp/risk.py, seventh round:",
        "violence at home, the belt, FGM and forced marriage in other words,",
        "medicine not collected or not allowed, neglect, eating disorders, goodbyes,",
        "grooming by a driver, burner phones, radicalisation, a threat about social",
        "workers), and one rule false alarm mended (\"die his hair\").",
        "",
        "An eighth held-out set (50 risk, 100 ordinary messages), written the same",
        "way, was then measured once with the final rules and model and used for",
        "nothing else: **the assistant caught 42 of 50 (84%)**, the backstop alone 31",
        "of 50, with **6 false alarms in 100 (6%)**, 5 of them from the backstop. This",
        "is the latest honest estimate: recall as on the sets before (82–86%), false",
        "alarms from the classifier down from 14–16 in 100 to about 1. On the older",
        "sets the false alarms fell from 75 of 842 to 41; on the second held-out set",
        "the classifier now misses 2 of the 6 messages the backstop does not know",
        "(recall 100% → 96%).",
        "",
    ]
    lines += section("The assistant as it runs (classifier and backstop)", full, True)
    lines += section("The backstop alone (rules, no model)", rules, False)
    lines += [
        "## What this means",
        "",
        "Risk messages the assistant misses get an ordinary reply, and no staff flag.",
        "A false alarm costs a kind message with help numbers and a flag staff can close.",
        "The rules err on the side of caution. Misses are listed above so that the next",
        "change to the rules or the training data can be checked against them.",
        "",
        'The second sets hold many ordinary messages that use risk words ("scared to',
        'speak", "to die for", "my son\'s carer", "hurt herself on the trampoline").',
        "On them the rules raise no false alarm; the classifier's `safeguarding` intent",
        "did, often with high confidence (0.95 and over), so a confidence threshold",
        "would not separate them. New training examples of everyday messages that use",
        "risk words (`out_of_scope`, `affirm`) cut those false alarms on the",
        "development sets (second development: 20% before, 12% now). They were written",
        "after the second held-out set's false alarms had been seen, so its false-alarm",
        "rate (21.6% before them) is no longer a clean estimate. On the third held-out",
        "set, measured before its round, false alarms were 5.9% (6 of 101): parents",
        'describing a hard day ("at breaking point", "no sense of danger") and a child',
        'hitting a parent. The rules still flag "he hit me" and a bruise from',
        '"walking into the door" on purpose: both are also how harm is described.',
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    for name, r in full.items():
        print(f"{name}: recall {r.recall:.3f}, false alarms {r.false_alarm_rate:.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
