"""The labelled messages the risk classifier learns from (``data/risk.jsonl``).

One JSON object a line: ``text``, ``label`` (1 risk, 0 ordinary), ``source``
(where it came from) and, for risk, its ``category``. Staff marks of real
concerns and false alarms, exported from the dashboard, are added the same way.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "risk.jsonl"


@dataclass(frozen=True)
class Labelled:
    text: str
    label: int
    source: str
    category: str = ""

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def load_labelled(path: Path = DATA_FILE) -> list[Labelled]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            item = Labelled(**raw)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{path.name}, line {number}: not a labelled message") from error
        if item.label not in (0, 1) or not item.text.strip():
            raise ValueError(f"{path.name}, line {number}: label must be 0 or 1, text not empty")
        items.append(item)
    return items
