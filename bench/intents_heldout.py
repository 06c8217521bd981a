"""Score the trained model on messages written blind, labelled with the fixed intents.

    python bench/intents_heldout.py [models/current.tar.gz]

`bench/data/intents_heldout.tsv` was written from a description of each of the
26 intents that docs and evaluations name (design.md), by someone who had not
seen the training data, and is never used to change it. Each message goes
through the whole NLU pipeline of the trained model (the safety check and the
rule components included), as Rasa's parse does. A message counts as right only
when the model gives exactly its intent: an answer with one of the assistant's
other intents (`ask_privacy` for a privacy question labelled `my_data`, say) is
counted wrong, and listed, so the report shows where the names differ.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.labelled import read_tsv  # noqa: E402

DATA = ROOT / "bench" / "data" / "intents_heldout.tsv"
MODEL = ROOT / "models" / "current.tar.gz"


def scores(pairs: list[tuple[str, str]], predicted: list[str]) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 for each labelled intent."""
    right, said, labelled = Counter(), Counter(predicted), Counter(i for i, _ in pairs)
    for (intent, _), guess in zip(pairs, predicted, strict=True):
        right[intent] += intent == guess
    table = {}
    for intent in sorted(labelled):
        precision = right[intent] / said[intent] if said[intent] else 0.0
        recall = right[intent] / labelled[intent]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[intent] = {"precision": precision, "recall": recall, "f1": f1}
    return table


async def parse_all(model: Path, texts: list[str]) -> list[str]:
    import logging

    import structlog
    from rasa.core.agent import Agent

    # Rasa logs each parse with its text: the messages stay out of the output.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger().setLevel(logging.WARNING)
    agent = Agent.load(str(model))
    names = []
    for text in texts:
        parsed = await agent.parse_message(text)
        names.append((parsed.get("intent") or {}).get("name") or "")
    return names


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    model = Path(sys.argv[1]) if len(sys.argv) > 1 else MODEL
    pairs = read_tsv(DATA)
    predicted = asyncio.run(parse_all(model, [text for _, text in pairs]))
    table = scores(pairs, predicted)
    macro = sum(row["f1"] for row in table.values()) / len(table)
    accuracy = sum(i == p for (i, _), p in zip(pairs, predicted, strict=True)) / len(pairs)
    print(f"{len(pairs)} messages, {len(table)} intents")
    print(f"macro-F1 {macro:.4f}, accuracy {accuracy:.3f}")
    print("| intent | precision | recall | F1 |\n|---|---|---|---|")
    for intent, row in table.items():
        print(f"| {intent} | {row['precision']:.2f} | {row['recall']:.2f} | {row['f1']:.2f} |")
    wrong = Counter((i, p) for (i, _), p in zip(pairs, predicted, strict=True) if i != p)
    print("\nMost common mistakes (labelled -> given):")
    for (intent, guess), count in wrong.most_common(15):
        print(f"  {count:3d}  {intent} -> {guess}")


if __name__ == "__main__":
    main()
