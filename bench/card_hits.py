"""Which rule cards fire on which messages: risk caught, ordinary messages flagged.

    python bench/card_hits.py [--cards PREFIX] [--show]

Reads the labelled data file (bot/safety/data/risk.jsonl) and the seen sets in
bench/data; prints, per card, how many risk and ordinary messages it matches,
and (with --show) the ordinary ones, which are false alarms to mend.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.labelled import labelled_messages  # noqa: E402
from bot.safety.cards import load_cards  # noqa: E402
from bot.safety.matching import CardMatcher  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", default="", help="only cards whose id starts with this")
    parser.add_argument("--show", action="store_true", help="print ordinary messages matched")
    args = parser.parse_args()
    cards = [c for c in load_cards() if c.id.startswith(args.cards)]
    matcher = CardMatcher(tuple(cards))
    risk_hits: Counter[str] = Counter()
    alarms: dict[str, list[str]] = defaultdict(list)
    caught = total_risk = total_ordinary = flagged = 0
    for message in labelled_messages():
        ids = [hit.card.id for hit in matcher.hits(message.text)]
        if message.label:
            total_risk += 1
            caught += bool(ids)
            risk_hits.update(ids)
        else:
            total_ordinary += 1
            flagged += bool(ids)
            for card_id in ids:
                alarms[card_id].append(f"[{message.source}] {message.text}")
    print(f"risk messages matched by a card: {caught} of {total_risk}")
    print(f"ordinary messages matched by a card: {flagged} of {total_ordinary}")
    for card in cards:
        wrong = alarms.get(card.id, [])
        print(f"{card.id:45} risk {risk_hits[card.id]:4}  ordinary {len(wrong):3}")
        if args.show:
            for text in wrong:
                print("      ", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
