"""Labelled messages for the safety check: risk (1) or ordinary (0), with their source.

The classifier's data file (bot/safety/data/risk.jsonl) is the one place they
live; this reads it, and `build_data_file` (run once, when sets are added)
makes it from the sets in bench/data, the training data in nlu_data and any
extra labelled files (tab-separated: category or kind, then the message).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.safety.dataset import DATA_FILE, Labelled, load_labelled  # noqa: E402

BENCH = ROOT / "bench" / "data"


def read_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def read_tsv(path: Path) -> list[tuple[str, str]]:
    """(category or kind, message) from a tab-separated file."""
    rows = []
    for line in read_lines(path):
        kind, _, text = line.partition("\t")
        rows.append((kind.strip(), text.strip()) if text else ("", kind.strip()))
    return rows


def bench_sets() -> Iterator[Labelled]:
    """The seen development and held-out sets of earlier rounds (not the tuning or
    blind sets, which are tab-separated)."""
    for path in sorted(BENCH.glob("*_messages*.txt")):
        label = int(path.name.startswith("risk"))
        for text in read_lines(path):
            yield Labelled(text, label, path.stem)


def nlu_examples() -> Iterator[Labelled]:
    """Every training example of the assistant: `safeguarding` is risk, the rest ordinary."""
    for path in sorted((ROOT / "nlu_data" / "nlu").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if not intent:
                continue
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if not text:
                    continue
                # Entity annotations: "[EHCP](term)" is read as "EHCP".
                text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
                text = re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", text)
                yield Labelled(text, int(intent == "safeguarding"), f"nlu:{intent}")


def extra_sets(paths: Iterable[Path]) -> Iterator[Labelled]:
    """Tab-separated files whose name says risk or ordinary."""
    for path in paths:
        label = int("risk" in path.name)
        for kind, text in read_tsv(path):
            yield Labelled(text, label, path.stem, kind if label else "")


def near_copies(texts: Iterable[str], unseen: Iterable[Path]) -> set[str]:
    """The texts that are near-copies of a message in a set not yet measured.

    A held-out set must stay unseen: a training example that says nearly the
    same thing would make its measurement look better than it is. Only the
    matching texts are returned; the held-out messages are never printed.
    """
    from rapidfuzz import fuzz, process

    from bot.safety.text import clean

    held_out = [clean(text) for path in unseen for _, text in read_tsv(path)]
    found = set()
    for text in texts:
        cleaned = clean(text)
        if len(cleaned.split()) < 3:
            continue
        if process.extractOne(cleaned, held_out, scorer=fuzz.token_sort_ratio, score_cutoff=80):
            found.add(text)
    return found


def build_data_file(extra: Iterable[Path] = (), unseen: Iterable[Path] = ()) -> int:
    """Write the data file from every source, each text once (risk wins), leaving out
    near-copies of the ``unseen`` held-out sets. Returns its size."""
    items = [*nlu_examples(), *bench_sets(), *extra_sets(extra)]
    left_out = near_copies([item.text for item in items], list(unseen))
    seen: dict[str, Labelled] = {}
    for item in items:
        if item.text in left_out:
            continue
        key = " ".join(item.text.lower().split())
        if key not in seen or (item.label and not seen[key].label):
            seen[key] = item
    DATA_FILE.parent.mkdir(parents=True, exist_ok=True)
    with DATA_FILE.open("w", encoding="utf-8") as out:
        for item in seen.values():
            out.write(item.as_json() + "\n")
    return len(seen)


def labelled_messages() -> list[Labelled]:
    return load_labelled(DATA_FILE)
