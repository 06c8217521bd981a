"""Redaction recall and over-redaction, for docs/privacy.md.

    python bench/redaction.py [--show]

Reads the marked comment sets (bench/data/redaction_*.jsonl: every personal detail
marked) and the ordinary messages (bench/data/ordinary_messages*.txt); prints, per
set, details leaked and comments changed that had nothing personal in them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.redaction.measure import changed_lines, measure  # noqa: E402

DATA = ROOT / "bench" / "data"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", action="store_true", help="print every leak and change")
    args = parser.parse_args()
    for path in sorted(DATA.glob("redaction_*.jsonl")):
        found = measure(path)
        print(
            f"{path.name}: {found.comments} comments, {found.details} details, "
            f"{len(found.leaked)} leaked (recall {found.recall:.1%}); "
            f"{found.clean} with nothing personal, {len(found.over_redacted)} changed"
        )
        if args.show:
            for detail, redacted in found.leaked:
                print(f"  leaked {detail!r}: {redacted}")
            for text, redacted in found.over_redacted:
                print(f"  changed: {text}\n       -> {redacted}")
    total = changed = 0
    for path in sorted(DATA.glob("ordinary_messages*.txt")):
        count, found = changed_lines(path)
        total += count
        changed += len(found)
        if args.show:
            for text, redacted in found:
                print(f"  {path.name}: {text}\n       -> {redacted}")
    print(f"ordinary messages: {total}, changed by redaction: {changed} ({changed / total:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
