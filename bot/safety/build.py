"""Build the risk classifier from the labelled data file (``copro nlp build``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.safety import classifier
from bot.safety.dataset import DATA_FILE, load_labelled

MARKER = "BUILT_FROM"


def _fingerprint() -> str:
    """What the model is made from: the data, and the code that reads and fits it."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    sources = (
        DATA_FILE,
        here / "classifier.py",
        here / "text.py",
        here / "rules" / "_text_speak.yml",
    )
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_classifier(target: Path, force: bool = False) -> classifier.Thresholds | None:
    """Train and save the classifier in ``target``; None when it was already up to date."""
    marker = target / MARKER
    fingerprint = _fingerprint()
    if not force and marker.exists() and marker.read_text().strip() == fingerprint:
        return None
    thresholds = classifier.train(load_labelled(), target)
    marker.write_text(fingerprint + "\n")
    return thresholds
