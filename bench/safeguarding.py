"""Measure the safety check (bot/safety): risk caught, false alarms, per category, per card.

    python bench/safeguarding.py        # `make bench-safeguarding`; writes docs/safeguarding.md

Runs `bot.safety`'s decision (rule cards and the risk classifier, as both the
conversation turn and Rasa use it) over every set in bench/data and writes the
report. A risk message counts as caught when the level is `possible` or
`severe`; for ordinary messages both "severe" and "any flag" are counted.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.labelled import read_lines, read_tsv  # noqa: E402
from bot.safety import NONE, SEVERE, default_check  # noqa: E402
from bot.safety.cards import load_cards  # noqa: E402

DATA = ROOT / "bench" / "data"
REPORT = ROOT / "docs" / "safeguarding.md"
BEFORE = DATA / "heldout9_on_main_before.json"
# (name, risk file, ordinary file, how the set stands to the check)
SEEN = "seen: in the classifier's data, cards written with it in view"
SETS = [
    ("development", "risk_messages.txt", "ordinary_messages.txt", SEEN),
    ("second development", "risk_messages_dev2.txt", "ordinary_messages_dev2.txt", SEEN),
    ("first held out", "risk_messages_heldout.txt", "ordinary_messages_heldout.txt", SEEN),
    ("second held out", "risk_messages_heldout2.txt", "ordinary_messages_heldout2.txt", SEEN),
    ("third held out", "risk_messages_heldout3.txt", "ordinary_messages_heldout3.txt", SEEN),
    ("fourth held out", "risk_messages_heldout4.txt", "ordinary_messages_heldout4.txt", SEEN),
    ("fifth held out", "risk_messages_heldout5.txt", "ordinary_messages_heldout5.txt", SEEN),
    ("sixth held out", "risk_messages_heldout6.txt", "ordinary_messages_heldout6.txt", SEEN),
    ("seventh held out", "risk_messages_heldout7.txt", "ordinary_messages_heldout7.txt", SEEN),
    ("eighth held out", "risk_messages_heldout8.txt", "ordinary_messages_heldout8.txt", SEEN),
    (
        "tuning",
        "risk_messages_tuning.tsv",
        "ordinary_messages_tuning.tsv",
        "thresholds checked on it; not in the classifier's data; three cards' "
        "near misses mended from its false alarms",
    ),
    (
        "ninth held out",
        "risk_messages_heldout9.tsv",
        "ordinary_messages_heldout9.tsv",
        "blind: written by someone who saw nothing of the check; measured once, at the end",
    ),
]
HEADLINE = "ninth held out"


@dataclass
class Row:
    text: str
    kind: str
    level: str
    cards: tuple[str, ...]


@dataclass
class Result:
    name: str
    status: str
    risk: list[Row] = field(default_factory=list)
    ordinary: list[Row] = field(default_factory=list)

    @property
    def caught(self) -> int:
        return sum(r.level != NONE for r in self.risk)

    @property
    def severe_risk(self) -> int:
        return sum(r.level == SEVERE for r in self.risk)

    @property
    def flagged(self) -> int:
        return sum(r.level != NONE for r in self.ordinary)

    @property
    def severe_ordinary(self) -> int:
        return sum(r.level == SEVERE for r in self.ordinary)


def load(name: str) -> list[tuple[str, str]]:
    path = DATA / name
    if not path.exists():
        return []
    if path.suffix == ".tsv":
        return read_tsv(path)
    return [("", text) for text in read_lines(path)]


def measure(check, rows: list[tuple[str, str]]) -> list[Row]:
    assessed = check.assess_many([text for _, text in rows])
    return [
        Row(text, kind, a.level, a.cards) for (kind, text), a in zip(rows, assessed, strict=True)
    ]


def pct(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def summary(results: list[Result]) -> list[str]:
    lines = [
        "| set | how it stands | risk caught | of them severe | ordinary: severe | "
        "ordinary: any flag |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        n, m = len(r.risk), len(r.ordinary)
        lines.append(
            f"| {r.name} | {r.status} | {r.caught} of {n} ({pct(r.caught, n)}) | "
            f"{r.severe_risk} | {r.severe_ordinary} of {m} ({pct(r.severe_ordinary, m)}) | "
            f"{r.flagged} of {m} ({pct(r.flagged, m)}) |"
        )
    return lines + [""]


def by_category(result: Result) -> list[str]:
    totals, caught = Counter(r.kind for r in result.risk), Counter()
    for row in result.risk:
        caught[row.kind] += row.level != NONE
    lines = ["| category | caught | of |", "|---|---|---|"]
    for kind in sorted(totals):
        lines.append(f"| {kind.replace('_', ' ')} | {caught[kind]} | {totals[kind]} |")
    kinds, flagged = Counter(r.kind for r in result.ordinary), Counter()
    for row in result.ordinary:
        flagged[row.kind] += row.level != NONE
    lines += ["", "| kind of ordinary message | flagged | of |", "|---|---|---|"]
    for kind in sorted(kinds):
        lines.append(f"| {kind.replace('_', ' ')} | {flagged[kind]} | {kinds[kind]} |")
    return lines + [""]


def card_precision(results: list[Result]) -> list[str]:
    on_risk: dict[str, Counter] = defaultdict(Counter)
    on_ordinary: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        for row in r.risk:
            for card in row.cards:
                on_risk[card][r.name] += 1
        for row in r.ordinary:
            for card in row.cards:
                on_ordinary[card][r.name] += 1
    lines = [
        "Per set: how many card matches fell on risk messages, and on ordinary ones",
        "(precision = risk matches / all matches).",
        "",
        "| set | card matches on risk | on ordinary | precision |",
        "|---|---|---|---|",
    ]
    for r in results:
        good = sum(c[r.name] for c in on_risk.values())
        bad = sum(c[r.name] for c in on_ordinary.values())
        lines.append(f"| {r.name} | {good} | {bad} | {pct(good, good + bad)} |")
    lines += [
        "",
        "Per card, over every set (cards that matched nothing are left out):",
        "",
        "| card | severity | risk | ordinary | precision | ordinary matches in |",
        "|---|---|---|---|---|---|",
    ]
    severity = {card.id: card.severity for card in load_cards()}
    for card in sorted(set(on_risk) | set(on_ordinary)):
        good, bad = sum(on_risk[card].values()), sum(on_ordinary[card].values())
        where = ", ".join(f"{name} ({n})" for name, n in on_ordinary[card].items())
        lines.append(
            f"| `{card}` | {severity.get(card, '?')} | {good} | {bad} | "
            f"{pct(good, good + bad)} | {where or '-'} |"
        )
    return lines + [""]


def listing(result: Result) -> list[str]:
    lines = []
    missed = [r.text for r in result.risk if r.level == NONE]
    alarms = [f"{r.text} ({r.level})" for r in result.ordinary if r.level != NONE]
    if missed:
        lines.append(f"- Missed ({len(missed)}): " + "; ".join(f'"{m}"' for m in missed))
    if alarms:
        lines.append(f"- False alarms ({len(alarms)}): " + "; ".join(f'"{a}"' for a in alarms))
    return lines + [""]


def before(headline: Result) -> list[str]:
    if not BEFORE.exists():
        return []
    data = json.loads(BEFORE.read_text())
    risk, ordinary = data["risk"], data["ordinary"]
    caught = sum(r["caught"] for r in risk)
    rules = sum(r["rules"] for r in risk)
    flagged = sum(o["caught"] for o in ordinary)
    return [
        f"Before any change, the same set was run once through the assistant as it was "
        f"then (DIET's `safeguarding` intent with the old rule backstop, "
        f"`bot/nlp/risk.py`): **{caught} of {len(risk)} risk messages caught "
        f"({pct(caught, len(risk))})**, the rules alone {rules}; "
        f"**{flagged} of {len(ordinary)} ordinary messages answered as a crisis "
        f"({pct(flagged, len(ordinary))})**. That assistant had one level: every flag "
        "was a crisis message. Now: "
        f"{headline.caught} of {len(headline.risk)} caught "
        f"({pct(headline.caught, len(headline.risk))}), "
        f"{headline.severe_ordinary} ordinary messages severe "
        f"({pct(headline.severe_ordinary, len(headline.ordinary))}), "
        f"{headline.flagged} flagged at all ({pct(headline.flagged, len(headline.ordinary))}).",
        "",
    ]


def main() -> int:
    check = default_check()
    results = []
    started = time.perf_counter()
    count = 0
    for name, risk_file, ordinary_file, status in SETS:
        risk, ordinary = load(risk_file), load(ordinary_file)
        if not risk and not ordinary:
            continue
        result = Result(name, status, measure(check, risk), measure(check, ordinary))
        count += len(risk) + len(ordinary)
        results.append(result)
    per_message = (time.perf_counter() - started) / max(count, 1) * 1000
    thresholds = check.thresholds
    headline = next((r for r in results if r.name == HEADLINE), None)
    lines = [
        "# Safeguarding: how well risk messages are caught",
        "",
        "Every message a person types is checked before anything else, in bot.server's",
        "conversation turn (and again inside Rasa, with the same result). The check",
        "(`bot/safety/`) gives one of three levels:",
        "",
        "- **severe**: help at once (999, Childline, NSPCC), a flag for staff, an alert",
        "  to a person; the conversation pauses where it was;",
        '- **possible**: one gentle check, "Is someone hurt or in danger now?", with the',
        '  short help line; "yes" makes it severe, "no" carries on (a review answer is saved);',
        "- **none**: nothing.",
        "",
        f"Two parts decide: **rule cards** ({len(load_cards())} cards in "
        "`bot/safety/rules/`, spaCy Matcher patterns on lemmas, each with examples and near",
        "misses tested card by card; a card is `severe` or `possible`) and a separate",
        "**risk classifier** (word and letter TF-IDF into a class-balanced logistic",
        f"regression, calibrated; {thresholds.examples} labelled examples in",
        f"`bot/safety/data/risk.jsonl`, {thresholds.risk_examples} of them risk). Its",
        "thresholds are chosen by 5-fold cross-validation (each example scored by a model",
        "that never saw it): `possible` from a score of",
        f"{thresholds.possible:.3f}, the score that keeps {thresholds.recall_target:.0%} of the",
        f"risk examples for the classifier alone (cross-validated recall "
        f"{thresholds.cv_recall:.1%},",
        f"with {thresholds.cv_false_alarms_possible:.1%} of the near-miss ordinary examples",
        f"above it); `severe` from {thresholds.severe:.3f}, which "
        f"{thresholds.cv_false_alarms_severe:.1%} of near misses reach. The",
        "recall target is for the classifier alone because the cards catch most plainly",
        "worded risk; it was set by looking at the tuning set below (not the blind set).",
        "The classifier alone does not judge messages under 4 words (only the cards",
        "do), nor make one under 6 words severe.",
        "",
        "A risk message counts as caught at `possible` or `severe`. `make",
        "bench-safeguarding` writes this file; it took "
        f"{per_message:.1f} ms a message on this machine.",
        "",
    ]
    if headline is not None:
        lines += [
            f"## The blind set ({HEADLINE})",
            "",
            f"{len(headline.risk)} risk and {len(headline.ordinary)} ordinary messages, written",
            "by someone who had read nothing of the project (not the rules, the cards, the data",
            "file or the earlier sets), near-copies of them kept out of the classifier's data",
            "automatically, and measured once, at the end. Targets: caught 97% or more;",
            "severe on 2% or fewer of ordinary messages; any flag on 8% or fewer.",
            "",
            *before(headline),
            *by_category(headline),
            *listing(headline),
        ]
    lines += ["## Every set", "", *summary(results)]
    lines += ["## The cards' precision", "", *card_precision(results)]
    REPORT.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    print(f"Wrote {REPORT.relative_to(ROOT)}")
    for r in results:
        print(
            f"{r.name:20} caught {r.caught}/{len(r.risk)}  severe-ordinary "
            f"{r.severe_ordinary}/{len(r.ordinary)}  flagged {r.flagged}/{len(r.ordinary)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
