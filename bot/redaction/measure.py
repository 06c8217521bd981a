"""How well redaction works on a set of comments whose personal details are marked.

A set is JSON Lines: ``{"text": ..., "personal": [exact spans of the text]}``.
A detail *leaks* when any of its identifying words or numbers (not "Mrs", "Road",
"Primary") is in the redacted text more often than in the rest of the comment.
A comment without personal details is *over-redacted* when anything in it changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.redaction import redact

# Words in a marked detail that say what kind it is, not whose it is.
KIND_WORDS = frozenset(
    """mr mrs ms miss mx dr doctor prof the of and st flat apartment primary school academy
    high college nursery infants infant juniors junior road lane street avenue close drive
    grove court crescent way place gardens terrace walk hill park mews row square view rise
    green vale croft at dot com co uk org net www https http""".split()
)


@dataclass
class Measured:
    comments: int = 0
    details: int = 0
    leaked: list[tuple[str, str]] = field(default_factory=list)  # (detail, redacted text)
    clean: int = 0
    over_redacted: list[tuple[str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return 1 - len(self.leaked) / self.details if self.details else 1.0


def identifying(detail: str) -> list[str]:
    return [t for t in re.findall(r"[^\W_]+", detail) if t.lower() not in KIND_WORDS and len(t) > 1]


def _count(token: str, text: str) -> int:
    return len(re.findall(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", text, flags=re.I))


def leaked_details(text: str, personal: list[str], redacted: str) -> list[str]:
    """The marked details of ``text`` still readable in ``redacted``."""
    rest = text
    for detail in personal:
        rest = rest.replace(detail, " ")
    return [
        detail
        for detail in personal
        if any(_count(t, redacted) > _count(t, rest) for t in identifying(detail))
    ]


def measure(path: Path) -> Measured:
    result = Measured()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        text, personal = item["text"], item["personal"]
        redacted = redact(text)
        result.comments += 1
        result.details += len(personal)
        result.leaked += [(d, redacted) for d in leaked_details(text, personal, redacted)]
        if not personal:
            result.clean += 1
            if redacted != text:
                result.over_redacted.append((text, redacted))
    return result


def changed_lines(path: Path) -> tuple[int, list[tuple[str, str]]]:
    """Plain messages (one per line): how many, and those redaction changed."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    changed = [(line, redact(line)) for line in lines]
    return len(lines), [(a, b) for a, b in changed if a != b]
